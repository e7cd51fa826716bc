"""The one end sequence: every session ends once, whether it ends itself, expires or the bot stops."""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from nyx_sessions.errors import IllegalSessionStateError, SessionStoreError
from nyx_sessions.events import SessionEvent
from nyx_sessions.execution import send_notice
from nyx_sessions.execution.deferral import unanswered
from nyx_sessions.lifecycle.live import CLICK
from nyx_sessions.messages import message
from nyx_sessions.observers import NO_OBSERVERS
from nyx_sessions.state import SessionEndCode, SessionEndData, SessionExecutionMeta

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from nyx_sessions.execution import SessionExecutor
    from nyx_sessions.lifecycle.backing import Backing
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.lifecycle.outside import OutsideWork
    from nyx_sessions.observers import Observers
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.state import EndCode

__all__ = ("Ends",)

_log = logging.getLogger(__name__)

_ENDING: ContextVar[Mapping[str, tuple[str, Any]]] = ContextVar(
    "nyx_sessions_ending", default=MappingProxyType({})
)
"""The ends in progress around the running code: session id -> (reason, code).

A context variable, so ``end()`` called from ``on_end`` -- or from a task ``on_end`` awaits, which
copies the context -- sees that it runs inside its own end sequence and returns instead of waiting
on itself.
"""


