"""Durable sessions: kinds, the JSON encoding of their data, and the manager's store side."""
