"""Benchmark 1: what routing one click costs, from the raw gateway payload to the handler.

Four bots receive the same kind of ``INTERACTION_CREATE`` (a member clicking a button on a bot
message) through ``ConnectionState.parse_interaction_create``, as the gateway would deliver it:

- a bot with nyx_sessions loaded, the click aimed at one of many live sessions;
- a bot with a persistent :class:`discord.ui.View` (``timeout=None``) holding that button;
- a bot with a :class:`discord.ui.DynamicItem` whose template matches the custom id;
- a bot with a cog whose ``on_interaction`` listener only defers: how the session cog itself
  receives clicks, without the session layer. Its distance to the View is discord.py's cost of
  dispatching to a listener, which any listener-based router pays.

Every handler defers the interaction (answered instantly by a fake webhook adapter shared by all
four) and reports to the probe. Two figures per side (the listener: latency only):

- latency: CPU time from handing over the payload to the handler returning, one click at a time;
- full cost: CPU time per click of a batch, everything the click started included (for sessions:
  the TTL refresh and the update events).

The floor is building the :class:`discord.Interaction` alone, which every side pays.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import TYPE_CHECKING, Any

from nyx_sessions import get_session_manager
from nyx_sessions.codec import MetadatableCustomIdBuilder, SessionCustomIdCodec

from ._measure import Sizes, cpu_clock, interleaved
from ._report import Row
from ._world import (
    PROBE,
    BenchItem,
    BenchListener,
    BenchPages,
    BenchPagesV2,
    BenchSession,
    BenchView,
    LeastRouter,
    LeastSession,
    TestBot,
    fresh,
    instant_webhooks,
    observers_named,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ("run",)

Json = dict[str, Any]


class _Side:
    """One bot and the click payloads it is fed."""

    __slots__ = ("payloads", "test_bot")

    def __init__(self, test_bot: TestBot, payloads: list[Json]) -> None:
        self.test_bot = test_bot
        self.payloads = payloads

    def batch(self, size: int) -> list[Json]:
        """``size`` new interactions, cycling over the side's clicks."""
        return [fresh(self.payloads[index % len(self.payloads)]) for index in range(size)]

    async def latency(self, size: int) -> float:
        """Median µs from payload to handler return, each click alone (its follow-up work not counted)."""
        parse = self.test_bot.state.parse_interaction_create
        samples = []
        for payload in self.batch(size):
            PROBE.expect(1)
            started = cpu_clock()
            parse(payload)
            await PROBE.wait()
            samples.append(PROBE.stamp - started)
            await asyncio.sleep(0)  # let whatever the click started after its handler finish
        return statistics.median(samples) * 1e6

    async def full_cost(self, size: int) -> float:
        """µs per click of a batch delivered at once, up to the last handler's return."""
        parse = self.test_bot.state.parse_interaction_create
        payloads = self.batch(size)
        PROBE.expect(size)
        started = cpu_clock()
        for payload in payloads:
            parse(payload)
        await PROBE.wait()
        elapsed = cpu_clock() - started
        await asyncio.sleep(0)
        return elapsed / size * 1e6

    async def floor(self, size: int) -> float:
        """µs to build the :class:`discord.Interaction` of a click, and nothing else."""
        build = self.test_bot.interaction
        payloads = self.batch(size)
        started = cpu_clock()
        for payload in payloads:
            build(payload)
        return (cpu_clock() - started) / size * 1e6


async def _session_side(size: int, *, middleware: bool = True, observers: str | None = None) -> _Side:
    test_bot = await TestBot.create(
        sessions=True, observers=None if observers is None else observers_named(observers)
    )
    if not middleware:
        # What the owner filter and the middleware list around it cost (instruction counts only).
        get_session_manager(test_bot.bot).executor.update_middleware.clear()
    # One start interaction for all: sessions started from it share it, as in the memory benchmark.
    start = test_bot.start_interaction()
    sessions = [BenchSession(test_bot.bot, start) for _ in range(size)]
    manager = get_session_manager(test_bot.bot)
    for session in sessions:
        await manager.start(session)
    return _Side(test_bot, [test_bot.click_payload(session.component_id("click")) for session in sessions])


async def _pages_side(size: int, cls: type[BenchPages]) -> _Side:
    """``size`` list sessions of 100 items, each click a turn to page 2 of one of them."""
    test_bot = await TestBot.create(sessions=True)
    start = test_bot.start_interaction()
    items = [f"case {number}: spam in #general" for number in range(100)]
    sessions = [cls(test_bot.bot, start, items) for _ in range(size)]
    manager = get_session_manager(test_bot.bot)
    for session in sessions:
        await manager.start(session)
    payloads = [test_bot.click_payload(session.build_custom_id_for_page(1)) for session in sessions]
    return _Side(test_bot, payloads)


async def _view_side() -> _Side:
    test_bot = await TestBot.create(sessions=False)
    test_bot.bot.add_view(BenchView())
    return _Side(test_bot, [test_bot.click_payload(BenchView.CUSTOM_ID)])


