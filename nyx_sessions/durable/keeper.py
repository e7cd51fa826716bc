"""The backing of durable sessions: it writes them to their store, restores them, and ends them when
they expire.

The way of a click, the start and the end sequence live in :mod:`nyx_sessions.lifecycle`; they ask
this backing at the same moments they ask the memory one:

- after a start and after each handler, a durable session's record is written
  (:meth:`DurableSessions.created`, :meth:`DurableSessions.commit`); a handler that raised writes
  nothing and the held copy takes the stored state back;
- a click that names a session this process does not hold restores it from its record
  (:meth:`DurableSessions.enter`): the class is found by kind, its data decoded (and migrated),
  its items reloaded, then ``on_restore`` runs;
- an end is claimed in the store before ``on_end`` runs (:meth:`DurableSessions.begin_end`), so it
  runs once across processes and crashes;
- the store's deadlines drive expiry (:meth:`DurableSessions.sweep`): one timer, armed for the
  earliest deadline, ends each due session once, including those whose deadline passed while no
  process ran; the messages of sessions overdue by more than ``stale_after`` are left for the next
  click to disable, so a long outage does not start a storm of edits;
- at shutdown durable sessions are detached, not ended: their records stay.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import sqlite3
import time
from typing import TYPE_CHECKING, Any, TypeVar

from nyx_sessions.durable.data import DataVersionError, decode_data
from nyx_sessions.durable.kinds import find_kind, readable_kinds
from nyx_sessions.errors import DuplicateSessionError, SessionDataError, SessionStoreError
from nyx_sessions.execution import ExecutionOutcome, send_notice
from nyx_sessions.lifecycle.backing import ANSWERED, ANSWERED_UNAVAILABLE, ANSWERED_UNKNOWN, Answered
from nyx_sessions.lifecycle.limits import Admission, jump_url
from nyx_sessions.messages import message
from nyx_sessions.observers import NO_OBSERVERS, store_label
from nyx_sessions.state import EndCode, SessionEndCode, SessionEndData, SessionState
from nyx_sessions.storage.clock import Alarm
from nyx_sessions.storage.store import STARTING_GRACE, SessionBusyError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    import discord

    from nyx_sessions.execution.executor import UpdateOutcome
    from nyx_sessions.lifecycle.limits import SessionLimits
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.observers import Observers
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.state import SessionExecutionMeta
    from nyx_sessions.storage import Clock
    from nyx_sessions.storage.store import Acquired, DurableRecord, SessionStore, SharedSessionStore

__all__ = ("ELSEWHERE", "DurableSessions", "Elsewhere", "StoreUnavailableError")

_log = logging.getLogger(__name__)

T = TypeVar("T")

_SWEEP_LIMIT = 256
"""Sessions one sweep ends before the event loop gets a turn."""

_deadline = getattr(asyncio, "timeout", None)
"""``asyncio.timeout`` where Python has it (3.11+)."""

_RETRY = 60.0
"""Seconds before a due session that cannot be ended yet (its kind is unknown) is looked at again."""

_BUSY_RETRY = 0.1
"""Seconds before a due session whose handler was running is looked at again."""

_POLL = 1.0
"""With a shared store, the longest the sweep sleeps: other processes add deadlines it cannot see."""

_DETACH_AFTER = 2.0
"""With a shared store, seconds past its deadline that this process keeps a copy no claim here took:
by then another process ended it, or moved its deadline with a click there (the margin covers the
processes' readings of the server's clock, milliseconds apart, and an end in progress)."""

_BUSY_BACKOFF = (0.01, 0.02, 0.05, 0.1, 0.2)
"""Waits between tries for a session whose handler runs in another process (the last one repeats)."""

_RETRY_SOON = 1.0
"""Seconds before the sweep comes back for work a failing store left undone (records to delete,
claims whose answer was lost)."""

_STALE = -1
"""The version of a held copy whose stored state could not be put back after a failed handler."""

_CLOSE_WAIT = 1.0
"""Seconds :meth:`DurableSessions.close` waits for its background work to stop once cancelled."""


class StoreUnavailableError(SessionStoreError):
    """The store did not answer: the click is told to try again, nothing stored is lost."""


class Elsewhere:
    """What :meth:`DurableSessions.restore` returns for a record another version of the bot may
    serve: a kind no loaded class declares, or a ``data_version`` newer than the class's."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ELSEWHERE"


ELSEWHERE = Elsewhere()
"""The one :class:`Elsewhere`."""


class _Held:
    """What the process knows of a durable session it holds: when it expires, when it began, and
    which stored version its state is."""

    __slots__ = ("created_at", "deadline", "version")

    def __init__(self, deadline: float | None, created_at: float, version: int) -> None:
        self.deadline = deadline
        self.created_at = created_at
        self.version = version


