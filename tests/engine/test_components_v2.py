"""Components v2: a session whose message is a ``LayoutView`` works like one with classic rows.

The counter's layout is a container holding a heading, a section whose accessory is ``Done``, a
row with ``+1`` and a link button, and a row with an ``Add many`` select.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from support_a import (  # the fixture_* imports provide the bot_extensions, clock and manager fixtures
    COMPONENTS_V2,
    TTL,
    LayoutCounterSession,
    controls,
    fixture_bot_extensions,
    fixture_clock,
    fixture_manager,
    stored_custom_ids,
    text_displays,
)

from nyx_sessions import SessionEndCode, SessionManager, SessionState
from nyx_sessions.execution import EXPIRED_NOTICE

if TYPE_CHECKING:
    import discord
    from discord.ext import commands

    from nyx_sessions.storage import ManualClock
    from nyx_sessions.testing import Injected, InteractionHarness

UPDATE_MESSAGE = 7
SESSION_CONTROLS = {"Done", "+1", "Add many"}


class ForgetfulLayoutCounter(LayoutCounterSession):
    """A v2 counter that leaves its components as they are when it expires."""

    disable_on_expire = False


@pytest.fixture
def layouts(bot: commands.Bot, manager: SessionManager) -> list[LayoutCounterSession]:
    """Register ``/layout`` (a v2 counter, ``forgetful`` to keep its components on expiry)."""
    started: list[LayoutCounterSession] = []

    @bot.tree.command(name="layout", description="A v2 counter")
    async def layout(interaction: discord.Interaction, forgetful: bool = False) -> None:
        kind = ForgetfulLayoutCounter if forgetful else LayoutCounterSession
        started.append(kind(interaction.client, interaction))
        await started[-1].start()

    return started


def enabled(harness: InteractionHarness, message: Any) -> set[str]:
    return {name for name, control in controls(harness, message).items() if not control.get("disabled")}


async def test_clicks_and_selects_in_a_layout_reach_the_session(
    bot: commands.Bot, harness: InteractionHarness, layouts: list[LayoutCounterSession]
) -> None:
    opened = await harness.slash("layout")
    (session,) = layouts

    assert opened.response is not None
    assert opened.response.flags & COMPONENTS_V2
    assert text_displays(harness, opened) == ["## Counter: 0", "Finished counting?"]
    assert session.message is not None
    assert session.message.id == opened.original_id
    assert enabled(harness, opened) == SESSION_CONTROLS | {"Help"}

    counted = await harness.click(opened, controls(harness, opened)["+1"]["custom_id"])
    assert counted.response is not None
    assert counted.response.type == UPDATE_MESSAGE
    assert text_displays(harness, opened)[0] == "## Counter: 1"

    picked = await harness.select(opened, controls(harness, opened)["Add many"]["custom_id"], ["10"])
    assert picked.response is not None
    assert picked.response.type == UPDATE_MESSAGE
    assert text_displays(harness, opened)[0] == "## Counter: 11"
    assert harness.message_payload(opened)["flags"] & COMPONENTS_V2

    done = await harness.click(
        opened, controls(harness, opened)["Done"]["custom_id"]
    )  # the section's accessory
    assert done.response is not None
    assert done.response.content == "Counter finished at 11"
    assert (await session.wait()).result == 11
    assert not [custom_id for custom_id in stored_custom_ids(bot) if session.id in custom_id]


async def test_expiry_disables_every_session_control_of_a_layout_in_place(
    bot: commands.Bot, harness: InteractionHarness, clock: ManualClock, layouts: list[LayoutCounterSession]
) -> None:
    opened = await harness.slash("layout")
    await harness.click(opened, controls(harness, opened)["+1"]["custom_id"])
    (session,) = layouts

    clock.advance(TTL + 1)
    await harness.settle()

    assert session.state is SessionState.ENDED
    assert (await session.wait()).code is SessionEndCode.EXPIRED
    assert enabled(harness, opened) == {"Help"}  # a link button sends no interaction: it stays usable
    assert text_displays(harness, opened) == ["## Counter: 1", "Finished counting?"]
    assert harness.message_payload(opened)["flags"] & COMPONENTS_V2


async def click_after_expiry(
    harness: InteractionHarness, clock: ManualClock, opened: Injected, label: str
) -> Any:
    clock.advance(TTL + 1)
    await harness.settle()
    assert enabled(harness, opened) == SESSION_CONTROLS | {"Help"}  # this session left them as they were
    return await harness.click(opened, controls(harness, opened)[label]["custom_id"])


@pytest.mark.parametrize("label", ["+1", "Done"], ids=["row button", "section accessory"])
async def test_a_click_on_an_expired_layout_disables_it_and_tells_the_user(
    bot: commands.Bot,
    harness: InteractionHarness,
    clock: ManualClock,
    layouts: list[LayoutCounterSession],
    label: str,
) -> None:
    opened = await harness.slash("layout", {"forgetful": True})
    (session,) = layouts

    late = await click_after_expiry(harness, clock, opened, label)

    assert session.end_calls == [SessionEndCode.EXPIRED]
    assert harness.initial_responses(late) == 1
    assert late.response is not None
    assert late.response.type == UPDATE_MESSAGE
    assert late.ephemeral_texts == [EXPIRED_NOTICE]
    assert enabled(harness, opened) == {"Help"}
    assert text_displays(harness, opened) == ["## Counter: 0", "Finished counting?"]
    assert harness.message_payload(opened)["flags"] & COMPONENTS_V2
