"""Work on a running session from outside its clicks (a background task, another command).

It takes the session's turn like a click: it waits for a running handler, and clicks that arrive
meanwhile wait for it. A durable session served by another process is taken here first, as a
click would take it, so the work runs where the session's latest state is.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING, Any

from nyx_sessions.state import SessionState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from nyx_sessions.lifecycle.backing import Backing
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.sessions.base import AbstractSession

__all__ = ("OutsideWork",)

_WORK_ID_BITS = 63
"""The stand-in interaction id of outside work: random, so no two ever mark one id in a store."""


class OutsideWork:
    """Runs work on a session between two of its clicks.

    Parameters
    ----------
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The held sessions and their locks.
    backing_of: Callable
        The backing of a session.
    """

    __slots__ = ("_backing_of", "_live")

    def __init__(
        self, live: LiveSessions, backing_of: Callable[[AbstractSession[Any] | None], Backing]
    ) -> None:
        self._live = live
        self._backing_of = backing_of

    @contextlib.asynccontextmanager
    async def turn(self, session_id: str) -> AsyncIterator[AbstractSession[Any] | None]:
        """The running session ``session_id`` in its turn, as a click would have it; ``None`` when
        no such session runs. Inside one of its own handlers (which holds its turn) at once.

        Raises
        ------
        SessionStoreError
            The session is durable and its store did not answer.
        """
        live = self._live
        serial = live.serial
        if serial.held_here(session_id):
            session = live.held.get(session_id)
            yield session if session is not None and session._state is SessionState.RUNNING else None
            return
        await serial.acquire(session_id)
        held = live.held.get(session_id)
        backing = self._backing_of(held)
        work_id = secrets.randbits(_WORK_ID_BITS)
        try:
            session = backing.at_hand(held) or await backing.take(session_id, held, work_id)
            running = session is not None and session._state is SessionState.RUNNING
            yield session if running and session_id not in live.ending else None
        finally:
            await backing.leave(session_id, work_id)
            serial.release(session_id)

    async def edit_message(self, session_id: str, edit: dict[str, Any]) -> bool:
        """Edit the message of session ``session_id`` in its turn; ``False`` when no such session
        runs (see :meth:`SessionManager.update_message <nyx_sessions.SessionManager.update_message>`,
        which raises what this raises)."""
        async with self.turn(session_id) as session:
            if session is None:
                return False
            await session.edit(None, **edit)
            return True