class DurableSessions:
    """The backing of durable sessions (:class:`~nyx_sessions.lifecycle.backing.Backing`): a store.

    Parameters
    ----------
    store: :class:`~nyx_sessions.storage.SessionStore`
        The store, owned by the manager: opened and closed with it.
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The sessions the manager holds, their locks and the ends in progress.
    clock: :class:`~nyx_sessions.storage.Clock`
        What deadlines are measured on.
    spawn: Callable
        Runs a coroutine as a task the manager waits for at shutdown.
    end: Callable
        The end sequence (:meth:`~nyx_sessions.lifecycle.ending.Ends.run`), for sessions that expire.
    rebuild: Callable
        Makes a session of a class from its record and decoded data, without ``__init__``.
    report: Callable
        Hands an error of a click to the update error handler (data that cannot be stored).
    stale_after: :class:`float`
        A session that expired more than this many seconds ago (the bot was down) ends without its
        message being edited.
    unknown_grace: :class:`float`
        A due record of a kind no class knows is kept this long past its deadline (another version
        of the bot may know it), then dropped without ``on_end``.
    timeout: :class:`float`
        The longest any store call may take; past it the store counts as unavailable.
    observers: :class:`~nyx_sessions.observers.Observers`
        Told of every store call and of waits for another process's lease.

    Attributes
    ----------
    owner_clicks: :class:`int`
        Clicks this process served as the session's owner (shared stores): no store call before
        the handler, one after it.
    taken_clicks: :class:`int`
        Clicks for which this process first took the session from the store (shared stores): it was
        not held here, or another process served it last.
    """

    __slots__ = (
        "_alarm",
        "_asked",
        "_claimed",
        "_clock",
        "_finished",
        "_held",
        "_live",
        "_lost_claims",
        "_make",
        "_observers",
        "_order",
        "_overdue",
        "_report",
        "_run_end",
        "_spawn",
        "_store",
        "_store_label",
        "_sweeping",
        "_unfinished",
        "_unknown_kinds",
        "_watching",
        "owner_clicks",
        "stale_after",
        "taken_clicks",
        "timeout",
        "unknown_grace",
    )

    def __init__(
        self,
        store: SessionStore,
        live: LiveSessions,
        *,
        clock: Clock,
        spawn: Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]],
        end: Callable[..., Awaitable[SessionEndData[Any]]],
        rebuild: Callable[[Any, DurableRecord, Any], AbstractSession[Any]],
        report: Callable[
            [BaseException, AbstractSession[Any], discord.Interaction[Any], SessionExecutionMeta],
            Awaitable[None],
        ],
        stale_after: float = 60.0,
        unknown_grace: float = 3600.0,
        timeout: float = 2.0,
        observers: Observers = NO_OBSERVERS,
    ) -> None:
        self._store = store
        self._observers = observers
        self._store_label = store_label(store)
        self._live = live
        self._clock = clock
        self._spawn = spawn
        self._run_end = end
        self._make = rebuild
        self._report = report
        self._held: dict[str, _Held] = {}
        # Shared stores: (deadline, order, id, held) of held sessions, for letting go of those ended
        # elsewhere. An item moves later only when it comes up (a click's refresh pushes nothing);
        # one whose entry was replaced since (the session restored afresh) is dropped then.
        self._overdue: list[tuple[float, int, str, _Held]] = []
        self._order = itertools.count()
        # Ends this process claims (from the moment it asks) or claimed, until finished.
        self._claimed: set[str] = set()
        # Records to delete without on_end: ended here but not yet forgotten by the store, or
        # written by a start reported failed (the write may have landed before its answer was lost).
        self._unfinished: set[str] = set()
        # Ends asked for while the store did not answer: a claim made just before the answer was
        # lost is taken up by the sweep with the reason and code it was asked for.
        self._asked: dict[str, tuple[str, EndCode]] = {}
        # Whether a claim may have been made without its answer reaching this process (a claim
        # call failed); the next sweep then asks the store for them.
        self._lost_claims = False
        # While the sweep takes lost claims up: the sessions that finished meanwhile.
        self._finished: set[str] | None = None
        self._alarm = Alarm(self._clock, self._on_alarm)
        self._sweeping: asyncio.Task[None] | None = None
        self._watching: asyncio.Task[None] | None = None  # notices of ends in other processes
        self._unknown_kinds: set[str] = set()
        self.stale_after = stale_after
        self.owner_clicks = 0
        self.taken_clicks = 0
        self.unknown_grace = unknown_grace
        self.timeout = timeout

    @property
    def store(self) -> SessionStore:
        """The store."""
        return self._store

    @property
    def _shared(self) -> SharedSessionStore | None:
        """The store, when several processes share it (ownership, notices of ends); else ``None``."""
        return self._store if self._store.shared else None  # type: ignore[return-value]

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the store and arm expiry; sessions that expired while no process ran end now.

        With a shared store, notices of sessions other processes end are listened to from now on.
        """
        await self._store.open()
        store = self._shared
        if store is not None:
            # Not one of the manager's tasks, which shutdown waits for: this one never ends by itself.
            self._watching = asyncio.get_running_loop().create_task(
                store.watch(self._ended_elsewhere, self._asked_to_let_go),
                name="nyx-sessions:background:watch",
            )
        await self._schedule()

    async def close(self) -> None:
        """Stop expiry and close the store (records stay)."""
        self._alarm.cancel()
        for task in (self._sweeping, self._watching):
            if task is not None and not task.done():
                task.cancel()
                # Bounded: redis-py may swallow the cancellation of a subscribe in flight; the store's
                # close() then stops that watch on its next turn.
                await asyncio.wait((task,), timeout=_CLOSE_WAIT)
        self._held.clear()
        self._overdue.clear()
        await self._store.close()

    # -- writing ---------------------------------------------------------------------------------------

    async def check_new(self, session: AbstractSession[Any]) -> None:
        """Refuse, before ``on_start`` runs, a session whose id is stored or whose data cannot be.

        Raises
        ------
        DuplicateSessionError
            The store holds a session with this id.
        SessionDataError
            The data cannot be encoded.
        """
        session._to_record(None, 0.0)  # encodes the data: fails before anything is sent
        if await self._call(self._store.exists(session.id)):
            raise DuplicateSessionError(session.id)

    async def admit(self, session: AbstractSession[Any], limits: SessionLimits) -> Admission:
        """Count a new session against its limits in the store, and admit it: one call, atomic for
        every process. A ``"replace"`` that would end a session still starting (here or in another
        process) asks again a moment later, until that start made its record.

        Raises
        ------
        StoreUnavailableError
            The store did not answer, or a session to replace stayed starting past its grace.
        """
        scopes = list(limits.scopes(session))
        name = limits.group or session.kind
        keyed = [(f"{name}|{scope}|{subject}", limit) for (_, scope, subject), limit, _ in scopes]
        give_up = time.time() + STARTING_GRACE
        waits = iter(_BUSY_BACKOFF)
        while True:
            admit = self._store.admit(
                session.id, keyed, limits.policy, now=self._clock.time(), give_up_at=self._give_up_at()
            )
            admitted = await self._call(admit)
            if admitted.status != "busy":
                break
            pause = next(waits, _BUSY_BACKOFF[-1])
            if time.time() + pause > give_up:
                raise StoreUnavailableError(f"a session that session {session.id} replaces stayed starting")
            await asyncio.sleep(pause)
        if admitted.status == "ok":
            return Admission(victims=admitted.victims)
        blocker = None if admitted.blocker is None else await self._call(self._store.load(admitted.blocker))
        link = None
        if blocker is not None and blocker.channel_id is not None and blocker.message_id is not None:
            guild = getattr(session.bot.get_channel(blocker.channel_id), "guild", None)
            link = jump_url(None if guild is None else guild.id, blocker.channel_id, blocker.message_id)
        return Admission(refused=scopes[admitted.limit][2], link=link)

    async def unadmit(self, session: AbstractSession[Any]) -> None:
        """Stop counting a session whose start failed (best effort: a start that never made its
        record stops counting after a grace anyway)."""
        with contextlib.suppress(StoreUnavailableError):
            await self._call(self._store.unadmit(session.id))

    async def pause(self, session: AbstractSession[Any]) -> None:
        """Nothing yet: the handler that opened the child writes the parent when it is over, with
        the child's id and no deadline (:meth:`commit`), as one write."""

    async def resume(self, session: AbstractSession[Any], *, handler_running: bool) -> None:
        """Write a parent whose child ended: no child, a deadline a full TTL from now. Nothing when
        the parent's own handler runs (its child ended, or did not start, inside it): that handler's
        commit writes it, and a write in between could let another process take it mid-handler.

        Raises
        ------
        StoreUnavailableError
            The store did not answer: the parent stays waiting in it, and expires there.
        """
        held = self._held.get(session.id)
        if held is not None and not handler_running:
            await self._write(session, held, True, None)

    async def created(self, session: AbstractSession[Any]) -> None:
        """Store a session that just started."""
        now = self._clock.time()
        held = _Held(self._deadline(session, now), now, 1)
        record = session._to_record(held.deadline, now)
        try:
            created = await self._call(self._store.create(record, give_up_at=self._give_up_at()))
        except StoreUnavailableError:
            # Reported as a failed start: a write that landed before its answer was lost goes too.
            self._finish_later(session.id)
            raise
        if not created:
            raise DuplicateSessionError(session.id)
        self._hold(session.id, held)
        self._arm(held.deadline)

    async def commit(
        self,
        session: AbstractSession[Any],
        interaction: discord.Interaction[Any],
        meta: SessionExecutionMeta,
        outcome: UpdateOutcome,
    ) -> None:
        """Write a session after its handler (``outcome.refresh`` moves its deadline a full TTL ahead).

        A handler that raised commits nothing, and a write that fails (data that cannot be stored,
        a store that does not answer) keeps the last stored state: the held copy takes it back.
        """
        written = False
        try:
            held = self._held.get(session.id)
            if outcome.status is ExecutionOutcome.FAILED:
                reverted = await self.revert(session)
                if reverted and session._child is not None:
                    # The child it opened runs all the same: the parent is kept waiting for it, at
                    # the stored version revert() just took back.
                    written = await self._write(session, self._held[session.id], False, interaction.id)
            elif held is not None:
                written = await self._write(session, held, outcome.refresh, interaction.id)
        except (SessionDataError, StoreUnavailableError) as error:
            await self._report(error, session, interaction, meta)
            notice = "try_again" if isinstance(error, StoreUnavailableError) else "error"
            await send_notice(interaction, message(f"nyx_sessions.notice.{notice}"))
            await self.revert(session)
        finally:
            if not written:  # a write also marks the interaction taken; a revert does not
                await self.leave(session.id, interaction.id)

    async def _write(
        self, session: AbstractSession[Any], held: _Held, refresh: bool, interaction_id: int | None
    ) -> bool:
        if session._child is not None:
            deadline = None  # a parent does not expire while its child runs
        else:
            deadline = self._deadline(session, self._clock.time()) if refresh else held.deadline
        record = session._to_record(deadline, held.created_at)
        write = self._store.commit(record, interaction_id=interaction_id, give_up_at=self._give_up_at())
        if not await self._call(write):
            return False
        held.deadline = deadline
        held.version += 1
        self._arm(deadline)
        return True

    async def expires_at(self, session_id: str) -> float | None:
        """When a held session expires; ``None`` if never, or not held."""
        held = self._held.get(session_id)
        return None if held is None else held.deadline

    # -- reading ---------------------------------------------------------------------------------------

    async def restore(self, session_id: str) -> AbstractSession[Any] | Elsewhere | None:
        """Bring back a stored session this process does not hold, running, ready for a click.

        Returns
        -------
        The session; :data:`ELSEWHERE` for a record another version of the bot may serve (an
        unknown kind, a newer ``data_version``), left as it is; ``None`` when no such session is
        stored, or when its record cannot come back (data that does not decode, ``on_restore``
        raising: logged, and answered like an expired session).

        Raises
        ------
        StoreUnavailableError
            The store did not answer.
        """
        record = await self._call(self._store.load(session_id))
        return None if record is None else await self._revive(record)

    async def _revive(self, record: DurableRecord) -> AbstractSession[Any] | Elsewhere | None:
        """The session of ``record`` rebuilt, running and held here; as :meth:`restore` otherwise."""
        session = await self._rebuild(record)
        if session is None or isinstance(session, Elsewhere):
            return session
        session._state = SessionState.RUNNING
        self._hold(record.id, _Held(record.deadline, record.created_at, record.version))
        return session

    def at_hand(self, held: AbstractSession[Any] | None) -> AbstractSession[Any] | None:
        """Never: every click asks the store (:meth:`enter`)."""
        return None

    async def enter(
        self, session_id: str, held: AbstractSession[Any] | None, interaction: discord.Interaction[Any]
    ) -> AbstractSession[Any] | Answered | None:
        """Make a durable session ready for a click: the one held here, or restored from the store.

        Returns the session (now held); ``None`` when it is not stored (or ended elsewhere, or
        cannot come back); :data:`~nyx_sessions.lifecycle.backing.ANSWERED` when the click needs
        no handler: another process took this interaction, the store did not answer, or another
        version of the bot may serve the record (both told to try again). Give back what this took
        with :meth:`leave`.
        """
        try:
            found = await self._take(session_id, held, interaction.id)
        except StoreUnavailableError as error:
            _log.warning("session %s could not be loaded: %s", session_id, error)
            await send_notice(interaction, message("nyx_sessions.notice.try_again"))
            return ANSWERED_UNAVAILABLE
        if isinstance(found, Elsewhere):  # another version of the bot may serve it: left alone
            await send_notice(interaction, message("nyx_sessions.notice.try_again"))
            return ANSWERED_UNKNOWN
        if found is not None and not isinstance(found, Answered):
            self._live.held[session_id] = found
        return found

    async def _take(
        self, session_id: str, held: AbstractSession[Any] | None, interaction_id: int
    ) -> AbstractSession[Any] | Elsewhere | Answered | None:
        """The session for this click. One process, or the process that serves the session: the
        held copy at once. Otherwise the session is first made this process's (its handlers run in
        one process at a time: the one serving it is asked to let go, between two clicks), the
        interaction marked as taken (:data:`ANSWERED` if another process took it), and a held copy
        whose state another process changed since restored afresh.

        Raises
        ------
        StoreUnavailableError
            The store did not answer, or another process kept the session past its lease.
        """
        store = self._shared
        known = self._held.get(session_id)
        if store is None:
            if held is None:
                return await self.restore(session_id)
            return await self._held_copy(held, known)
        if held is not None and known is not None and store.owns(session_id):
            self.owner_clicks += 1
            return await self._held_copy(held, known)  # this process serves it: nothing to ask first
        self.taken_clicks += 1

        async def acquire() -> Acquired:
            # Each try is given up with its call: a request Redis runs later than that takes nothing.
            acquired = await store.acquire(
                session_id, interaction_id=interaction_id, give_up_at=self._give_up_at()
            )
            if acquired.status == "busy":
                raise SessionBusyError(session_id, acquired.retry_after)
            return acquired

        acquired = await self._when_free(session_id, acquire)
        if acquired.status == "replay":
            _log.debug("interaction %s was taken by another process", interaction_id)
            return ANSWERED
        if acquired.status == "late":
            raise StoreUnavailableError(f"the store answered for session {session_id} too late")
        if acquired.status != "ok":  # ended, or ending, in another process
            self._detach_copy(session_id, "ended in another process")
            return None
        if held is not None and known is not None and known.version == acquired.version:
            return held
        self._drop_copy(session_id)
        restored = await self.restore(session_id)
        if restored is None or isinstance(restored, Elsewhere):
            # Not served here: left to a process that can (one that never asks would wait it out).
            with contextlib.suppress(StoreUnavailableError):
                await self._call(store.let_go(session_id))
        return restored

    async def _held_copy(self, held: AbstractSession[Any], known: _Held | None) -> AbstractSession[Any]:
        """The held session, brought back to its stored state first if a failed handler left it stale.

        Raises
        ------
        StoreUnavailableError
            The stored state could not be read.
        """
        if known is not None and known.version == _STALE and not await self.revert(held):
            raise StoreUnavailableError(f"session {held.id} could not be brought back to its stored state")
        return held

    async def _when_free(self, session_id: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Try ``attempt`` until no other process serves the session: the owner, asked to let go,
        does so between two clicks; a dead or frozen owner is waited out (its heartbeat's lease,
        and a second more: the deferral watch has answered the click by then).

        Raises
        ------
        StoreUnavailableError
            The store did not answer, or another process kept the session past its lease.
        """
        store = self._shared
        wait_until = time.time() + (0.0 if store is None else store.lease) + 1.0
        waits = iter(_BUSY_BACKOFF)
        waited_from: float | None = None  # set once it had to wait, when observed
        try:
            while True:
                try:
                    return await self._call(attempt())
                except SessionBusyError as busy:
                    if self._observers and waited_from is None:
                        waited_from = time.perf_counter()
                    pause = next(waits, _BUSY_BACKOFF[-1])
                    if time.time() + pause > wait_until:
                        raise StoreUnavailableError(
                            f"session {session_id} stayed busy in another process"
                        ) from None
                    await asyncio.sleep(min(pause, busy.retry_after or pause))
        finally:
            if waited_from is not None and self._observers:
                self._observers.lease_waited(session_id, time.perf_counter() - waited_from)

    async def revert(self, session: AbstractSession[Any]) -> bool:
        """Undo what a failed handler changed: the stored state is put back into the held copy.

        A handler that raised (or whose write failed) commits nothing, so "try again" starts from
        the state before the click, on the same object the caller holds. Returns ``False`` when
        the store could not give it back now: the copy is marked stale, and the next click tries
        again before its handler runs (a shared store restores it afresh then).
        """
        session_id = session.id
        try:
            record = await self._call(self._store.load(session_id))
            if record is None:
                raise LookupError(session_id)  # ended meanwhile (another process): nothing to revert to
            cls: Any = type(session)
            data = _decode(cls, record)
        except (StoreUnavailableError, SessionDataError, LookupError):
            known = self._held.get(session_id)
            if known is not None:
                known.version = _STALE
            return False
        session._take_stored_state(record, data)
        self._held[session_id] = _Held(record.deadline, record.created_at, record.version)
        return True

    async def leave(self, session_id: str, interaction_id: int) -> None:
        """A click is over without a write (shared stores only): its interaction is marked as taken,
        and the session let go of if another process asked for it meanwhile."""
        store = self._shared
        if store is not None:
            with contextlib.suppress(StoreUnavailableError):  # the next click asks the store again
                await self._call(store.release(session_id, interaction_id=interaction_id))

    async def take(
        self, session_id: str, held: AbstractSession[Any] | None, work_id: int
    ) -> AbstractSession[Any] | None:
        """Make a durable session ready for work outside a click, in this process: taken as a
        click takes it (from another process, or restored from the store), ``work_id`` marked in
        place of an interaction.

        Raises
        ------
        StoreUnavailableError
            The store did not answer, or another version of the bot may serve the session.
        """
        found = await self._take(session_id, held, work_id)
        if isinstance(found, Elsewhere):
            raise StoreUnavailableError(f"session {session_id!r} is served by another version of the bot")
        if found is None or isinstance(found, Answered):
            return None
        self._live.held[session_id] = found
        return found

    def _asked_to_let_go(self, session_id: str) -> None:
        """Another process asked for a session this one serves: let go of it between two clicks."""
        store = self._shared
        if store is None:
            return

        async def let_go() -> None:
            async with self._live.serial(session_id):
                with contextlib.suppress(StoreUnavailableError):  # it asks again
                    await self._call(store.let_go(session_id))

        self._spawn(let_go(), f"nyx-sessions:let-go:{session_id}")

    def _hold(self, session_id: str, held: _Held) -> None:
        self._held[session_id] = held
        if held.deadline is not None and self._store.shared:
            self._watch(held.deadline, session_id, held)

    def _watch(self, deadline: float, session_id: str, held: _Held) -> None:
        heapq.heappush(self._overdue, (deadline, next(self._order), session_id, held))

    def _drop_copy(self, session_id: str) -> None:
        """Drop this process's stale copy of a session another process changed: a fresh one replaces
        it (local waiters stay, for the session goes on)."""
        self._held.pop(session_id, None)
        self._live.held.pop(session_id, None)

    def _detach_copy(self, session_id: str, reason: str) -> None:
        """Detach this process's copy of a session that goes on, or ended, elsewhere."""
        session = self._live.held.get(session_id)
        if session is not None and session.kind is not None:
            self.detach(session, reason)
        else:
            self._held.pop(session_id, None)

    def _ended_elsewhere(self, session_id: str) -> None:
        """A process finished ``session_id``: detach this process's copy, unless this process is
        the one that ends it, or a click here is on it (the store tells that click)."""
        live = self._live
        if session_id in self._claimed or session_id in live.ending or session_id in live.serial.held:
            return
        self._detach_copy(session_id, "ended in another process")

    def _detach_overdue(self, now: float) -> None:
        """Detach held copies whose deadline passed a while ago with no claim here.

        The claims of this sweep took every due session this process may end; one it holds but did
        not claim, and that no handler here runs, was ended by another process or moved on there.
        Without this, a process would keep such copies (and their waiters) until it stops.
        """
        overdue, busy = self._overdue, self._live.serial.held
        while overdue and overdue[0][0] + _DETACH_AFTER <= now:
            deadline, _, session_id, held = heapq.heappop(overdue)
            if self._held.get(session_id) is not held or held.deadline is None:
                continue  # detached, or replaced by a fresh copy, since
            if held.deadline > deadline:  # refreshed by a click here since it was pushed
                self._watch(held.deadline, session_id, held)
            elif session_id in busy or session_id in self._claimed:
                self._watch(now, session_id, held)  # its handler or its end decides
            else:
                self._detach_copy(session_id, "went on in another process, or ended there")

    async def _rebuild(self, record: DurableRecord) -> AbstractSession[Any] | Elsewhere | None:
        cls: Any = find_kind(record.kind)
        if cls is None:
            if record.kind not in self._unknown_kinds:
                self._unknown_kinds.add(record.kind)
                _log.warning(
                    "session %s has kind %r, which no loaded class declares (renamed without aliases=, "
                    "or from another version of the bot): its clicks are told to try again, record kept",
                    record.id,
                    record.kind,
                )
            return ELSEWHERE
        try:
            data = _decode(cls, record)
            session = self._make(cls, record, data)
            await session._reload()
            await session.on_restore()
        except DataVersionError as error:
            _log.warning("session %s: %s; its clicks are told to try again, record kept", record.id, error)
            return ELSEWHERE
        except Exception:
            _log.exception(
                "session %s of kind %r could not be restored; answered as expired", record.id, record.kind
            )
            return None
        return session

    # -- ending ----------------------------------------------------------------------------------------

    async def begin_end(
        self, session: AbstractSession[Any], reason: str, code: EndCode
    ) -> AbstractSession[Any] | None:
        """Claim a session's end in the store before its ``on_end`` runs: a crash never runs it twice.

        Returns
        -------
        The copy whose ``on_end`` runs: ``session``, or the stored state afresh when another process
        changed it since this copy was taken; ``None`` when another process ends it.

        Raises
        ------
        StoreUnavailableError
            No end could be recorded: nothing ends, the session goes on (with no recorded claim
            there is no ``on_end``). A claim the store made just before its answer was lost is taken
            up by the next sweep, with ``reason`` and ``code``.
        """
        session_id = session.id
        if session_id in self._claimed:
            return session  # claimed here already (an expiry, or a claim taken up again)
        known = self._held.get(session_id)
        if known is None:
            return session  # never written (its on_start ended it): there is nothing to claim
        self._claimed.add(session_id)  # from the moment it is asked: the sweep leaves it alone
        try:
            record = await self._claim(
                self._when_free(
                    session_id, lambda: self._store.claim_end(session_id, give_up_at=self._give_up_at())
                )
            )
        except StoreUnavailableError:
            self._claimed.discard(session_id)
            self._asked[session_id] = (reason, code)
            raise
        if record is None:
            self._claimed.discard(session_id)
            return None if self._store.shared else session
        if record.version == known.version:
            return session
        latest = await self._revive(record)  # ended with the state the other process left
        return session if latest is None or isinstance(latest, Elsewhere) else latest

    async def finish(self, session_id: str) -> None:
        """Finish an ended session, in the store and here; a store that does not answer finishes it
        later (the sweep tries again, without ``on_end``)."""
        self._held.pop(session_id, None)
        self._asked.pop(session_id, None)
        if self._finished is not None:
            self._finished.add(session_id)
        try:
            await self._call(self._store.finish(session_id, give_up_at=self._give_up_at()))
        except StoreUnavailableError:
            self._finish_later(session_id)
            _log.warning(
                "the record of ended session %s could not be deleted yet: its store does not answer",
                session_id,
            )
        finally:
            self._claimed.discard(session_id)

    def detach(self, session: AbstractSession[Any], reason: str = "the session went on in its store") -> None:
        """Let a session go on in its store without this process (at shutdown, or one that ended or
        went on elsewhere): no ``on_end``, no event; local waiters learn
        :attr:`~nyx_sessions.SessionEndCode.DETACHED`."""
        session_id = session.id
        self._live.held.pop(session_id, None)
        self._held.pop(session_id, None)
        self._asked.pop(session_id, None)
        self._live.settle(session, SessionEndData(reason, SessionEndCode.DETACHED, session.result))

    async def stop(self, session: AbstractSession[Any]) -> None:
        """At shutdown: detach the session, once a start or a handler in progress has committed."""
        async with self._live.serial(session.id):
            if session._state is SessionState.RUNNING:
                self.detach(session)

    def _finish_later(self, session_id: str) -> None:
        """Have the sweep delete a record, without ``on_end``, as soon as the store answers."""
        self._unfinished.add(session_id)
        self._sweep_soon()

    def _sweep_soon(self) -> None:
        """Bring the sweep back in a moment for the work a failing store left undone."""
        self._alarm.arm(self._clock.time() + _RETRY_SOON)

    async def _claim(self, work: Awaitable[T]) -> T:
        """Store calls that claim ends (each bounded by :meth:`_call`): when one fails, the store may
        still have made the claim."""
        try:
            return await work
        except StoreUnavailableError:
            self._lost_claims = True
            self._sweep_soon()
            raise

    # -- expiry ----------------------------------------------------------------------------------------

    def _arm(self, deadline: float | None) -> None:
        if self._store.shared:  # other processes add deadlines this one never sees
            poll = self._clock.time() + _POLL
            deadline = poll if deadline is None else min(deadline, poll)
        self._alarm.arm(deadline)

    def _on_alarm(self) -> None:
        if self._sweeping is None or self._sweeping.done():
            self._sweeping = self._spawn(self.sweep(), "nyx-sessions:sweep")

    async def _schedule(self) -> None:
        try:
            deadline = await self._call(self._store.next_deadline())
        except StoreUnavailableError:
            deadline = self._clock.time() + _RETRY
        self._arm(deadline)

    async def sweep(self) -> None:
        """End every durable session whose deadline has passed, then arm the timer for the next.

        First what earlier calls left undone: records of ended sessions the store did not finish,
        and claims this process made whose answer was lost (ended now, with ``on_end``). Then due
        sessions are claimed a batch at a time (with a shared store, each by one process of all) and
        ended, the event loop getting a turn between batches. Sessions no class here can restore are
        left to :meth:`_sweep_unknown`; sessions whose handler runs are left to that handler, which
        refreshes them or not, and looked at again shortly.
        """
        failed = False
        retry: float | None = None
        try:
            await self._take_up_claims()
            while True:
                now = self._clock.time()
                claimed = await self._claim(
                    self._call(
                        self._store.claim_due(
                            now,
                            _SWEEP_LIMIT,
                            kinds=readable_kinds(),
                            busy=self._live.serial.held,
                            give_up_at=self._give_up_at(),
                        )
                    )
                )
                if not claimed:
                    break
                for record in claimed:
                    await self._end_due(record, now)
                await asyncio.sleep(0)  # clicks are answered between batches
            if self._store.shared:
                self._detach_overdue(now)
            retry = await self._sweep_unknown(now)
            deadline = await self._call(self._store.next_deadline())
        except StoreUnavailableError as error:
            _log.warning("expiring durable sessions failed, trying again in %s s: %s", _RETRY, error)
            deadline, failed = None, True
        finally:
            self._sweeping = None
        now = self._clock.time()
        if failed:
            deadline = now + _RETRY
        elif retry is not None and (deadline is None or deadline <= now):
            deadline = retry  # only sessions that cannot end yet are due
        if (self._unfinished or self._lost_claims) and (deadline is None or deadline > now + _RETRY_SOON):
            deadline = now + _RETRY_SOON  # work left undone: soon, not at the next deadline
        self._arm(deadline)

    async def _take_up_claims(self) -> None:
        """Finish the records of ended sessions the store kept, and end the sessions this process
        claimed without hearing back (the store made the claim, then its answer was lost)."""
        for session_id in list(self._unfinished):
            await self._call(self._store.finish(session_id, give_up_at=self._give_up_at()))
            self._unfinished.discard(session_id)
        if not self._lost_claims:
            return
        self._lost_claims = False
        # Ends finished here from the moment the store is asked: an end() that ran meanwhile took
        # its own claim up already, and must not be ended twice.
        self._finished = set()
        try:
            ignore = self._claimed | self._unfinished
            try:
                lost = await self._call(self._store.claimed(ignore=ignore, give_up_at=self._give_up_at()))
            except StoreUnavailableError:
                self._lost_claims = True
                raise
            for record in lost:
                await self._end_due(record, self._clock.time(), taken_up=True)
        finally:
            self._finished = None

    async def _sweep_unknown(self, now: float) -> float | None:
        """Deal with due sessions no claim took; when to look again, or ``None``.

        No class here reads them (an unknown kind, or a newer ``data_version``): kept for
        ``unknown_grace``, since another version of the bot may serve them, then dropped without
        ``on_end``. Or a handler of theirs runs: looked at again in a moment.
        """
        retry: float | None = None
        for session_id in await self._call(self._store.due(now, _SWEEP_LIMIT)):
            record = await self._call(self._store.load(session_id))
            if record is None or record.deadline is None or record.deadline > now:
                continue
            if record.data_version <= readable_kinds().get(record.kind, 0):
                retry = min(retry or math.inf, now + _BUSY_RETRY)  # a handler refreshes it or not
            elif now < record.deadline + self.unknown_grace:
                retry = min(retry or math.inf, now + _RETRY)
            else:
                _log.warning("dropping due session %s of kind %r without on_end", session_id, record.kind)
                claim = self._store.claim_end(session_id, due_by=now, give_up_at=self._give_up_at())
                if await self._claim(self._call(claim)) is not None:
                    await self.finish(session_id)
        return retry

    async def _end_due(self, record: DurableRecord, now: float, *, taken_up: bool = False) -> None:
        """End a session this process claimed in the store: it expired, or (``taken_up``) its end
        was claimed by a call whose answer was lost."""
        session_id = record.id
        reason: str = "the session expired"
        code: EndCode = SessionEndCode.EXPIRED
        async with self._live.serial(session_id):  # a click that came meanwhile waits for the end
            if taken_up:
                if session_id in self._claimed or (self._finished and session_id in self._finished):
                    return  # an end here took it up meanwhile
                reason, code = self._asked.pop(session_id, (reason, code))
            self._claimed.add(session_id)
            known = self._held.get(session_id)
            session: AbstractSession[Any] | Elsewhere | None = self._live.held.get(session_id)
            if session is None or known is None or known.version != record.version:
                self._drop_copy(session_id)  # changed by another process since: end its latest state
                session = await self._revive(record)
            if session is None or isinstance(session, Elsewhere):
                _log.warning("dropping due session %s of kind %r without on_end", session_id, record.kind)
                await self.finish(session_id)
                return
            expired = code is SessionEndCode.EXPIRED
            await self._run_end(session, reason, code, None, expired=expired, deadline=record.deadline)
        if expired and session.disable_on_expire and now - (record.deadline or now) <= self.stale_after:
            await session._disable_components()

    # -- helpers ---------------------------------------------------------------------------------------

    def _give_up_at(self) -> float:
        """When a store call made now is given up (wall clock): the store refuses to act later."""
        return time.time() + self.timeout

    @staticmethod
    def _deadline(session: AbstractSession[Any], now: float) -> float | None:
        """When ``session`` expires if refreshed at ``now``: its TTL on, never past its hard end."""
        ttl = session._ttl_at(now)
        return None if ttl is None else now + ttl

    async def _call(self, work: Awaitable[T]) -> T:
        """Await a store call for at most ``timeout`` seconds; a failing store is reported unavailable.

        A store whose calls never wait (:attr:`~nyx_sessions.storage.SessionStore.waits`) gets no
        timer: nothing could interrupt its calls, and the timer would cost each click.
        """
        if self._observers:
            work = self._observers.timed_store_call(self._store_label, work)
        try:
            if not self._store.waits:
                return await work
            if _deadline is not None:  # Python 3.11+: no task per call, unlike wait_for
                async with _deadline(self.timeout):
                    return await work
            return await asyncio.wait_for(work, self.timeout)
        except (StoreUnavailableError, SessionBusyError):
            raise
        except (SessionStoreError, sqlite3.Error, OSError, asyncio.TimeoutError) as error:
            raise StoreUnavailableError(f"the session store failed: {error!r}") from error


def _decode(cls: Any, record: DurableRecord) -> Any:
    """The record's data as its class reads it (migrated from an older ``data_version``)."""
    return decode_data(cls._kind, cls.migrate_data, record.data, record.data_version, record.id)
