"""The exception hierarchy of nyx_sessions.

Every exception derives from :class:`NyxSessionsError`. The classes are defined in a module that
survives ``reload_extension("nyx_sessions")`` so that ``except`` clauses written before a reload keep
matching what the reloaded package raises.
"""

from __future__ import annotations

from _nyx_sessions_identity import (
    AutoDeferredError,
    ComponentLimitError,
    CustomIdTooLongError,
    DuplicateSessionError,
    DuplicateSessionKindError,
    IllegalSessionStateError,
    InvalidCustomIdError,
    NyxSessionsError,
    SessionDataError,
    SessionMiddlewareError,
    SessionsNotLoadedError,
    SessionStartMiddlewareError,
    SessionStoreError,
    SessionUpdateMiddlewareError,
)

__all__ = (
    "AutoDeferredError",
    "ComponentLimitError",
    "CustomIdTooLongError",
    "DuplicateSessionError",
    "DuplicateSessionKindError",
    "IllegalSessionStateError",
    "InvalidCustomIdError",
    "NyxSessionsError",
    "SessionDataError",
    "SessionMiddlewareError",
    "SessionStartMiddlewareError",
    "SessionStoreError",
    "SessionUpdateMiddlewareError",
    "SessionsNotLoadedError",
)
