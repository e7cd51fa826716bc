"""The fake Discord behaves like the server: one response per interaction, visible vs ephemeral."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from nyx_sessions.testing import Injected, InteractionHarness

if TYPE_CHECKING:
    from pathlib import Path


class Router(commands.Cog):
    """Answers components by custom id from one ``on_interaction`` listener, as the engine does."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        custom_id = (interaction.data or {}).get("custom_id", "")
        if not custom_id.startswith("demo:"):
            return
        self.seen.append(custom_id)
        if custom_id == "demo:open":
            await interaction.response.send_message("panel", view=DemoPanel())
        elif custom_id == "demo:hello":
            await interaction.response.send_message("hello, only you see this", ephemeral=True)
            await interaction.followup.send("and a visible followup")
        elif custom_id == "demo:rename":
            modal = discord.ui.Modal(title="Rename", custom_id="demo:renamed")
            modal.add_item(discord.ui.TextInput(label="Name", custom_id="demo:name"))
            await interaction.response.send_modal(modal)
        elif custom_id == "demo:renamed":
            name = interaction.data["components"][0]["components"][0]["value"]  # type: ignore[index,typeddict-item]
            await interaction.response.edit_message(content=f"panel of {name}")


class DemoPanel(discord.ui.View):
    """Only components: the router answers them (the buttons have no callbacks of their own)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)
        for action in ("hello", "rename"):
            self.add_item(discord.ui.Button(label=action, custom_id=f"demo:{action}"))


@pytest.fixture
async def router(bot: commands.Bot) -> Router:
    cog = Router()
    await bot.add_cog(cog)
    return cog


async def test_a_listener_routes_components_and_modals(router: Router, harness: InteractionHarness) -> None:
    opener = await harness.channel.send(
        "start", view=discord.ui.View().add_item(discord.ui.Button(label="open", custom_id="demo:open"))
    )

    opened = await harness.click(opener, "demo:open")
    greeted = await harness.click(opened, "demo:hello")
    asked = await harness.click(opened, "demo:rename")
    renamed = await harness.submit_modal(asked, {"demo:name": "Ann"})

    assert router.seen == ["demo:open", "demo:hello", "demo:rename", "demo:renamed"]
    assert greeted.ephemeral_texts == ["hello, only you see this"]
    assert [reply.content for reply in greeted.followups] == ["and a visible followup"]
    assert asked.modal is not None
    assert asked.modal["custom_id"] == "demo:renamed"
    assert renamed.response is not None
    assert renamed.response.type == 7
    assert [m["content"] for m in harness.history()] == ["start", "panel of Ann", "and a visible followup"]


async def test_a_second_response_to_one_interaction_is_refused_like_discord(
    router: Router, harness: InteractionHarness
) -> None:
    message = await harness.channel.send("panel", view=DemoPanel())
    payload = harness.build_payload(3, {"custom_id": "demo:hello", "component_type": 2}, message=message)

    first = await harness.inject(payload)
    with pytest.raises(discord.HTTPException) as refused:
        await harness.inject(payload)  # the gateway delivered the same interaction twice

    assert refused.value.code == 40060
    assert harness.initial_responses(first) == 2
    assert first.initial_responses == 2
    assert [reply.error for reply in first.replies if reply.kind == "callback"] == [None, 40060]


async def test_an_unanswered_interaction_is_visible(harness: InteractionHarness) -> None:
    message = await harness.channel.send("panel", view=DemoPanel())

    ignored = await harness.click(message, "demo:hello")

    assert not ignored.acknowledged
    assert ignored.response is None
    assert harness.initial_responses(ignored) == 0


async def test_a_followup_before_the_response_is_refused(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def eager(interaction: discord.Interaction) -> None:
        await interaction.followup.send("too early")

    with pytest.raises(discord.app_commands.CommandInvokeError) as refused:
        await harness.slash("eager")

    assert isinstance(refused.value.original, discord.NotFound)
    assert refused.value.original.code == 10015


async def test_rest_edits_of_the_bots_messages_show_in_history_and_events(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    edited: list[str] = []

    async def on_message_edit(before: discord.Message, after: discord.Message) -> None:
        edited.append(after.content)

    bot.add_listener(on_message_edit)
    message = await harness.channel.send("draft")

    await message.edit(content="final")
    await harness.settle()

    assert edited == ["final"]
    assert [m["content"] for m in harness.history()] == ["final"]
    assert harness.last_message() is not None
    assert harness.last_message().content == "final"


async def test_the_bot_cannot_edit_a_users_message(harness: InteractionHarness) -> None:
    said = await harness.message("hello")

    with pytest.raises(discord.Forbidden):
        await said.edit(content="hijacked")


async def test_sent_messages_keep_their_components_for_dpytest(harness: InteractionHarness) -> None:
    await harness.channel.send("panel", view=DemoPanel())

    queued = dpytest.get_message()

    assert queued.content == "panel"
    assert [child.custom_id for child in queued.components[0].children] == ["demo:hello", "demo:rename"]  # type: ignore[union-attr]


async def test_uploads_are_kept_as_attachments(
    bot: commands.Bot, harness: InteractionHarness, tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("all good")

    @bot.tree.command()
    async def upload(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("attached", file=discord.File(report))

    await harness.channel.send("by REST", file=discord.File(report))
    assert dpytest.verify().message().content("by REST").attachment(report)

    used = await harness.slash("upload")
    assert used.response is not None
    assert used.response.files == ["report.txt"]
    assert used.response.content == "attached"
    assert [a["filename"] for a in harness.message_payload(used)["attachments"]] == ["report.txt"]


async def test_delete_after_timers_are_not_waited_for(bot: commands.Bot, harness: InteractionHarness) -> None:
    @bot.tree.command()
    async def fleeting(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("gone in a minute", delete_after=60)

    used = await harness.slash("fleeting")

    assert used.response is not None
    assert [m["content"] for m in harness.history()] == ["gone in a minute"]


async def test_settle_waits_for_nothing_named_as_background_work(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    started: list[asyncio.Task[None]] = []

    @bot.tree.command()
    async def remind(interaction: discord.Interaction) -> None:
        started.append(asyncio.create_task(asyncio.sleep(3600), name="nyx-sessions:background:reminder"))
        await interaction.response.send_message("I will remind you")

    try:
        used = await harness.slash("remind")
        assert used.acknowledged
    finally:
        started[0].cancel()


async def test_settle_names_the_tasks_it_gave_up_on(bot: commands.Bot, harness: InteractionHarness) -> None:
    started: list[asyncio.Task[None]] = []

    @bot.tree.command()
    async def stuck(interaction: discord.Interaction) -> None:
        started.append(asyncio.create_task(asyncio.Event().wait(), name="forever"))
        await interaction.response.send_message("started")

    try:
        await harness.slash("stuck", settle=False)
        with pytest.raises(TimeoutError, match=r"'forever' running Event\.wait"):
            await harness.settle(timeout=0.05)
    finally:
        started[0].cancel()


async def test_forgotten_interactions_keep_their_records_but_refuse_late_replies(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    interactions: list[discord.Interaction] = []

    @bot.tree.command()
    async def slow(interaction: discord.Interaction) -> None:
        interactions.append(interaction)
        await interaction.response.defer(ephemeral=True)

    used = await harness.slash("slow")
    harness.forget()

    with pytest.raises(discord.NotFound):
        await interactions[0].followup.send("too late")
    assert [reply.kind for reply in used.replies] == ["callback"]


async def test_an_error_in_a_listener_fails_the_test(bot: commands.Bot, harness: InteractionHarness) -> None:
    async def on_interaction(interaction: discord.Interaction) -> None:
        raise LookupError("listener broke")

    bot.add_listener(on_interaction)
    message = await harness.channel.send("panel", view=DemoPanel())

    with pytest.raises(LookupError, match="listener broke"):
        await harness.click(message, "demo:hello")


async def test_without_raise_errors_errors_are_only_logged(
    bot: commands.Bot, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(discord.ui.View):
        @discord.ui.button(label="boom", custom_id="broken:boom")
        async def boom(self, interaction: discord.Interaction, button: discord.ui.Button[Broken]) -> None:
            raise LookupError("logged, not raised")

    async with InteractionHarness(bot, raise_errors=False) as quiet:
        message = await quiet.channel.send("careful", view=Broken())
        with caplog.at_level(logging.ERROR):
            clicked = await quiet.click(message, "broken:boom")

    assert not clicked.acknowledged
    assert "logged, not raised" in caplog.text


async def test_only_one_harness_at_a_time(bot: commands.Bot, harness: InteractionHarness) -> None:
    with pytest.raises(RuntimeError, match="another InteractionHarness is installed"):
        InteractionHarness(bot).install()
    with pytest.raises(RuntimeError, match="installed already"):
        harness.install()


async def test_a_counter_survives_ten_thousand_clicks(harness: InteractionHarness) -> None:
    class Counter(discord.ui.View):
        count = 0

        @discord.ui.button(label="+1", custom_id="counter:inc")
        async def increment(
            self, interaction: discord.Interaction, button: discord.ui.Button[Counter]
        ) -> None:
            self.count += 1
            await interaction.response.edit_message(content=f"count: {self.count}", view=self)

    message = await harness.channel.send("count: 0", view=Counter())
    last: Injected | None = None

    for click in range(1, 10_001):
        last = await harness.click(message, "counter:inc")
        if click % 500 == 0:
            harness.forget()

    assert last is not None
    assert last.response is not None
    assert last.response.content == "count: 10000"
    assert harness.message_payload(message)["content"] == "count: 10000"
