"""SessionManager: the one entry point that starts, routes, ends and expires sessions.

It wires the parts of a session's life (:mod:`nyx_sessions.lifecycle`) and the store side
(:mod:`nyx_sessions.durable`) together and delegates to them; the way of a click reads in
:mod:`nyx_sessions.lifecycle.clicks`.
"""

from __future__ import annotations

import logging
import weakref
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from nyx_sessions.codec import SessionCustomIdCodec
from nyx_sessions.durable.keeper import DurableSessions
from nyx_sessions.events import Announcer, EventBus
from nyx_sessions.execution import SessionExecutor
from nyx_sessions.execution.deferral import TOKEN_LIFETIME, DeferralWatch
from nyx_sessions.lifecycle.backing import MemoryBacking
from nyx_sessions.lifecycle.clicks import Clicks
from nyx_sessions.lifecycle.ending import Ends
from nyx_sessions.lifecycle.live import LiveSessions
from nyx_sessions.lifecycle.outside import OutsideWork
from nyx_sessions.lifecycle.shutdown import Shutdown
from nyx_sessions.lifecycle.starting import Starts
from nyx_sessions.lifecycle.tasks import Tasks
from nyx_sessions.state import SessionEndCode, SessionEndData
from nyx_sessions.storage import (
    MemorySessionRepository,
    SessionPromiseRepository,
    SystemClock,
    store_from_url,
)

if TYPE_CHECKING:
    from collections.abc import Coroutine, Mapping

    import discord

    from nyx_sessions.lifecycle.backing import Backing
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.state import EndCode, SessionExecutionMeta
    from nyx_sessions.storage import Clock, SessionRepository, SessionStore

__all__ = ("SessionManager",)

