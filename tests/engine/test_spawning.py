"""Starting sessions from every kind of entry point, through ``spawns_session``.

A user runs a slash command, a hybrid command (as ``/x`` and as ``!x``), a prefix command or presses
a button on a plain message; the command's own parameters still reach the callback, and the session
knows what started it, who the user is and which message is its own.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
import pytest
from support_a import CounterSession, controls

from nyx_sessions import SessionEndCode, SessionExecutionMeta, SessionState, spawns_session

if TYPE_CHECKING:
    from discord.ext import commands

    from nyx_sessions.testing import InteractionHarness

CHANNEL_MESSAGE = 4


async def finish(harness: InteractionHarness, session: CounterSession) -> None:
    """Press ``Done`` on the session's message, as its user."""
    assert session.message is not None
    await harness.click(session.message, controls(harness, session.message)["Done"]["custom_id"])


async def count_once(harness: InteractionHarness, session: CounterSession) -> None:
    """Press ``+1`` while a command still runs: settling would wait for the command, so await the update."""
    assert session.message is not None
    updated = harness.bot.wait_for("session_update", timeout=5)
    await harness.click(session.message, controls(harness, session.message)["+1"]["custom_id"], settle=False)
    updated_session, _interaction, _meta = await updated
    assert updated_session is session
    assert session.count == 1


