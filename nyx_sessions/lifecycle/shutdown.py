"""Closing: every held session is ended (or left to its store), within a bounded time."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from nyx_sessions.events import SessionEvent
from nyx_sessions.state import SessionEndCode, SessionEndData, SessionExecutionMeta, SessionState

if TYPE_CHECKING:
    from collections.abc import Callable

    from nyx_sessions.events import EventBus
    from nyx_sessions.lifecycle.backing import Backing
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.lifecycle.tasks import Tasks
    from nyx_sessions.sessions.base import AbstractSession

__all__ = ("Shutdown",)

_log = logging.getLogger(__name__)

_CANCEL_GRACE = 1.0
"""Seconds cancelled work gets to settle (ends still resolve and emit)."""


class Shutdown:
    """Winds a manager's sessions and background work down.

    Parameters
    ----------
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The held sessions.
    tasks: :class:`~nyx_sessions.lifecycle.tasks.Tasks`
        The background work.
    bus: :class:`~nyx_sessions.EventBus`
        Its subscribers are waited for.
    announce: Callable
        Emits the ends of sessions given up on.
    backing_of: Callable
        The backing of a session: it ends the session or leaves it to its store.
    abandon_start: Callable
        Fails a start still running when time is up.
    timeout: :class:`float`
        Seconds the work gets before it is cancelled.
    """

    __slots__ = ("_abandon_start", "_announce", "_backing_of", "_bus", "_live", "_tasks", "timeout")

    def __init__(
        self,
        live: LiveSessions,
        tasks: Tasks,
        bus: EventBus,
        announce: Callable[..., None],
        backing_of: Callable[[AbstractSession[Any] | None], Backing],
        abandon_start: Callable[[AbstractSession[Any]], None],
        timeout: float,
    ) -> None:
        self._live = live
        self._tasks = tasks
        self._bus = bus
        self._announce = announce
        self._backing_of = backing_of
        self._abandon_start = abandon_start
        self.timeout = timeout

    async def run(self) -> None:
        """End or detach every held session and wait for the work in progress; past ``timeout``
        seconds, cancel what still runs and settle every session that is left."""
        try:
            await asyncio.wait_for(self._wind_down(), self.timeout)
        except asyncio.TimeoutError:
            _log.warning(
                "session work still running %s s into shutdown was cancelled "
                "(%d tasks, %d event subscribers)",
                self.timeout,
                len(self._tasks),
                self._bus.pending,
            )
            await self._tasks.cancel(_CANCEL_GRACE)  # cancelled ends settle their sessions and emit
            for session in list(self._live.held.values()):
                self._give_up_on(session)
            await self._bus.aclose()

    async def _wind_down(self) -> None:
        sessions = list(self._live.held.values())
        await asyncio.gather(*(self._backing_of(session).stop(session) for session in sessions))
        await self._tasks.wait()
        await self._bus.wait_idle()

    def _give_up_on(self, session: AbstractSession[Any]) -> None:
        """Fail a start still running; settle a session never reached, without ``on_end``."""
        if session._state is SessionState.UNINITIALIZED:
            self._abandon_start(session)
            return
        del self._live.held[session.id]
        data: SessionEndData[Any] = SessionEndData(
            "the bot is stopping", SessionEndCode.BOT_STOP, session.result
        )
        self._live.settle(session, data)
        self._announce(SessionEvent.END, session, data, SessionExecutionMeta(session.id))