async def _dynamic_side() -> _Side:
    test_bot = await TestBot.create(sessions=False)
    test_bot.bot.add_dynamic_items(BenchItem)
    return _Side(
        test_bot, [test_bot.click_payload(BenchItem(session="Zx81-abc_DEF", action="click").custom_id)]
    )


async def _least_router_side(size: int) -> _Side:
    test_bot = await TestBot.create(sessions=False)
    codec = SessionCustomIdCodec()
    sessions = {f"least-{index:06d}": LeastSession(test_bot.member.id) for index in range(size)}
    prefix = codec.namespace + codec.metadata_separator
    await test_bot.bot.add_cog(LeastRouter(prefix, codec.separator, sessions))
    builders = (
        MetadatableCustomIdBuilder(codec.namespace, session_id, codec.separator, codec.metadata_separator)
        for session_id in sessions
    )
    return _Side(test_bot, [test_bot.click_payload(builder.push("click").build()) for builder in builders])


async def _listener_side() -> _Side:
    test_bot = await TestBot.create(sessions=False)
    await test_bot.bot.add_cog(BenchListener())
    return _Side(test_bot, [test_bot.click_payload(BenchView.CUSTOM_ID)])


SIDES: dict[str, Callable[[], Awaitable[_Side]]] = {
    "session": lambda: _session_side(50),
    "session-no-middleware": lambda: _session_side(50, middleware=False),
    "view": _view_side,
    "dynamic": _dynamic_side,
    "listener": _listener_side,
    "least-router": lambda: _least_router_side(50),
    "pages-classic": lambda: _pages_side(50, BenchPages),
    "pages-v2": lambda: _pages_side(50, BenchPagesV2),
    "session-observers-none": lambda: _session_side(50, observers="none"),
    "session-prometheus": lambda: _session_side(50, observers="prometheus"),
    "session-otel-api": lambda: _session_side(50, observers="otel-api"),
    "session-otel-sdk": lambda: _session_side(50, observers="otel-sdk"),
}
"""The bots by name, each built with its clicks (the session bots with 50 live sessions).

``session-no-middleware`` is the session bot with its update middleware list emptied: no owner
filter and no list around it. ``least-router`` is :class:`~benchmarks._world.LeastRouter`: the
least any listener-based router can do. Only the instruction counts use those two, to price the
guarantees, and the two page sides: a click that turns a list session's page (to page 2, whatever
the page shown), rendered by default as an embed (``pages-classic``) or as a components v2 layout
(``pages-v2``), the clicked message edited in place. The ``session-*`` sides with observers are the
session bot reporting to ``observers=[]`` (configured, empty), a Prometheus observer, the
OpenTelemetry observer on the API alone (no SDK: its tracer does nothing) and on the SDK (every span
made and processed, then dropped): each is priced against the bare session click."""


async def run(sizes: Sizes) -> list[Row]:
    """Measure routing on the four bots, interleaved; return the table's rows."""
    size = sizes.routing_batch
    with instant_webhooks():
        sessions, view, dynamic = await _session_side(size), await _view_side(), await _dynamic_side()
        listener = await _listener_side()
        try:
            trials: dict[str, Callable[[], Awaitable[float]]] = {
                "floor": lambda: sessions.floor(size),
                "session": lambda: sessions.latency(size),
                "view": lambda: view.latency(size),
                "dynamic": lambda: dynamic.latency(size),
                "listener": lambda: listener.latency(size),
                "session full": lambda: sessions.full_cost(size),
                "view full": lambda: view.full_cost(size),
                "dynamic full": lambda: dynamic.full_cost(size),
            }
            got = await interleaved(sizes.routing_rounds, trials)
        finally:
            for side in (sessions, view, dynamic, listener):
                await side.test_bot.close()
    floor = got["floor"]
    view_label = "persistent `ui.View`"
    return [
        Row(
            "1. Routing: payload → handler returned, per click",
            got["session"],
            "us",
            view_label,
            got["view"],
            # Judged where a busy machine cannot tip it: these µs move by a third between runs.
            "≤ 1.12, judged in instructions",
        ),
        Row(
            "1. Routing: payload → handler returned, per click",
            got["session"],
            "us",
            "`DynamicItem`",
            got["dynamic"],
        ),
        Row(
            "1. Routing: payload → handler returned, per click",
            got["session"],
            "us",
            "`on_interaction` listener that only defers",
            got["listener"],
        ),
        Row(
            "1. Routing: overhead above the floor",
            got["session"] - floor,
            "us",
            view_label,
            got["view"] - floor,
        ),
        Row("1. Routing: floor, building `discord.Interaction`", floor, "us"),
        Row(
            "1. Routing: full cost per click (TTL refresh, events)",
            got["session full"],
            "us",
            view_label,
            got["view full"],
        ),
        Row(
            "1. Routing: full cost per click (TTL refresh, events)",
            got["session full"],
            "us",
            "`DynamicItem`",
            got["dynamic full"],
        ),
    ]