async def test_a_slash_command_spawns_a_session_with_its_typed_options(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[CounterSession] = []

    @bot.tree.command(name="counter", description="Count things")
    @spawns_session
    async def counter(interaction: discord.Interaction, label: str, start: int) -> CounterSession:
        session = CounterSession(interaction.client, interaction, label=label, count=start)
        started.append(session)
        return session

    used = await harness.slash("counter", {"label": "Apples", "start": 3})

    (session,) = started
    assert used.response is not None
    assert used.response.type == CHANNEL_MESSAGE
    assert used.response.content == "Apples: 3"
    assert session.count == 3  # the int option arrived as an int
    assert session.state is SessionState.RUNNING
    assert session.start_interaction is used.interaction
    assert session.start_context is None
    assert session.user.id == harness.members[0].id
    assert session.message is not None
    assert session.message.id == used.original_id

    clicked = await harness.click(used, controls(harness, used)["+1"]["custom_id"])
    assert clicked.response is not None
    assert clicked.response.content == "Apples: 4"
    await finish(harness, session)
    assert (await session.wait()).result == 4


class DirectAnswerSession(CounterSession):
    """Answers its slash command with the interaction's own response instead of ``respond``."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        assert self.start_interaction is not None
        await self.start_interaction.response.send_message(**self.panel())


async def test_the_manager_records_the_original_response_of_a_session_that_answered_by_itself(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[CounterSession] = []

    @bot.tree.command(name="direct", description="Answer directly")
    @spawns_session
    async def direct(interaction: discord.Interaction) -> CounterSession:
        started.append(DirectAnswerSession(interaction.client, interaction, label="Direct"))
        return started[-1]

    used = await harness.slash("direct")

    (session,) = started
    assert session.message is not None
    assert session.message.id == used.original_id
    await harness.click(session.message, controls(harness, session.message)["+1"]["custom_id"])
    assert harness.message_payload(used)["content"] == "Direct: 1"


@pytest.mark.parametrize("way", ["slash", "prefix"])
async def test_a_hybrid_command_spawns_a_session_as_slash_and_as_prefix_command(
    bot: commands.Bot, harness: InteractionHarness, way: str
) -> None:
    started: list[CounterSession] = []

    @bot.hybrid_command(name="tally", description="Tally things")
    @spawns_session
    async def tally(ctx: commands.Context[Any], label: str, start: int = 0) -> CounterSession:
        session = CounterSession(ctx.bot, ctx, label=label, count=start)
        started.append(session)
        return session

    if way == "slash":
        used = await harness.slash("tally", {"label": "Pears", "start": 5})
        message_id = used.original_id
    else:
        await harness.message("!tally Pears 5")
        used = None
        bot_message = harness.last_message()
        assert bot_message is not None
        message_id = bot_message.id

    (session,) = started
    assert session.start_context is not None
    assert session.user.id == harness.members[0].id
    assert session.message is not None
    assert session.message.id == message_id
    assert harness.message_payload(message_id)["content"] == "Pears: 5"
    assert session.count == 5  # as an int, whether typed as an option or converted from text
    if used is not None:
        assert session.start_interaction is used.interaction
        assert session.start_context.interaction is used.interaction
    else:
        assert session.start_interaction is None
        assert session.start_context.message.content == "!tally Pears 5"

    await finish(harness, session)
    assert (await session.wait()).code is SessionEndCode.SELF_ENDED


async def test_a_prefix_command_spawns_a_session_and_its_converters_still_run(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[CounterSession] = []

    @bot.command(name="gift")
    @spawns_session
    async def gift(ctx: commands.Context[Any], friend: discord.Member, apples: int) -> CounterSession:
        session = CounterSession(ctx.bot, ctx, label=f"Apples for {friend.display_name}", count=apples)
        started.append(session)
        return session

    friend = harness.members[1]
    sent = await harness.message(f"!gift {friend.mention} 12")

    (session,) = started
    bot_message = harness.last_message()
    assert bot_message is not None
    assert bot_message.content == f"Apples for {friend.display_name}: 12"
    assert session.count == 12
    assert session.start_interaction is None
    assert session.start_context is not None
    assert session.start_context.message.id == sent.id
    assert session.user.id == harness.members[0].id
    assert session.message is not None
    assert session.message.id == bot_message.id

    await harness.click(bot_message, controls(harness, bot_message)["+1"]["custom_id"])
    assert harness.message_payload(bot_message)["content"] == f"Apples for {friend.display_name}: 13"


class PlainMenu(discord.ui.View):
    """A plain discord.py view; its button opens a counter session for whoever presses it."""

    def __init__(self, started: list[CounterSession]) -> None:
        super().__init__(timeout=None)
        self.started = started

    @discord.ui.button(label="Open a counter", custom_id="plain-menu:open")
    @spawns_session
    async def open_counter(
        self, interaction: discord.Interaction, button: discord.ui.Button[PlainMenu]
    ) -> CounterSession:
        session = CounterSession(interaction.client, interaction, label=f"{interaction.user.name}'s counter")
        self.started.append(session)
        return session


async def test_a_button_on_a_plain_message_spawns_a_session_for_whoever_presses_it(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[CounterSession] = []

    @bot.command(name="menu")
    async def menu(ctx: commands.Context[Any]) -> None:
        await ctx.send("Pick a tool", view=PlainMenu(started))

    await harness.message("!menu")
    menu_message = harness.last_message()
    assert menu_message is not None

    presser = harness.members[1]
    pressed = await harness.click(menu_message, "plain-menu:open", user=presser)

    (session,) = started
    assert pressed.response is not None
    assert pressed.response.content == f"{presser.name}'s counter: 0"
    assert session.start_interaction is pressed.interaction
    assert session.start_context is None
    assert session.user.id == presser.id
    assert session.message is not None
    assert session.message.id == pressed.original_id != menu_message.id

    clicked = await harness.click(
        session.message, controls(harness, session.message)["+1"]["custom_id"], user=presser
    )
    assert clicked.response is not None
    assert clicked.response.content == f"{presser.name}'s counter: 1"


async def test_spawns_session_with_wait_keeps_the_slash_command_running_until_the_session_ends(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    completed: list[SessionState] = []

    @bot.tree.command(name="quiz", description="A quiz")
    @spawns_session(wait=True)
    async def quiz(interaction: discord.Interaction) -> CounterSession:
        return CounterSession(interaction.client, interaction, label="Quiz")

    async def on_app_command_completion(interaction: discord.Interaction, command: Any) -> None:
        completed.append(session.state)

    bot.add_listener(on_app_command_completion)
    starting = bot.wait_for("session_start", timeout=5)
    await harness.slash("quiz", settle=False)
    session, _meta = await starting

    assert session.state is SessionState.RUNNING
    await count_once(harness, session)
    assert completed == []  # the command is still waiting for the session

    await finish(harness, session)
    assert completed == [SessionState.ENDED]


async def test_spawns_session_with_wait_keeps_a_prefix_command_running_until_the_session_ends(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    after_invoke: list[int | None] = []

    @bot.command(name="survey")
    @spawns_session(wait=True)
    async def survey(ctx: commands.Context[Any]) -> CounterSession:
        return CounterSession(ctx.bot, ctx, label="Survey")

    @survey.after_invoke
    async def report(ctx: commands.Context[Any]) -> None:
        after_invoke.append(session.result)

    starting = bot.wait_for("session_start", timeout=5)
    await harness.message("!survey", settle=False)  # returns once sent; the command waits for the session
    session, _meta = await starting

    await count_once(harness, session)
    assert after_invoke == [], "the command is still waiting for its session"

    await finish(harness, session)
    assert after_invoke == [1]
