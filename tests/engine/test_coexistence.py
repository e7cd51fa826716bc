"""The extension lives beside everything else a bot already does with interactions.

Plain views, dynamic items, modals and other cogs' ``on_interaction`` listeners keep working; custom
ids that are not ours get no answer from us; session components never land in discord.py's
ViewStore; and every interaction we route gets exactly one initial response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands
from support_a import CounterSession, LayoutCounterSession, action_of, controls, stored_custom_ids

from nyx_sessions import AbstractSession, SessionExecutionMeta, get_session_manager
from nyx_sessions.execution import DENIED_NOTICE, ERROR_NOTICE, EXPIRED_NOTICE

if TYPE_CHECKING:
    import re
    from collections.abc import Mapping

    from nyx_sessions.testing import InteractionHarness

DEFERRED_UPDATE, UPDATE_MESSAGE = 6, 7


class VoteView(discord.ui.View):
    """An ordinary discord.py view with a callback."""

    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.votes = 0

    @discord.ui.button(label="Vote", custom_id="poll:vote")
    async def vote(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        self.votes += 1
        await interaction.response.edit_message(content=f"Votes: {self.votes}")


class LikeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"like:(?P<post>[0-9]+)"):
    """A discord.py dynamic item: its state (the post) lives in the custom id."""

    def __init__(self, post: int) -> None:
        super().__init__(discord.ui.Button(label="Like", custom_id=f"like:{post}"))
        self.post = post

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LikeButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"You liked post {self.post}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """An ordinary discord.py modal."""

    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Your feedback", custom_id="text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks for: {self.text.value}", ephemeral=True)


class GreeterCog(commands.Cog):
    """Another cog that handles its own ``greet:`` buttons in an ``on_interaction`` listener."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        custom_id = data.get("custom_id")
        if not isinstance(custom_id, str):
            return
        self.seen.append(custom_id)
        if custom_id.startswith("greet:"):
            await interaction.response.send_message(f"Hello from the greeter, {interaction.user.name}!")


