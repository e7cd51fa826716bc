"""Answering in time (API §3): Discord drops an interaction left unanswered for 3 seconds.

The bot and the fake Discord share one ManualClock (the plugin's ``session_clock`` fixture), so the
fake refuses an initial response later than 3 s after the injection exactly as Discord does, and the
tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    AutoDeferredError,
    ListPaginationSession,
    SessionExecutionMeta,
    get_session_manager,
)
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import Injected, InteractionHarness

DEFERRED_UPDATE, DEFERRED_MESSAGE, UPDATE_MESSAGE, CHANNEL_MESSAGE = 6, 5, 7, 4


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


async def spin(times: int = 20) -> None:
    """Let every ready task run a few steps: an injected click reaches the manager."""
    for _ in range(times):
        await asyncio.sleep(0)


class SlowPanel(AbstractSession[None]):
    """Each button waits for ``gate`` (a slow database call), then answers as its token says."""

    def __init__(self, bot: discord.Client, start: Any, **kwargs: Any) -> None:
        super().__init__(bot, start, **kwargs)
        self.gate = asyncio.Event()
        self.start_gate: asyncio.Event | None = None
        self.started: list[str] = []
        self.errors: list[BaseException] = []

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        if self.start_gate is not None:
            await self.start_gate.wait()
        actions = ("edit", "send", "helper", "modal", "defer", "quiet")
        await self.respond("panel", view=self.view(*(self.button(a, label=a) for a in actions)))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        action = self.tokens(interaction).get()
        self.started.append(action)
        await self.gate.wait()
        if action == "edit":
            await interaction.response.edit_message(content="saved")
        elif action == "send":
            await interaction.response.send_message("saved privately", ephemeral=True)
        elif action == "helper":
            await self.edit(interaction, content="saved by the helper")
        elif action == "modal":
            try:
                await interaction.response.send_modal(self.modal("Name", discord.ui.TextInput(label="Name")))
            except AutoDeferredError as error:
                self.errors.append(error)
                raise
        elif action == "defer":
            await interaction.response.defer()
            await interaction.edit_original_response(content="deferred myself")


class UnguardedPanel(SlowPanel):
    auto_defer = None


@pytest.fixture
def update_errors(bot: commands.Bot) -> list[BaseException]:
    """Every error the update error handler receives."""
    errors: list[BaseException] = []
    handler = get_session_manager(bot).executor.update_error_handler
    handler.set_consumer(Exception, lambda error, *args: errors.append(error))
    return errors


@pytest.fixture
def open_panel(bot: commands.Bot, harness: InteractionHarness) -> Callable[..., Any]:
    """Run ``/panel`` and return (session, what the slash command got)."""
    made: list[SlowPanel] = []
    options: dict[str, Any] = {}

    @bot.tree.command(name="panel", description="A slow panel")
    async def panel(interaction: discord.Interaction[Any]) -> None:
        session = options["cls"](interaction.client, interaction)
        session.start_gate = options["start_gate"]
        made.append(session)
        await session.start()

    async def run(
        *, settle: bool = True, start_gate: asyncio.Event | None = None, cls: type[SlowPanel] = SlowPanel
    ) -> tuple[SlowPanel, Injected]:
        options.update(start_gate=start_gate, cls=cls)
        started = await harness.slash("panel", settle=settle)
        await harness.wait_until(lambda: made, what="the session was made")
        return made.pop(), started

    return run


def button(harness: InteractionHarness, message: Any, label: str) -> str:
    for row in harness.message_payload(message)["components"]:
        for child in row["components"]:
            if child.get("label") == label:
                return str(child["custom_id"])
    raise AssertionError(f"no {label!r} button")


async def test_a_handler_slower_than_three_seconds_is_deferred_and_its_own_answer_still_lands(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    session, started = await open_panel()
    clicked = await harness.click(started, button(harness, started, "edit"), settle=False)
    await harness.wait_until(lambda: session.started, what="the handler runs")

    session_clock.advance(2.0)
    await harness.wait_until(lambda: clicked.response is not None, what="the manager deferred the click")
    assert clicked.response.type == DEFERRED_UPDATE, "acknowledged before Discord's 3-second deadline"

    session_clock.advance(2.0)  # the database answers at 4 s
    session.gate.set()
    await harness.settle()
    assert harness.initial_responses(clicked) == 1
    assert [reply.kind for reply in clicked.replies] == ["callback", "edit_original"]
    assert harness.message_payload(started)["content"] == "saved", "edit_message went through @original"


async def test_without_the_deferral_a_slow_handler_fails_the_way_discord_does(
    open_panel: Any,
    harness: InteractionHarness,
    session_clock: ManualClock,
    update_errors: list[BaseException],
) -> None:
    session, started = await open_panel(cls=UnguardedPanel)
    clicked = await harness.click(started, button(harness, started, "edit"), settle=False)
    await harness.wait_until(lambda: session.started, what="the handler runs")
    session_clock.advance(4.0)
    session.gate.set()
    await harness.settle()
    assert isinstance(update_errors[0], discord.NotFound) and "Unknown interaction" in str(update_errors[0])
    assert clicked.replies[0].error == 10062, "the fake refuses an initial response after 3 s"
    assert clicked.response is None


async def test_send_message_after_the_deferral_becomes_an_ephemeral_followup(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    session, started = await open_panel()
    clicked = await harness.click(started, button(harness, started, "send"), settle=False)
    await harness.wait_until(lambda: session.started, what="the handler runs")
    session_clock.advance(2.5)
    session.gate.set()
    await harness.settle()
    assert clicked.response.type == DEFERRED_UPDATE
    assert clicked.ephemeral_texts == ["saved privately"]
    assert harness.initial_responses(clicked) == 1


async def test_the_session_edit_helper_works_after_the_deferral(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    session, started = await open_panel()
    clicked = await harness.click(started, button(harness, started, "helper"), settle=False)
    await harness.wait_until(lambda: session.started, what="the handler runs")
    session_clock.advance(2.0)
    await harness.wait_until(lambda: clicked.response is not None, what="deferred")
    session.gate.set()
    await harness.settle()
    assert harness.message_payload(started)["content"] == "saved by the helper"
    assert harness.initial_responses(clicked) == 1


async def test_a_handler_that_defers_itself_after_the_automatic_deferral_just_continues(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    session, started = await open_panel()
    clicked = await harness.click(started, button(harness, started, "defer"), settle=False)
    await harness.wait_until(lambda: session.started, what="the handler runs")
    session_clock.advance(2.5)
    session.gate.set()
    await harness.settle()
    assert harness.initial_responses(clicked) == 1
    assert harness.message_payload(started)["content"] == "deferred myself"


async def test_a_click_queued_behind_a_slow_click_is_deferred_while_it_waits(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    session, started = await open_panel()
    first = await harness.click(started, button(harness, started, "edit"), settle=False)
    await harness.wait_until(lambda: session.started, what="the first handler runs")
    session_clock.advance(1.0)
    second = await harness.click(started, button(harness, started, "helper"), settle=False)
    await spin()  # it arrives, and waits for the first

    session_clock.advance(1.0)  # the first click is 2 s old
    await harness.wait_until(lambda: first.response is not None, what="the first click deferred")
    assert second.response is None and session.started == ["edit"]
    session_clock.advance(1.0)  # the queued click is 2 s old; its handler has not started
    await harness.wait_until(lambda: second.response is not None, what="the queued click deferred")
    assert second.response.type == DEFERRED_UPDATE and session.started == ["edit"]

    session_clock.advance(2.0)
    session.gate.set()
    await harness.settle()
    assert session.started == ["edit", "helper"]
    assert harness.initial_responses(first) == harness.initial_responses(second) == 1
    assert harness.message_payload(started)["content"] == "saved by the helper"


async def test_a_click_during_a_slow_on_start_is_deferred_while_it_waits(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    slow_start = asyncio.Event()
    session, started = await open_panel(settle=False, start_gate=slow_start)
    session_clock.advance(2.0)  # the slash command itself is deferred ("thinking")
    await harness.wait_until(lambda: started.response is not None, what="the start deferred")
    assert started.response.type == DEFERRED_MESSAGE
    slow_start.set()
    await harness.wait_until(lambda: session.message is not None, what="on_start answered")
    message = session.message
    assert message is not None

    session.gate.set()
    clicked = await harness.click(message, button(harness, message, "edit"))
    assert clicked.response.type == UPDATE_MESSAGE


async def test_a_slow_start_is_deferred_with_thinking_and_its_answer_replaces_the_placeholder(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    slow_start = asyncio.Event()
    session, started = await open_panel(settle=False, start_gate=slow_start)
    session_clock.advance(2.0)
    await harness.wait_until(lambda: started.response is not None, what="the start deferred")
    assert started.response.type == DEFERRED_MESSAGE
    session_clock.advance(5.0)
    slow_start.set()
    await harness.settle()

    assert harness.initial_responses(started) == 1
    assert [reply.kind for reply in started.replies] == ["callback", "followup"]
    visible = [m for m in harness.history() if m["content"] == "panel"]
    assert len(visible) == 1 and visible[0]["id"] == started.original_id, "the placeholder became the panel"
    assert session.message is not None and session.message.id == started.original_id

    session.gate.set()
    clicked = await harness.click(started, button(harness, started, "edit"))
    assert clicked.response.type == UPDATE_MESSAGE


async def test_a_modal_after_the_deferral_raises_an_error_that_names_auto_defer(
    open_panel: Any,
    harness: InteractionHarness,
    session_clock: ManualClock,
    update_errors: list[BaseException],
) -> None:
    session, started = await open_panel()
    clicked = await harness.click(started, button(harness, started, "modal"), settle=False)
    await harness.wait_until(lambda: session.started, what="the handler runs")
    session_clock.advance(2.5)
    session.gate.set()
    await harness.settle()
    assert update_errors == session.errors and isinstance(session.errors[0], AutoDeferredError)
    assert "auto_defer" in str(session.errors[0])
    assert isinstance(session.errors[0], discord.InteractionResponded), "old except clauses still match"
    assert "Open modals first" in str(session.errors[0])
    assert clicked.ephemeral_texts == ["Something went wrong while handling that. Please try again."]


async def test_a_modal_opened_first_works_as_before(open_panel: Any, harness: InteractionHarness) -> None:
    session, started = await open_panel()
    session.gate.set()
    clicked = await harness.click(started, button(harness, started, "modal"))
    assert clicked.modal is not None and clicked.modal["title"] == "Name"


async def test_the_deferral_never_races_an_answer_already_on_its_way(
    open_panel: Any, harness: InteractionHarness, session_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The harness's own class: unloading the extension purges nyx_sessions.* from sys.modules, so an
    # import here could give a fresh copy of the module.
    fake_class = type(harness.fake)
    slow_network = asyncio.Event()
    sent = asyncio.Event()
    original = fake_class._callback

    async def slow_callback(self: Any, exchange: Any, body: Any, files: Any) -> Any:
        sent.set()
        await slow_network.wait()
        return await original(self, exchange, body, files)

    session, started = await open_panel()
    monkeypatch.setattr(fake_class, "_callback", slow_callback)
    session.gate.set()
    clicked = await harness.click(started, button(harness, started, "edit"), settle=False)
    await sent.wait()  # edit_message is on its way to Discord
    session_clock.advance(2.5)  # the deadline passes while it travels
    await asyncio.sleep(0)
    slow_network.set()
    await harness.settle()
    assert harness.initial_responses(clicked) == 1, "no second initial response"
    assert clicked.response.type == UPDATE_MESSAGE


class _TooLateInFrench(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: Any
    ) -> str | None:
        if locale is discord.Locale.french and string.extras["key"] == "nyx_sessions.notice.jump_too_late":
            return "Trop tard pour ouvrir le choix de page : appuyez à nouveau."
        return None


@pytest.mark.parametrize(
    ("locale", "notice"),
    [
        ("en-US", "That took too long to open, so the page picker could not appear. Press it again."),
        ("fr", "Trop tard pour ouvrir le choix de page : appuyez à nouveau."),
    ],
)
async def test_a_queued_jump_button_gets_a_notice_instead_of_a_modal(
    bot: commands.Bot, harness: InteractionHarness, session_clock: ManualClock, locale: str, notice: str
) -> None:
    await bot.tree.set_translator(_TooLateInFrench())
    gate = asyncio.Event()

    class SlowFormatting(ListPaginationSession[int, None]):
        async def format_page(self, items: Any) -> str:
            if self.current_page:
                await gate.wait()
            return f"{self.page_label}: {list(items)}"

    @bot.tree.command(name="numbers", description="Numbers")
    async def numbers(interaction: discord.Interaction[Any]) -> None:
        await SlowFormatting(interaction.client, interaction, list(range(50)), per_page=5).start()

    started = await harness.slash("numbers")
    ids = {
        c.get("emoji", {}).get("name") or c.get("label"): c["custom_id"]
        for c in harness.message_payload(started)["components"][0]["components"]
    }
    slow = await harness.click(started, ids["▶"], settle=False)
    await spin()
    jump = await harness.click(started, ids["1/10"], settle=False, locale=locale)
    await spin()  # it waits behind the slow page change
    session_clock.advance(2.5)
    gate.set()
    await harness.settle()
    assert slow.response.type == DEFERRED_UPDATE
    assert jump.response.type == DEFERRED_UPDATE and jump.modal is None
    assert jump.ephemeral_texts == [notice], "in the clicking user's language"
    assert harness.message_payload(started)["content"].startswith("Page 2/10")


async def test_auto_defer_is_checked_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match="auto_defer must be a number of seconds from 0 up to"):

        class TooLate(AbstractSession[None]):
            auto_defer = 3.5

    class Off(AbstractSession[None]):
        auto_defer = None

    assert Off.auto_defer is None and AbstractSession.auto_defer == 2.0


async def test_on_the_real_clock_a_short_auto_defer_fires_in_real_time() -> None:
    from nyx_sessions import SessionCog, SessionManager
    from nyx_sessions.testing import close_test_bot, create_test_bot

    real_bot = await create_test_bot(extensions=())
    await real_bot.add_cog(SessionCog(real_bot, manager=SessionManager(real_bot)))
    try:
        async with InteractionHarness(real_bot) as real:

            class Quick(SlowPanel):
                auto_defer = 0.05

            @real_bot.tree.command(name="quick", description="Quick")
            async def quick(interaction: discord.Interaction[Any]) -> None:
                session = Quick(interaction.client, interaction)
                session.gate.set()
                await session.start()

            started = await real.slash("quick")
            session = next(iter(get_session_manager(real_bot).sessions.values()))
            assert isinstance(session, Quick)
            session.gate.clear()
            clicked = await real.click(started, button(real, started, "edit"), settle=False)
            await asyncio.sleep(0.3)
            assert clicked.response is not None and clicked.response.type == DEFERRED_UPDATE
            session.gate.set()
            await real.settle()
            assert real.message_payload(started)["content"] == "saved"
    finally:
        await close_test_bot(real_bot)


async def test_a_click_that_starts_a_session_gets_a_thinking_deferral_when_its_start_is_slow(
    bot: commands.Bot, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    gate = asyncio.Event()
    made: list[SlowPanel] = []

    class Entry(discord.ui.View):
        def __init__(self) -> None:
            super().__init__(timeout=None)

        @discord.ui.button(label="Open", custom_id="entry:open")
        async def open(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
            made.append(SlowPanel(interaction.client, interaction))
            made[-1].start_gate = gate
            await made[-1].start()

    entry = await harness.channel.send("entry", view=Entry())
    opened = await harness.click(entry, "entry:open", settle=False)
    await harness.wait_until(lambda: made, what="the session starts")
    session_clock.advance(2.0)
    await harness.wait_until(lambda: opened.response is not None, what="the start deferred")
    assert opened.response.type == DEFERRED_MESSAGE, "a new message is on its way"
    session_clock.advance(3.0)
    gate.set()
    await harness.settle()
    assert harness.initial_responses(opened) == 1
    assert made[0].message is not None and made[0].message.content == "panel"
    assert harness.message_payload(entry)["content"] == "entry", "the entry message is untouched"
