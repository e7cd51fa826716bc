"""The fake Discord keeps Discord's deadlines, on the clock the test gives it (here a ManualClock).

An initial response later than 3 seconds after the interaction arrived is refused with 10062
"Unknown interaction"; the token stops working 15 minutes after it, with 401 "Invalid Webhook
Token" (50027). The stories use plain discord.py code: the kit is as strict for any bot.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


class Slow(commands.Cog):
    """``/report`` answers after ``gate`` opens (a slow query), then may follow up after ``later``."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.later = asyncio.Event()
        self.defer_first = False
        self.interactions: list[discord.Interaction[Any]] = []

    @discord.app_commands.command(name="report", description="A slow report")
    async def report(self, interaction: discord.Interaction[Any]) -> None:
        self.interactions.append(interaction)
        if self.defer_first:
            await interaction.response.defer()
        await self.gate.wait()
        if self.defer_first:
            await interaction.followup.send("report")
        else:
            await interaction.response.send_message("report")
        await self.later.wait()
        await interaction.followup.send("one more thing")


@pytest.fixture
async def slow(bot: commands.Bot) -> Slow:
    cog = Slow()
    await bot.add_cog(cog)
    return cog


async def answer_at(slow: Slow, harness: InteractionHarness, clock: ManualClock, seconds: float) -> Any:
    ran = await harness.slash("report", settle=False)
    while not slow.interactions:
        await asyncio.sleep(0)
    clock.advance(seconds)
    slow.gate.set()
    return ran


async def test_an_answer_within_three_seconds_is_taken(
    slow: Slow, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    ran = await answer_at(slow, harness, session_clock, 2.9)
    slow.later.set()
    await harness.settle()
    assert ran.response.content == "report" and [r.content for r in ran.followups] == ["one more thing"]


async def test_an_answer_after_three_seconds_is_refused_with_unknown_interaction(
    slow: Slow, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    ran = await answer_at(slow, harness, session_clock, 3.1)
    with pytest.raises(discord.app_commands.CommandInvokeError) as failed:
        await harness.settle()
    refused = failed.value.original
    assert isinstance(refused, discord.NotFound) and refused.code == 10062
    assert ran.response is None and ran.replies[0].error == 10062


async def test_the_token_stops_working_fifteen_minutes_after_the_interaction(
    slow: Slow, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    slow.defer_first = True
    ran = await answer_at(slow, harness, session_clock, 14 * 60)
    for _ in range(20):
        await asyncio.sleep(0)
    assert [r.content for r in ran.followups] == ["report"], "a followup at 14 minutes works"

    session_clock.advance(61)
    slow.later.set()
    with pytest.raises(discord.app_commands.CommandInvokeError) as failed:
        await harness.settle()
    refused = failed.value.original
    assert isinstance(refused, discord.HTTPException) and (refused.status, refused.code) == (401, 50027)
    assert ran.replies[-1].error == 50027

    with pytest.raises(discord.HTTPException) as edit_refused:
        await slow.interactions[0].edit_original_response(content="too late")
    assert edit_refused.value.status == 401
