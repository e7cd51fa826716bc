"""Benchmark 4: many live sessions, started, refreshed and expired, on the real clock.

For each size (1,000, 10,000 and 100,000 sessions by default):

1. start: every session is built from one shared interaction and started with
   :meth:`SessionManager.start`; all of them are then live at once;
2. refresh: every session gets one click through :meth:`SessionManager.update` (its handler
   defers, the manager refreshes its TTL). The click is a stand-in carrying just what the manager
   reads of an interaction: building 100,000 real ones would measure discord.py;
3. expire: nothing more happens; every session expires, ends (``on_end``) and fires
   ``session_expire``.

Reported: CPU µs per session for the three phases (growth against the smallest size), peak memory
(:mod:`tracemalloc`, in a second pass, since tracing slows everything), how late each
``session_expire`` fires after the session's deadline, and what is left in the repository and the
manager afterwards. The same sizes are also run on a bare :class:`MemorySessionRepository` (save,
refresh, expire), timing its expiration callback: the storage layer's own precision.

Stand-in clicks cost a fifth of what discord.py needs to turn a gateway payload into an
:class:`discord.Interaction`, so they set deadlines faster than sessions can end (an end costs
about what an update does): those passes show queueing, not timer precision. The expiry target is
therefore measured on one more pass at the largest size, where every session is clicked once
through discord.py (an ``INTERACTION_CREATE`` payload given to the connection state, 50 per
loop iteration), sessions expiring while the later ones are still being clicked, as on a busy bot.
Its baseline is discord.py's own expiry, built alike: as many one-button views with the same
timeout, each sent and clicked once through discord.py, timing out while later ones are clicked.

Each of those two passes runs in a process of its own (:mod:`benchmarks._clicked_pass`): how late
a timer fires there is set by CPython's full garbage collections, which walk every object the
process holds, and the earlier passes and benchmarks leave hundreds of thousands behind (run after
them, the same pass measured three to four times later than on its own). Neither pass keeps what
a bot would not: once clicked, a session is kept by the manager alone and a view by discord.py's
view store, so that an ended session does not keep its click's interaction and message. Lateness
is also compared with a plain event-loop timer ticking every 10 ms in the same process: how late
the loop itself ran timers. Both passes run once more with the collector disabled
(:func:`gc.disable`): what lateness is left then is the expiry mechanism's own. Four more rows
time full collections in the sessions' process: sessions started (the session layer's own
objects) against the process without them, and the sessions clicked once through discord.py
against the discord.py objects they then keep (each click's interaction and its message), held
without any session, against those messages alone, and against views clicked once.

The TTL must outlast the start and refresh phases (no session may expire before its click), so it
is sized from the previous size's speed; a pass whose sessions expired too early is rerun with a
longer TTL.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import itertools
import json
import statistics
import sys
import time
import tracemalloc
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast

import discord

from nyx_sessions import (
    MemorySessionRepository,
    SessionEndData,
    SessionEvent,
    SessionManager,
    get_session_manager,
)
from nyx_sessions.testing import new_snowflake

from ._measure import Sizes, cpu_clock, in_own_process, percentile
from ._report import Row
from ._world import PROBE, BenchSession, TestBot, TimeoutView, fresh, instant_webhooks

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ("clicked_pass", "run")

_TICK = 0.010
"""Period of the plain timer whose lateness is the baseline for expiry lateness."""
_LATE_RATIO = 0.60
"""Expiry at the largest size may be at most this late, relative to discord.py's ``View.on_timeout``."""
_LATE_LIMIT_COLLECTOR_OFF_MS = 25.0
"""Without the collector's pauses, expiry at the largest size is judged in absolute terms."""
_GROWTH_LIMIT = 1.5
_FIRST_GUESS = 400e-6
"""Wall seconds per session for start, click building and refresh, before any size was measured."""
_REPOSITORY_GUESS = 20e-6
"""Wall seconds per record for the bare repository's save, refresh and deadline reading."""
_TTL_MARGIN = 1.5
_CLICK_CHUNK = 50
"""Payloads handed to discord.py per loop iteration in the clicked pass (5 to 10 ms of work)."""
_CLICKED_TTL = 2.0
"""TTL (view timeout) in the clicked passes: those clicked early expire while later ones are clicked."""
_CLICKED_SIDES = ("sessions", "views")
"""The clicked passes, each run in a process of its own: the sessions' and discord.py's views'."""
_HELD_VIEW_TIMEOUT = 3600.0
"""Timeout of the views held for a full collection: none may time out while it is timed."""
_TRACED_MARGIN = 2.5
_COLLECTIONS = 3
"""Full garbage collections timed per figure of the full-collection rows."""
_interaction_ids = itertools.count(1 << 60)


