"""Benchmark 5: end to end through the testing kit, sessions against discord.py views.

One dpytest bot with nyx_sessions loaded and two prefix commands: ``!bench-session`` starts a
counter session, ``!bench-view`` sends the same counter as a :class:`discord.ui.View`
(``timeout=180``, the sessions' default TTL). Each is run for every target (1,000 by default),
then the :class:`~nyx_sessions.testing.InteractionHarness` clicks the targets round-robin
(10,000 clicks by default); every click edits its message's content. Blocks of clicks alternate
between the two sides. The figures include the kit's own work (payloads, the fake Discord,
settling), the same for both sides.
"""

from __future__ import annotations

from typing import Any

import discord
from discord.ext import commands

from nyx_sessions import AbstractSession, SessionExecutionMeta
from nyx_sessions.testing import InteractionHarness

from ._measure import Sizes, cpu_clock
from ._report import Row
from ._world import TestBot

__all__ = ("run",)

_VIEW_TIMEOUT = 180.0


class _CounterSession(AbstractSession[None]):
    __slots__ = ("count",)

    def __init__(self, bot: commands.Bot, start: commands.Context[Any]) -> None:
        super().__init__(bot, start)
        self.count = 0

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("count: 0", view=self.view(self.button("increment", label="+1")))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.count += 1
        await self.edit(interaction, content=f"count: {self.count}")


class _CounterView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=_VIEW_TIMEOUT)
        self.count = 0

    @discord.ui.button(label="+1")
    async def increment(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.count += 1
        await interaction.response.edit_message(content=f"count: {self.count}")


def _add_commands(bot: commands.Bot) -> None:
    async def bench_session(ctx: commands.Context[Any]) -> None:
        await _CounterSession(ctx.bot, ctx).start()

    async def bench_view(ctx: commands.Context[Any]) -> None:
        await ctx.send("count: 0", view=_CounterView())

    bot.add_command(commands.Command(bench_session, name="bench-session"))
    bot.add_command(commands.Command(bench_view, name="bench-view"))


class _Side:
    """The messages one command sent, and the CPU time spent starting and clicking them."""

    __slots__ = ("clicked", "command", "harness", "start_cpu", "targets")

    def __init__(self, harness: InteractionHarness, command: str) -> None:
        self.harness = harness
        self.command = command
        self.targets: list[tuple[int, str]] = []
        self.start_cpu = 0.0
        self.clicked = 0

    async def start(self, count: int) -> None:
        started = cpu_clock()
        for _ in range(count):
            await self.harness.message(self.command)
            message = self.harness.last_message()
            assert message is not None
            button = message.components[0].children[0]  # type: ignore[union-attr]
            assert isinstance(button, discord.Button)
            assert button.custom_id is not None
            self.targets.append((message.id, button.custom_id))
        self.start_cpu += cpu_clock() - started

    async def click(self, clicks: int) -> float:
        started = cpu_clock()
        for _ in range(clicks):
            message_id, custom_id = self.targets[self.clicked % len(self.targets)]
            await self.harness.click(message_id, custom_id)
            self.clicked += 1
        elapsed = cpu_clock() - started
        self.harness.forget()  # keeps the fake Discord's records from growing with every click
        return elapsed

    def check(self) -> None:
        """Fail loudly if the clicks did not all land: the figures would mean nothing."""
        message_id, _ = self.targets[0]
        rounds = self.clicked // len(self.targets) + (self.clicked % len(self.targets) > 0)
        content = self.harness.message_payload(message_id)["content"]
        if content != f"count: {rounds}":
            raise AssertionError(f"{self.command}: the first message reads {content!r} after {rounds} clicks")


async def run(sizes: Sizes) -> list[Row]:
    """Start and click both sides through the harness, alternating blocks; return the table's rows."""
    test_bot = await TestBot.create(sessions=True)
    _add_commands(test_bot.bot)
    harness = InteractionHarness(test_bot.bot).install()
    try:
        sessions, views = _Side(harness, "!bench-session"), _Side(harness, "!bench-view")
        block = sizes.e2e_clicks // sizes.e2e_blocks
        for side in (sessions, views):
            await side.start(sizes.e2e_sessions)
        session_cpu = view_cpu = 0.0
        for index in range(sizes.e2e_blocks):
            # Alternate which side goes first, so neither always clicks on a warmer heap.
            first, second = (sessions, views) if index % 2 == 0 else (views, sessions)
            spent = await first.click(block), await second.click(block)
            session_cpu += spent[0] if first is sessions else spent[1]
            view_cpu += spent[1] if first is sessions else spent[0]
        sessions.check()
        views.check()
        await harness.settle()
        await test_bot.close()
        await harness.settle()
    finally:
        harness.uninstall()
    clicks = f"{block * sizes.e2e_blocks:,} clicks on {sizes.e2e_sessions:,} sessions"
    return [
        Row(f"5. End to end (testing kit): {clicks}", session_cpu, "s", "same on `View`s", view_cpu),
        Row(
            f"5. End to end (testing kit): {sizes.e2e_sessions:,} starts by prefix command",
            sessions.start_cpu,
            "s",
            "`View` messages",
            views.start_cpu,
        ),
    ]
