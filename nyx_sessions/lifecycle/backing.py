"""Where a held session's state lives between clicks: one interface, in memory or in a store.

A start, each click and each end ask the session's backing at the same few moments, so the way of a
click has no "stored or not" branch: :class:`MemoryBacking` keeps the session in this process with
its TTL in a repository; :class:`~nyx_sessions.durable.keeper.DurableSessions` keeps it in a store.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from nyx_sessions.state import SessionEndCode, SessionState

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    import discord

    from nyx_sessions.execution.executor import UpdateOutcome
    from nyx_sessions.lifecycle.limits import Admission, SessionLimits
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.state import EndCode, SessionEndData, SessionExecutionMeta
    from nyx_sessions.storage import Clock, SessionRepository

__all__ = ("ANSWERED", "Answered", "Backing", "MemoryBacking")

_log = logging.getLogger(__name__)


class Answered:
    """What :meth:`Backing.enter` returns for a click the backing has answered itself (a replay
    taken by another process, a store that does not answer): no handler runs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANSWERED"


ANSWERED = Answered()
"""The one :class:`Answered`."""


class Backing(Protocol):
    """What happens to a session's state at each moment of its life, wherever it is kept."""

    async def check_new(self, session: AbstractSession[Any]) -> None:
        """Refuse, before ``on_start`` runs, a session the backing cannot keep (a taken id, data it
        cannot store)."""
        ...

    async def admit(self, session: AbstractSession[Any], limits: SessionLimits) -> Admission:
        """Count a new session against its limits and admit it, in one step for every process
        that serves the session's kind; or say which limit refuses it."""
        ...

    async def unadmit(self, session: AbstractSession[Any]) -> None:
        """Stop counting an admitted session whose start failed."""
        ...

    async def created(self, session: AbstractSession[Any]) -> None:
        """Keep a session whose start succeeded."""
        ...

    def at_hand(self, held: AbstractSession[Any] | None) -> AbstractSession[Any] | None:
        """The held session when a click needs nothing more of the backing; ``None``: :meth:`enter`."""
        ...

    async def enter(
        self, session_id: str, held: AbstractSession[Any] | None, interaction: discord.Interaction[Any]
    ) -> AbstractSession[Any] | Answered | None:
        """Make the session ready for a click: the one held here, or one brought back; ``None``
        when there is no such session; :data:`ANSWERED` when the click was answered here."""
        ...

    async def commit(
        self,
        session: AbstractSession[Any],
        interaction: discord.Interaction[Any],
        meta: SessionExecutionMeta,
        outcome: UpdateOutcome,
    ) -> None:
        """Keep what a handler did (or, for a handler that raised, what was there before), and give
        back what :meth:`enter` took, as :meth:`leave` would."""
        ...

    async def leave(self, session_id: str, interaction_id: int) -> None:
        """The click ``interaction_id`` (or the outside work of :meth:`take`) is over without a
        commit: give back what :meth:`enter` or :meth:`take` took for it."""
        ...

    async def take(
        self, session_id: str, held: AbstractSession[Any] | None, work_id: int
    ) -> AbstractSession[Any] | None:
        """Make the session ready for work outside a click (an ``update_message``), as
        :meth:`enter` does for a click, with ``work_id`` in place of an interaction id; ``None``
        when there is no such session. Raises :class:`~nyx_sessions.SessionStoreError` when the
        store does not answer (there is nobody to tell but the caller)."""
        ...

    async def begin_end(
        self, session: AbstractSession[Any], reason: str, code: EndCode
    ) -> AbstractSession[Any] | None:
        """Record that the session ends, before ``on_end``; the copy whose ``on_end`` runs, or
        ``None`` when it ends elsewhere. Raises when no end could be recorded (nothing ends)."""
        ...

    async def finish(self, session_id: str) -> None:
        """Forget a session whose ``on_end`` ran."""
        ...

    async def pause(self, session: AbstractSession[Any]) -> None:
        """Stop the session's expiry while a child session runs in its place."""
        ...

    async def resume(self, session: AbstractSession[Any], *, handler_running: bool) -> None:
        """Let the session expire again, a full TTL from now (its child ended, or did not start);
        ``handler_running``: the session's own handler runs, and commits next."""
        ...

    async def stop(self, session: AbstractSession[Any]) -> None:
        """Let go of the session at shutdown: end it, or leave it to its store."""
        ...

    async def expires_at(self, session_id: str) -> float | None:
        """When a held session expires (epoch seconds on the manager's clock); ``None``: never."""
        ...


