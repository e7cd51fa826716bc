"""Where live sessions are kept between interactions, and how they expire."""

from __future__ import annotations

import asyncio
import heapq
import inspect
import logging
import math
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from .clock import Alarm, SystemClock

if TYPE_CHECKING:
    from .clock import Clock

__all__ = (
    "ExpirationCallback",
    "MemorySessionRepository",
    "SessionRepository",
    "StoredSession",
)

_log = logging.getLogger(__name__)


class StoredSession(Protocol):
    """What a repository stores: anything with an ``id`` and a ``ttl``.

    :class:`~nyx_sessions.AbstractSession` qualifies; so does a plain object in a test.

    Attributes
    ----------
    id: :class:`str`
        The key the session is stored under.
    ttl: Optional[:class:`float`]
        Seconds of inactivity before it expires; ``None`` (or :data:`math.inf`) never expires.
    """

    @property
    def id(self) -> str:
        """The key the session is stored under."""

    @property
    def ttl(self) -> float | None:
        """Seconds of inactivity before the session expires; ``None`` never expires."""


SessionT = TypeVar("SessionT", bound=StoredSession)

ExpirationCallback = Callable[[SessionT], Awaitable[None] | None]
"""``callback(session)``, run when a session's TTL ran out: a function or a coroutine function."""


class SessionRepository(Protocol[SessionT]):
    """Storage for started sessions, keyed by id, each with a time to live.

    The manager saves a session when it starts, refreshes its TTL after each handled update,
    deletes it when it ends, and is told through the expiration callback when a TTL runs out.
    :class:`MemorySessionRepository` is the default; replace it to keep sessions elsewhere.

    Implementations must: never fire the callback for a deleted or replaced session; take an
    expired session out of storage before its callback runs; treat ``ttl=None`` (and
    :data:`math.inf`) as "never expires"; refuse a TTL of zero or less with :class:`ValueError`.
    """

    async def save(self, session: SessionT) -> None:
        """Store ``session`` under ``session.id``, expiring ``session.ttl`` seconds from now.

        Saving an id that is already stored replaces that session without expiring it.

        Raises
        ------
        ValueError
            ``session.ttl`` is zero, negative or NaN.
        TypeError
            ``session.ttl`` is not a number (a bool is not a number here).
        """

    async def get(self, session_id: str) -> SessionT | None:
        """Return the stored session with this id, or ``None``."""

    async def delete(self, session_id: str) -> bool:
        """Remove a session without expiring it; return whether it was stored."""

    async def set_ttl(self, session_id: str, ttl: float | None) -> bool:
        """Make a stored session expire ``ttl`` seconds from now (the full TTL, not an extension).

        Parameters
        ----------
        session_id: :class:`str`
            The session to refresh. An unknown id changes nothing.
        ttl: Optional[:class:`float`]
            Seconds from now; ``None`` or :data:`math.inf` for never.

        Returns
        -------
        :class:`bool`
            Whether the session was stored.

        Raises
        ------
        ValueError, TypeError
            As in :meth:`save`.
        """

    async def expires_at(self, session_id: str) -> float | None:
        """Return when a session expires, in :func:`time.time` epoch seconds.

        ``None`` for an unknown id or a session that never expires.
        """

    async def start(self) -> None:
        """Let sessions expire; see the implementation for what a fresh repository needs."""

    async def stop(self) -> None:
        """Stop expiring sessions (they stay stored) and wait for running expiration callbacks."""

    def set_expiration_callback(self, callback: ExpirationCallback[SessionT] | None) -> None:
        """Set the function called with each session whose TTL ran out; ``None`` removes it."""

    def __len__(self) -> int:
        """Return the number of stored sessions."""

    def __iter__(self) -> Iterator[SessionT]:
        """Iterate over the stored sessions."""

    def __contains__(self, session_id: object) -> bool:
        """Return whether a session with this id is stored."""


