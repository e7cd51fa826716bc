"""Discord's component limits are checked before a session sends, edits or opens anything.

Each case builds something Discord would refuse with a 400 (and discord.py lets through), and checks
that the session raises ComponentLimitError (or ValueError, for a components v2 message going back
to classic content) naming the limit, and that no request reached the fake Discord.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    ComponentLimitError,
    ListPaginationSession,
    SessionExecutionMeta,
    on_button,
)
from nyx_sessions.testing import InteractionHarness

Build = Callable[["Panel"], dict[str, Any]]


class Panel(AbstractSession[None]):
    """Starts with a page that is fine; each button edits the message with what a test gives."""

    edits: ClassVar[dict[str, Build]] = {}

    def __init__(self, bot: discord.Client, start: Any, first: Build, **options: Any) -> None:
        super().__init__(bot, start, **options)
        self.first = first
        self.raised: BaseException | None = None

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(**self.first(self))

    @on_button("go")
    async def go(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        try:
            await self.edit(interaction, **self.edits["go"](self))
        except ValueError as error:  # ComponentLimitError is one
            self.raised = error
            await interaction.response.send_message("refused", ephemeral=True)


def go_button(session: Panel) -> discord.ui.Button[Any]:
    return session.button("go", label="Go")


def classic(session: Panel) -> dict[str, Any]:
    return {"content": "classic", "view": session.view(go_button(session))}


def layout(session: Panel, *texts: str) -> dict[str, Any]:
    container = discord.ui.Container(*(discord.ui.TextDisplay(text) for text in texts))
    return {"view": session.layout(container, discord.ui.ActionRow(go_button(session)))}


@pytest.fixture
def start(bot: commands.Bot, harness: InteractionHarness) -> Callable[[Build], Any]:
    made: list[Panel] = []

    async def starting(first: Build) -> Panel:
        @bot.command(name="panel")
        async def command(ctx: commands.Context[Any]) -> None:
            made.append(Panel(bot, ctx, first))
            await made[-1].start()

        await harness.message("!panel")
        bot.remove_command("panel")
        return made[-1]

    return starting


def sent(harness: InteractionHarness) -> int:
    """Messages the bot sent in the test channel."""
    return sum(message["author"]["id"] == str(harness.bot.user.id) for message in harness.history())  # type: ignore[union-attr]


async def refused_edit(harness: InteractionHarness, panel: Panel, edit: Build) -> BaseException:
    """Click "Go" with ``edit`` as the edit; the error the session raised. The message is unchanged."""
    assert panel.message is not None
    before = harness.message_payload(panel.message)
    Panel.edits["go"] = edit
    await harness.click(panel.message, label="Go")
    assert harness.message_payload(panel.message) == before, "no edit reached Discord"
    assert panel.raised is not None
    return panel.raised


async def test_a_components_v2_message_never_goes_back_to_classic_content(
    start: Any, harness: InteractionHarness
) -> None:
    panel = await start(lambda session: layout(session, "a layout"))
    error = await refused_edit(harness, panel, classic)
    assert not isinstance(error, ComponentLimitError) and "components v2" in str(error)
    error = await refused_edit(harness, panel, lambda session: {"embed": discord.Embed(title="x")})
    assert "never goes back" in str(error)


async def test_a_classic_message_edited_into_components_v2_never_goes_back_either(
    start: Any, harness: InteractionHarness
) -> None:
    panel = await start(classic)
    assert panel.message is not None
    Panel.edits["go"] = lambda session: layout(session, "now a layout")
    await harness.click(panel.message, label="Go")
    assert panel.raised is None and harness.message_payload(panel.message)["flags"] & (1 << 15)
    error = await refused_edit(harness, panel, classic)
    assert "never goes back" in str(error)


async def test_text_displays_over_4000_characters_are_refused_before_sending(
    start: Any, harness: InteractionHarness
) -> None:
    panel = await start(lambda session: layout(session, "fine"))
    error = await refused_edit(harness, panel, lambda session: layout(session, "x" * 2000, "y" * 2001))
    assert isinstance(error, ComponentLimitError)
    assert (error.count, error.limit) == (4001, "4,000")
    assert "4,001 characters of text displays in a components v2 message, Discord allows 4,000" in str(error)


async def test_content_beside_a_layout_is_refused(start: Any, harness: InteractionHarness) -> None:
    panel = await start(classic)
    error = await refused_edit(harness, panel, lambda session: {"content": "hi", **layout(session, "x")})
    assert "has no content or embeds" in str(error)


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            lambda session: session.view(
                go_button(session),
                discord.ui.Select(
                    custom_id="many", options=[discord.SelectOption(label=str(n)) for n in range(26)]
                ),
            ),
            "select 'many': 26 options, Discord allows 25",
        ),
        (
            lambda session: session.view(
                go_button(session), discord.ui.Button(label="x", custom_id="c" * 101)
            ),
            "101 characters of custom id, Discord allows 100",
        ),
        (
            lambda session: session.view(
                go_button(session), discord.ui.Button(label="L" * 81, custom_id="long")
            ),
            "81 characters of button label, Discord allows 80",
        ),
        (
            lambda session: session.view(
                go_button(session),
                discord.ui.Button(label="a", custom_id="same"),
                discord.ui.Button(label="b", custom_id="same"),
            ),
            "custom id 'same': 2 uses, Discord allows each custom id once per message",
        ),
    ],
    ids=["26 options", "custom id of 101", "button label of 81", "a custom id twice"],
)
async def test_classic_limits_are_refused_before_sending(
    start: Any, harness: InteractionHarness, view: Callable[[Panel], Any], expected: str
) -> None:
    panel = await start(classic)
    error = await refused_edit(harness, panel, lambda session: {"content": "x", "view": view(session)})
    assert isinstance(error, ComponentLimitError) and expected in str(error)


async def test_a_start_that_breaks_a_limit_sends_nothing(
    start: Any, harness: InteractionHarness, caplog: pytest.LogCaptureFixture
) -> None:
    before = sent(harness)
    owner = harness.members[0]
    panel = Panel(harness.bot, harness.channel, lambda session: layout(session, "z" * 4001), owner=owner)
    with harness.expect_errors(ComponentLimitError) as caught:
        await panel.start()  # on_start's error goes to the start error handler, as any other would
        await harness.settle()
    assert sent(harness) == before, "nothing was sent"
    assert "Discord allows 4,000" in str(caught.error) and "ComponentLimitError" in caplog.text


@pytest.mark.parametrize(
    ("title", "items", "expected"),
    [
        ("T" * 46, 1, "46 characters"),
        ("Fine", 6, r"exceeded \(5\)|6 top-level items in a modal, Discord allows 5"),
    ],
)
def test_a_modal_that_breaks_a_limit_is_refused_when_built(
    harness: InteractionHarness, title: str, items: int, expected: str
) -> None:
    session = Panel(harness.bot, harness.channel, classic)
    inputs = [
        discord.ui.Label(text=f"Field {n}", component=discord.ui.TextInput(custom_id=f"f{n}"))
        for n in range(items)
    ]
    with pytest.raises(ValueError, match=expected):  # discord.py refuses some of these itself
        session.modal(title, *inputs)


def test_a_label_over_45_characters_is_refused(harness: InteractionHarness) -> None:
    session = Panel(harness.bot, harness.channel, classic)
    label = discord.ui.Label(text="W" * 46, component=discord.ui.TextInput(custom_id="w"))
    with pytest.raises(ComponentLimitError, match="a label: 46 characters of label, Discord allows 45"):
        session.modal("Fine", label)


async def test_a_page_that_breaks_a_limit_is_named_and_the_page_shown_stays(
    bot: commands.Bot, harness: InteractionHarness, caplog: pytest.LogCaptureFixture
) -> None:
    def page(session: Any, items: Any) -> dict[str, Any]:
        text = " ".join(items)
        if "b" not in text:
            return {"content": text}
        options = [discord.SelectOption(label=str(n)) for n in range(26)]
        return {
            "content": text,
            "view": discord.ui.View().add_item(discord.ui.Select(custom_id="s", options=options)),
        }

    made: list[ListPaginationSession[str]] = []

    @bot.command(name="letters")
    async def letters(ctx: commands.Context[Any]) -> None:
        made.append(ListPaginationSession(bot, ctx, ["a", "b"], per_page=1, format_page=page))
        await made[-1].start()

    await harness.message("!letters")
    message = made[0].message
    assert message is not None
    before = harness.message_payload(message)
    with harness.expect_errors(ComponentLimitError):
        clicked = await harness.click(message, label="▶")
    assert harness.message_payload(message) == before, "page 1 is still shown: nothing reached Discord"
    assert "page 2 of session" in caplog.text and "26 options, Discord allows 25" in caplog.text
    assert clicked.ephemeral_texts, "the user is told something went wrong"
