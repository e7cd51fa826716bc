"""The sessions a manager holds: the live table, one lock per session, and the ends in progress."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from nyx_sessions._keyed_lock import KeyedLock
from nyx_sessions.lifecycle.limits import StartLimits
from nyx_sessions.state import SessionState

if TYPE_CHECKING:
    import asyncio

    import discord

    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.state import SessionEndData
    from nyx_sessions.storage import SessionPromiseRepository

__all__ = ("CLICK", "LiveSessions")

CLICK: ContextVar[discord.Interaction[Any] | None] = ContextVar("nyx_sessions_click", default=None)
"""The click whose handler runs around the current code: a child session that ends in a handler
hands it to its parent's ``on_child_end`` to answer."""


class LiveSessions:
    """What every part of a session's life shares.

    Attributes
    ----------
    held: dict[:class:`str`, :class:`~nyx_sessions.AbstractSession`]
        The sessions this process holds, by id.
    ending: dict[:class:`str`, Optional[:class:`asyncio.Future`]]
        The sessions being ended, each with the future a concurrent ``end()`` waits on (made only
        when one does).
    serial: :class:`~nyx_sessions._keyed_lock.KeyedLock`
        One lock per session: a start, each click and each end of a session run one at a time.
    promises: :class:`~nyx_sessions.storage.SessionPromiseRepository`
        The futures ``wait()`` returns.
    limits: :class:`~nyx_sessions.lifecycle.limits.StartLimits`
        The sessions each ``max_per_*`` limit counts.
    """

    __slots__ = ("ending", "held", "limits", "promises", "serial")

    def __init__(self, promises: SessionPromiseRepository) -> None:
        self.held: dict[str, AbstractSession[Any]] = {}
        self.ending: dict[str, asyncio.Future[SessionEndData[Any]] | None] = {}
        self.serial = KeyedLock()
        self.promises = promises
        self.limits = StartLimits()

    def settle(self, session: AbstractSession[Any], data: SessionEndData[Any]) -> None:
        """Mark ``session`` ended with ``data`` and resolve its waiters (no ``on_end``, no event)."""
        session._state = SessionState.ENDED
        session._end_data = data
        self.promises.resolve(session, data)
        if session._limits is not None:
            self.limits.release(session, session._limits)