class _Entry(Generic[SessionT]):
    # ``deadline`` is when the session expires (infinity: never) and ``order`` when that deadline
    # was set, which breaks ties. ``item`` is the one heap item that speaks for the entry (``None``:
    # none); older items for the same entry are stale and skipped when popped. The item's deadline
    # is never later than ``deadline``: a refresh that moves the deadline later only writes the
    # entry, and the item, once it comes up, is pushed again at the entry's deadline. So a click
    # costs no heap push, and the heap holds about one item per session.
    __slots__ = ("deadline", "item", "order", "session")

    def __init__(self, session: SessionT) -> None:
        self.session = session
        self.deadline = math.inf
        self.order = 0
        self.item: _HeapItem | None = None


_HeapItem = tuple[float, int, str]
"""``(deadline, order, session id)``.

The id, not the entry: a tuple of a float, an int and a str holds nothing the garbage collector
tracks, so CPython stops tracking the tuple itself, and a full collection with 100,000 live
sessions has 100,000 fewer objects to walk.
"""

_COMPACT_MIN = 64
"""Below this many heap items, stale ones are left for the pops to drop."""

_SWEEP_LIMIT = 256
"""The most sessions one timer call expires; the rest go in the next, after the loop polled I/O.

Each expiry usually starts work (the manager ends the session in a task), so an unbounded sweep
after a burst of deadlines (100,000 sessions started together) would stall the event loop for
seconds: no interaction answered, no heartbeat sent. A sweep of 256 keeps each stall to
milliseconds and costs nothing when fewer sessions are due.
"""

_POP_LIMIT = 16 * _SWEEP_LIMIT
"""The most heap items one timer call (or one re-arming) takes out, stale or pushed again.

Each is cheap, but not in the hundred thousands: after 100,000 sessions were started and then
each clicked once, the 100,000 items of their first deadlines lie at the top of the heap, and
handling them all at once stalled the loop for 280 ms.
"""


