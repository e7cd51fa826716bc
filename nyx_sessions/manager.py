"""SessionManager: the one entry point that starts, updates, ends and expires sessions."""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import discord

from nyx_sessions._keyed_lock import KeyedLock
from nyx_sessions._utils import DISCORD_ERRORS, interaction_data
from nyx_sessions.codec import SessionCustomIdCodec
from nyx_sessions.durable.keeper import (
    DurableSessions,
    Elsewhere,
    Replayed,
    StoreUnavailableError,
    Unrestorable,
)
from nyx_sessions.errors import DuplicateSessionError, IllegalSessionStateError, SessionDataError
from nyx_sessions.events import EventBus, SessionEvent
from nyx_sessions.execution import (
    ERROR_NOTICE,
    EXPIRED_NOTICE,
    START_DENIED_NOTICE,
    START_FAILED_NOTICE,
    STORE_UNAVAILABLE_NOTICE,
    ExecutionOutcome,
    SessionExecutor,
    send_notice,
)
from nyx_sessions.execution.deferral import AUTO_DEFER, TOKEN_LIFETIME, DeferralWatch, unanswered
from nyx_sessions.execution.disabling import component_custom_ids
from nyx_sessions.execution.replay import ReplayGuard
from nyx_sessions.sessions.state import (
    EndCode,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionState,
)
from nyx_sessions.storage import (
    MemorySessionRepository,
    SessionPromiseRepository,
    SystemClock,
    store_from_url,
)

if TYPE_CHECKING:
    from collections.abc import Coroutine, Mapping

    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.storage import Clock, SessionRepository, SessionStore

__all__ = ("SessionManager",)

_log = logging.getLogger("nyx_sessions")

_START_NOTICES = {ExecutionOutcome.DENIED: START_DENIED_NOTICE, ExecutionOutcome.FAILED: START_FAILED_NOTICE}

_CANCEL_GRACE = 1.0
"""Seconds :meth:`SessionManager.close` gives cancelled work to settle (ends still resolve and emit)."""

_ENDING: ContextVar[Mapping[str, tuple[str, Any]]] = ContextVar(
    "nyx_sessions_ending", default=MappingProxyType({})
)
"""The ends in progress around the running code: session id -> (reason, code).

A context variable, so ``end()`` called from ``on_end`` -- or from a task ``on_end`` awaits, which
copies the context -- sees that it runs inside its own end sequence and returns instead of waiting
on itself.
"""


