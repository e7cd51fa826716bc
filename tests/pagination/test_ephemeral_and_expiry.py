"""Paginators answered ephemerally, from slash and hybrid commands, until they expire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pagination_helpers import all_controls, controls, shown_page, wire_manual_clock

from nyx_sessions import SessionEndCode
from nyx_sessions.pagination import ListPaginationSession

if TYPE_CHECKING:
    from collections.abc import Sequence

    import discord
    from discord.ext import commands

    from nyx_sessions.storage import ManualClock

ITEMS = [f"item {n}" for n in range(1, 26)]


@pytest.fixture
def bot_extensions() -> Sequence[str]:
    """The session cog is wired by hand below, with a clock the test moves."""
    return ()


@pytest.fixture
async def clock(bot: commands.Bot) -> ManualClock:
    return await wire_manual_clock(bot)


async def test_an_ephemeral_paginator_from_a_slash_command_pages_and_expires(bot, harness, clock):
    sessions: list[ListPaginationSession[str, None]] = []

    @bot.tree.command(name="inventory")
    async def inventory(interaction: discord.Interaction[Any]) -> None:
        session: ListPaginationSession[str, None] = ListPaginationSession(
            bot, interaction, ITEMS, ephemeral=True
        )
        sessions.append(session)
        await session.start()

    started = await harness.slash("inventory")
    assert started.response.ephemeral
    assert harness.history() == []  # nobody else sees it
    assert shown_page(harness, started)[0] == "Page 1/3"

    clicked = await harness.click(started, controls(harness, started)["next"].custom_id)
    assert clicked.response.type == 7
    assert shown_page(harness, started) == ("Page 2/3", [f"item {n}" for n in range(11, 21)])

    clock.advance(181)
    await harness.settle()

    assert (await sessions[0].wait()).code is SessionEndCode.EXPIRED
    assert all(control.disabled for control in all_controls(harness, started))
    # An ephemeral message can only be edited through an interaction token: the latest click's.
    assert clicked.replies[-1].kind == "edit_original"


async def test_a_hybrid_paginator_is_ephemeral_as_a_slash_command_and_public_as_a_prefix_command(
    bot, harness, clock
):
    @bot.hybrid_command(name="inventory")
    async def inventory(ctx: commands.Context[Any]) -> None:
        await ListPaginationSession(bot, ctx, ITEMS, ephemeral=True).start()

    started = await harness.slash("inventory")
    assert started.response.ephemeral
    await harness.click(started, controls(harness, started)["last"].custom_id)
    assert shown_page(harness, started)[0] == "Page 3/3"

    await harness.message("!inventory")
    public = harness.last_message()
    assert public is not None
    assert not public.flags.ephemeral
    await harness.click(public, controls(harness, public)["next"].custom_id)
    assert shown_page(harness, public)[0] == "Page 2/3"


async def test_a_prefix_paginator_is_disabled_in_place_when_it_expires(bot, harness, clock):
    @bot.command(name="inventory")
    async def inventory(ctx: commands.Context[Any]) -> None:
        await ListPaginationSession(bot, ctx, ITEMS).start()

    await harness.message("!inventory")
    message = harness.last_message()
    await harness.click(message, controls(harness, message)["next"].custom_id)

    clock.advance(181)
    await harness.settle()

    assert all(control.disabled for control in all_controls(harness, message))
    assert shown_page(harness, message)[0] == "Page 2/3"


async def test_turning_pages_keeps_the_paginator_alive(bot, harness, clock):
    sessions: list[ListPaginationSession[str, None]] = []

    @bot.command(name="inventory")
    async def inventory(ctx: commands.Context[Any]) -> None:
        session: ListPaginationSession[str, None] = ListPaginationSession(bot, ctx, ITEMS)
        sessions.append(session)
        await session.start()

    await harness.message("!inventory")
    message = harness.last_message()
    clock.advance(120)
    await harness.click(message, controls(harness, message)["next"].custom_id)
    clock.advance(120)
    await harness.settle()

    assert sessions[0].end_data is None
    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert shown_page(harness, message)[0] == "Page 3/3"
