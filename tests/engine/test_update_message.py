"""update_message: a running session's message changed from outside a click, in turn with its clicks."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    IllegalSessionStateError,
    SessionExecutionMeta,
    get_session_manager,
    on_button,
)
from nyx_sessions.testing import InteractionHarness


class Live(AbstractSession[None]):
    """A live counter: a background task sets the count; the Refresh button edits it too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate: asyncio.Event | None = None
        self.in_handler = asyncio.Event()
        self.log: list[str] = []

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("count: 0", view=self.view(self.button("refresh", label="Refresh")))

    @on_button("refresh")
    async def refresh(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.in_handler.set()
        if self.gate is not None:
            await self.gate.wait()
        self.log.append("handler")
        await self.edit(interaction, content="refreshed by a click")

    @on_button("self")
    async def from_inside(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await interaction.response.defer()
        await self.update_message(content="from inside its handler")


@pytest.fixture
async def live(bot: commands.Bot, harness: InteractionHarness) -> Live:
    session = Live(bot, harness.channel, owner=harness.members[0])
    await session.start()
    return session


def content(harness: InteractionHarness, session: Live) -> str:
    assert session.message is not None
    return str(harness.message_payload(session.message)["content"])


async def test_a_background_task_updates_a_running_session(
    bot: commands.Bot, harness: InteractionHarness, live: Live
) -> None:
    async def tick() -> None:
        for count in range(1, 4):
            await live.update_message(content=f"count: {count}")

    await asyncio.create_task(tick())
    assert content(harness, live) == "count: 3"
    found = get_session_manager(bot).get(live.id)
    assert found is live
    assert await get_session_manager(bot).update_message(live.id, content="by id") is True
    assert content(harness, live) == "by id"


async def test_an_update_waits_for_a_running_handler_and_a_click_waits_for_it(
    harness: InteractionHarness, live: Live
) -> None:
    live.gate = asyncio.Event()
    assert live.message is not None
    clicking = asyncio.ensure_future(harness.click(live.message, label="Refresh", settle=False))
    await live.in_handler.wait()
    updating = asyncio.ensure_future(live.update_message(content="count: 9"))
    await asyncio.sleep(0.05)
    assert not updating.done() and content(harness, live) == "count: 0", "the handler's turn first"
    live.gate.set()
    await clicking
    await updating
    await harness.settle()
    assert live.log == ["handler"] and content(harness, live) == "count: 9", "then the update, in turn"


async def test_an_update_called_from_the_sessions_own_handler_runs_at_once(
    harness: InteractionHarness, live: Live
) -> None:
    assert live.message is not None
    await live.update_message(view=live.view(live.button("self", label="Self")))
    await harness.click(live.message, label="Self")
    assert content(harness, live) == "from inside its handler"


async def test_an_ended_or_unknown_session_is_left_alone_with_a_clear_answer(
    bot: commands.Bot, harness: InteractionHarness, live: Live
) -> None:
    await live.end("done")
    with pytest.raises(IllegalSessionStateError, match="is not running: its message was left as it is"):
        await live.update_message(content="late")
    assert content(harness, live) == "count: 0"
    assert await get_session_manager(bot).update_message("no-such-session", content="x") is False
