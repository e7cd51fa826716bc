"""Benchmark 6: what storing a session costs, against a session kept in memory, in the same run.

- click: CPU per click on a session stored in SQLite against the same click on a memory session,
  from handing over the payload to the update event, which fires once the click's record is written.
  Process CPU time (a checkpoint's worker thread counts too). Its floor: the store's write of the
  same record alone (the UPDATE and its index, on the loop's thread);
- restore: a click on a stored session this process does not hold (after a restart): the record is
  loaded, the data decoded, the session rebuilt, then the click handled and written;
- memory: bytes per durable session held by the process (the record lives in SQLite, on disk);
- expiry: the latest ``session_expire`` after the deadline, for many durable sessions (in a store in
  memory) expiring together, in a process of its own (as the scale benchmark's passes).
"""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nyx_sessions import SessionEvent, get_session_manager
from nyx_sessions.storage import MemorySessionStore, SQLiteSessionStore

from ._measure import in_own_process, interleaved, percentile
from ._report import Row
from ._world import PROBE, BenchDurableSession, BenchSession, TestBot, fresh, instant_webhooks

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._measure import Sizes

__all__ = ("Clicker", "clicker", "expiry_pass", "run")

Json = dict[str, Any]

_SESSIONS = 50
"""Live sessions per bot; clicks cycle over them."""


