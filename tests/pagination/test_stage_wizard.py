"""A bot author builds a sign-up wizard from stages; a user fills it in, goes back, and confirms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
import pytest
from pagination_helpers import all_controls, controls

from nyx_sessions import IllegalSessionStateError, SessionEndCode, modal_values
from nyx_sessions.execution import send_notice
from nyx_sessions.pagination import (
    PageNavigation,
    SessionStage,
    SessionStartStage,
    StagePaginationSession,
)

if TYPE_CHECKING:
    from discord.ext import commands

    from nyx_sessions.sessions.state import SessionExecutionMeta
    from nyx_sessions.testing import InteractionHarness


def _form(stage: SessionStage[Any], title: str, value: object, token: str, label: str) -> dict[str, Any]:
    """A stage message: its question, its answer so far, a button to answer, and the step row."""
    answer = "not given yet" if value is None else value
    session = stage.session
    view = session.view(stage.button(token, label=label, row=0), *session.build_navigation(row=1))
    return {"content": f"{title}: {answer}", "view": view}


class AskName(SessionStartStage[str]):
    """Step 1: a modal; on submit the wizard moves on by itself."""

    def build_message(self) -> dict[str, Any]:
        return _form(self, "Name", self.result, "name", "Enter name")

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Name", custom_id="name")
        await interaction.response.send_modal(self.modal("Your name", field))

    async def handle_modal(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        self.result = modal_values(interaction)["name"]
        return await self.session.switch_to(self.index + 1, interaction, meta)


class AskAge(SessionStage[int]):
    """Step 2: reached from a modal submit, which cannot open a modal: it shows a button that does."""

    def build_message(self) -> dict[str, Any]:
        return _form(self, "Age", self.result, "age", "Enter age")

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Age", custom_id="age", max_length=3)
        await interaction.response.send_modal(self.modal("Your age", field))

    async def handle_modal(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        typed = modal_values(interaction)["age"]
        if not typed.isdigit():
            await send_notice(interaction, "Your age is a whole number, like 42.")
            return
        self.result = int(typed)
        await self.refresh(interaction)


class Confirm(SessionStage[bool]):
    """Step 3: a summary and a confirm button that ends the wizard."""

    def build_message(self) -> dict[str, Any]:
        name, age, _ = self.session.stage_results
        return _form(self, "Create this profile", f"{name}, {age}", "confirm", "Confirm")

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = True
        await interaction.response.edit_message(content="Profile created.", view=None)
        await self.session.end("the user confirmed")


class SignUp(StagePaginationSession[tuple[str, int, bool]]):
    """The subclass form: stages assigned in ``__init__``; hooks recorded for the story."""

    def __init__(self, bot: discord.Client, ctx: commands.Context[Any]) -> None:
        super().__init__(bot, ctx)
        self.stages = [AskName, AskAge, Confirm]


async def open_wizard(
    bot: commands.Bot, harness: InteractionHarness, factory: Any
) -> tuple[Any, discord.Message]:
    started: list[StagePaginationSession[Any]] = []

    @bot.command(name="signup")
    async def signup(ctx: commands.Context[Any]) -> None:
        session = factory(bot, ctx)
        started.append(session)
        await session.start()

    await harness.message("!signup")
    message = harness.last_message()
    assert message is not None
    return started[0], message


def content(harness: InteractionHarness, message: discord.Message) -> str:
    return str(harness.message_payload(message)["content"])


async def test_a_three_step_wizard_with_modals_back_navigation_and_a_result(bot, harness):
    session, message = await open_wizard(bot, harness, SignUp)
    assert content(harness, message) == "Name: not given yet"
    step = controls(harness, message)
    assert (step["prev"].disabled, step["jump"].label, step["jump"].disabled) == (True, "1/3", True)
    assert step["next"].page == 1

    opened = await harness.click(message, step["name"].custom_id)
    assert opened.modal is not None
    assert opened.modal["title"] == "Your name"
    answered = await harness.submit_modal(opened, {"name": "Ada"})

    assert answered.response.type == 7
    assert content(harness, message) == "Age: not given yet"
    opened = await harness.click(message, controls(harness, message)["age"].custom_id)
    refused = await harness.submit_modal(opened, {"age": "old"})
    assert refused.response.ephemeral
    assert refused.response.content == "Your age is a whole number, like 42."
    assert content(harness, message) == "Age: not given yet"
    opened = await harness.click(message, controls(harness, message)["age"].custom_id)
    await harness.submit_modal(opened, {"age": "36"})
    assert content(harness, message) == "Age: 36"

    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert content(harness, message) == "Create this profile: Ada, 36"
    assert controls(harness, message)["next"].disabled

    await harness.click(message, controls(harness, message)["prev"].custom_id)
    assert content(harness, message) == "Age: 36"  # going back keeps the answer
    opened = await harness.click(message, controls(harness, message)["age"].custom_id)
    await harness.submit_modal(opened, {"age": "37"})
    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert content(harness, message) == "Create this profile: Ada, 37"

    await harness.click(message, controls(harness, message)["confirm"].custom_id)

    assert content(harness, message) == "Profile created."
    assert all_controls(harness, message) == []
    ended = await session.wait()
    assert (ended.code, ended.reason, ended.result) == (
        SessionEndCode.SELF_ENDED,
        "the user confirmed",
        ("Ada", 37, True),
    )
    assert session.stage_results == ("Ada", 37, True)


async def test_stages_given_to_the_constructor_and_a_stop_button_that_cancels(bot, harness):
    navigation = PageNavigation(jump=False, first_last="never", stop=True)

    def build(bot: discord.Client, ctx: commands.Context[Any]) -> StagePaginationSession[Any]:
        return StagePaginationSession(bot, ctx, stages=[AskName, AskAge, Confirm], navigation=navigation)

    session, message = await open_wizard(bot, harness, build)
    opened = await harness.click(message, controls(harness, message)["name"].custom_id)
    await harness.submit_modal(opened, {"name": "Grace"})

    await harness.click(message, controls(harness, message)["stop"].custom_id)

    assert all(control.disabled for control in all_controls(harness, message))
    ended = await session.wait()
    assert ended.result == ("Grace", None, None)  # every stage's result, whatever was answered


async def test_an_ephemeral_wizard_from_a_slash_command(bot, harness):
    class Private(SessionStartStage[None]):
        def build_message(self) -> dict[str, Any]:
            return {"content": "Only you can see this step.", "ephemeral": True}

    class Second(SessionStage[None]):
        def build_message(self) -> str:
            return "Step two, still private."

    @bot.tree.command(name="private")
    async def private(interaction: discord.Interaction[Any]) -> None:
        await StagePaginationSession(bot, interaction, stages=[Private, Second]).start()

    started = await harness.slash("private")
    assert started.response.ephemeral
    moved = await harness.click(started, controls(harness, started)["next"].custom_id)

    assert moved.response.type == 7
    assert harness.message_payload(started)["content"] == "Step two, still private."
    assert controls(harness, started)["prev"].page == 0


class _Start(SessionStartStage[None]):
    def build_message(self) -> str:
        return "start"


class _Plain(SessionStage[None]):
    def build_message(self) -> str:
        return "plain"


@pytest.mark.parametrize(
    ("stages", "problem"),
    [
        ([], "at least one stage"),
        ([_Plain, _Start], "stage 0 must be a SessionStartStage"),
        (["same", "same"], "appears twice"),
        (["foreign"], "belongs to another session"),
    ],
)
async def test_stages_that_cannot_work_are_refused_with_the_reason(bot, harness, stages, problem):
    @bot.command(name="broken")
    async def broken(ctx: commands.Context[Any]) -> None:
        other = StagePaginationSession(bot, ctx)
        session = StagePaginationSession(bot, ctx)
        shared = _Start(session)
        replace = {"same": shared, "foreign": _Start(other)}
        with pytest.raises(ValueError, match=problem):
            session.stages = [replace.get(stage, stage) for stage in stages]
        await ctx.send("checked")

    await harness.message("!broken")
    assert harness.last_message().content == "checked"


async def test_stages_cannot_change_once_the_session_runs(bot, harness):
    session, _ = await open_wizard(bot, harness, SignUp)

    with pytest.raises(IllegalSessionStateError):
        session.stages = [AskName]