class SessionManager:
    """Starts, routes, ends and expires sessions; the cog owns one per bot.

    Every collaborator is optional and defaults as in nyx.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot whose interactions the manager serves.
    codec: Optional[:class:`SessionCustomIdCodec`]
        Encodes session ids into custom ids (namespace ``"SSN"`` by default).
    repository: Optional[SessionRepository]
        Stores live sessions and expires them (:class:`MemorySessionRepository` by default).
    executor: Optional[:class:`SessionExecutor`]
        Runs middlewares, filters, hooks and error handlers.
    promise_repository: Optional[:class:`SessionPromiseRepository`]
        Hands out the futures :meth:`AbstractSession.wait` awaits.
    bus: Optional[:class:`EventBus`]
        Where session events are emitted (they also go through ``bot.dispatch``).
    store: Optional[Union[:class:`~nyx_sessions.storage.SessionStore`, :class:`str`]]
        Where durable sessions (classes with a ``kind``) live, or a URL naming it
        (``sqlite:///sessions.db``). The manager owns it: it opens it in :meth:`open` and closes it in
        :meth:`close`. Without one, durable classes behave as any other session.
    clock: Optional[:class:`~nyx_sessions.storage.Clock`]
        The time automatic deferrals, token ages and the replay window are measured on. By default
        the repository's clock when it has one (a :class:`MemorySessionRepository` does), else the
        system clock; a default repository is built on this clock. Tests pass a
        :class:`~nyx_sessions.storage.ManualClock`.
    shutdown_timeout: :class:`float`
        How long :meth:`close` lets starts, ``on_end`` hooks and event subscribers finish before
        cancelling them.
    replay_window: :class:`float`
        Seconds an interaction id is remembered so a replay of it is ignored; by default 15 minutes,
        the life of an interaction token (a replay after that can no longer be answered).
    """

    def __init__(
        self,
        bot: discord.Client,
        *,
        codec: SessionCustomIdCodec | None = None,
        repository: SessionRepository[Any] | None = None,
        executor: SessionExecutor | None = None,
        promise_repository: SessionPromiseRepository | None = None,
        bus: EventBus | None = None,
        store: SessionStore | str | None = None,
        clock: Clock | None = None,
        shutdown_timeout: float = 10.0,
        replay_window: float = TOKEN_LIFETIME,
    ) -> None:
        if not replay_window > 0:
            raise ValueError(f"replay_window must be a positive number of seconds, got {replay_window!r}")
        self._bot = bot
        self._codec = SessionCustomIdCodec() if codec is None else codec
        if clock is None:
            clock = getattr(repository, "clock", None) or SystemClock()
        self._clock: Clock = clock
        # `is None`, not `or`: an empty repository is falsy (it has __len__).
        self._repository: SessionRepository[Any] = (
            MemorySessionRepository(clock=clock) if repository is None else repository
        )
        self._executor = SessionExecutor() if executor is None else executor
        self._promises = SessionPromiseRepository() if promise_repository is None else promise_repository
        self._bus = EventBus() if bus is None else bus
        self._sessions: dict[str, AbstractSession[Any]] = {}
        # Sessions being ended -> the future a concurrent end() waits on; made only when one does.
        self._ending: dict[str, asyncio.Future[SessionEndData[Any]] | None] = {}
        self._serial = KeyedLock()
        self._seen = ReplayGuard(replay_window)
        self._shutdown_timeout = shutdown_timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._deferrals = DeferralWatch(clock, self._spawn)
        self._durable: DurableSessions | None = None
        if store is not None:
            self._durable = DurableSessions(self, store_from_url(store) if isinstance(store, str) else store)
        self._closed = False
        self._repository.set_expiration_callback(self._on_expired)

    # -- collaborators -----------------------------------------------------------------------------------

    @property
    def bot(self) -> discord.Client:
        """:class:`discord.Client`: The bot."""
        return self._bot

    @property
    def codec(self) -> SessionCustomIdCodec:
        """:class:`SessionCustomIdCodec`: Encodes and decodes session custom ids."""
        return self._codec

    @property
    def executor(self) -> SessionExecutor:
        """:class:`SessionExecutor`: Middlewares, filters, hooks and error handlers."""
        return self._executor

    @property
    def repository(self) -> SessionRepository[Any]:
        """SessionRepository: Where live sessions are stored with their TTL."""
        return self._repository

    @property
    def promise_repository(self) -> SessionPromiseRepository:
        """:class:`SessionPromiseRepository`: The end futures sessions wait on."""
        return self._promises

    @property
    def bus(self) -> EventBus:
        """:class:`EventBus`: Session events (start, update, end, expire)."""
        return self._bus

    @property
    def store(self) -> SessionStore | None:
        """Optional[:class:`~nyx_sessions.storage.SessionStore`]: Where durable sessions live, if anywhere."""
        return None if self._durable is None else self._durable.store

    @property
    def clock(self) -> Clock:
        """:class:`~nyx_sessions.storage.Clock`: What deferrals, token ages and replays are timed on."""
        return self._clock

    @property
    def sessions(self) -> Mapping[str, AbstractSession[Any]]:
        """Mapping[:class:`str`, :class:`AbstractSession`]: The live sessions by id (a read-only view)."""
        return MappingProxyType(self._sessions)

    def get(self, session_id: str) -> AbstractSession[Any] | None:
        """Return the live session with ``session_id``, or ``None``."""
        return self._sessions.get(session_id)

    async def expires_at(self, session_id: str) -> float | None:
        """When a session this manager holds expires, in epoch seconds on :attr:`clock`.

        ``None`` for a session that never expires, or one this manager does not hold.
        """
        session = self._sessions.get(session_id)
        if session is not None and self._durable is not None and self._is_stored(session):
            return self._durable.deadline_of(session_id)
        return await self._repository.expires_at(session_id)

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Start the repository's expiry and open the store; the cog calls this when it loads.

        Raises
        ------
        SessionStoreError
            The store is misconfigured or held by another process.
        """
        self._closed = False
        await self._repository.start()
        if self._durable is not None:
            await self._durable.open()

    async def close(self) -> None:
        """End every live session with :attr:`SessionEndCode.BOT_STOP` and stop background work.

        Starts in progress are waited for first (a session that then runs is ended like the
        others). Work that is still running after ``shutdown_timeout`` seconds (an ``on_start``,
        an ``on_end`` or an event subscriber that never returns) is cancelled, so unloading the
        extension and ``bot.close()`` always finish: every session still ends once, a start cut
        off is a failed start (``START_FAILED``), and every ``wait()`` resolves.
        """
        self._closed = True
        try:
            await asyncio.wait_for(self._wind_down(), self._shutdown_timeout)
        except asyncio.TimeoutError:
            _log.warning(
                "session work still running %s s into shutdown was cancelled "
                "(%d tasks, %d event subscribers)",
                self._shutdown_timeout,
                len(self._tasks),
                self._bus.pending,
            )
            for task in self._tasks:
                task.cancel()
            if self._tasks:  # cancelled ends settle their sessions and emit their events
                await asyncio.wait(self._tasks, timeout=_CANCEL_GRACE)
            for session in list(self._sessions.values()):
                self._drop_unfinished(session)
            await self._bus.aclose()
        self._deferrals.close()
        await self._repository.stop()
        if self._durable is not None:
            await self._durable.close()
        self._promises.resolve_all(SessionEndData("the bot is stopping", SessionEndCode.BOT_STOP))

    async def _wind_down(self) -> None:
        await asyncio.gather(*(self._stop(session) for session in list(self._sessions.values())))
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._bus.wait_idle()

    async def _stop(self, session: AbstractSession[Any]) -> None:
        """End ``session`` for shutdown, or detach a durable one; a start in progress is waited for first."""
        if self._is_stored(session):
            async with self._serial(session.id):  # a start or a handler in progress commits first
                if session._state is SessionState.RUNNING:
                    self._detach(session)
            return
        if session._state is SessionState.UNINITIALIZED:
            async with self._serial(session.id):  # its start holds the lock until it is over
                pass
        await self.end(session, "the bot is stopping", SessionEndCode.BOT_STOP)

    def _detach(
        self, session: AbstractSession[Any], reason: str = "the session went on in its store"
    ) -> None:
        """Let a durable session go on in its store: no ``on_end``, no event; local waiters learn it left."""
        assert self._durable is not None
        self._sessions.pop(session.id, None)
        self._durable.detach(session.id)
        self._settle(session, SessionEndData(reason, SessionEndCode.DETACHED, session.result))

    def _is_stored(self, session: AbstractSession[Any]) -> bool:
        """Whether ``session`` lives in the store: a durable class, with a store configured."""
        return self._durable is not None and session.kind is not None

    def _drop_unfinished(self, session: AbstractSession[Any]) -> None:
        """After shutdown gave up: fail a start still running; end one never reached, without ``on_end``."""
        if session._state is SessionState.UNINITIALIZED:
            self._abandon_start(session)
            return
        del self._sessions[session.id]
        data: SessionEndData[Any] = SessionEndData(
            "the bot is stopping", SessionEndCode.BOT_STOP, session.result
        )
        self._settle(session, data)
        self._emit(SessionEvent.END, session, data, SessionExecutionMeta(session.id))

    async def start(self, session: AbstractSession[Any], meta: SessionExecutionMeta | None = None) -> bool:
        """Start ``session``: run the start middlewares and filter, then its ``on_start``.

        Updates that arrive while ``on_start`` runs wait for it. A denied or failed start is not
        kept: the session ends with ``START_DENIED`` / ``START_FAILED``, :meth:`AbstractSession.wait`
        resolves, ``on_end`` is not called and no event fires.

        Returns
        -------
        :class:`bool`
            Whether the session started.

        Raises
        ------
        IllegalSessionStateError
            The session was already started, or the manager is closed.
        DuplicateSessionError
            A live session has the same id.
        """
        if session.state is not SessionState.UNINITIALIZED or session._end_data is not None:
            raise IllegalSessionStateError(
                f"session {session.id!r} was already started ({session.state.name})"
            )
        if self._closed:
            raise IllegalSessionStateError(
                f"cannot start session {session.id!r}: the session manager is closed"
            )
        if session.id in self._sessions:
            raise DuplicateSessionError(session.id)
        if session.owner_id is None and _is_owner_only(session.update_filter):
            raise IllegalSessionStateError(
                f"session {session.id!r} belongs to nobody (started from a channel without owner=), so "
                "its update filter OwnerOnly would refuse every click: pass owner=, or set update_filter "
                "to AllowAll() (anyone) or a filter of your own"
            )
        meta = meta if meta is not None else SessionExecutionMeta(session.id)
        interaction = session.start_interaction
        watched = None
        if interaction is not None:
            # Armed before the store is asked anything: a slow store still lets the start be answered.
            watched = self._deferrals.watch_start(
                interaction, session.auto_defer, self._clock.time(), ephemeral=session._start_ephemeral
            )
        if self._durable is not None and self._is_stored(session):
            try:
                await self._durable.check_new(session)
            except StoreUnavailableError as error:
                await self._fail_start(session, error)
                self._deferrals.release(watched)
                return False
            except BaseException:  # refused before it began: a taken id, data that cannot be stored
                self._deferrals.release(watched)
                raise
        self._sessions[session.id] = session
        try:
            async with self._serial(session.id):
                return await self._run_start(session, meta)
        except BaseException:
            # Cancelled from outside (asyncio.wait_for, shutdown) or broken after on_start: a failed start.
            self._abandon_start(session)
            raise
        finally:
            self._deferrals.release(watched)

    async def _run_start(self, session: AbstractSession[Any], meta: SessionExecutionMeta) -> bool:
        outcome = await self._executor.start(session, meta)
        ended = session._end_data
        if ended is not None:
            # on_start ended the session itself (that end stands, even if on_start raised after it),
            # or shutdown gave up waiting and failed the start.
            started = outcome is ExecutionOutcome.OK and ended.code is not SessionEndCode.START_FAILED
            if not started:
                await self._answer_failed_start(session)
            return started
        if outcome is not ExecutionOutcome.OK:
            await self._refuse_start(session, outcome)
            return False
        session._state = SessionState.RUNNING
        await self._record_start_message(session)
        if self._durable is not None and self._is_stored(session):
            try:
                await self._durable.create(session)
            except StoreUnavailableError as error:
                del self._sessions[session.id]
                await self._fail_start(session, error)
                return False
        else:
            await self._repository.save(session)
        self._emit(SessionEvent.START, session, meta)
        return True

    async def update(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta | None = None
    ) -> bool:
        """Route a component or modal-submit interaction to its session.

        Returns
        -------
        :class:`bool`
            ``False`` when the custom id is not a session id (the interaction is left alone);
            ``True`` when it was handled, whatever the outcome.
        """
        session_id = self._session_id_of(interaction)
        if session_id is None:
            return False
        now = self._clock.time()
        if not self._seen.add(interaction.id, now):
            _log.debug("ignoring replayed interaction %s for session %s", interaction.id, session_id)
            return True
        session = self._sessions.get(session_id)
        # Watched before waiting for the session: a click queued behind a slow one is answered in time too.
        watched = self._deferrals.watch_click(
            interaction, AUTO_DEFER if session is None else session.auto_defer, now
        )
        # No ``async with`` and no awaiting a free key: this runs on every click of the bot.
        if not self._serial.try_acquire(session_id):
            if self._serial.held_here(session_id):
                raise IllegalSessionStateError(
                    f"update() for session {session_id!r} was called from inside that session's own "
                    "handler, and would wait for that handler to end: answer the interaction there instead"
                )
            await self._serial.acquire(session_id)
        entered = False
        try:
            session = self._sessions.get(session_id)
            if self._durable is not None and (session is None or session.kind is not None):
                try:
                    found = await self._durable.enter(session_id, session, interaction.id)
                except StoreUnavailableError as error:
                    _log.warning("session %s could not be loaded: %s", session_id, error)
                    await send_notice(interaction, STORE_UNAVAILABLE_NOTICE)
                    return True
                if isinstance(found, Replayed):
                    _log.debug("interaction %s was taken by another process", interaction.id)
                    return True
                entered = True
                if isinstance(found, Elsewhere):  # another version of the bot may serve it: left alone
                    await send_notice(interaction, STORE_UNAVAILABLE_NOTICE)
                    return True
                session = self._adopt(session_id, found)
            if session is None or session._state is not SessionState.RUNNING:
                await self._answer_missing(session_id, interaction)
                return True
            meta = meta if meta is not None else SessionExecutionMeta(session_id)
            outcome = await self._executor.update(session, interaction, meta)
            if not interaction.response.is_done():
                await _acknowledge(interaction)
            if self._sessions.get(session_id) is session and outcome.ran:
                session._track_interaction(interaction)
                if self._is_stored(session):
                    if outcome.status is ExecutionOutcome.FAILED:
                        await self._revert(session)  # a handler that raised commits nothing
                    else:
                        await self._commit(session, interaction, meta, outcome.refresh)
                elif outcome.refresh:
                    await self._refresh(session)
                self._emit(SessionEvent.UPDATE, session, interaction, meta)
        finally:
            if entered:
                assert self._durable is not None
                await self._durable.leave(session_id)
            self._serial.release(session_id)
            self._deferrals.release(watched)
        return True

    async def end(
        self,
        session: AbstractSession[Any],
        reason: str,
        code: EndCode,
        meta: SessionExecutionMeta | None = None,
    ) -> SessionEndData[Any]:
        """End ``session`` exactly once; later and concurrent calls return the same end data.

        Raises
        ------
        IllegalSessionStateError
            The session was never started.
        """
        if session._end_data is not None:
            return session._end_data
        if session.id in self._ending:
            here = _ENDING.get().get(session.id)
            if here is not None:  # called from inside this end sequence (on_end): waiting would deadlock
                return SessionEndData(here[0], here[1], session.result)
            pending = self._ending[session.id]
            if pending is None:
                pending = self._ending[session.id] = asyncio.get_running_loop().create_future()
            return await asyncio.shield(pending)
        if self._sessions.get(session.id) is not session:
            raise IllegalSessionStateError(f"session {session.id!r} cannot end: it was never started")
        return await self._finish(session, reason, code, meta)

    async def resolve(self, interaction: discord.Interaction[Any]) -> AbstractSession[Any] | None:
        """Return the live session an interaction's custom id points to, with no side effect."""
        session_id = self._session_id_of(interaction)
        return None if session_id is None else self._sessions.get(session_id)

    # -- internals -------------------------------------------------------------------------------------

    def _session_id_of(self, interaction: discord.Interaction[Any]) -> str | None:
        """The session id on the interaction's custom id; ``None`` when it is not in our namespace.

        An id in our namespace that cannot be read (tampered with, or from another version) gives
        ``""``: no session has an empty id, so it is answered as a missing session, not dropped.
        """
        custom_id = interaction_data(interaction).get("custom_id")
        if not isinstance(custom_id, str):
            return None
        # Readable session ids (nearly every click) take one codec call; the others, two.
        session_id = self._codec.deserialize_to_object_id(custom_id)
        if session_id:
            return session_id
        return "" if self._codec.is_session_custom_id(custom_id) else None

    async def _finish(
        self,
        session: AbstractSession[Any],
        reason: str,
        code: EndCode,
        meta: SessionExecutionMeta | None,
        *,
        expired: bool = False,
    ) -> SessionEndData[Any]:
        """The one end sequence, for ends, expiries and shutdown alike.

        A durable session's end is first claimed in its store: ``on_end`` runs on the copy the claim
        gives (the latest stored state), not at all when another process ends it, and the end does
        not happen when no claim could be recorded (the error goes to the caller; the session goes
        on).
        """
        session_id = session._id
        self._ending[session_id] = None
        meta = meta if meta is not None else SessionExecutionMeta(session_id)
        stored = self._durable if self._is_stored(session) else None
        ending: AbstractSession[Any] | None = session
        if stored is not None:
            try:
                ending = await stored.begin_end(session, reason, code)
            except BaseException as error:
                waiter = self._ending.pop(session_id)
                if waiter is not None and isinstance(error, Exception):
                    waiter.set_exception(error)  # a concurrent end() is told the same
                elif waiter is not None:
                    waiter.cancel()
                raise
        data: SessionEndData[Any] | None = None
        inside = _ENDING.set({**_ENDING.get(), session_id: (reason, code)})
        try:
            self._sessions.pop(session_id, None)  # a session restored only to expire was never held
            if stored is None:
                await self._repository.delete(session_id)
            if ending is None:  # a shared store: that process runs on_end and fires the events
                data = SessionEndData("ended in another process", SessionEndCode.DETACHED, session.result)
            else:
                data = await self._executor.end(ending, reason, code, meta)
                if stored is not None:
                    await stored.finish(session_id)
        finally:
            _ENDING.reset(inside)
            # Even a cancelled end settles and is announced: waiters may not hang, the session may
            # not linger, and session_end fires for every end.
            if data is None:
                data = SessionEndData(reason, code, (ending or session).result)
            if ending is not None and ending is not session:
                self._settle(ending, data)
            self._settle(session, data)
            waiter = self._ending.pop(session_id)
            if waiter is not None:
                waiter.set_result(data)
            if ending is not None:
                self._emit(SessionEvent.END, ending, data, meta)
                if expired:
                    self._emit(SessionEvent.EXPIRE, ending, data)
        return data

    def _settle(self, session: AbstractSession[Any], data: SessionEndData[Any]) -> None:
        session._state = SessionState.ENDED
        session._end_data = data
        self._promises.resolve(session, data)

    async def _refuse_start(self, session: AbstractSession[Any], outcome: ExecutionOutcome) -> None:
        del self._sessions[session.id]
        denied = outcome is ExecutionOutcome.DENIED
        code = SessionEndCode.START_DENIED if denied else SessionEndCode.START_FAILED
        reason = (
            "a start filter or middleware denied the session" if denied else "the session failed to start"
        )
        self._settle(session, SessionEndData(reason, code, session.result))
        interaction = session.start_interaction
        if interaction is not None and unanswered(interaction):
            await send_notice(interaction, _START_NOTICES[outcome])

    async def _fail_start(self, session: AbstractSession[Any], error: StoreUnavailableError) -> None:
        """A durable start whose store did not answer: a failed start, and the user may try again."""
        _log.warning("session %s could not start: %s", session.id, error)
        self._settle(session, SessionEndData("the session store did not answer", SessionEndCode.START_FAILED))
        interaction = session.start_interaction
        if interaction is not None and unanswered(interaction):
            await send_notice(interaction, STORE_UNAVAILABLE_NOTICE)

    def _abandon_start(self, session: AbstractSession[Any]) -> None:
        """Fail a start that was cut off (cancelled, broken, or given up at shutdown); nothing of it stays."""
        if _has_ended(session):
            return
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]
        self._settle(
            session, SessionEndData("the start was interrupted", SessionEndCode.START_FAILED, session.result)
        )
        interaction = session.start_interaction
        if interaction is not None and unanswered(interaction):
            self._spawn(send_notice(interaction, START_FAILED_NOTICE), f"nyx-sessions:notice:{session.id}")

    async def _answer_failed_start(self, session: AbstractSession[Any]) -> None:
        interaction = session.start_interaction
        if interaction is not None and unanswered(interaction):
            await send_notice(interaction, START_FAILED_NOTICE)

    async def _record_start_message(self, session: AbstractSession[Any]) -> None:
        interaction = session.start_interaction
        if session.message is not None or interaction is None or not interaction.response.is_done():
            return
        if interaction.response.type is discord.InteractionResponseType.modal:
            return
        try:
            session._message = await interaction.original_response()
        except DISCORD_ERRORS as error:
            _log.debug("could not fetch the start response of session %s: %s", session.id, error)

    async def _answer_missing(self, session_id: str, interaction: discord.Interaction[Any]) -> None:
        """Answer a click on a session that does not exist (any more).

        The missing handler disables the message's components; a message that a live session owns
        (a forged or stale id on it) keeps them, and the user only gets the notice.
        """
        if self._owned_by_live_session(interaction.message):
            await send_notice(interaction, EXPIRED_NOTICE)
        else:
            await self._executor.handle_missing(session_id, interaction)

    def _owned_by_live_session(self, message: discord.Message | None) -> bool:
        if message is None:
            return False
        sessions = self._sessions
        read = self._codec.deserialize_to_object_id
        return any(read(custom_id) in sessions for custom_id in component_custom_ids(message))

    async def _revert(self, session: AbstractSession[Any]) -> None:
        """Bring back a durable session's stored state after a handler that raised or a write that
        failed: the copy held here must not differ from what the store keeps."""
        assert self._durable is not None
        await self._durable.revert(session)

    def _adopt(
        self, session_id: str, found: AbstractSession[Any] | Unrestorable | None
    ) -> AbstractSession[Any] | None:
        """Hold a session the store gave back for a click; ``None`` when it is missing or cannot come back."""
        if found is None or isinstance(found, Unrestorable):
            return None
        self._sessions[session_id] = found
        return found

    async def _commit(
        self,
        session: AbstractSession[Any],
        interaction: discord.Interaction[Any],
        meta: SessionExecutionMeta,
        refresh: bool,
    ) -> None:
        """Write a durable session after its handler; a write that fails (data that cannot be stored,
        a store that does not answer) keeps the last stored state, here too."""
        assert self._durable is not None
        try:
            await self._durable.commit(session, refresh=refresh)
        except (SessionDataError, StoreUnavailableError) as error:
            await self._executor.update_error_handler.handle(error, session, interaction, meta)
            await send_notice(interaction, ERROR_NOTICE)
            await self._revert(session)

    async def _refresh(self, session: AbstractSession[Any]) -> None:
        if not await self._repository.set_ttl(session.id, session.ttl):
            # Expiry took the session out while its handler ran; the handler asked to live on.
            await self._repository.save(session)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` as a named task that :meth:`close` waits for."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _on_expired(self, session: AbstractSession[Any]) -> None:
        self._spawn(self._expire(session), f"nyx-sessions:expire:{session.id}")

    async def _expire(self, session: AbstractSession[Any]) -> None:
        session_id = session._id
        # Wait for a running handler: expiry never interrupts one, and it may have refreshed the TTL.
        if not self._serial.try_acquire(session_id):
            await self._serial.acquire(session_id)
        try:
            if self._sessions.get(session_id) is not session or session_id in self._ending:
                return
            if session_id in self._repository:  # a handler refreshed it while this waited
                return
            await self._finish(session, "the session expired", SessionEndCode.EXPIRED, None, expired=True)
        finally:
            self._serial.release(session_id)
        if session.disable_on_expire:
            await session._disable_components()

    def _emit(self, event: SessionEvent, *args: Any) -> None:
        self._bus.emit(event, *args)
        name, method = _DISPATCHED_AS[event]
        if _is_listened(self._bot, name, method):
            self._bot.dispatch(name, *args)


_DISPATCHED_AS = {event: (event.value, "on_" + event.value) for event in SessionEvent}
"""Each event's ``bot.dispatch`` name and listener method name, read once (``.value`` is a
Python-level property of enums, and the update event is emitted on every click)."""


def _is_listened(bot: discord.Client, event: str, method: str) -> bool:
    """Whether ``bot.dispatch(event)`` would reach anyone (``method`` is ``"on_" + event``).

    Dispatching to nobody still costs discord.py a raised and caught ``AttributeError`` (about 4 µs),
    paid on every click and twice per expiry; checking first costs a fifth of that.
    """
    waiters = getattr(bot, "_listeners", None)  # wait_for() futures; if discord.py moves them, dispatch
    if waiters is None:
        return True
    extra_events: dict[str, list[Any]] = getattr(bot, "extra_events", {})
    return (
        bool(waiters.get(event)) or bool(extra_events.get(method)) or getattr(bot, method, None) is not None
    )


def _is_owner_only(update_filter: object) -> bool:
    # By name, not class: a filter made before reload_extension("nyx_sessions") is another class.
    return type(update_filter).__name__ == "OwnerOnly"


def _has_ended(session: AbstractSession[Any]) -> bool:
    # A function, not an inline test: mypy would keep the narrowing from before the awaits.
    return session._end_data is not None


async def _acknowledge(interaction: discord.Interaction[Any]) -> None:
    """Answer an interaction the handler left unanswered, so Discord never shows a failure."""
    try:
        await interaction.response.defer()
    except (*DISCORD_ERRORS, discord.InteractionResponded) as error:
        _log.debug("could not acknowledge interaction %s: %s", interaction.id, error)
