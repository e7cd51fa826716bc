"""The exception hierarchy of nyx_sessions.

Every exception derives from :class:`NyxSessionsError`. The classes are defined in a module that
survives ``reload_extension("nyx_sessions")`` so that ``except`` clauses written before a reload keep
matching what the reloaded package raises.
"""

from __future__ import annotations

from _nyx_sessions_identity import (
    AutoDeferredError,
    CustomIdTooLongError,
    DuplicateSessionError,
    IllegalSessionStateError,
    InvalidCustomIdError,
    NyxSessionsError,
    SessionMiddlewareError,
    SessionsNotLoadedError,
    SessionStartMiddlewareError,
    SessionUpdateMiddlewareError,
)

__all__ = (
    "AutoDeferredError",
    "CustomIdTooLongError",
    "DuplicateSessionError",
    "IllegalSessionStateError",
    "InvalidCustomIdError",
    "NyxSessionsError",
    "SessionMiddlewareError",
    "SessionStartMiddlewareError",
    "SessionUpdateMiddlewareError",
    "SessionsNotLoadedError",
)
