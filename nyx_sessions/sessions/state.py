"""The value types of a session's life, where they were first published (see :mod:`nyx_sessions.state`)."""

from __future__ import annotations

from nyx_sessions.state import (
    EndCode,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionRecord,
    SessionState,
)

__all__ = (
    "EndCode",
    "SessionEndCode",
    "SessionEndData",
    "SessionExecutionMeta",
    "SessionRecord",
    "SessionState",
)
