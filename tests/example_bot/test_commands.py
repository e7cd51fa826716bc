"""The example bot's commands, used as a server member would, through dpytest and the testing kit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from example_helpers import component, components, custom_id, embed, fields, texts, walk

from example_bot.db import GuildSettings, TicketCategory
from nyx_sessions import SessionEndCode, get_session_manager

if TYPE_CHECKING:
    import pytest

    from example_bot.bot import ExampleBot
    from nyx_sessions import AbstractSession
    from nyx_sessions.storage import ManualClock
    from nyx_sessions.testing import InteractionHarness


def only_session(bot: ExampleBot, kind: str) -> AbstractSession[Any]:
    """The one running session, of class ``kind`` (by name: unloading an extension purges its module)."""
    (session,) = get_session_manager(bot).sessions.values()
    assert type(session).__name__ == kind
    return session


async def test_moderations_page_through_and_filter_by_type(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    started = await harness.slash("moderations")
    shown = texts(harness, started)
    assert shown[0] == "## Moderations · All types" and shown[-1] == "-# Page 1/5 · 22 moderations"
    assert len([text for text in shown if text.startswith("`#")]) == 5, "five cases, a section each"

    await harness.click(started, custom_id(harness, started, "▶"))
    assert texts(harness, started)[-1] == "-# Page 2/5 · 22 moderations"

    await harness.select(started, custom_id(harness, started, "All types"), ["warn"])
    shown = texts(harness, started)
    assert shown[0] == "## Moderations · ⚠️ Warning"
    assert shown[-1] == "-# Page 1/2 · 9 moderations"  # the filter starts again from page 1
    assert not any("Mute" in text for text in shown)


async def test_details_opens_the_case_in_the_lists_place_and_revoke_hands_the_decision_back(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    started = await harness.slash("moderations", {"type": "ban"})
    payload = harness.message_payload(started)
    assert payload["flags"] & (1 << 15), "a components v2 layout"
    sections = [found for found in walk(payload["components"]) if found["type"] == 9]
    assert [section["accessory"]["label"] for section in sections] == ["Details"] * 3
    second = sections[1]
    number = second["components"][0]["content"].split("`")[1]  # "#12"

    await harness.click(started, second["accessory"]["custom_id"])
    shown = texts(harness, started)
    assert shown[0] == f"## Case {number} · 🔨 Ban" and "**Reason:**" in shown[1], "the case, in place"
    assert [found["label"] for found in components(harness, started)] == ["Revoke", "Back to the list"]
    refused = await harness.click(started, label="Revoke", user=1)
    assert refused.ephemeral_texts, "the case belongs to who ran the command, as the list does"

    await harness.click(started, label="Revoke")
    shown = texts(harness, started)
    assert shown[0] == "## Moderations · 🔨 Ban", "the list has its message back"
    assert shown[-2:] == ["-# Page 1/1 · 2 moderations", f"-# Case {number} revoked."]
    assert not any(number in line for line in shown[1:-2]), "the revoked case is gone from the page"
    assert len(get_session_manager(bot).sessions) == 1, "the case review ended; the list runs on"


async def test_a_case_left_open_over_a_restart_goes_back_to_its_list(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    started = await harness.slash("moderations", {"type": "kick"})
    first = next(
        found for found in walk(harness.message_payload(started)["components"]) if found["type"] == 9
    )
    await harness.click(started, first["accessory"]["custom_id"])
    await harness.restart()  # both are durable: the list waits in the store for its case review

    await harness.click(started, label="Back to the list")
    shown = texts(harness, started)
    assert shown[0] == "## Moderations · 👢 Kick" and shown[-1] == "-# Page 1/1 · 4 moderations"
    sessions = get_session_manager(bot).sessions.values()
    assert [type(session).__name__ for session in sessions] == ["ModerationsSession"]


async def test_moderations_take_the_type_as_an_option_or_an_argument(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    as_slash = await harness.slash("moderations", {"type": "kick"})
    assert texts(harness, as_slash)[-1] == "-# Page 1/1 · 4 moderations"

    await harness.message("!moderations ban")
    as_prefix = harness.last_message()
    assert as_prefix is not None
    assert texts(harness, as_prefix)[0] == "## Moderations · 🔨 Ban"
    assert component(harness, as_prefix, "🔨 Ban")["options"][-1]["default"]


async def test_a_prefix_moderations_refuses_a_type_that_is_not_one(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    """The slash option offers the four types only; the prefix form answers anything else."""
    await harness.message("!moderations nope")

    answer = harness.last_message()
    assert answer is not None and answer.author == bot.user
    assert answer.content == (
        "There is no moderation type `nope`: use one of `warn`, `mute`, `kick`, `ban`, or none for every type."
    )
    assert not get_session_manager(bot).sessions, "no list of every type in its place"


async def test_only_the_member_who_ran_a_command_can_use_its_session(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    await harness.message("!moderations", user=0)
    message = harness.last_message()
    assert message is not None

    refused = await harness.click(message, custom_id(harness, message, "▶"), user=1)

    assert refused.ephemeral_texts == ["This isn't yours to use. Run the command yourself to get your own."]
    assert texts(harness, message)[-1] == "-# Page 1/5 · 22 moderations"


async def test_the_ticket_wizard_creates_a_category_step_by_step(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    started = await harness.slash("ticket-setup")
    wizard = only_session(bot, "TicketWizard")
    assert embed(harness, started).title == "New ticket category · step 1 of 4: name"

    opened = await harness.click(started, custom_id(harness, started, "Set name…"))
    await harness.submit_modal(opened, {"name": "Billing", "description": "Invoices and refunds"})
    assert embed(harness, started).title == "New ticket category · step 2 of 4: channel"

    support = next(channel for channel in harness.guild.text_channels if channel.name == "support")
    await harness.select(started, custom_id(harness, started, "Pick a channel"), [support])
    await harness.select(started, custom_id(harness, started, "Normal"), ["high"])
    assert embed(harness, started).title == "New ticket category · step 4 of 4: confirm"

    await harness.click(started, custom_id(harness, started, "Create category"))

    expected = TicketCategory("Billing", "Invoices and refunds", support.id, "high")
    assert (await wizard.wait()).result == expected
    assert embed(harness, started).title == "Ticket category created"
    assert harness.message_payload(started)["components"] == []
    assert await bot.db.ticket_categories(harness.guild.id) == [expected]


async def test_the_wizard_refuses_a_category_name_already_taken(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    await bot.db.add_ticket_category(harness.guild.id, TicketCategory("Billing", "", 1, "low"), created_by=1)
    started = await harness.slash("ticket-setup")
    opened = await harness.click(started, custom_id(harness, started, "Set name…"))
    await harness.submit_modal(opened, {"name": "billing"})
    await harness.select(started, custom_id(harness, started, "Pick a channel"), [harness.channel])
    await harness.click(started, custom_id(harness, started, "▶"))

    refused = await harness.click(started, custom_id(harness, started, "Create category"))

    assert refused.ephemeral_texts == [
        "There already is a category named **billing**: go back and rename it."
    ]
    assert len(get_session_manager(bot).sessions) == 1  # the wizard is still open to fix the name
    assert len(await bot.db.ticket_categories(harness.guild.id)) == 1


async def test_the_settings_panel_saves_what_its_buttons_selects_and_modal_changed(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    await harness.message("!settings")
    panel = harness.last_message()
    assert panel is not None
    session = only_session(bot, "SettingsSession")

    await harness.click(panel, custom_id(harness, panel, "Welcome messages: on"))
    await harness.select(panel, custom_id(harness, panel, "Pick a log channel"), [harness.channel])
    await harness.select(panel, custom_id(harness, panel, "English"), ["de"])
    opened = await harness.click(panel, custom_id(harness, panel, "Edit welcome message"))
    await harness.submit_modal(opened, {"message": "Willkommen, {user}!"})
    assert embed(harness, panel).footer.text == "Unsaved changes: press Save."
    assert await bot.db.settings(harness.guild.id) == GuildSettings()  # nothing saved yet

    await harness.click(panel, custom_id(harness, panel, "Save"))
    await harness.click(panel, custom_id(harness, panel, "Close"))

    saved = GuildSettings(
        welcome_enabled=False,
        log_channel_id=harness.channel.id,
        language="de",
        welcome_message="Willkommen, {user}!",
    )
    assert await bot.db.settings(harness.guild.id) == saved
    assert (await session.wait()).result == saved
    assert fields(harness, panel)["Language"] == "Deutsch"
    assert harness.message_payload(panel)["components"] == []


async def test_the_open_panel_button_gives_each_member_a_private_panel(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    slash = await harness.slash("panel")
    assert slash.ephemeral_texts == ["Posted."]
    panel = harness.last_message()
    assert panel is not None and panel.content == "**Server settings** are one click away."

    alice = await harness.click(panel, label="Open panel (0 opened)", user=0)
    bob = await harness.click(panel, label="Open panel (1 opened)", user=1)  # anyone may press it

    for pressed in (alice, bob):
        assert pressed.response is not None
        assert pressed.response.ephemeral
        assert pressed.response.embeds[0]["title"] == "Server settings"
    owners = sorted(
        session.user.name
        for session in get_session_manager(bot).sessions.values()
        if type(session).__name__ == "SettingsSession"
    )
    assert owners == ["alice", "bob"]


async def test_sessions_expire_when_left_alone_and_their_buttons_are_disabled(
    bot: ExampleBot, harness: InteractionHarness, clock: ManualClock
) -> None:
    started = await harness.slash("moderations")
    session = only_session(bot, "ModerationsSession")

    clock.advance(170)
    await harness.click(started, custom_id(harness, started, "▶"))  # using it keeps it alive
    clock.advance(170)
    await harness.settle()
    assert not session.end_data

    clock.advance(11)
    await harness.settle()

    assert (await session.wait()).code is SessionEndCode.EXPIRED
    assert all(found.get("disabled") for found in components(harness, started))


async def test_the_session_log_records_every_start_and_end(
    bot: ExampleBot, harness: InteractionHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="example_bot")
    await harness.message("!settings")
    panel = harness.last_message()
    assert panel is not None

    await harness.click(panel, custom_id(harness, panel, "Close"))

    logged = [
        record.getMessage() for record in caplog.records if record.name == "example_bot.cogs.session_log"
    ]
    assert logged[0].startswith("SettingsSession started by alice (session ")
    assert logged[1] == "SettingsSession of alice ended: closed by its user [SELF_ENDED]"