class _Click:
    """A button click as :meth:`SessionManager.update` and discord.py's response read it.

    ``response`` is cached in ``_cs_response`` as on :class:`discord.Interaction`, so the manager's
    guarded response takes its place; it answers through the webhook adapter, which
    :func:`~benchmarks._world.instant_webhooks` answers at once.
    """

    __slots__ = ("_cs_response", "_state", "data", "id", "user")

    type = discord.InteractionType.component
    message = None
    token = "stand-in"
    _session = None

    def __init__(self, custom_id: str, user: discord.abc.User, state: Any) -> None:
        self.id = next(_interaction_ids)
        self.data = {"custom_id": custom_id, "component_type": discord.ComponentType.button.value}
        self.user = user
        self._state = state

    @property
    def response(self) -> discord.InteractionResponse[Any]:
        try:
            return self._cs_response  # type: ignore[no-any-return]
        except AttributeError:
            self._cs_response = discord.InteractionResponse(cast("discord.Interaction[Any]", self))
            return self._cs_response  # type: ignore[no-any-return]


class _Stored:
    """What the bare repository stores: an id and a TTL."""

    __slots__ = ("id", "ttl")

    def __init__(self, stored_id: str, ttl: float) -> None:
        self.id = stored_id
        self.ttl = ttl


class _Ticker:
    """A plain event-loop timer every :data:`_TICK` seconds, recording how late each tick runs."""

    __slots__ = ("_handle", "_loop", "lateness")

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.lateness: list[float] = []
        when = self._loop.time() + _TICK
        self._handle = self._loop.call_at(when, self._tick, when)

    def _tick(self, when: float) -> None:
        now = self._loop.time()
        self.lateness.append(now - when)
        self._handle = self._loop.call_at(now + _TICK, self._tick, now + _TICK)

    def stop(self) -> None:
        self._handle.cancel()


class _Expiries:
    """Records when each id expired and tells when all of them did."""

    __slots__ = ("_count", "_done", "at")

    def __init__(self, count: int) -> None:
        self._count = count
        self.at: dict[str, float] = {}
        self._done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def expired(self, stored_id: str) -> None:
        self.at[stored_id] = time.time()
        if len(self.at) == self._count and not self._done.done():
            self._done.set_result(cpu_clock())

    async def all_expired(self, ttl: float, ticker: _Ticker | None = None) -> tuple[float, _Ticker]:
        """Wait for the last expiry; return the CPU clock then and the loop timer that ran meanwhile.

        ``ticker`` is a loop timer started earlier, when expiries begin before this is awaited.
        """
        ticker = _Ticker() if ticker is None else ticker
        try:
            return await asyncio.wait_for(self._done, timeout=ttl + 60.0), ticker
        finally:
            ticker.stop()

    def lateness(self, deadlines: dict[str, float | None]) -> list[float]:
        return [self.at[key] - deadline for key, deadline in deadlines.items() if deadline is not None]


@dataclass(slots=True)
class _Pass:
    """What one pass over ``sessions`` sessions measured (CPU seconds, lateness in seconds)."""

    sessions: int
    ttl: float
    start: float = 0.0
    refresh: float = 0.0
    expire: float = 0.0
    wall: float = 0.0
    early: int = 0
    left: int = 0
    peak: int = 0
    lateness: list[float] = field(default_factory=list)
    ticks: list[float] = field(default_factory=list)

    def per_session(self, cpu: float) -> float:
        """``cpu`` seconds as µs per session."""
        return cpu / self.sessions * 1e6

    @property
    def total(self) -> float:
        return self.start + self.refresh + self.expire


