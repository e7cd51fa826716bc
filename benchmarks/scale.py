"""Benchmark 4: many live sessions, started, refreshed and expired through the manager.

For each size (1,000, 10,000 and 100,000 sessions by default), on the real clock:

1. start: every session is built from one shared interaction and started with
   :meth:`SessionManager.start`; all of them are then live at once;
2. refresh: every session gets one click through :meth:`SessionManager.update` (its handler
   defers and the manager refreshes its TTL). The click is a stand-in carrying just what the
   manager reads of an interaction: building 100,000 real ones would measure discord.py;
3. expire: nothing more happens; every session expires, ends (``on_end``) and fires
   ``session_expire``.

Reported per size: CPU µs per session for the three phases together (growth against the smallest
size), peak memory (:mod:`tracemalloc`, in a second pass, since tracing slows everything), the
lateness of each ``session_expire`` against the session's deadline (max and p99, against the
lateness of a plain event-loop timer ticking every 10 ms meanwhile), and what is left in the
repository and the manager afterwards.

The TTL must outlast the start and refresh phases (no session may expire before its click), so it
is sized from the previous size's speed; a pass whose sessions expired too early is rerun with a
longer TTL.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any, cast

import discord

from nyx_sessions import SessionEndData, SessionEvent, SessionManager, get_session_manager

from ._measure import Sizes, cpu_clock, percentile
from ._report import Row
from ._world import PROBE, BenchSession, TestBot

__all__ = ("run",)

_TICK = 0.010
"""Period of the plain timer whose lateness is the baseline for expiry lateness."""
_LATE_LIMIT = 0.100
_GROWTH_LIMIT = 1.5
_FIRST_GUESS = 400e-6
"""Wall seconds per session for start, click building and refresh, before any size was measured."""
_TTL_MARGIN = 1.5
_interaction_ids = itertools.count(1 << 60)


class _Response:
    """The part of :class:`discord.InteractionResponse` the manager and the handler use."""

    __slots__ = ("_done",)

    type = None

    def __init__(self) -> None:
        self._done = False

    def is_done(self) -> bool:
        return self._done

    async def defer(self, **_: Any) -> None:
        self._done = True

    async def send_message(self, *_: Any, **__: Any) -> None:
        self._done = True


class _Click:
    """A button click as :meth:`SessionManager.update` reads it."""

    __slots__ = ("data", "id", "response", "user")

    type = discord.InteractionType.component
    message = None

    def __init__(self, custom_id: str, user: discord.abc.User) -> None:
        self.id = next(_interaction_ids)
        self.data = {"custom_id": custom_id, "component_type": discord.ComponentType.button.value}
        self.user = user
        self.response = _Response()


@dataclass(slots=True)
class _Pass:
    """What one pass over ``sessions`` sessions measured."""

    sessions: int
    ttl: float
    cpu: float = 0.0
    wall: float = 0.0
    early: int = 0
    left: int = 0
    peak: int = 0
    lateness: list[float] = field(default_factory=list)
    ticks: list[float] = field(default_factory=list)

    @property
    def us_per_session(self) -> float:
        return self.cpu / self.sessions * 1e6


class _Ticker:
    """A plain event-loop timer every :data:`_TICK` seconds, recording how late each tick runs."""

    __slots__ = ("_handle", "_loop", "lateness")

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.lateness: list[float] = []
        self._handle = self._loop.call_at(self._loop.time() + _TICK, self._tick, self._loop.time() + _TICK)

    def _tick(self, when: float) -> None:
        now = self._loop.time()
        self.lateness.append(now - when)
        self._handle = self._loop.call_at(now + _TICK, self._tick, now + _TICK)

    def stop(self) -> None:
        self._handle.cancel()


async def _one_pass(test_bot: TestBot, start: discord.Interaction[Any], count: int, ttl: float) -> _Pass:
    """Start, refresh and expire ``count`` sessions; measure CPU, lateness and leftovers."""
    manager: SessionManager = get_session_manager(test_bot.bot)
    loop = asyncio.get_running_loop()
    result = _Pass(count, ttl)
    expired_at: dict[str, float] = {}
    all_expired: asyncio.Future[float] = loop.create_future()

    def on_expire(session: BenchSession, data: SessionEndData[None]) -> None:
        expired_at[session.id] = time.time()
        if len(expired_at) == count and not all_expired.done():
            all_expired.set_result(cpu_clock())

    manager.bus.subscribe(SessionEvent.EXPIRE, on_expire)
    try:
        gc.collect()
        wall = time.perf_counter()
        started = cpu_clock()
        sessions = [BenchSession(test_bot.bot, start, ttl=ttl) for _ in range(count)]
        for session in sessions:
            await manager.start(session)
        cpu = cpu_clock() - started
        clicks = [_Click(session.component_id("refresh"), test_bot.member) for session in sessions]
        PROBE.expect(count)
        started = cpu_clock()
        for click in clicks:
            await manager.update(cast("discord.Interaction[Any]", click))
        refreshed = cpu_clock()
        cpu += refreshed - started
        result.early = count - PROBE.count
        deadlines = {session.id: await manager.repository.expires_at(session.id) for session in sessions}
        del sessions, clicks
        ticker = _Ticker()
        waiting = cpu_clock()
        try:
            done = await asyncio.wait_for(all_expired, timeout=ttl + 60.0)
        finally:
            ticker.stop()
        result.cpu = cpu + done - waiting
        result.wall = time.perf_counter() - wall
        result.ticks = ticker.lateness
        result.lateness = [
            expired_at[session_id] - deadline
            for session_id, deadline in deadlines.items()
            if deadline is not None and session_id in expired_at
        ]
        await asyncio.sleep(0)  # the last expiry's task ends after its event
        result.left = len(manager.repository) + len(manager.sessions)
    finally:
        manager.bus.unsubscribe(SessionEvent.EXPIRE, on_expire)
    return result


async def _measured(test_bot: TestBot, start: discord.Interaction[Any], count: int, ttl: float) -> _Pass:
    """A pass, rerun with a longer TTL if sessions expired before their click."""
    result = await _one_pass(test_bot, start, count, ttl)
    while result.early:
        result = await _one_pass(test_bot, start, count, result.ttl * 3)
    return result


async def _traced_peak(test_bot: TestBot, start: discord.Interaction[Any], count: int, ttl: float) -> int:
    """Peak bytes allocated during a pass, above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        # Tracing slows every allocation; the TTL has to cover that.
        await _measured(test_bot, start, count, ttl * 2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def _ttl_for(count: int, previous: _Pass | None, minimum: float) -> float:
    per_session = _FIRST_GUESS if previous is None else previous.wall / previous.sessions
    # ``wall`` also covers the previous expiry wait, about one TTL: take that out again.
    if previous is not None:
        per_session = max(per_session - previous.ttl / previous.sessions, 1e-6)
    return max(minimum, _TTL_MARGIN * per_session * count + minimum)


async def run(sizes: Sizes) -> list[Row]:
    """Run every size, timed and then traced; return the table's rows."""
    test_bot = await TestBot.create(sessions=True)
    try:
        start = test_bot.interaction(test_bot.click_payload("start"))
        passes: list[_Pass] = []
        for count in sizes.scale:
            ttl = _ttl_for(count, passes[-1] if passes else None, sizes.min_ttl)
            passes.append(await _measured(test_bot, start, count, ttl))
        for result in passes:
            result.peak = await _traced_peak(test_bot, start, result.sessions, result.ttl)
    finally:
        await test_bot.close()
    return _rows(passes)


def _rows(passes: list[_Pass]) -> list[Row]:
    first, last = passes[0], passes[-1]
    rows = []
    for result in passes:
        growth = result.us_per_session / first.us_per_session
        is_last = result is last
        rows.append(
            Row(f"4. Scale: CPU per session, start + refresh + expire, {result.sessions:,} live",
                result.us_per_session, "us", f"{first.sessions:,} sessions", first.us_per_session,
                "≤ 1.50" if is_last else "", growth <= _GROWTH_LIMIT if is_last else None)
        )  # fmt: skip
    for result in passes:
        rows.append(
            Row(f"4. Scale: peak memory per session, {result.sessions:,} live",
                result.peak / result.sessions, "B", f"{first.sessions:,} sessions", first.peak / first.sessions)
        )  # fmt: skip
    late_max = max(last.lateness, default=0.0) * 1e3
    late_p99 = percentile(last.lateness, 0.99) * 1e3
    rows += [
        Row(f"4. Scale: latest expiry after its deadline, {last.sessions:,} live", late_max, "ms",
            "10 ms loop timer, max", max(last.ticks, default=0.0) * 1e3, "≤ 100 ms", late_max <= _LATE_LIMIT * 1e3),
        Row(f"4. Scale: p99 expiry lateness, {last.sessions:,} live", late_p99, "ms",
            "10 ms loop timer, p99", percentile(last.ticks, 0.99) * 1e3),
        Row("4. Scale: sessions left after expiry, all sizes", sum(p.left for p in passes), "count",
            target="= 0", met=all(p.left == 0 for p in passes)),
    ]  # fmt: skip
    return rows