class Ends:
    """Ends sessions exactly once.

    Parameters
    ----------
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The held sessions and the ends in progress.
    executor: :class:`~nyx_sessions.SessionExecutor`
        Runs ``on_end``.
    announce: Callable
        Emits the end (and expiry) events.
    backing_of: Callable
        The backing of a session (:class:`~nyx_sessions.lifecycle.backing.Backing`).
    outside: :class:`~nyx_sessions.lifecycle.outside.OutsideWork`
        Takes a parent's turn when its child ended, for its ``on_child_end``.
    observers: :class:`~nyx_sessions.observers.Observers`
        Told of each end sequence.
    """

    __slots__ = ("_announce", "_backing_of", "_executor", "_live", "_observers", "_outside")

    def __init__(
        self,
        live: LiveSessions,
        executor: SessionExecutor,
        announce: Callable[..., None],
        backing_of: Callable[[AbstractSession[Any] | None], Backing],
        outside: OutsideWork,
        observers: Observers = NO_OBSERVERS,
    ) -> None:
        self._live = live
        self._observers = observers
        self._executor = executor
        self._announce = announce
        self._backing_of = backing_of
        self._outside = outside

    async def end(
        self,
        session: AbstractSession[Any],
        reason: str,
        code: EndCode,
        meta: SessionExecutionMeta | None = None,
    ) -> SessionEndData[Any]:
        """End ``session``; see :meth:`SessionManager.end <nyx_sessions.SessionManager.end>`."""
        if session._end_data is not None:
            return session._end_data
        ending = self._live.ending
        if session.id in ending:
            here = _ENDING.get().get(session.id)
            if here is not None:  # called from inside this end sequence (on_end): waiting would deadlock
                return SessionEndData(here[0], here[1], session.result)
            pending = ending[session.id]
            if pending is None:
                pending = ending[session.id] = asyncio.get_running_loop().create_future()
            return await asyncio.shield(pending)
        if self._live.held.get(session.id) is not session:
            raise IllegalSessionStateError(f"session {session.id!r} cannot end: it was never started")
        return await self.run(session, reason, code, meta)

    async def run(
        self,
        session: AbstractSession[Any],
        reason: str,
        code: EndCode,
        meta: SessionExecutionMeta | None,
        *,
        expired: bool = False,
        deadline: float | None = None,
    ) -> SessionEndData[Any]:
        """The end sequence itself, for ends, expiries and shutdown alike.

        The backing records the end first: ``on_end`` runs on the copy it gives (a store gives the
        latest stored state), not at all when another process ends the session, and the end does
        not happen when no end could be recorded (the error goes to the caller; the session goes
        on). ``deadline``: when an expiring session was due (observers measure the lateness).
        """
        live = self._live
        session_id = session._id
        live.ending[session_id] = None
        meta = meta if meta is not None else SessionExecutionMeta(session_id)
        if session._child is not None:
            await self._end_child(session._child, reason, code)
        observers = self._observers
        observed = observers.end(session, reason, code, expired, deadline) if observers else None
        backing = self._backing_of(session)
        try:
            ending = await backing.begin_end(session, reason, code)
        except BaseException as error:
            waiter = live.ending.pop(session_id)
            if waiter is not None and isinstance(error, Exception):
                waiter.set_exception(error)  # a concurrent end() is told the same
            elif waiter is not None:
                waiter.cancel()
            if observed is not None:
                observers.end_finished(observed)
            raise
        data: SessionEndData[Any] | None = None
        inside = _ENDING.set({**_ENDING.get(), session_id: (reason, code)})
        try:
            live.held.pop(session_id, None)  # a session restored only to expire was never held
            if ending is None:  # that process runs on_end and fires the events
                data = SessionEndData("ended in another process", SessionEndCode.DETACHED, session.result)
            else:
                data = await self._executor.end(ending, reason, code, meta)
                # The parent first, while the child's end is still claimed: should this process die
                # in between (or the store fail), the store finishes the claim later and makes the
                # waiting parent due then, so no parent waits for ever.
                if session._parent is None or await self._back_to_parent(session._parent, session_id, data):
                    await backing.finish(session_id)
        finally:
            _ENDING.reset(inside)
            # Even a cancelled end settles and is announced: waiters may not hang, the session may
            # not linger, and session_end fires for every end.
            if data is None:
                data = SessionEndData(reason, code, (ending or session).result)
            if ending is not None and ending is not session:
                live.settle(ending, data)
            live.settle(session, data)
            waiter = live.ending.pop(session_id)
            if waiter is not None:
                waiter.set_result(data)
            if ending is not None:
                self._announce(SessionEvent.END, ending, data, meta)
                if expired:
                    self._announce(SessionEvent.EXPIRE, ending, data)
            if observed is not None:
                observed.ended_here = ending is not None
                observers.end_finished(observed)
        return data

    async def _end_child(self, child_id: str, reason: str, code: EndCode) -> None:
        """A parent's end ends its child first: here, or (a durable child another process serves)
        taken from that process, as a click would take it."""
        child = self._live.held.get(child_id)
        if child is not None:
            if child._end_data is None:
                await self.end(child, reason, code)
            return
        async with self._outside.turn(child_id) as running:
            if running is not None:
                await self.run(running, reason, code, None)

    async def _back_to_parent(self, parent_id: str, child_id: str, child_end: SessionEndData[Any]) -> bool:
        """A child ended: its parent takes clicks again and runs ``on_child_end``, in its turn (in
        this process, even when another one served the parent until now). ``False`` when the
        parent's store did not answer: it still waits there."""
        if parent_id in self._live.ending:
            return True  # the parent's own end ended the child
        click = CLICK.get()
        interaction = click if click is not None and unanswered(click) else None
        handler_running = self._live.serial.held_here(parent_id)  # the child ended inside it
        try:
            async with self._outside.turn(parent_id) as parent:
                if parent is None or parent._child not in (None, child_id):
                    return True  # ended meanwhile, or waits for another child (this one was stale)
                parent._child = None
                try:
                    await parent.on_child_end(child_end, interaction)
                except Exception:
                    _log.exception("on_child_end of session %s raised", parent_id)
                    if interaction is not None and unanswered(interaction):
                        await send_notice(interaction, message("nyx_sessions.notice.error"))
                await self._backing_of(parent).resume(parent, handler_running=handler_running)
        except SessionStoreError as error:
            _log.warning("parent %s of ended session %s was not resumed: %s", parent_id, child_id, error)
            return False
        return True

    async def expire(
        self,
        session: AbstractSession[Any],
        refreshed: Callable[[str], bool],
        deadline: float | None = None,
    ) -> None:
        """End a session whose TTL ran out (at ``deadline``, when known), unless a handler that ran
        meanwhile refreshed it.

        A running handler is waited for (expiry never interrupts one); the components are
        disabled after the end.
        """
        session_id = session._id
        serial = self._live.serial
        if not serial.try_acquire(session_id):  # no coroutine for a free lock: one per expiry
            await serial.acquire(session_id)
        try:
            if self._live.held.get(session_id) is not session or session_id in self._live.ending:
                return
            if refreshed(session_id):
                return
            await self.run(
                session, "the session expired", SessionEndCode.EXPIRED, None, expired=True, deadline=deadline
            )
        finally:
            serial.release(session_id)
        if session.disable_on_expire and session._parent is None:  # a child's parent has the message back
            await session._disable_components()