async def _manager_pass(
    test_bot: TestBot,
    start: discord.Interaction[Any],
    count: int,
    ttl: float,
    *,
    through_discord: bool = False,
) -> _Pass:
    """Start ``count`` sessions through the manager, click each once, and let them all expire.

    With ``through_discord``, the clicks are gateway payloads given to discord.py and sessions
    clicked early expire while the later ones are still being clicked; otherwise they are stand-ins
    handed to :meth:`SessionManager.update`, and the TTL outlasts every click.
    """
    manager: SessionManager = get_session_manager(test_bot.bot)
    result = _Pass(count, ttl)
    expiries = _Expiries(count)

    def on_expire(session: BenchSession, data: SessionEndData[None]) -> None:
        expiries.expired(session.id)

    manager.bus.subscribe(SessionEvent.EXPIRE, on_expire)
    try:
        gc.collect()
        wall = time.perf_counter()
        started = cpu_clock()
        sessions = [BenchSession(test_bot.bot, start, ttl=ttl) for _ in range(count)]
        for session in sessions:
            await manager.start(session)
            if through_discord:
                # Each session's own TTL runs from its click: until then it waits for the other starts.
                await manager.repository.set_ttl(session.id, None)
        result.start = cpu_clock() - started
        # From here only the manager keeps the sessions, as in a bot: an ended session nobody
        # drops keeps the interaction and message of its last click alive.
        buttons = {session.id: session.component_id("refresh") for session in sessions}
        del sessions
        ticker = _Ticker() if through_discord else None  # expiries begin while clicks go on
        click = _click_through_discord if through_discord else _click_stand_ins
        result.refresh, deadlines = await click(test_bot, manager, buttons)
        await _all_expired(result, expiries, deadlines, ticker)
        result.wall = time.perf_counter() - wall
        await asyncio.sleep(0)  # the last expiry's task ends after its event
        result.left = len(manager.repository) + len(manager.sessions)
    finally:
        manager.bus.unsubscribe(SessionEvent.EXPIRE, on_expire)
    return result


async def _view_pass(test_bot: TestBot, count: int, ttl: float) -> _Pass:
    """discord.py's own expiry: ``count`` views with a ``ttl`` timeout, each sent and clicked once.

    The baseline of the sessions' clicked pass, built alike: every view exists before the first
    click (as every session is started first); each is then sent and clicked through discord.py,
    and views clicked early time out while the later ones are still being clicked.
    """
    result = _Pass(count, ttl)
    expiries = _Expiries(count)
    gc.collect()
    wall = time.perf_counter()
    started = cpu_clock()
    views = deque(TimeoutView(f"bench:view:{index}", ttl, expiries.expired) for index in range(count))
    result.start = cpu_clock() - started
    ticker = _Ticker()
    result.refresh, deadlines = await _click_views(test_bot, views)
    await _all_expired(result, expiries, deadlines, ticker)
    result.wall = time.perf_counter() - wall
    return result


async def _all_expired(
    result: _Pass,
    expiries: _Expiries,
    deadlines: dict[str, float | None],
    ticker: _Ticker | None,
) -> None:
    """Wait for every expiry of a pass and record into ``result`` how late each came.

    ``deadlines`` are when each should come (``None``: it expired before its click set one);
    ``ticker`` a loop timer already running, if any.
    """
    result.early = sum(deadline is None for deadline in deadlines.values())
    waiting = cpu_clock()
    done, ticker = await expiries.all_expired(result.ttl, ticker)
    result.expire = done - waiting
    result.ticks = ticker.lateness
    result.lateness = expiries.lateness(deadlines)


async def _click_stand_ins(
    test_bot: TestBot, manager: SessionManager, buttons: dict[str, str]
) -> tuple[float, dict[str, float | None]]:
    """Click every session's button with a stand-in; ``buttons`` maps session ids to custom ids.

    Returns the CPU seconds of the clicks alone (not of building them) and the deadlines they set
    (``None``: the session had expired).
    """
    clicks = [_Click(custom_id, test_bot.member, test_bot.state) for custom_id in buttons.values()]
    started = cpu_clock()
    for stand_in in clicks:
        await manager.update(cast("discord.Interaction[Any]", stand_in))
    clicking = cpu_clock() - started
    return clicking, {session_id: await manager.repository.expires_at(session_id) for session_id in buttons}


