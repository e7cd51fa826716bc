"""Benchmark 3: memory per idle live session, against a live five-button :class:`discord.ui.View`.

Sessions are started through the manager from one shared interaction, so what is counted is the
session layer alone: the session object, its custom-id builder, its repository entry and
deadline, and the manager's bookkeeping. Views are stored in discord.py's view store under a
message id, as a sent view is, with the default ``timeout=180`` (they expire, as sessions do: a
timeout task each) and with ``timeout=None`` (persistent: no task). Bytes are
:mod:`tracemalloc`'s count of what the objects keep allocated, divided by their number.

A session that was clicked once and went idle again is measured too: each gets one real click
(a gateway payload parsed by discord.py, answered by a deferral), and what stays allocated
afterwards is counted, the session's memory of that click included.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from typing import TYPE_CHECKING

from nyx_sessions import get_session_manager
from nyx_sessions.testing import new_snowflake

from ._report import Row
from ._world import PROBE, BenchSession, FiveButtonView, TestBot, instant_webhooks

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ._measure import Sizes

__all__ = ("run",)

_KB = 1024
_VIEW_TIMEOUT = 180.0
"""discord.py's default view timeout, and the sessions' default TTL."""


async def _bytes_each(count: int, create: Callable[[int], Awaitable[None]]) -> float:
    """Bytes still allocated after ``create(count)``, per object; it must keep what it made alive."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        await create(count)
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (after - before) / count


async def _sessions(count: int) -> float:
    test_bot = await TestBot.create(sessions=True)
    start = test_bot.start_interaction()
    manager = get_session_manager(test_bot.bot)

    async def create(count: int) -> None:
        for _ in range(count):
            await manager.start(BenchSession(test_bot.bot, start))

    try:
        return await _bytes_each(count, create)
    finally:
        await test_bot.close()


async def _clicked_sessions(count: int) -> float:
    test_bot = await TestBot.create(sessions=True)
    start = test_bot.start_interaction()
    manager = get_session_manager(test_bot.bot)

    async def create(count: int) -> None:
        PROBE.expect(count)
        for _ in range(count):
            session = BenchSession(test_bot.bot, start)
            await manager.start(session)
            # Built here, as the gateway's JSON would be: whatever the session keeps of it counts.
            test_bot.state.parse_interaction_create(test_bot.click_payload(session.component_id("click")))
        await PROBE.wait()
        await asyncio.sleep(0)

    try:
        with instant_webhooks():
            return await _bytes_each(count, create)
    finally:
        await test_bot.close()


async def _views(count: int, timeout: float | None) -> float:
    test_bot = await TestBot.create(sessions=False)

    async def create(count: int) -> None:
        for _ in range(count):
            test_bot.state.store_view(FiveButtonView(timeout=timeout), new_snowflake())

    try:
        return await _bytes_each(count, create)
    finally:
        await test_bot.close()


async def run(sizes: Sizes) -> list[Row]:
    """Measure idle sessions and idle views; return the table's rows."""
    count = sizes.memory_objects
    session = await _sessions(count)
    clicked = await _clicked_sessions(count)
    expiring_view = await _views(count, _VIEW_TIMEOUT)
    persistent_view = await _views(count, None)
    label = "3. Memory per idle live session (default TTL)"
    expiring = "five-button `View`, timeout=180"
    return [
        Row(
            label,
            session,
            "B",
            expiring,
            expiring_view,
            "≤ 1 KB and ≤ 0.50",
            session <= _KB and session <= expiring_view / 2,
        ),
        Row(
            label,
            session,
            "B",
            "five-button `View`, timeout=None",
            persistent_view,
            "≤ 0.50",
            session <= persistent_view / 2,
        ),
        Row(
            "3. Memory per idle live session, clicked once",
            clicked,
            "B",
            expiring,
            expiring_view,
            "≤ 1 KB and ≤ 0.50",
            clicked <= _KB and clicked <= expiring_view / 2,
        ),
    ]
