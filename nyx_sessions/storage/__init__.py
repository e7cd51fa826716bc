"""Session storage: the repository of live sessions, end promises, and the clocks behind expiry."""

from __future__ import annotations

from .clock import Clock, ManualClock, ManualTimerHandle, SystemClock, TimerHandleLike
from .promises import SessionPromiseRepository
from .repository import ExpirationCallback, MemorySessionRepository, SessionRepository, StoredSession

__all__ = (
    "Clock",
    "ExpirationCallback",
    "ManualClock",
    "ManualTimerHandle",
    "MemorySessionRepository",
    "SessionPromiseRepository",
    "SessionRepository",
    "StoredSession",
    "SystemClock",
    "TimerHandleLike",
)