async def _click_through_discord(
    test_bot: TestBot, manager: SessionManager, buttons: dict[str, str]
) -> tuple[float, dict[str, float | None]]:
    """Click every session's button through discord.py, :data:`_CLICK_CHUNK` per loop iteration.

    Returns as :func:`_click_stand_ins` does. Deadlines are read after each chunk, before the
    sessions can expire.
    """
    template = test_bot.click_payload("refresh")
    clicking = 0.0
    deadlines: dict[str, float | None] = {}
    session_ids = list(buttons)
    for first in range(0, len(session_ids), _CLICK_CHUNK):
        chunk = session_ids[first : first + _CLICK_CHUNK]
        payloads = [_aimed_at(template, buttons[session_id]) for session_id in chunk]
        clicking += await _hand_over(test_bot, payloads)
        for session_id in chunk:
            deadlines[session_id] = await manager.repository.expires_at(session_id)
    return clicking, deadlines


async def _click_views(test_bot: TestBot, views: deque[TimeoutView]) -> tuple[float, dict[str, float | None]]:
    """Send and click each view once through discord.py, :data:`_CLICK_CHUNK` per loop iteration.

    Sending is what :meth:`discord.abc.Messageable.send` does once Discord answered: the view is
    stored under its own message's id, which starts its timeout; the click on that message follows.
    The views are taken out of ``views`` as they are sent: from then on only discord.py keeps
    them, as in a bot. Returns the CPU seconds of the clicks, and each view's deadline.
    """
    template = test_bot.click_payload("view")
    clicking = 0.0
    deadlines: dict[str, float | None] = {}
    while views:
        chunk = [views.popleft() for _ in range(min(_CLICK_CHUNK, len(views)))]
        payloads = [_aimed_at(template, view.custom_id, new_snowflake()) for view in chunk]
        for view, payload in zip(chunk, payloads, strict=True):
            test_bot.state.store_view(view, int(payload["message"]["id"]))
        clicking += await _hand_over(test_bot, payloads)
        deadlines.update((view.custom_id, view.deadline) for view in chunk)
    return clicking, deadlines


async def _hand_over(test_bot: TestBot, payloads: list[dict[str, Any]]) -> float:
    """Give ``payloads`` to discord.py in one loop iteration; return CPU seconds until handled."""
    parse = test_bot.state.parse_interaction_create
    PROBE.expect(len(payloads))
    started = cpu_clock()
    for payload in payloads:
        parse(payload)
    await PROBE.wait()
    return cpu_clock() - started


def _aimed_at(template: dict[str, Any], custom_id: str, message_id: int | None = None) -> dict[str, Any]:
    """A new click like ``template``, on the button with ``custom_id`` (on message ``message_id``)."""
    payload = fresh(template)
    payload["data"] = {**payload["data"], "custom_id": custom_id}
    if message_id is not None:
        payload["message"] = {**payload["message"], "id": str(message_id)}
    return payload


async def _repository_pass(count: int, ttl: float) -> _Pass:
    """Save, refresh and expire ``count`` records in a bare repository on the real clock."""
    repository: MemorySessionRepository[_Stored] = MemorySessionRepository()
    expiries = _Expiries(count)
    repository.set_expiration_callback(lambda stored: expiries.expired(stored.id))
    result = _Pass(count, ttl)
    records = [_Stored(f"record-{index}", ttl) for index in range(count)]
    wall = time.perf_counter()
    started = cpu_clock()
    for record in records:
        await repository.save(record)
    refreshing = cpu_clock()
    for record in records:
        await repository.set_ttl(record.id, record.ttl)
    result.start, result.refresh = refreshing - started, cpu_clock() - refreshing
    deadlines = {record.id: await repository.expires_at(record.id) for record in records}
    await _all_expired(result, expiries, deadlines, None)
    result.wall = time.perf_counter() - wall
    result.left = len(repository)
    return result


async def _until_in_time(attempt: Callable[[int, float], Awaitable[_Pass]], count: int, ttl: float) -> _Pass:
    """Run ``attempt(count, ttl)``, again with a longer TTL while some expired before their refresh."""
    result = await attempt(count, ttl)
    while result.early:
        result = await attempt(count, result.ttl * 3)
    return result


