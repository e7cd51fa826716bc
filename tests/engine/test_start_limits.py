"""Limits per user, channel and guild: "replace" ends the oldest, "reject" refuses (API.md §13)."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    EndCode,
    SessionEndCode,
    SessionExecutionMeta,
    SessionState,
    on_button,
)
from nyx_sessions.testing import InteractionHarness


class Panel(AbstractSession[None]):
    """One settings panel per user: a new one replaces the old."""

    max_per_user: ClassVar[int | None] = 1
    ends: ClassVar[list[tuple[str, EndCode]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate: asyncio.Event | None = None
        self.clicked = asyncio.Event()
        self.log: list[str] = []

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(type(self).__name__, view=self.view(self.button("go", label="Go")))

    @on_button("go")
    async def go(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.clicked.set()
        if self.gate is not None:
            await self.gate.wait()
        self.log.append("handler done")
        await interaction.response.defer()

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        self.log.append("on_end")
        type(self).ends.append((self.id, code))


class Wizard(Panel):
    """One wizard per channel: a second is refused with a link to the open one."""

    max_per_user = None
    max_per_channel = 1
    limit_policy = "reject"


class Report(Panel):
    max_per_user = None
    max_per_guild = 2
    limit_group = "moderation tool"
    limit_policy = "reject"


class Appeal(Report):
    """Shares the "moderation tool" group with Report: both count against one limit."""


@pytest.fixture(autouse=True)
def _fresh() -> None:
    Panel.ends.clear()


@pytest.fixture
def made(bot: commands.Bot) -> list[Panel]:
    sessions: list[Panel] = []
    for name, cls in (("panel", Panel), ("wizard", Wizard), ("report", Report), ("appeal", Appeal)):

        def command(cls: type[Panel] = cls) -> Any:
            async def open_one(interaction: discord.Interaction[Any]) -> None:
                sessions.append(cls(bot, interaction))
                await sessions[-1].start()

            return open_one

        bot.tree.command(name=name)(command())
    return sessions


async def test_replace_ends_the_open_panel_of_that_user_and_disables_it(
    made: list[Panel], harness: InteractionHarness
) -> None:
    await harness.slash("panel")
    await harness.slash("panel", user=1)  # another user: their own limit
    second = await harness.slash("panel")
    first, other, newest = made
    assert (await first.wait()).code is SessionEndCode.REPLACED
    assert other.state is SessionState.RUNNING and newest.state is SessionState.RUNNING
    assert Panel.ends == [(first.id, SessionEndCode.REPLACED)], "on_end ran once, for the replaced one"
    assert first.message is not None
    buttons = harness.message_payload(first.message)["components"][0]["components"]
    assert all(button.get("disabled") for button in buttons), "the old panel is disabled"
    assert second.response.type == 4


async def test_reject_refuses_with_a_notice_that_links_to_the_open_one(
    made: list[Panel], harness: InteractionHarness
) -> None:
    await harness.slash("wizard")
    refused = await harness.slash("wizard", user=1)  # per channel: anyone in it
    first, second = made
    assert first.message is not None
    assert refused.ephemeral_texts == [
        f"This channel already has an open wizard: {first.message.jump_url}. Finish it first."
    ]
    assert (await second.wait()).code is SessionEndCode.START_DENIED
    assert first.state is SessionState.RUNNING and Panel.ends == []

    await first.end("done")
    await harness.slash("wizard", user=1)
    assert made[2].state is SessionState.RUNNING, "the place is free again once it ended"


async def test_a_limit_group_counts_several_classes_together_per_guild(
    made: list[Panel], harness: InteractionHarness
) -> None:
    await harness.slash("report")
    await harness.slash("appeal", user=1)
    refused = await harness.slash("report", user=1)
    assert refused.ephemeral_texts[0].startswith("This server already has an open moderation tool: ")
    assert [session.state for session in made] == [
        SessionState.RUNNING,
        SessionState.RUNNING,
        SessionState.ENDED,
    ]


async def test_two_starts_at_the_same_instant_never_both_run_over_a_limit_of_one(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    member = harness.members[0]
    rejecting = [Wizard(bot, harness.channel, owner=member) for _ in range(2)]
    started = await asyncio.gather(*(session.start() for session in rejecting))
    assert sorted(started) == [False, True]

    replacing = [Panel(bot, harness.channel, owner=member) for _ in range(3)]
    assert await asyncio.gather(*(session.start() for session in replacing)) == [True, True, True]
    running = [session for session in replacing if session.state is SessionState.RUNNING]
    assert running == [replacing[-1]], "each start replaced the one before it: one runs"
    assert [code for _, code in Panel.ends] == [SessionEndCode.REPLACED, SessionEndCode.REPLACED]


async def test_replace_waits_for_the_old_sessions_running_handler(
    made: list[Panel], harness: InteractionHarness
) -> None:
    await harness.slash("panel")
    old = made[0]
    old.gate = asyncio.Event()
    assert old.message is not None
    clicking = asyncio.ensure_future(harness.click(old.message, label="Go"))
    await old.clicked.wait()
    starting = asyncio.ensure_future(harness.slash("panel"))
    await asyncio.sleep(0.05)
    assert old.state is SessionState.RUNNING and old.log == [], "the handler is not interrupted"
    old.gate.set()
    await clicking
    await starting
    assert old.log == ["handler done", "on_end"]
    assert (await old.wait()).code is SessionEndCode.REPLACED and made[1].state is SessionState.RUNNING


def test_limits_are_checked_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match=r"max_per_user must be a whole number of at least 1 or None, got 0"):

        class Zero(Panel):
            max_per_user = 0

    with pytest.raises(ValueError, match=r'limit_policy must be "replace" or "reject", got \'refuse\''):

        class Typo(Panel):
            limit_policy = "refuse"  # type: ignore[assignment]


async def test_a_prefix_command_over_a_reject_limit_gets_the_answer_as_a_reply(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    made: list[Wizard] = []

    @bot.command(name="wizard")
    async def wizard(ctx: commands.Context[Any]) -> None:
        made.append(Wizard(bot, ctx))
        await made[-1].start()

    await harness.message("!wizard")
    await harness.message("!wizard", user=1)
    reply = harness.last_message()
    assert made[0].message is not None and reply is not None
    assert (
        reply.content
        == f"This channel already has an open wizard: {made[0].message.jump_url}. Finish it first."
    )
    assert reply.reference is not None, "a reply to the command"
    assert (await made[1].wait()).code is SessionEndCode.START_DENIED
