"""Session storage: the repository of live sessions, the stores of durable ones, end promises, clocks."""

from __future__ import annotations

from .clock import Alarm, Clock, ManualClock, ManualTimerHandle, SystemClock, TimerHandleLike
from .memory_store import MemorySessionStore
from .promises import SessionPromiseRepository
from .redis_store import RedisSessionStore
from .repository import ExpirationCallback, MemorySessionRepository, SessionRepository, StoredSession
from .sqlite_store import SQLiteSessionStore
from .store import (
    STARTING_GRACE,
    Acquired,
    Admitted,
    DurableRecord,
    SessionBusyError,
    SessionStore,
    SharedSessionStore,
)
from .urls import store_from_url

__all__ = (
    "STARTING_GRACE",
    "Acquired",
    "Admitted",
    "Alarm",
    "Clock",
    "DurableRecord",
    "ExpirationCallback",
    "ManualClock",
    "ManualTimerHandle",
    "MemorySessionRepository",
    "MemorySessionStore",
    "RedisSessionStore",
    "SQLiteSessionStore",
    "SessionBusyError",
    "SessionPromiseRepository",
    "SessionRepository",
    "SessionStore",
    "SharedSessionStore",
    "StoredSession",
    "SystemClock",
    "TimerHandleLike",
    "store_from_url",
)