class MemoryBacking:
    """Sessions kept in this process, their TTL in a :class:`~nyx_sessions.storage.SessionRepository`.

    Parameters
    ----------
    repository: SessionRepository
        Keeps the TTLs and calls back when one runs out.
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The held sessions.
    clock: :class:`~nyx_sessions.storage.Clock`
        The manager's clock, which ``max_lifetime`` is counted on.
    end: Callable
        The end sequence (:meth:`~nyx_sessions.lifecycle.ending.Ends.end`), for shutdown.
    expire: Callable
        Ends an expired session (:meth:`~nyx_sessions.lifecycle.ending.Ends.expire`).
    spawn: Callable
        Runs a coroutine as a task the manager waits for at shutdown.
    """

    __slots__ = ("_clock", "_end", "_expire", "_live", "_repository", "_spawn")

    def __init__(
        self,
        repository: SessionRepository[Any],
        live: LiveSessions,
        *,
        clock: Clock,
        end: Callable[[AbstractSession[Any], str, EndCode], Awaitable[SessionEndData[Any]]],
        expire: Callable[[AbstractSession[Any], Callable[[str], bool]], Coroutine[Any, Any, None]],
        spawn: Callable[[Coroutine[Any, Any, None], str], object],
    ) -> None:
        self._repository = repository
        self._live = live
        self._clock = clock
        self._end = end
        self._expire = expire
        self._spawn = spawn
        repository.set_expiration_callback(self._expired)

    async def check_new(self, session: AbstractSession[Any]) -> None:
        """Nothing to check: the live table refused a taken id already."""

    async def admit(self, session: AbstractSession[Any], limits: SessionLimits) -> Admission:
        """Count the session among this process's sessions (no ``await``: one step of the loop)."""
        return self._live.limits.admit(session, limits)

    async def unadmit(self, session: AbstractSession[Any]) -> None:
        """Nothing: a session that ends, started or not, stops counting (:meth:`LiveSessions.settle`)."""

    async def created(self, session: AbstractSession[Any]) -> None:
        """Arm the session's TTL (cut short by its ``max_lifetime``)."""
        await self._arm(session)

    def at_hand(self, held: AbstractSession[Any] | None) -> AbstractSession[Any] | None:
        """The held session: a click needs nothing more."""
        return held

    async def enter(
        self, session_id: str, held: AbstractSession[Any] | None, interaction: discord.Interaction[Any]
    ) -> AbstractSession[Any] | None:
        """The session held here, if any."""
        return held

    async def commit(
        self,
        session: AbstractSession[Any],
        interaction: discord.Interaction[Any],
        meta: SessionExecutionMeta,
        outcome: UpdateOutcome,
    ) -> None:
        """Refresh the TTL when the handler asked to (never past the session's ``max_lifetime``;
        not while a child session it opened runs: it does not expire meanwhile)."""
        if not outcome.refresh or session._child is not None:
            return
        ttl = session.ttl if session._ends_by is None else session._ttl_at(self._clock.time())
        if not await self._repository.set_ttl(session.id, ttl):
            # Expiry took the session out while its handler ran; the handler asked to live on.
            await self._arm(session)

    async def leave(self, session_id: str, interaction_id: int) -> None:
        """Nothing was taken."""

    async def take(
        self, session_id: str, held: AbstractSession[Any] | None, work_id: int
    ) -> AbstractSession[Any] | None:
        """The session held here, if any."""
        return held

    async def begin_end(
        self, session: AbstractSession[Any], reason: str, code: EndCode
    ) -> AbstractSession[Any] | None:
        """Disarm the TTL; this process alone ends the session."""
        await self._repository.delete(session.id)
        return session

    async def finish(self, session_id: str) -> None:
        """Nothing is left to forget."""

    async def stop(self, session: AbstractSession[Any]) -> None:
        """End the session with ``BOT_STOP``, after its start if one is in progress."""
        if session._state is SessionState.UNINITIALIZED:
            async with self._live.serial(session.id):  # its start holds the lock until it is over
                pass
        await self._end(session, "the bot is stopping", SessionEndCode.BOT_STOP)

    async def expires_at(self, session_id: str) -> float | None:
        """When the repository expires the session."""
        return await self._repository.expires_at(session_id)

    async def pause(self, session: AbstractSession[Any]) -> None:
        """Stop the session's TTL while a child session runs in its place."""
        await self._repository.set_ttl(session.id, None)

    async def resume(self, session: AbstractSession[Any], *, handler_running: bool) -> None:
        """Arm the TTL again, a full one from now, once its child ended."""
        await self._repository.set_ttl(session.id, session._ttl_at(self._clock.time()))

    async def _arm(self, session: AbstractSession[Any]) -> None:
        await self._repository.save(session)
        if session._ends_by is not None:  # saved with its plain TTL; the hard end may come first
            await self._repository.set_ttl(session.id, session._ttl_at(self._clock.time()))

    def _expired(self, session: AbstractSession[Any]) -> None:
        self._spawn(self._expire(session, self._refreshed), f"nyx-sessions:expire:{session.id}")

    def _refreshed(self, session_id: str) -> bool:
        """Whether a handler refreshed the session while its expiry waited for it."""
        return session_id in self._repository