class Clicker:
    """One bot and its sessions; clicks them one at a time and times each to its update event."""

    def __init__(self, test_bot: TestBot, payloads: list[Json]) -> None:
        self.test_bot = test_bot
        self.payloads = payloads
        self._updated: asyncio.Future[None] | None = None
        get_session_manager(test_bot.bot).bus.subscribe(SessionEvent.UPDATE, self._on_update)

    def _on_update(self, *_: Any) -> None:
        if self._updated is not None and not self._updated.done():
            self._updated.set_result(None)

    async def click_cost(self, count: int, *, clock: Callable[[], float] = time.process_time) -> float:
        """Median µs from payload to update event, one click at a time: process CPU, or ``clock``'s."""
        samples = [await self.click(index, clock) for index in range(count)]
        return sorted(samples)[len(samples) // 2] * 1e6

    async def click(self, index: int, clock: Callable[[], float] = time.process_time) -> float:
        """Seconds (on ``clock``) from the payload of the ``index``-th session's click to its update
        event."""
        payload = fresh(self.payloads[index % len(self.payloads)])
        self._updated = asyncio.get_running_loop().create_future()
        PROBE.expect(1)
        started = clock()
        self.test_bot.state.parse_interaction_create(payload)
        await self._updated
        spent = clock() - started
        await asyncio.sleep(0)
        return spent

    def clicking(self, other: Clicker) -> Clicker:
        """A clicker of this bot's sessions from ``other``'s bot (another process on the same store)."""
        payloads = []
        for own in self.payloads:
            payload = other.test_bot.click_payload(own["data"]["custom_id"])
            # The same user clicks (the sessions are theirs), wherever Discord delivers the click.
            payload.update({key: own[key] for key in ("member", "user") if key in own})
            payloads.append(payload)
        return Clicker(other.test_bot, payloads)

    async def restore_cost(self, count: int) -> float:
        """Median µs per click on sessions this process does not hold (the manager is new)."""
        await self.test_bot.bot.reload_extension("nyx_sessions")  # a restart: nothing is held
        get_session_manager(self.test_bot.bot).bus.subscribe(SessionEvent.UPDATE, self._on_update)
        return await self.click_cost(min(count, len(self.payloads)))


async def clicker(session_class: type[BenchSession], store: Any | None) -> Clicker:
    test_bot = await TestBot.create(sessions=True, store=store)
    start = test_bot.start_interaction()
    manager = get_session_manager(test_bot.bot)
    sessions = [session_class(test_bot.bot, start, ttl=3600) for _ in range(_SESSIONS)]
    for session in sessions:
        await manager.start(session)
    return Clicker(test_bot, [test_bot.click_payload(session.component_id("click")) for session in sessions])


async def _write_floor(stored: Clicker, count: int) -> float:
    """Median µs of process CPU for the store's write of one session record, alone.

    The same write a stored click makes (:meth:`SQLiteSessionStore.commit` of the session's record:
    the UPDATE and its index), without the click.
    """
    manager = get_session_manager(stored.test_bot.bot)
    store = manager.store
    assert store is not None
    session = next(iter(manager.sessions.values()))
    record = session._to_record(time.time() + 3600, time.time())
    samples = []
    for _ in range(count):
        started = time.process_time()
        await store.commit(record)
        samples.append(time.process_time() - started)
    return sorted(samples)[len(samples) // 2] * 1e6


async def _held_bytes(count: int, folder: Path) -> tuple[float, float]:
    """Bytes per session held in memory: a memory session, and a durable one stored in SQLite."""
    results = []
    for session_class, store in (
        (BenchSession, None),
        (BenchDurableSession, SQLiteSessionStore(folder / "mem.db")),
    ):
        test_bot = await TestBot.create(sessions=True, store=store)
        start = test_bot.start_interaction()
        manager = get_session_manager(test_bot.bot)
        try:
            gc.collect()
            tracemalloc.start()
            before, _ = tracemalloc.get_traced_memory()
            for _ in range(count):
                await manager.start(session_class(test_bot.bot, start))
            gc.collect()
            after, _ = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results.append((after - before) / count)
        finally:
            await test_bot.close()
    return results[0], results[1]


async def expiry_pass(count: int, ttl: float) -> str:
    """``count`` durable sessions in a store in memory, expiring together; JSON of the lateness (ms)."""
    test_bot = await TestBot.create(sessions=True, store=MemorySessionStore())
    manager = get_session_manager(test_bot.bot)
    start = test_bot.start_interaction()
    late: list[float] = []
    deadlines: dict[str, float] = {}

    def on_expire(session: Any, data: Any) -> None:
        late.append(time.time() - deadlines[session.id])

    manager.bus.subscribe(SessionEvent.EXPIRE, on_expire)
    try:
        started = time.time()
        sessions = [BenchDurableSession(test_bot.bot, start, ttl=ttl) for _ in range(count)]
        for session in sessions:
            await manager.start(session)
            deadlines[session.id] = time.time() + ttl  # a hair after the store's: lateness not overstated
        start_seconds = time.time() - started
        del sessions
        while len(late) < count:  # noqa: ASYNC110  (polling a counter the expiry events raise)
            await asyncio.sleep(0.05)
    finally:
        await test_bot.close()
    return json.dumps(
        {"latest": max(late) * 1000, "p99": percentile(late, 0.99) * 1000, "start": start_seconds}
    )


async def run(sizes: Sizes) -> list[Row]:
    """Measure durable clicks, restores, memory and expiry; return the rows."""
    clicks = sizes.routing_batch
    with tempfile.TemporaryDirectory(prefix="nyx-bench-durable-") as folder, instant_webhooks():
        memory = await clicker(BenchSession, None)
        stored = await clicker(BenchDurableSession, SQLiteSessionStore(Path(folder) / "click.db"))
        try:
            got = await interleaved(
                sizes.routing_rounds,
                {
                    "memory": lambda: memory.click_cost(clicks),
                    "sqlite": lambda: stored.click_cost(clicks),
                    "restore": lambda: stored.restore_cost(clicks),
                    "floor": lambda: _write_floor(stored, clicks),
                },
            )
        finally:
            await memory.test_bot.close()
            await stored.test_bot.close()
        held_memory, held_durable = await _held_bytes(sizes.memory_objects, Path(folder))
    count = sizes.scale[-1]
    expiry = json.loads(
        await in_own_process("benchmarks._durable_expiry", str(count), str(_expiry_ttl(count)))
    )
    memory_click = "session in memory, click"
    return [
        Row(
            "6. Durable: click on an SQLite-stored session, CPU per click (checkpoints included)",
            got["sqlite"],
            "us",
            memory_click,
            got["memory"],
            "≤ 2.00",
            got["sqlite"] <= 2 * got["memory"],
        ),
        Row(
            "6. Durable: floor, the store's write of one session record alone",
            got["floor"],
            "us",
            "stored click minus memory click",
            got["sqlite"] - got["memory"],
        ),
        Row(
            "6. Durable: click that restores its session from SQLite (load, decode, rebuild, then the click)",
            got["restore"],
            "us",
            memory_click,
            got["memory"],
        ),
        Row(
            "6. Durable: memory per durable session held (its record in SQLite)",
            held_durable,
            "B",
            "session in memory",
            held_memory,
        ),
        Row(
            f"6. Durable: latest expiry, {count:,} durable sessions expiring together (store in memory)",
            expiry["latest"],
            "ms",
        ),
        Row(f"6. Durable: start of {count:,} durable sessions, wall", expiry["start"] * 1000, "ms"),
    ]


def _expiry_ttl(count: int) -> float:
    """Long enough for every session to start before the first deadline (about 60 µs a start)."""
    return max(2.0, count * 100e-6 + 2.0)
