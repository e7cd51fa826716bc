"""Fixtures for the pagination stories: a dpytest bot with nyx_sessions loaded, and the harness."""

from __future__ import annotations

from nyx_sessions.testing.plugin import bot, bot_extensions, harness

__all__ = ("bot", "bot_extensions", "harness")