async def _traced_peak(
    test_bot: TestBot, start: discord.Interaction[Any], measured: _Pass, minimum: float
) -> int:
    """Peak bytes allocated during a manager pass, above what was allocated before it."""
    # Tracing slows every allocation down: the TTL has to cover that.
    ttl = minimum + _TRACED_MARGIN * _busy_per_session(measured) * measured.sessions
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        await _until_in_time(functools.partial(_manager_pass, test_bot, start), measured.sessions, ttl)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def _busy_per_session(result: _Pass) -> float:
    """Wall seconds per session spent starting and refreshing (``wall`` ends with about one TTL)."""
    return max(result.wall - result.ttl, 0.0) / result.sessions


def _ttl_for(count: int, previous: _Pass | None, guess: float, minimum: float) -> float:
    """A TTL that outlasts the start and refresh of ``count`` sessions, judged by the previous size."""
    per_session = guess if previous is None else max(_busy_per_session(previous), guess / 10)
    return minimum + _TTL_MARGIN * per_session * count


def _describe(kind: str, result: _Pass) -> None:
    """Print the phases of a pass to stderr: what the table's rows are made of."""
    phases = ", ".join(
        f"{name} {result.per_session(cpu):6.1f} µs"
        for name, cpu in (("start", result.start), ("refresh", result.refresh), ("expire", result.expire))
    )
    print(
        f"    {kind} {result.sessions:>7,}: {phases} per session; "
        f"latest expiry {_late_ms(result.lateness):7.1f} ms, loop timer {_late_ms(result.ticks):7.1f} ms; "
        f"ttl {result.ttl:.1f} s, wall {result.wall:.1f} s",
        file=sys.stderr,
        flush=True,
    )


async def run(sizes: Sizes) -> list[Row]:
    """Run every size on the bare repository and through the manager (timed, then traced).

    Then the clicked passes, of sessions and of discord.py's views, each in a process of its own.
    """
    stored: list[_Pass] = []
    for count in sizes.scale:
        ttl = _ttl_for(count, stored[-1] if stored else None, _REPOSITORY_GUESS, sizes.min_ttl)
        stored.append(await _until_in_time(_repository_pass, count, ttl))
        _describe("repository", stored[-1])
    test_bot = await TestBot.create(sessions=True)
    try:
        start = test_bot.start_interaction()
        passes: list[_Pass] = []
        with instant_webhooks():
            for count in sizes.scale:
                ttl = _ttl_for(count, passes[-1] if passes else None, _FIRST_GUESS, sizes.min_ttl)
                manager_pass = functools.partial(_manager_pass, test_bot, start)
                passes.append(await _until_in_time(manager_pass, count, ttl))
                _describe("manager", passes[-1])
            for result in passes:
                result.peak = await _traced_peak(test_bot, start, result, sizes.min_ttl)
    finally:
        await test_bot.close()
    count = sizes.scale[-1]
    on = {side: await _clicked_in_own_process(side, count, collector=True) for side in _CLICKED_SIDES}
    off = {side: await _clicked_in_own_process(side, count, collector=False) for side in _CLICKED_SIDES}
    return _rows(stored, passes, on, off)


@dataclass(slots=True)
class _Clicked:
    """What a clicked pass measured, in its own process: lateness in ms after each deadline."""

    count: int
    latest: float
    p99: float
    ticks: float
    """The 10 ms loop timer's latest tick."""
    early: int
    left: int
    """Sessions left in the repository and the manager (always 0 for views)."""
    collections: _FullCollections | None = None
    """Full collections timed after the sessions' pass with the collector on (else ``None``)."""

    @classmethod
    def of(cls, result: _Pass) -> _Clicked:
        """Sum up a pass."""
        return cls(
            result.sessions,
            _late_ms(result.lateness),
            _late_ms(result.lateness, 0.99),
            _late_ms(result.ticks),
            result.early,
            result.left,
        )


async def clicked_pass(side: str, count: int, *, collector: bool) -> str:
    """Run the clicked pass of ``side`` (``"sessions"`` or ``"views"``) here; return it as JSON.

    Meant for a process of its own (:mod:`benchmarks._clicked_pass`). Without ``collector``, the
    garbage collector is disabled for the pass: what is left of the lateness is the expiry's own.
    With it, the sessions' pass is followed by the full-collection timings.
    """
    if side not in _CLICKED_SIDES:
        raise ValueError(f"side must be one of {_CLICKED_SIDES}, got {side!r}")
    test_bot = await TestBot.create(sessions=side == "sessions")
    if not collector:
        gc.disable()
    try:
        with instant_webhooks():
            if side == "views":
                clicked = _Clicked.of(await _view_pass(test_bot, count, _CLICKED_TTL))
            else:
                start = test_bot.start_interaction()
                result = await _manager_pass(test_bot, start, count, _CLICKED_TTL, through_discord=True)
                clicked = _Clicked.of(result)
                if collector:
                    clicked.collections = await _time_full_collections(test_bot, start, count)
    finally:
        gc.enable()
        await test_bot.close()
    return json.dumps(asdict(clicked))