def components_only(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view that only carries components: stopped, so discord.py keeps nothing to dispatch."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


async def start_counter(bot: commands.Bot, harness: InteractionHarness) -> CounterSession:
    """Type ``!counter`` and return the session it started."""
    started: list[CounterSession] = []

    @bot.command(name="counter")
    async def counter(ctx: commands.Context[Any]) -> None:
        session = CounterSession(ctx.bot, ctx)
        started.append(session)
        await session.start()

    await harness.message("!counter")
    (session,) = started
    return session


async def test_a_plain_view_and_a_session_answer_their_own_clicks_side_by_side(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    poll = VoteView()

    @bot.command(name="poll")
    async def poll_command(ctx: commands.Context[Any]) -> None:
        await ctx.send("Votes: 0", view=poll)

    session = await start_counter(bot, harness)
    counter_message = harness.last_message()
    await harness.message("!poll")
    poll_message = harness.last_message()
    assert counter_message is not None
    assert poll_message is not None

    voted = await harness.click(poll_message, "poll:vote")
    counted = await harness.click(counter_message, controls(harness, counter_message)["+1"]["custom_id"])
    voted_again = await harness.click(poll_message, "poll:vote")

    assert voted.response is not None
    assert voted.response.content == "Votes: 1"
    assert voted_again.response is not None
    assert voted_again.response.content == "Votes: 2"
    assert counted.response is not None
    assert counted.response.content == "Counter: 1"
    assert [harness.initial_responses(i) for i in (voted, counted, voted_again)] == [1, 1, 1]
    assert poll.votes == 2
    assert session.count == 1
    assert voted.interaction is not None
    assert "nyx_sessions_handled" not in voted.interaction.extras


async def test_a_dynamic_item_keeps_working_beside_a_session(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    bot.add_dynamic_items(LikeButton)

    @bot.command(name="post")
    async def post(ctx: commands.Context[Any], number: int) -> None:
        await ctx.send(f"Post #{number}", view=discord.ui.View(timeout=None).add_item(LikeButton(number)))

    session = await start_counter(bot, harness)
    await harness.message("!post 7")
    post_message = harness.last_message()
    assert post_message is not None

    liked = await harness.click(post_message, "like:7", user=1)

    assert liked.response is not None
    assert liked.response.content == "You liked post 7"
    assert liked.response.ephemeral
    assert harness.initial_responses(liked) == 1
    assert session.count == 0


async def test_another_cogs_on_interaction_listener_keeps_working(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    greeter = GreeterCog()
    await bot.add_cog(greeter)

    @bot.command(name="wave")
    async def wave(ctx: commands.Context[Any]) -> None:
        await ctx.send(
            "Wave back!", view=components_only(discord.ui.Button(label="Wave", custom_id="greet:wave"))
        )

    session = await start_counter(bot, harness)
    counter_message = harness.last_message()
    await harness.message("!wave")
    wave_message = harness.last_message()
    assert counter_message is not None
    assert wave_message is not None

    waved = await harness.click(wave_message, "greet:wave")
    counted = await harness.click(counter_message, controls(harness, counter_message)["+1"]["custom_id"])

    assert waved.response is not None
    assert waved.response.content == f"Hello from the greeter, {harness.members[0].name}!"
    assert counted.response is not None
    assert counted.response.content == "Counter: 1"
    assert harness.initial_responses(waved) == harness.initial_responses(counted) == 1
    # The listener sees every interaction, ours included: we never swallow events.
    assert greeter.seen == ["greet:wave", controls(harness, counter_message)["+1"]["custom_id"]]
    assert session.count == 1


async def test_custom_ids_that_are_not_ours_get_no_answer_from_us(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    await start_counter(bot, harness)
    namespace = get_session_manager(bot).codec.namespace
    foreign_ids = ["orphan", namespace, f"{namespace}:look-alike", f"x{namespace}\u0b75abc"]

    @bot.command(name="strangers")
    async def strangers(ctx: commands.Context[Any]) -> None:
        buttons: list[discord.ui.Item[Any]] = [
            discord.ui.Button(label=f"b{n}", custom_id=custom_id) for n, custom_id in enumerate(foreign_ids)
        ]
        menu: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="stranger-select", options=[discord.SelectOption(label="one")]
        )
        await ctx.send("Nobody handles these", view=components_only(*buttons, menu))

    await harness.message("!strangers")
    message = harness.last_message()
    assert message is not None

    used = [await harness.click(message, custom_id) for custom_id in foreign_ids]
    used.append(await harness.select(message, "stranger-select", ["one"]))

    for interaction in used:
        assert interaction.replies == [], f"we answered {interaction.payload['data']['custom_id']!r}"
        assert interaction.interaction is not None
        assert "nyx_sessions_handled" not in interaction.interaction.extras


async def test_a_plain_modal_opened_by_a_slash_command_is_answered_once_by_its_own_callback(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="feedback", description="Tell us")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    opened = await harness.slash("feedback")
    assert opened.modal is not None
    assert opened.modal["title"] == "Feedback"

    submitted = await harness.submit_modal(opened, {"text": "more apples"})

    assert submitted.response is not None
    assert submitted.response.content == "Thanks for: more apples"
    assert harness.initial_responses(submitted) == 1


class FormSession(AbstractSession[str]):
    """Sends a classic view, edits itself into a v2 layout, and opens a modal: every kind of send."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("Fill in the form", view=self.view(self.button("open", label="Open form")))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        name = self.text_input("name", label="Name")
        await interaction.response.send_modal(self.modal("The form", name))

    async def handle_modal(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        layout = self.layout(
            discord.ui.TextDisplay("Thanks!"), discord.ui.ActionRow(self.button("again", label="Again"))
        )
        await self.edit(interaction, view=layout)


async def test_session_components_never_enter_discord_pys_view_store(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[AbstractSession[Any]] = []

    @bot.command(name="form")
    async def form(ctx: commands.Context[Any]) -> None:
        session = FormSession(ctx.bot, ctx)
        started.append(session)
        await session.start()

    @bot.tree.command(name="layout", description="A v2 counter")
    async def layout(interaction: discord.Interaction) -> None:
        session = LayoutCounterSession(interaction.client, interaction)
        started.append(session)
        await session.start()

    @bot.command(name="poll")
    async def poll(ctx: commands.Context[Any]) -> None:
        await ctx.send("Votes: 0", view=VoteView())

    await harness.message("!form")
    form_session = started[0]
    form_message = harness.last_message()
    assert form_message is not None
    opened = await harness.click(form_message, controls(harness, form_message)["Open form"]["custom_id"])
    assert opened.modal is not None
    submitted = await harness.submit_modal(opened, {form_session.component_id("name"): "Ann"})
    assert submitted.response is not None
    assert submitted.response.type == UPDATE_MESSAGE
    assert harness.initial_responses(submitted) == 1
    v2 = await harness.slash("layout")
    await harness.click(v2, controls(harness, v2)["+1"]["custom_id"])
    await harness.message("!poll")

    stored = stored_custom_ids(bot)
    assert "poll:vote" in stored  # the plain view is stored as usual: the check can see the store
    layout_session = started[1]
    assert not [
        custom_id for custom_id in stored if form_session.id in custom_id or layout_session.id in custom_id
    ]


class EveryWaySession(AbstractSession[None]):
    """A button per way a handler can go: it answers, stays silent, raises, or ends the session."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        buttons = (self.button(action, label=action) for action in ("answer", "silent", "boom", "end"))
        await self.respond("Try everything", view=self.view(*buttons))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        action = action_of(self, interaction)
        if action == "answer":
            await interaction.response.send_message("Answered by the handler")
        elif action == "boom":
            raise RuntimeError("the handler broke")
        elif action == "end":
            await self.end("the user ended it")


async def test_every_routed_interaction_gets_exactly_one_initial_response(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[EveryWaySession] = []

    @bot.command(name="everything")
    async def everything(ctx: commands.Context[Any]) -> None:
        session = EveryWaySession(ctx.bot, ctx)
        started.append(session)
        await session.start()

    await harness.message("!everything")
    message = harness.last_message()
    assert message is not None
    ids = {label: component["custom_id"] for label, component in controls(harness, message).items()}

    answered = await harness.click(message, ids["answer"])
    silent = await harness.click(message, ids["silent"])
    with harness.expect_errors(Exception):
        failed = await harness.click(message, ids["boom"])
    stranger = await harness.click(message, ids["answer"], user=1)
    ended = await harness.click(message, ids["end"])
    too_late = await harness.click(message, ids["answer"])

    outcomes = {
        "answered": answered,
        "silent": silent,
        "failed": failed,
        "stranger": stranger,
        "ended": ended,
        "too_late": too_late,
    }
    assert {name: harness.initial_responses(i) for name, i in outcomes.items()} == dict.fromkeys(outcomes, 1)
    assert answered.response is not None
    assert answered.response.content == "Answered by the handler"
    assert silent.response is not None
    assert silent.response.type == DEFERRED_UPDATE
    assert ended.response is not None
    assert ended.response.type == DEFERRED_UPDATE
    assert failed.ephemeral_texts == [ERROR_NOTICE]
    assert stranger.ephemeral_texts == [DENIED_NOTICE]
    assert EXPIRED_NOTICE in too_late.ephemeral_texts
    assert started[0].end_data is not None
