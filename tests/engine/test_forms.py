"""Forms: declared on a class, asked as modals, checked, fixed, and handed back typed."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import Form, FormSession, SessionEndCode
from nyx_sessions.forms import checkbox, choice, choices, text, user
from nyx_sessions.testing import Injected, InteractionHarness


class Report(Form):
    who: discord.Member = user("Who are you reporting?")
    reason: str = text("What happened?", style="paragraph", max_length=500)
    kind: str = choice("What kind of problem", ["spam", "abuse", "other"])
    rules: bool = checkbox("I read the rules", required=True)

    def validate(self) -> dict[str, str]:
        if len(self.reason) < 10:
            return {"reason": "needs a sentence, at least 10 characters"}
        return {}


class Survey(Form):
    """Seven fields: two modals."""

    q1: str = text("One")
    q2: str = text("Two")
    q3: str = text("Three")
    q4: str = text("Four")
    q5: str = text("Five")
    q6: list[str] = choices("Six", ["a", "b", "c"], min=1)
    q7: str = text("Seven", required=False)


@pytest.fixture
def forms(bot: commands.Bot) -> list[FormSession[Any]]:
    made: list[FormSession[Any]] = []

    @bot.tree.command(name="report")
    async def report(interaction: discord.Interaction[Any]) -> None:
        made.append(FormSession(bot, interaction, Report, title="Report a member"))
        await made[-1].start()

    @bot.tree.command(name="survey")
    async def survey(interaction: discord.Interaction[Any]) -> None:
        made.append(FormSession(bot, interaction, Survey, title="Survey"))
        await made[-1].start()

    @bot.command(name="prefilled")
    async def prefilled(ctx: commands.Context[Any]) -> None:
        made.append(FormSession(bot, ctx, Report(reason="It started in #general"), title="Report"))
        await made[-1].start()

    return made


def field_defaults(opened: Injected) -> dict[str, Any]:
    """What the modal shows in each input before the user types."""
    assert opened.modal is not None
    shown: dict[str, Any] = {}
    for label in opened.modal["components"]:
        component = label["component"]
        if component["type"] == 4:
            shown[component["custom_id"]] = component.get("value")
        elif component["type"] == 23:
            shown[component["custom_id"]] = component.get("default", False)
        elif "options" in component:
            shown[component["custom_id"]] = [o["value"] for o in component["options"] if o.get("default")]
    return shown


async def test_a_form_opened_by_a_slash_command_comes_back_filled_in_and_typed(
    forms: list[FormSession[Any]], harness: InteractionHarness
) -> None:
    opened = await harness.slash("report")
    assert opened.modal is not None and opened.modal["title"] == "Report a member", "the modal is the answer"
    member = harness.members[1]
    answers = {"who": [member.id], "reason": "Spammed links in every channel", "kind": "spam", "rules": True}
    done = await harness.submit_modal(opened, answers)
    assert done.ephemeral_texts == ["Thank you: your answers are in."]
    ended = await forms[0].wait()
    assert ended.code is SessionEndCode.SELF_ENDED
    report = ended.result
    assert isinstance(report, Report)
    assert isinstance(report.who, discord.Member) and report.who.id == member.id
    assert (report.reason, report.kind, report.rules) == ("Spammed links in every channel", "spam", True)


async def test_a_failed_rule_is_answered_with_every_problem_and_a_fix_button_that_reopens_it_filled(
    forms: list[FormSession[Any]], harness: InteractionHarness
) -> None:
    opened = await harness.slash("report")
    member = harness.members[1]
    refused = await harness.submit_modal(
        opened, {"who": [member.id], "reason": "spam", "kind": "abuse", "rules": False}
    )
    (notice,) = refused.ephemeral_texts
    assert "**I read the rules** must be ticked" in notice
    assert forms[0].state.name == "RUNNING", "nothing ends while the form is wrong"

    fix = await harness.click(refused.original_id or 0, label="Fix")
    assert field_defaults(fix)["reason"] == "spam", "what the user typed, shown again"
    assert field_defaults(fix)["kind"] == ["abuse"]
    refused = await harness.submit_modal(
        fix, {"who": [member.id], "reason": "spam", "kind": "abuse", "rules": True}
    )
    (notice,) = refused.ephemeral_texts
    assert "**What happened?** needs a sentence" in notice, "validate() runs once the fields pass"

    fix = await harness.click(refused.original_id or 0, label="Fix")
    await harness.submit_modal(
        fix, {"who": [member.id], "reason": "Abused people in voice chat", "kind": "abuse", "rules": True}
    )
    report = (await forms[0].wait()).result
    assert report is not None and report.reason == "Abused people in voice chat"


async def test_more_than_five_fields_are_asked_as_modals_joined_by_continue(
    forms: list[FormSession[Any]], harness: InteractionHarness
) -> None:
    first = await harness.slash("survey")
    assert first.modal is not None and first.modal["title"] == "Survey (1/2)"
    assert len(first.modal["components"]) == 5
    step = await harness.submit_modal(first, {f"q{n}": f"answer {n}" for n in range(1, 6)})
    assert step.ephemeral_texts == ["Step 1 of 2 done."]
    second = await harness.click(step.original_id or 0, label="Continue")
    assert second.modal is not None and second.modal["title"] == "Survey (2/2)"
    await harness.submit_modal(second, {"q6": ["a", "c"]})
    survey = (await forms[0].wait()).result
    assert survey == Survey(
        q1="answer 1", q2="answer 2", q3="answer 3", q4="answer 4", q5="answer 5", q6=["a", "c"], q7=""
    )


async def test_a_prefix_command_posts_a_button_and_a_form_instance_prefills_the_modal(
    forms: list[FormSession[Any]], harness: InteractionHarness
) -> None:
    await harness.message("!prefilled")
    message = forms[0].message
    assert message is not None
    opened = await harness.click(message, label="Fill in")
    assert field_defaults(opened)["reason"] == "It started in #general"


def test_a_form_refuses_a_field_it_does_not_have() -> None:
    with pytest.raises(TypeError, match=r"Report has no fields \['reson'\]"):
        Report(reson="typo")
    assert Report().rules is False and Report().reason == "", "unanswered fields read as their defaults"
    assert [field.name for field in Report.form_fields()] == ["who", "reason", "kind", "rules"]


async def test_a_form_instance_with_a_member_shows_them_picked(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    made: list[FormSession[Any]] = []
    member = harness.members[1]

    @bot.command(name="again")
    async def again(ctx: commands.Context[Any]) -> None:
        made.append(FormSession(bot, ctx, Report(who=member, kind="other"), title="Report"))
        await made[-1].start()

    await harness.message("!again")
    assert made[0].message is not None
    opened = await harness.click(made[0].message, label="Fill in")
    assert opened.modal is not None
    (who,) = (label["component"] for label in opened.modal["components"] if label["component"]["type"] == 5)
    assert [(int(pick["id"]), pick["type"]) for pick in who["default_values"]] == [(member.id, "user")]
    assert field_defaults(opened)["kind"] == ["other"]


def test_a_durable_form_session_must_name_its_form() -> None:
    with pytest.raises(
        TypeError, match=r"class Nameless\(FormSession\[MyForm\], kind='test.nameless-form'\)"
    ):

        class Nameless(FormSession[Any], kind="test.nameless-form"):
            pass
