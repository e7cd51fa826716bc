"""Benchmark 7: sessions shared by several processes through Redis, against the memory click.

Runs against a ``redis-server`` this benchmark starts in a temporary folder, on a unix socket
(:class:`nyx_sessions.testing.RedisServer`); skipped when the program is missing.

- click on the owner: process CPU (every thread) and wall time per click on a session stored in
  Redis and served by this process, against the same click on a memory session in the same run. The
  owner's click makes one round trip, after the handler: the commit, fenced by ownership and
  version, which also marks the interaction as taken. Its floors: one raw round trip on the same
  socket (``PING`` over asyncio streams, no client library), and the commit's script alone through
  redis-py (``EVALSHA`` on the client's pool: the library's command path);
- click with a takeover: two bots on one store (two processes) click the same sessions in turn, so
  every click first takes its session from the other (asks it to let go, restores the record);
  both bots run in this process, so the CPU counted includes the side that lets go. How many clicks
  hit the owner is counted in both runs;
- sweeper: process CPU of one poll of the deadlines with many stored sessions and none due (each
  process polls once a second when nothing is due sooner);
- expiry over three processes: sessions whose deadlines follow each other over a window, swept by
  three bot processes at once (:mod:`benchmarks._redis_expiry`); how late the latest
  ``session_expire`` comes after its deadline, and that every session ended exactly once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nyx_sessions import get_session_manager
from nyx_sessions.storage import DurableRecord, RedisSessionStore
from nyx_sessions.testing import RedisServer

from ._measure import interleaved, percentile
from ._report import Row
from ._world import BenchDurableSession, BenchSession, TestBot, instant_webhooks
from .durable import Clicker, clicker

if TYPE_CHECKING:
    from ._measure import Sizes

__all__ = ("available", "run")

_PROCESSES = 3

_EXPIRY_RATE = 1_000
"""Sessions coming due per second in the expiry pass (100,000 over 100 s): a bot whose 100,000
sessions of a 15-minute TTL all ended within the same quarter hour would see 111 a second."""
_ROOT = Path(__file__).resolve().parents[1]


def available() -> bool:
    """Whether a ``redis-server`` can be started here."""
    return shutil.which("redis-server") is not None


async def _round_trip_floor(server: RedisServer, count: int) -> float:
    """Median µs of process CPU for one ``PING`` and its answer on the server's socket, bare."""
    reader, writer = await asyncio.open_unix_connection(str(server.socket))
    samples = []
    try:
        for _ in range(count):
            started = time.process_time()
            writer.write(b"PING\r\n")
            await reader.readline()
            samples.append(time.process_time() - started)
    finally:
        writer.close()
        await writer.wait_closed()
    return sorted(samples)[len(samples) // 2] * 1e6


async def _commit_floor(stored: Clicker, count: int) -> float:
    """Median µs of process CPU for the owner's commit of one session record alone (the one round
    trip of the owner's click, through redis-py's command path)."""
    manager = get_session_manager(stored.test_bot.bot)
    store = manager.store
    assert isinstance(store, RedisSessionStore)
    session = next(iter(manager.sessions.values()))
    samples = []
    for index in range(count):
        record = session._to_record(time.time() + 3600, time.time())
        started = time.process_time()
        await store.commit(record, interaction_id=993_000_000_000_000_000 + index)
        samples.append(time.process_time() - started)
    return sorted(samples)[len(samples) // 2] * 1e6


def _click_counts(*clickers: Clicker) -> tuple[int, int]:
    """Clicks the bots served as owners, and clicks for which they took the session first, so far."""
    keepers = [get_session_manager(clicker.test_bot.bot)._durable for clicker in clickers]
    return (
        sum(keeper.owner_clicks for keeper in keepers if keeper is not None),
        sum(keeper.taken_clicks for keeper in keepers if keeper is not None),
    )


async def _takeover_cost(home: Clicker, away: Clicker, count: int, rounds: int) -> float:
    """Median µs of process CPU per click when every click takes its session from the other bot."""
    samples = []
    for _ in range(rounds):
        for index in range(count):
            samples.append(await away.click(index))  # served by home last: taken over
            samples.append(await home.click(index))  # and back
    return sorted(samples)[len(samples) // 2] * 1e6


async def _fill(store: RedisSessionStore, template: DurableRecord, count: int, deadline: Any) -> None:
    """Store ``count`` copies of ``template``, ids ``0..count-1``, with ``deadline(index)``."""
    batch = 500
    for first in range(0, count, batch):
        await asyncio.gather(
            *(
                store.create(dataclasses.replace(template, id=f"{index:012d}", deadline=deadline(index)))
                for index in range(first, min(first + batch, count))
            )
        )


async def _template(test_bot: TestBot) -> DurableRecord:
    """The record of a real durable session, with no message (nothing to disable on expiry)."""
    session = BenchDurableSession(test_bot.bot, test_bot.start_interaction())
    record = session._to_record(None, time.time())
    return dataclasses.replace(record, channel_id=None, message_id=None, token=None, token_expires_at=None)


async def _sweeper_idle(server: RedisServer, count: int, polls: int) -> float:
    """Median µs of process CPU for one poll with ``count`` stored sessions and none due."""
    store = RedisSessionStore.from_url(server.url, namespace="bench-idle")
    test_bot = await TestBot.create(sessions=True, store=store)
    try:
        far = time.time() + 86_400
        await _fill(store, await _template(test_bot), count, lambda index: far + index)
        keeper = get_session_manager(test_bot.bot)._durable
        assert keeper is not None
        samples = []
        for _ in range(polls):
            started = time.process_time()
            await keeper.sweep()
            samples.append(time.process_time() - started)
        await store.client.flushdb()
    finally:
        await test_bot.close()
    return sorted(samples)[len(samples) // 2] * 1e6


async def _expiry_over_processes(server: RedisServer, count: int, window: float) -> dict[str, Any]:
    """``count`` sessions due one after another over ``window`` seconds, swept by three processes."""
    namespace = "bench-expiry"
    spacing = window / count
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._redis_expiry",
            server.url,
            namespace,
            cwd=_ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(_PROCESSES)
    ]
    for worker in workers:
        assert worker.stdout is not None
        await worker.stdout.readline()  # ready: sweeping, nothing due yet
    store = RedisSessionStore.from_url(server.url, namespace=namespace)
    test_bot = await TestBot.create(sessions=True)
    try:
        template = await _template(test_bot)
        base = time.time() + 2.0
        # Not opened: a store that keeps no heartbeat serves no session, so the sessions it fills in
        # are any sweeper's to end, as those of a process that stopped. (An opened one would own
        # them while it fills, and the sweepers would leave them to it.)
        await _fill(store, template, count, lambda index: base + index * spacing)
    finally:
        await store.close()
        await test_bot.close()
    # Each worker stops once every deadline is past and nothing is left to end, then reports.
    lines = await asyncio.gather(
        *(worker.communicate(f"{base} {spacing} {count}\n".encode()) for worker in workers)
    )
    ended: list[str] = []
    late: list[float] = []
    for worker, (stdout, stderr) in zip(workers, lines, strict=True):
        if worker.returncode != 0:
            raise RuntimeError(f"benchmarks._redis_expiry failed:\n{stderr.decode(errors='replace')}")
        report = json.loads(stdout.decode().strip().splitlines()[-1])
        ended += report["ids"]
        late += report["late"]
    counts = Counter(ended)
    return {
        "latest": max(late) * 1000 if late else float("inf"),
        "p99": percentile(late, 0.99) * 1000 if late else float("inf"),
        "once": len(counts) == count and set(counts.values()) == {1},
        "ended": len(counts),
    }


async def run(sizes: Sizes) -> list[Row]:
    """Measure Redis-stored clicks, the idle sweeper and expiry over three processes; return the rows."""
    clicks = sizes.routing_batch
    count = sizes.scale[-1]
    with tempfile.TemporaryDirectory(prefix="nyx-bench-redis-") as folder, instant_webhooks():
        server = RedisServer.launch(Path(folder))
        try:
            memory = await clicker(BenchSession, None)
            stored = await clicker(
                BenchDurableSession, RedisSessionStore.from_url(server.url, namespace="bench-click")
            )
            elsewhere = await clicker(
                BenchDurableSession, RedisSessionStore.from_url(server.url, namespace="bench-click")
            )
            across = stored.clicking(elsewhere)
            try:
                got = await interleaved(
                    sizes.routing_rounds,
                    {
                        "memory": lambda: memory.click_cost(clicks),
                        "redis": lambda: stored.click_cost(clicks),
                        "memory wall": lambda: memory.click_cost(clicks, clock=time.perf_counter),
                        "redis wall": lambda: stored.click_cost(clicks, clock=time.perf_counter),
                        "floor": lambda: _round_trip_floor(server, clicks),
                        "commit": lambda: _commit_floor(stored, clicks),
                    },
                )
                owner = _click_counts(stored)
                taken_over = await _takeover_cost(stored, across, max(20, clicks // 5), sizes.routing_rounds)
                takeovers = _click_counts(stored, elsewhere)
            finally:
                await memory.test_bot.close()
                await stored.test_bot.close()
                await elsewhere.test_bot.close()
            idle = await _sweeper_idle(server, count, polls=20)
            expiry = await _expiry_over_processes(server, count, window=max(2.0, count / _EXPIRY_RATE))
        finally:
            server.stop()
    memory_click = "session in memory, click"
    return [
        Row(
            "7. Redis: click on the owner, CPU per click (unix socket, one round trip after the handler)",
            got["redis"],
            "us",
            memory_click,
            got["memory"],
            "≤ 3.00",
            got["redis"] <= 3 * got["memory"],
        ),
        Row(
            "7. Redis: click on the owner, wall time per click",
            got["redis wall"],
            "us",
            f"{memory_click}, wall",
            got["memory wall"],
        ),
        Row(
            "7. Redis: floor, the commit's script alone through redis-py (EVALSHA on the pool)",
            got["commit"],
            "us",
            "stored click minus memory click",
            got["redis"] - got["memory"],
        ),
        Row(
            "7. Redis: floor, one raw round trip on the socket (PING, asyncio streams, no client)",
            got["floor"],
            "us",
        ),
        Row(
            "7. Redis: clicks on the owner that hit it (no call before the handler)",
            owner[0],
            "count",
            target=f"= {owner[0] + owner[1]:,} (all)",
            met=owner[1] == 0,
        ),
        Row(
            "7. Redis: click with a takeover (the other process served the session last), CPU per click",
            taken_over,
            "us",
            memory_click,
            got["memory"],
        ),
        Row(
            "7. Redis: clicks with a takeover that first took the session from the store",
            takeovers[1] - owner[1],
            "count",
            target=f"= {takeovers[0] + takeovers[1] - owner[0] - owner[1]:,} (all)",
            met=takeovers[0] == owner[0],
        ),
        Row(
            f"7. Redis: sweeper, CPU per poll with {count:,} stored sessions, none due (one poll a second)",
            idle,
            "us",
        ),
        Row(
            f"7. Redis: latest expiry after its deadline, {count:,} sessions, {_EXPIRY_RATE:,} due a second, "
            f"{_PROCESSES} processes",
            expiry["latest"],
            "ms",
            target="≤ 250 ms",
            met=expiry["latest"] <= 250,
        ),
        Row(
            f"7. Redis: p99 expiry after its deadline, {count:,} sessions, {_EXPIRY_RATE:,} due a second, "
            f"{_PROCESSES} processes",
            expiry["p99"],
            "ms",
        ),
        Row(
            f"7. Redis: sessions ended, of {count:,} swept by {_PROCESSES} processes (each once)",
            expiry["ended"],
            "count",
            target=f"= {count:,}, none twice",
            met=expiry["once"],
        ),
    ]
