"""Hostile, unlucky and late input (API §3): bounded reads, other sessions' messages, replays, old tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import AbstractSession, ListPaginationSession, SessionEndCode, SessionExecutionMeta
from nyx_sessions.execution import EXPIRED_NOTICE
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import Injected, InteractionHarness

BUTTON, COMPONENT = 2, 3


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


def controls(harness: InteractionHarness, message: Any) -> dict[str, dict[str, Any]]:
    """Buttons by label (or emoji), as the user sees them now."""
    found: dict[str, dict[str, Any]] = {}
    for row in harness.message_payload(message)["components"]:
        for child in row["components"]:
            found[child.get("label") or child.get("emoji", {}).get("name")] = child
    return found


def click_payload(harness: InteractionHarness, message: Any, custom_id: str, user: int = 0) -> dict[str, Any]:
    """A click on ``custom_id`` sent from ``message``, whether or not the message shows it (a forged id)."""
    return harness.build_payload(
        COMPONENT, {"custom_id": custom_id, "component_type": BUTTON}, message=message, user=user
    )


class Counting:
    """An endless async source that never awaits anything, counting what was read."""

    def __init__(self) -> None:
        self.read = 0

    async def items(self) -> AsyncIterator[int]:
        while True:
            self.read += 1
            yield self.read


# -- a page from user input never reads a source without bound ---------------------------------------------


@pytest.fixture
async def endless(bot: commands.Bot, harness: InteractionHarness) -> tuple[Counting, Injected]:
    source = Counting()

    @bot.tree.command(name="endless", description="An endless list")
    async def endless_list(interaction: discord.Interaction[Any]) -> None:
        await ListPaginationSession(interaction.client, interaction, source.items(), per_page=5).start()

    return source, await harness.slash("endless")


async def test_a_huge_page_typed_into_the_jump_modal_is_refused_after_a_bounded_read(
    harness: InteractionHarness, endless: tuple[Counting, Injected]
) -> None:
    source, started = endless
    opened = await harness.click(started, controls(harness, started)["1/?"]["custom_id"])
    before = source.read
    typed = await harness.submit_modal(opened, {"page": "9999999999"})

    limit = ListPaginationSession.max_read_ahead * 5
    assert 0 < source.read - before <= limit, f"read {source.read - before} items, at most {limit}"
    assert typed.ephemeral_texts == [
        "Enter a whole page number from 1 to 11: the end of this list is not known yet, "
        "so later pages open once you have paged that far."
    ]
    assert harness.message_payload(started)["embeds"][0]["footer"]["text"] == "Page 1", (
        "the page is unchanged"
    )


async def test_a_reachable_typed_page_still_opens(
    harness: InteractionHarness, endless: tuple[Counting, Injected]
) -> None:
    _, started = endless
    opened = await harness.click(started, controls(harness, started)["1/?"]["custom_id"])
    await harness.submit_modal(opened, {"page": "8"})
    assert harness.message_payload(started)["embeds"][0]["footer"]["text"] == "Page 8"


async def test_a_forged_page_id_shows_at_most_the_furthest_page_within_reach(
    bot: commands.Bot, harness: InteractionHarness, endless: tuple[Counting, Injected]
) -> None:
    source, started = endless
    next_id = controls(harness, started)["▶"]["custom_id"]
    forged = next_id.replace("୵1႞", "୵123456789012႞")
    assert forged != next_id
    await harness.inject(click_payload(harness, started, forged))
    assert source.read <= (ListPaginationSession.max_read_ahead + 2) * 5 + 1
    assert harness.message_payload(started)["embeds"][0]["footer"]["text"] == "Page 11"


# -- a missing session's click never edits a live session's message ---------------------------------------


class Panel(AbstractSession[None]):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("panel", view=self.view(self.button("ok", label="ok")))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await interaction.response.edit_message(content="pressed")


@pytest.fixture
async def panel(bot: commands.Bot, harness: InteractionHarness) -> Injected:
    @bot.tree.command(name="panel", description="A panel")
    async def open_panel(interaction: discord.Interaction[Any]) -> None:
        await Panel(interaction.client, interaction).start()

    return await harness.slash("panel")


async def test_a_click_naming_an_unknown_session_on_a_live_sessions_message_leaves_it_alone(
    harness: InteractionHarness, panel: Injected
) -> None:
    before = harness.message_payload(panel)["components"]
    forged = await harness.inject(click_payload(harness, panel, "SSN୵nosuchsession႞ok"))
    assert forged.ephemeral_texts == [EXPIRED_NOTICE], "the user is told"
    assert harness.message_payload(panel)["components"] == before, "the live session's buttons stay enabled"
    pressed = await harness.click(panel, controls(harness, panel)["ok"]["custom_id"])
    assert pressed.response.content == "pressed"


async def test_a_click_on_a_message_of_an_ended_session_still_disables_it(
    bot: commands.Bot, harness: InteractionHarness, panel: Injected
) -> None:
    ok = controls(harness, panel)["ok"]["custom_id"]
    await bot.reload_extension("nyx_sessions")  # the session ends; its message stays
    late = await harness.click(panel, ok)
    assert late.ephemeral_texts == [EXPIRED_NOTICE]
    assert controls(harness, panel)["ok"]["disabled"] is True


# -- a replay is never processed twice while its token lives ----------------------------------------------


class Tally(AbstractSession[None]):
    ttl = None

    def __init__(self, bot: discord.Client, start: Any) -> None:
        super().__init__(bot, start)
        self.handled = 0

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("tally", view=self.view(self.button("add", label="add")))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.handled += 1  # the manager acknowledges


async def test_a_replay_after_ten_thousand_other_interactions_is_still_ignored(
    bot: commands.Bot, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    made: list[Tally] = []

    @bot.tree.command(name="tally", description="Tally")
    async def tally(interaction: discord.Interaction[Any]) -> None:
        made.append(Tally(interaction.client, interaction))
        await made[-1].start()

    started = await harness.slash("tally")
    add = controls(harness, started)["add"]["custom_id"]
    first = click_payload(harness, started, add)
    await harness.inject(first)
    for _ in range(10_001):
        await harness.inject(click_payload(harness, started, add), settle=False)
    await harness.settle()
    harness.forget()
    assert made[0].handled == 10_002

    session_clock.advance(14 * 60)  # the first click's token still lives
    await harness.inject(first)
    assert made[0].handled == 10_002, "the replay was not processed"


# -- disabling on expiry works at any age -----------------------------------------------------------------


class LongLived(Panel):
    ttl = 20 * 60


@pytest.fixture
def long_lived(bot: commands.Bot) -> list[LongLived]:
    made: list[LongLived] = []

    @bot.tree.command(name="long", description="A long-lived panel")
    async def long(interaction: discord.Interaction[Any]) -> None:
        made.append(LongLived(interaction.client, interaction))
        await made[-1].start()

    return made


async def test_expiry_after_fifteen_minutes_disables_the_message_with_the_bots_authorization(
    harness: InteractionHarness, long_lived: list[LongLived], session_clock: ManualClock
) -> None:
    started = await harness.slash("long")
    session_clock.advance(20 * 60 + 1)
    await harness.settle()
    session = long_lived[0]
    assert (await session.wait()).code is SessionEndCode.EXPIRED
    assert controls(harness, started)["ok"]["disabled"] is True, "disabled through the channel, not the token"
    assert all(reply.error is None for reply in started.replies), "the expired token was never used"


async def test_a_message_last_updated_by_a_click_is_disabled_after_its_token_died(
    harness: InteractionHarness, long_lived: list[LongLived], session_clock: ManualClock
) -> None:
    started = await harness.slash("long")
    session_clock.advance(60)
    clicked = await harness.click(started, controls(harness, started)["ok"]["custom_id"])
    assert clicked.response.content == "pressed"
    session_clock.advance(20 * 60 + 1)
    await harness.settle()
    assert controls(harness, started)["ok"]["disabled"] is True
    assert harness.message_payload(started)["content"] == "pressed"
    assert all(reply.error is None for reply in clicked.replies + started.replies)


async def test_an_ephemeral_message_past_its_token_is_left_as_it_is(
    bot: commands.Bot, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    made: list[ListPaginationSession[int, None]] = []

    @bot.tree.command(name="private", description="A private list")
    async def private(interaction: discord.Interaction[Any]) -> None:
        made.append(
            ListPaginationSession(interaction.client, interaction, range(30), ephemeral=True, ttl=20 * 60)
        )
        await made[-1].start()

    started = await harness.slash("private")
    session_clock.advance(20 * 60 + 1)
    await harness.settle()
    assert (await made[0].wait()).code is SessionEndCode.EXPIRED
    assert all(reply.error is None for reply in started.replies), "nothing was tried with the dead token"


async def test_a_live_token_still_edits_through_the_interaction(
    harness: InteractionHarness, long_lived: list[LongLived], session_clock: ManualClock
) -> None:
    started = await harness.slash("long")
    session_clock.advance(14 * 60)
    await long_lived[0].edit(content="edited later")
    assert started.replies[-1].kind == "edit_original"
    assert harness.message_payload(started)["content"] == "edited later"