async def _clicked_in_own_process(side: str, count: int, *, collector: bool) -> _Clicked:
    """:func:`clicked_pass` in a new process, so it sees only the objects it builds."""
    output = await in_own_process(
        "benchmarks._clicked_pass", side, str(count), "collector" if collector else "no-collector"
    )
    figures = json.loads(output.splitlines()[-1])
    collections = figures.pop("collections")
    clicked = _Clicked(**figures)
    clicked.collections = None if collections is None else _FullCollections(**collections)
    print(
        f"    clicked {side:>8} {count:>7,}, collector {'on ' if collector else 'off'}: "
        f"latest expiry {clicked.latest:7.1f} ms, loop timer {clicked.ticks:7.1f} ms",
        file=sys.stderr,
        flush=True,
    )
    return clicked


@dataclass(slots=True)
class _FullCollections:
    """CPU ms of one full garbage collection, medians of :data:`_COLLECTIONS`."""

    sessions: int
    no_sessions: float
    idle_sessions: float
    clicked_sessions: float
    interactions: float
    messages: float
    views: float


async def _time_full_collections(
    test_bot: TestBot, start: discord.Interaction[Any], count: int
) -> _FullCollections:
    """Time full collections as ``count`` sessions start and are clicked, then with what they keep.

    In order: the process with no session; ``count`` sessions started from one shared interaction
    (what the session layer itself keeps); the same sessions clicked once through discord.py.
    A clicked session keeps that interaction (its token edits the message on expiry) and the
    interaction's ``discord.Message`` (``session.message``, as API.md promises). Then, with no
    session: ``count`` such messages alone, what ``session.message`` costs every full collection
    whatever else a design drops, and ``count`` such interactions with their messages. Last,
    ``count`` one-button views with a timeout, each sent and clicked once through discord.py (they
    keep no interaction nor message): discord.py's own way to keep as many panels alive.
    """
    manager = get_session_manager(test_bot.bot)
    no_sessions = _full_collection_ms()
    sessions = [BenchSession(test_bot.bot, start, ttl=3600) for _ in range(count)]
    for session in sessions:
        await manager.start(session)
    idle_sessions = _full_collection_ms()
    await _click_through_discord(
        test_bot, manager, {session.id: session.component_id("refresh") for session in sessions}
    )
    clicked_sessions = _full_collection_ms()
    for session in sessions:
        await session.end()
    del sessions
    template = test_bot.click_payload("held")
    # Built alike, so both lie alike in memory: how scattered objects are weighs on a collection.
    held: list[Any] = [test_bot.interaction(fresh(template)).message for _ in range(count)]
    messages = _full_collection_ms()
    held.clear()
    held += (test_bot.interaction(fresh(template)) for _ in range(count))
    interactions = _full_collection_ms()
    held.clear()
    views = [TimeoutView(f"bench:held:{index}", _HELD_VIEW_TIMEOUT, _never) for index in range(count)]
    await _click_views(test_bot, deque(views))
    views_clicked = _full_collection_ms()
    for view in views:
        view.stop()
    return _FullCollections(
        count, no_sessions, idle_sessions, clicked_sessions, interactions, messages, views_clicked
    )


def _never(custom_id: str) -> None:
    """The timeout report of views that are stopped before they could time out."""


def _full_collection_ms() -> float:
    pauses = []
    for _ in range(_COLLECTIONS):
        started = cpu_clock()
        gc.collect()
        pauses.append(cpu_clock() - started)
    return statistics.median(pauses) * 1e3


def _late_ms(values: list[float], fraction: float = 1.0) -> float:
    return (max(values, default=0.0) if fraction == 1.0 else percentile(values, fraction)) * 1e3