class MemorySessionRepository(Generic[SessionT]):
    """Keeps sessions in a dict and expires them with one timer.

    Deadlines sit in a binary heap, at most one live item per session. A refresh that moves a
    deadline later (the common case: every click) only writes the new deadline down; the item is
    pushed again at that deadline when it comes up, so a click costs no heap operation and the
    heap does not grow with clicks. A deadline moved earlier gets a new item and leaves the old one
    behind to be skipped when popped; the heap is rebuilt once such stale items outnumber live
    ones. A single clock timer is armed for the earliest deadline; when it fires, the sessions
    that are due expire in deadline order (equal deadlines in the order they were set), up to 256
    in that call; the timer is re-armed at once for the rest, so the event loop polls I/O between
    sweeps.

    Expiry is on from construction: the timer is armed lazily by the first :meth:`save` or
    :meth:`set_ttl` (coroutines, so an event loop is running), which means a repository can be
    built outside a loop and used before :meth:`start` is called. :meth:`stop` pauses expiry and
    :meth:`start` resumes it.

    An expired session is removed before the expiration callback sees it. A callback that returns
    an awaitable is run as a task named ``"nyx-sessions:expire:<id>"``, kept until done; its
    errors, and those of a plain callback, are logged to the ``"nyx_sessions"`` logger.

    Parameters
    ----------
    clock: Optional[:class:`~nyx_sessions.storage.Clock`]
        The time source; :class:`~nyx_sessions.storage.SystemClock` by default. Tests pass a
        :class:`~nyx_sessions.storage.ManualClock`.
    """

    __slots__ = (
        "_alarm",
        "_callback",
        "_clock",
        "_entries",
        "_expiring",
        "_heap",
        "_order",
        "_running",
        "_scheduled",
        "_tasks",
    )

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock: Clock = SystemClock() if clock is None else clock
        self._entries: dict[str, _Entry[SessionT]] = {}
        self._heap: list[_HeapItem] = []
        self._scheduled = 0  # entries with a live heap item
        self._order = 0  # counts deadlines set, so equal deadlines expire in the order they were set
        self._alarm = Alarm(self._clock, self._on_timer)
        self._running = True
        self._callback: ExpirationCallback[SessionT] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._expiring: float | None = None

    @property
    def clock(self) -> Clock:
        """The time source deadlines are measured against."""
        return self._clock

    @property
    def expiring(self) -> float | None:
        """The deadline of the session whose expiration callback runs now; ``None`` outside one.

        Read by the callback to learn how late the expiry came (the session left the repository).
        """
        return self._expiring

    async def save(self, session: SessionT) -> None:
        """Store ``session``, expiring ``session.ttl`` seconds from now; replace silently.

        Raises
        ------
        ValueError
            ``session.ttl`` is zero, negative or NaN.
        TypeError
            ``session.ttl`` is not a number.
        """
        deadline = self._deadline(session.id, session.ttl)
        entry = self._entries.get(session.id)
        if entry is None:
            entry = self._entries[session.id] = _Entry(session)
        else:
            entry.session = session
        self._schedule(entry, deadline)

    async def get(self, session_id: str) -> SessionT | None:
        """Return the stored session with this id, or ``None``."""
        entry = self._entries.get(session_id)
        return None if entry is None else entry.session

    async def delete(self, session_id: str) -> bool:
        """Remove a session without calling the expiration callback; return whether it was stored."""
        entry = self._entries.pop(session_id, None)
        if entry is None:
            return False
        self._schedule(entry, None)
        return True

    async def set_ttl(self, session_id: str, ttl: float | None) -> bool:
        """Make a stored session expire ``ttl`` seconds from now; ``None`` means never.

        Returns
        -------
        :class:`bool`
            ``False`` for an unknown id, which is not created.

        Raises
        ------
        ValueError, TypeError
            ``ttl`` is not a valid TTL, whether or not the id is stored.
        """
        deadline = self._deadline(session_id, ttl)
        entry = self._entries.get(session_id)
        if entry is None:
            return False
        self._schedule(entry, deadline)
        return True

    async def expires_at(self, session_id: str) -> float | None:
        """Return the expiry in epoch seconds; ``None`` if unknown or never expiring."""
        entry = self._entries.get(session_id)
        return None if entry is None or entry.deadline == math.inf else entry.deadline

    async def start(self) -> None:
        """Resume expiry after :meth:`stop`; harmless on a repository already running.

        The timer is re-armed for the earliest deadline, so sessions that came due while stopped
        expire together as soon as the clock runs it.
        """
        self._running = True
        self._arm()

    async def stop(self) -> None:
        """Pause expiry and wait for expiration callbacks still running.

        Sessions stay stored and keep their deadlines; saves and refreshes still count.
        :meth:`start` resumes. A callback task that calls ``stop()`` itself is not waited for.
        """
        self._running = False
        self._alarm.cancel()
        current = asyncio.current_task()
        while waiting := self._tasks - {current}:
            await asyncio.wait(waiting)

    def set_expiration_callback(self, callback: ExpirationCallback[SessionT] | None) -> None:
        """Set ``callback(session)``, run for each session whose TTL ran out; ``None`` removes it.

        Parameters
        ----------
        callback: Optional[Callable[[SessionT], Optional[Awaitable[None]]]]
            A function or a coroutine function. The session is already out of the repository
            when it is called.
        """
        self._callback = callback

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[SessionT]:
        """Iterate over a snapshot of the stored sessions, in the order their ids were first saved."""
        return iter([entry.session for entry in self._entries.values()])

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._entries

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<MemorySessionRepository sessions={len(self._entries)} {state}>"

    def _deadline(self, session_id: str, ttl: object) -> float | None:
        # A refresh on every click: a plain positive number skips the checks that explain a bad TTL.
        if isinstance(ttl, (float, int)) and ttl.__class__ is not bool and 0 < ttl < math.inf:
            return self._clock.time() + ttl
        seconds = _checked_ttl(session_id, ttl)
        if seconds is None:
            return None
        deadline = self._clock.time() + seconds
        return deadline if math.isfinite(deadline) else None

    def _schedule(self, entry: _Entry[SessionT], deadline: float | None) -> None:
        """Give ``entry`` a new deadline (``None``: none); push an item only when it comes earlier."""
        self._order += 1
        entry.order = self._order
        item = entry.item
        if deadline is None:
            entry.deadline = math.inf
            if item is not None:
                self._unlink(entry)
            return
        entry.deadline = deadline
        if item is None or deadline < item[0]:
            self._push(entry, deadline)

    def _push(self, entry: _Entry[SessionT], deadline: float) -> None:
        if entry.item is None:
            self._scheduled += 1
        item = entry.item = (deadline, entry.order, entry.session.id)
        heapq.heappush(self._heap, item)
        self._drop_stale()
        if deadline < self._alarm.when:
            self._arm()

    def _unlink(self, entry: _Entry[SessionT]) -> None:
        """Leave ``entry``'s heap item stale: the entry was deleted, expired or never expires now."""
        entry.item = None
        self._scheduled -= 1
        self._drop_stale()

    def _drop_stale(self) -> None:
        heap = self._heap
        if self._scheduled == 0:
            heap.clear()
            self._alarm.cancel()
        elif len(heap) > _COMPACT_MIN and len(heap) > 2 * self._scheduled:
            self._heap = [item for item in heap if self._live_entry(item) is not None]
            heapq.heapify(self._heap)

    def _arm(self) -> None:
        """Point the timer at the earliest deadline, unless it already fires no later.

        The top of the heap is tidied first (see :meth:`_tidy_top`); if that runs out of budget,
        the timer is pointed at the untidy top, and its call goes on tidying.
        """
        if not self._running:
            return
        self._tidy_top(_POP_LIMIT)
        heap = self._heap
        if not heap:
            self._alarm.cancel()
            return
        self._alarm.arm(heap[0][0])

    def _on_timer(self) -> None:
        now = self._clock.time()
        heap = self._heap
        expired: list[tuple[SessionT, float]] = []
        budget = _POP_LIMIT
        # Take the sweep's sessions out first, as nyx does, so each callback sees a repository
        # that no longer holds any of them.
        while len(expired) < _SWEEP_LIMIT:
            budget = self._tidy_top(budget)
            if not budget or not heap or heap[0][0] > now:
                break
            budget -= 1
            deadline, _, session_id = heapq.heappop(heap)
            entry = self._entries.pop(session_id)
            entry.item = None
            self._scheduled -= 1
            expired.append((entry.session, deadline))
        self._arm()
        for session, deadline in expired:
            self._expiring = deadline
            self._expire(session)
        self._expiring = None

    def _tidy_top(self, budget: int) -> int:
        """Bring an item that holds its entry's current deadline to the top of the heap.

        Stale items on top are dropped; an item whose entry was given a later deadline since it was
        pushed is pushed again at that deadline. At most ``budget`` items are handled; the rest of
        the budget is returned.
        """
        heap = self._heap
        while heap and budget:
            item = heap[0]
            entry = self._live_entry(item)
            if entry is None:
                heapq.heappop(heap)
            elif entry.order == item[1]:
                break
            else:
                entry.item = (entry.deadline, entry.order, item[2])
                heapq.heapreplace(heap, entry.item)
            budget -= 1
        return budget

    def _live_entry(self, item: _HeapItem) -> _Entry[SessionT] | None:
        """The entry a heap item still speaks for; ``None`` once deleted, expired or moved earlier."""
        entry = self._entries.get(item[2])
        return entry if entry is not None and entry.item is item else None

    def _expire(self, session: SessionT) -> None:
        callback = self._callback
        if callback is None:
            return
        try:
            result = callback(session)
        except Exception:
            _log.exception("The expiration callback failed for session %r", session.id)
            return
        # ``None`` first: inspect.isawaitable(None) is an ABC check, paid once per expiry otherwise.
        if result is not None and inspect.isawaitable(result):
            task = asyncio.get_running_loop().create_task(
                _awaited(result), name=f"nyx-sessions:expire:{session.id}"
            )
            self._tasks.add(task)
            task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            _log.error("The expiration callback failed in task %s", task.get_name(), exc_info=error)


async def _awaited(awaitable: Awaitable[None]) -> None:
    # create_task takes only coroutines; a callback may return any awaitable.
    await awaitable


def _checked_ttl(session_id: str, ttl: object) -> float | None:
    """Return ``ttl`` in seconds, ``None`` for never; refuse what cannot be a lifetime."""
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        raise TypeError(
            f"Session {session_id!r}: ttl must be a number of seconds or None (never expires), "
            f"got {ttl!r} of type {type(ttl).__name__}"
        )
    seconds = float(ttl)
    if not seconds > 0:
        raise ValueError(
            f"Session {session_id!r}: ttl must be more than 0 seconds, got {ttl!r}; "
            "use None or math.inf for a session that never expires"
        )
    return None if math.isinf(seconds) else seconds
