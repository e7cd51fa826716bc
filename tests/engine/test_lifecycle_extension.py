"""Unloading, reloading and closing: live sessions end with BOT_STOP and nothing is left running.

discord.py's unload purges every ``nyx_sessions.*`` module from ``sys.modules`` (this testing kit
included), so everything these stories use is imported up here, before any reload, exactly as a
user's bot module would have imported it. (Closing the ``bot`` fixture unloads the extension too:
every test of the suite already runs on a fresh import of the package.)
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

import pytest
from support_a import CounterSession, controls, live_package_tasks

from nyx_sessions import (
    SessionEndCode,
    SessionEndData,
    SessionEvent,
    SessionsNotLoadedError,
    SessionState,
    get_session_manager,
    spawns_session,
)
from nyx_sessions.execution import EXPIRED_NOTICE

if TYPE_CHECKING:
    import discord
    from discord.ext import commands

    from nyx_sessions.testing import InteractionHarness

UPDATE_MESSAGE = 7


@pytest.fixture
def counters(bot: commands.Bot) -> list[CounterSession]:
    """Register ``!counter`` and ``/counter``; the list collects the sessions they start."""
    started: list[CounterSession] = []

    @bot.command(name="counter")
    @spawns_session
    async def counter(ctx: commands.Context[Any]) -> CounterSession:
        started.append(CounterSession(ctx.bot, ctx))
        return started[-1]

    @bot.tree.command(name="counter", description="Count")
    @spawns_session
    async def slash_counter(interaction: discord.Interaction) -> CounterSession:
        started.append(CounterSession(interaction.client, interaction, label="Slash counter"))
        return started[-1]

    return started


async def press(harness: InteractionHarness, session: CounterSession, label: str) -> Any:
    assert session.message is not None
    return await harness.click(session.message, controls(harness, session.message)[label]["custom_id"])


async def unload(bot: commands.Bot) -> None:
    await bot.unload_extension("nyx_sessions")


async def reload(bot: commands.Bot) -> None:
    await bot.reload_extension("nyx_sessions")


async def close(bot: commands.Bot) -> None:
    await bot.close()
    await bot.close()  # closing twice ends nothing twice


@pytest.mark.parametrize("stop", [unload, reload, close], ids=["unload", "reload", "close"])
async def test_stopping_the_extension_ends_live_sessions_with_bot_stop_and_leaves_nothing_running(
    bot: commands.Bot, harness: InteractionHarness, counters: list[CounterSession], stop: Any
) -> None:
    heard: list[tuple[str, Any]] = []

    async def on_end(session: CounterSession, data: SessionEndData[int], meta: Any) -> None:
        await asyncio.sleep(0)  # a real coroutine subscriber: it must finish before the stop returns
        heard.append((session.label, data.code))

    get_session_manager(bot).bus.subscribe(SessionEvent.END, on_end)
    await harness.message("!counter")
    await harness.slash("counter")
    prefix_session, slash_session = counters
    await press(harness, slash_session, "+1")
    waiting = [asyncio.ensure_future(session.wait()) for session in counters]

    await stop(bot)

    assert [session.state for session in counters] == [SessionState.ENDED] * 2
    assert prefix_session.state is SessionState.ENDED  # the very enum imported before any reload
    assert [session.end_calls for session in counters] == [[SessionEndCode.BOT_STOP]] * 2
    ended = await asyncio.wait_for(asyncio.gather(*waiting), timeout=5)  # resolved: no hang
    assert [data.code for data in ended] == [SessionEndCode.BOT_STOP] * 2
    assert ended[1].result == 1
    assert sorted(heard) == [("Counter", SessionEndCode.BOT_STOP), ("Slash counter", SessionEndCode.BOT_STOP)]
    assert live_package_tasks() == []
    await harness.settle()


async def test_after_unloading_nothing_answers_for_sessions_and_the_manager_is_gone(
    bot: commands.Bot, harness: InteractionHarness, counters: list[CounterSession]
) -> None:
    await harness.message("!counter")
    (session,) = counters

    await bot.unload_extension("nyx_sessions")

    with pytest.raises(SessionsNotLoadedError):
        get_session_manager(bot)
    clicked = await press(harness, session, "+1")
    assert clicked.replies == []


@pytest.mark.parametrize("how", ["reload", "unload then load"])
async def test_a_reloaded_extension_serves_session_classes_defined_before_the_reload(
    bot: commands.Bot, harness: InteractionHarness, counters: list[CounterSession], how: str
) -> None:
    package_before = sys.modules["nyx_sessions"]
    manager_before = get_session_manager(bot)
    await harness.message("!counter")
    (from_before,) = counters

    if how == "reload":
        await bot.reload_extension("nyx_sessions")
    else:
        await bot.unload_extension("nyx_sessions")
        await bot.load_extension("nyx_sessions")

    # The package really was imported afresh: new module, new classes, new manager.
    assert sys.modules["nyx_sessions"] is not package_before
    manager = get_session_manager(bot)
    assert manager is not manager_before
    assert from_before.end_calls == [SessionEndCode.BOT_STOP]

    await harness.message("!counter")
    session = counters[-1]
    assert session.manager is manager
    assert session.state is SessionState.RUNNING
    counted = await press(harness, session, "+1")
    assert counted.response is not None
    assert counted.response.type == UPDATE_MESSAGE
    assert counted.response.content == "Counter: 1"
    await press(harness, session, "Done")
    ended = await session.wait()
    assert ended.code is SessionEndCode.SELF_ENDED
    assert ended.result == 1
    assert ended is session.end_data

    # The message of the session that the reload ended now says so, and its buttons go grey.
    stale = await press(harness, from_before, "+1")
    assert stale.ephemeral_texts == [EXPIRED_NOTICE]
    assert from_before.message is not None
    assert all(control["disabled"] for control in controls(harness, from_before.message).values())