def _rows(
    stored: list[_Pass], passes: list[_Pass], on: dict[str, _Clicked], off: dict[str, _Clicked]
) -> list[Row]:
    """The table's rows; ``on`` and ``off`` are the clicked passes by side, collector on and off."""
    first, last, bare = passes[0], passes[-1], stored[-1]
    live = f"{last.sessions:,} live"
    rows = []
    for result in passes:
        cost, baseline = result.per_session(result.total), first.per_session(first.total)
        is_last = result is last
        rows.append(
            Row(
                f"4. Scale: CPU per session, start + refresh + expire, {result.sessions:,} live",
                cost,
                "us",
                f"{first.sessions:,} live",
                baseline,
                "≤ 1.50" if is_last else "",
                cost <= _GROWTH_LIMIT * baseline if is_last else None,
            )
        )
    rows.extend(
        Row(
            f"4. Scale: peak memory per session, {result.sessions:,} live",
            result.peak / result.sessions,
            "B",
            f"{first.sessions:,} live",
            first.peak / first.sessions,
        )
        for result in passes
    )
    clicked, views = on["sessions"], on["views"]
    collections = clicked.collections
    assert collections is not None, "the sessions' pass times full collections"
    collected = collections.sessions
    through = f"{clicked.count:,} clicked through discord.py, own process"
    view_side = f"`View.on_timeout`, {views.count:,} views clicked through discord.py"
    left = sum(result.left for result in [*stored, *passes]) + clicked.left + off["sessions"].left
    rows += [
        Row(
            f"4. Scale: expiry CPU per session, {live}",
            last.per_session(last.expire),
            "us",
            "its refresh",
            last.per_session(last.refresh),
        ),
        Row(
            f"4. Scale: `session_expire`, latest after deadline, {through}",
            clicked.latest,
            "ms",
            f"{view_side}, latest",
            views.latest,
            f"≤ {_LATE_RATIO:.2f}",
            clicked.latest <= _LATE_RATIO * views.latest and clicked.early == 0,
        ),
        Row(
            f"4. Scale: `session_expire`, latest after deadline, {through}",
            clicked.latest,
            "ms",
            "10 ms loop timer, latest",
            clicked.ticks,
        ),
        Row(
            f"4. Scale: `session_expire`, latest after deadline, collector off (`gc.disable()`), {through}",
            off["sessions"].latest,
            "ms",
            f"{view_side}, the same",
            off["views"].latest,
            f"≤ {_LATE_LIMIT_COLLECTOR_OFF_MS:.0f} ms",
            off["sessions"].latest <= _LATE_LIMIT_COLLECTOR_OFF_MS and off["sessions"].early == 0,
        ),
        Row(
            f"4. Scale: `session_expire`, p99 after deadline, {through}",
            clicked.p99,
            "ms",
            f"{view_side}, p99",
            views.p99,
        ),
        Row(
            f"4. Scale: one full garbage collection, {collected:,} sessions started, not clicked",
            collections.idle_sessions,
            "ms",
            "the same process without sessions",
            collections.no_sessions,
        ),
        Row(
            f"4. Scale: one full garbage collection, {collected:,} sessions clicked through discord.py",
            collections.clicked_sessions,
            "ms",
            "the interactions and messages they keep, held without sessions",
            collections.interactions,
        ),
        Row(
            f"4. Scale: one full garbage collection, {collected:,} sessions clicked through discord.py",
            collections.clicked_sessions,
            "ms",
            "their messages alone (`session.message`), held without sessions",
            collections.messages,
        ),
        Row(
            f"4. Scale: one full garbage collection, {collected:,} sessions clicked through discord.py",
            collections.clicked_sessions,
            "ms",
            "as many `View`s with a timeout, clicked through discord.py",
            collections.views,
        ),
        Row(
            f"4. Scale: repository expiry callback, latest after deadline, {live}, stand-in refreshes",
            _late_ms(bare.lateness),
            "ms",
            "10 ms loop timer, latest",
            _late_ms(bare.ticks),
        ),
        Row(
            f"4. Scale: `session_expire`, latest after deadline, {live}, stand-in clicks",
            _late_ms(last.lateness),
            "ms",
            "10 ms loop timer, latest",
            _late_ms(last.ticks),
        ),
        Row(
            "4. Scale: sessions left after expiry, every size and layer",
            left,
            "count",
            target="= 0",
            met=left == 0,
        ),
    ]
    return rows