_log = logging.getLogger(__name__)


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
        self._live = live = LiveSessions(self._promises)
        self._tasks = tasks = Tasks()
        self._deferrals = DeferralWatch(clock, tasks.spawn)
        announce = Announcer(self._bus, bot).emit
        self._outside = OutsideWork(live, self._backing_of)
        self._ends = ends = Ends(live, self._executor, announce, self._backing_of, self._outside)
        self._memory = MemoryBacking(
            self._repository, live, clock=clock, end=ends.end, expire=ends.expire, spawn=tasks.spawn
        )
        self._durable: DurableSessions | None = None
        if store is not None:
            self._durable = DurableSessions(
                store_from_url(store) if isinstance(store, str) else store,
                live,
                clock=clock,
                spawn=tasks.spawn,
                end=ends.run,
                rebuild=lambda cls, record, data: cls._from_record(self, record, data),
                report=self._executor.update_error_handler.handle,
            )
        self._starts = Starts(
            live,
            self._executor,
            self._deferrals,
            clock,
            announce,
            self._backing_of,
            tasks.spawn,
            self._outside,
            ends.run,
        )
        self._clicks = Clicks(
            live,
            self._codec,
            self._executor,
            self._deferrals,
            clock,
            announce,
            self._backing_of,
            replay_window,
        )
        self._shutdown = Shutdown(
            live, tasks, self._bus, announce, self._backing_of, self._starts.abandon, shutdown_timeout
        )

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
        return MappingProxyType(self._live.held)

    def get(self, session_id: str) -> AbstractSession[Any] | None:
        """Return the live session with ``session_id``, or ``None``."""
        return self._live.held.get(session_id)

    def _started(self, session: AbstractSession[Any]) -> bool:
        """Whether ``session`` was given to :meth:`start` (its start may still run)."""
        return id(session) in self._starts.in_progress or self._live.held.get(session.id) is session

    async def expires_at(self, session_id: str) -> float | None:
        """When a session this manager holds expires, in epoch seconds on :attr:`clock`.

        ``None`` for a session that never expires, or one this manager does not hold.
        """
        return await self._backing_of(self._live.held.get(session_id)).expires_at(session_id)

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Start the repository's expiry and open the store; the cog calls this when it loads.

        Raises
        ------
        SessionStoreError
            The store is misconfigured or held by another process.
        """
        self._starts.closed = False
        await self._repository.start()
        if self._durable is not None:
            await self._durable.open()

    async def close(self) -> None:
        """End every live session with :attr:`SessionEndCode.BOT_STOP` and stop background work.

        Starts in progress are waited for first (a session that then runs is ended like the
        others); durable sessions are detached instead (they go on in their store). Work that is
        still running after ``shutdown_timeout`` seconds (an ``on_start``, an ``on_end`` or an event
        subscriber that never returns) is cancelled, so unloading the extension and ``bot.close()``
        always finish: every session still ends once, a start cut off is a failed start
        (``START_FAILED``), and every ``wait()`` resolves.
        """
        self._starts.closed = True
        await self._shutdown.run()
        self._deferrals.close()
        await self._repository.stop()
        if self._durable is not None:
            await self._durable.close()
        self._promises.resolve_all(SessionEndData("the bot is stopping", SessionEndCode.BOT_STOP))

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
        if session.kind is not None and self._durable is None:
            _warn_without_store(type(session))
        return await self._starts.start(session, meta)

    def update(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta | None = None
    ) -> Coroutine[Any, Any, bool]:
        """Route a component or modal-submit interaction to its session (``await`` it).

        The way of a click itself (``nyx_sessions.lifecycle.clicks``) is awaited directly: no
        coroutine of the manager's stands between the listener and it.

        Returns
        -------
        :class:`bool`
            ``False`` when the custom id is not a session id (the interaction is left alone);
            ``True`` when it was handled, whatever the outcome.
        """
        return self._clicks.handle(interaction, meta)

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
        return await self._ends.end(session, reason, code, meta)

    async def update_message(self, session_id: str, **edit: Any) -> bool:
        """Edit a running session's message from outside a click (a background task, another command).

        The edit takes the session's turn like a handler: it waits for a running handler, and clicks
        that arrive meanwhile wait for it. A durable session works in any process: one another
        process serves is taken here first, as a click would take it. Takes the keywords of
        :meth:`discord.Message.edit` (``content``, ``embeds``, ``view``, ...).

        Returns
        -------
        :class:`bool`
            Whether the session was running (and its message edited); ``False`` for an unknown or
            ended session.

        Raises
        ------
        SessionStoreError
            The session is durable and its store did not answer.
        IllegalSessionStateError
            The message can no longer be edited (an ephemeral one past its 15-minute token).
        ComponentLimitError, ValueError
            The edit breaks a component limit, or takes a components v2 message back to classic.
        """
        return await self._outside.edit_message(session_id, edit)

    async def resolve(self, interaction: discord.Interaction[Any]) -> AbstractSession[Any] | None:
        """Return the live session an interaction's custom id points to, with no side effect."""
        session_id = self._clicks.session_id_of(interaction)
        return None if session_id is None else self._live.held.get(session_id)

    async def _pause(self, session: AbstractSession[Any]) -> None:
        """A parent waits for its child: it does not expire meanwhile."""
        await self._backing_of(session).pause(session)

    async def _resume(self, session: AbstractSession[Any]) -> None:
        """A parent whose child did not start (in the parent's handler): its TTL runs again."""
        await self._backing_of(session).resume(session, handler_running=True)

    def _backing_of(self, session: AbstractSession[Any] | None) -> Backing:
        """Where ``session`` lives: the store for a durable class (or for a session this process does
        not hold, which only a store can bring back), else memory."""
        durable = self._durable
        if durable is not None and (session is None or session.kind is not None):
            return durable
        return self._memory


_WARNED_WITHOUT_STORE: weakref.WeakSet[type[Any]] = weakref.WeakSet()


def _warn_without_store(cls: type[Any]) -> None:
    """Say once per class that a durable class runs without a store (its sessions die at restart)."""
    if cls in _WARNED_WITHOUT_STORE:
        return
    _WARNED_WITHOUT_STORE.add(cls)
    _log.warning(
        "%s is durable (kind %r) but no session store is configured: its sessions live in memory and "
        "end at a restart. Configure one before loading the extension: "
        'nyx_sessions.configure(bot, store="sqlite:///sessions.db")',
        cls.__qualname__,
        cls.kind,
    )
