"""Starts and ends that are cut off, broken or re-entered still end exactly once (API §3).

Each story drives a real bot through the testing kit; the bot and the fake Discord share a
ManualClock, so expiry and Discord's deadlines move without sleeping.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    DuplicateSessionError,
    EndCode,
    SessionCog,
    SessionEndCode,
    SessionEvent,
    SessionExecutionMeta,
    SessionManager,
    SessionState,
    get_session_manager,
)
from nyx_sessions.execution import EXPIRED_NOTICE, START_FAILED_NOTICE
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness

TTL = 60.0
ERROR_NOTICE = "Something went wrong while handling that. Please try again."


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


class Story(AbstractSession[str]):
    """A session whose start and end do what each test asks, and which records what ran."""

    ttl = TTL

    def __init__(self, bot: discord.Client, start: Any, **kwargs: Any) -> None:
        super().__init__(bot, start, **kwargs)
        self.start_gate: asyncio.Event | None = None
        self.fail_start = False
        self.end_in_start = False
        self.answer_directly = False
        self.end_in_on_end = False
        self.end_gate: asyncio.Event | None = None
        self.ends: list[EndCode] = []
        self.ended_from_inside: list[Any] = []
        self.clicks = 0

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        if self.start_gate is not None:
            await self.start_gate.wait()
        if self.end_in_start:
            await self.end("on_start gave up", "gave-up")
        if self.fail_start:
            raise RuntimeError("the database is down")
        view = self.view(self.button("count", label="count"), self.button("cancelled", label="cancelled"))
        if self.answer_directly:
            await self.start_interaction.response.send_message("story", view=view)  # type: ignore[union-attr]
        else:
            await self.respond("story", view=view)

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        if self.tokens(interaction).get() == "cancelled":
            lookup = asyncio.ensure_future(asyncio.sleep(60))
            lookup.cancel()
            await lookup  # someone else cancelled what the handler awaits
        self.clicks += 1

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        self.ends.append(code)
        if self.end_in_on_end:  # a shared clean-up helper that also ends the session
            self.ended_from_inside.append(await self.end("clean-up"))
        if self.end_gate is not None:
            await self.end_gate.wait()


@pytest.fixture
def story_command(bot: commands.Bot) -> dict[str, Any]:
    """``/story``: starts a Story configured by the returned dict; records sessions and outcomes."""
    made: dict[str, Any] = {"sessions": [], "outcomes": [], "set": {}, "timeout": None}

    @bot.tree.command(name="story", description="A story")
    async def story(interaction: discord.Interaction[Any]) -> None:
        session = Story(interaction.client, interaction, session_id=made["set"].get("session_id"))
        for name, value in made["set"].items():
            if name != "session_id":
                setattr(session, name, value)
        made["sessions"].append(session)
        try:
            if made["timeout"] is None:
                made["outcomes"].append(await session.start())
            else:
                made["outcomes"].append(await asyncio.wait_for(session.start(), made["timeout"]))
        except Exception as error:  # recorded for the test to check, as the command's caller would
            made["outcomes"].append(error)

    return made


# -- 2. starts and ends that leave a session half alive or hung -------------------------------------------


async def test_a_start_cancelled_from_outside_is_a_failed_start_and_frees_its_id(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any]
) -> None:
    manager = get_session_manager(bot)
    story_command.update(timeout=0.05, set={"session_id": "one", "start_gate": asyncio.Event()})
    ran = await harness.slash("story")
    session = story_command["sessions"][0]

    assert isinstance(story_command["outcomes"][0], asyncio.TimeoutError)
    assert not manager.sessions, "nothing of the start stays in the manager"
    ended = await asyncio.wait_for(session.wait(), 1)
    assert ended.code is SessionEndCode.START_FAILED and session.state is SessionState.ENDED
    assert ran.ephemeral_texts == [START_FAILED_NOTICE], "the user is told"

    story_command.update(timeout=None, set={"session_id": "one"})
    again = await harness.slash("story")
    assert story_command["outcomes"][1] is True and again.response.content == "story", "the id is free again"
    await bot.unload_extension("nyx_sessions")
    assert session.ends == [], "on_end never runs for a start that failed"
    assert story_command["sessions"][1].ends == [SessionEndCode.BOT_STOP]


async def test_a_dropped_connection_while_reading_back_the_start_keeps_the_session_whole(
    bot: commands.Bot,
    harness: InteractionHarness,
    story_command: dict[str, Any],
    session_clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_class = type(harness.fake)
    original = fake_class._webhook_message

    async def dropping(self: Any, exchange: Any, route: Any, body: Any, files: Any) -> Any:
        if route.method == "GET":
            raise ConnectionResetError("Connection lost")
        return await original(self, exchange, route, body, files)

    monkeypatch.setattr(fake_class, "_webhook_message", dropping)
    story_command["set"] = {"answer_directly": True}
    await harness.slash("story")
    session = story_command["sessions"][0]
    manager = get_session_manager(bot)

    assert story_command["outcomes"] == [True], "start() did not raise into the command"
    assert session.state is SessionState.RUNNING and session.id in manager.repository
    session_clock.advance(TTL + 1)
    await harness.settle()
    assert (await asyncio.wait_for(session.wait(), 1)).code is SessionEndCode.EXPIRED, "it expires as usual"


async def test_a_dropped_connection_on_a_denial_notice_never_reaches_the_bots_error_handler(
    bot: commands.Bot,
    harness: InteractionHarness,
    story_command: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = await harness.slash("story")
    count = harness.message_payload(started)["components"][0]["components"][0]["custom_id"]
    fake_class = type(harness.fake)
    original = fake_class._callback

    async def dropping(self: Any, exchange: Any, body: Any, files: Any) -> Any:
        raise ConnectionResetError("Connection lost")

    monkeypatch.setattr(fake_class, "_callback", dropping)
    await harness.click(started, count, user=1)  # raise_errors: anything reaching on_error fails here
    monkeypatch.setattr(fake_class, "_callback", original)

    await harness.click(started, count, user=0)
    assert story_command["sessions"][0].clicks == 1, "the bot keeps working"


async def test_an_on_start_that_ends_its_session_and_then_raises_keeps_its_own_end(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any]
) -> None:
    start_errors: list[BaseException] = []
    manager = get_session_manager(bot)
    manager.executor.start_error_handler.set_consumer(
        Exception, lambda error, *args: start_errors.append(error)
    )
    story_command["set"] = {"end_in_start": True, "fail_start": True}
    ran = await harness.slash("story")
    session = story_command["sessions"][0]

    assert story_command["outcomes"] == [False]
    ended = await session.wait()
    assert (ended.reason, ended.code) == ("on_start gave up", "gave-up"), "the end on_start chose stands"
    assert session.ends == ["gave-up"] and not manager.sessions
    assert [str(error) for error in start_errors] == ["the database is down"]
    assert ran.ephemeral_texts == [START_FAILED_NOTICE]


async def test_an_unload_during_a_slow_on_start_that_then_fails_answers_the_command(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any]
) -> None:
    gate = asyncio.Event()
    story_command["set"] = {"start_gate": gate, "fail_start": True}
    ran = await harness.slash("story", settle=False)
    await harness.wait_until(lambda: story_command["sessions"], what="the start runs")
    session = story_command["sessions"][0]

    unloading = asyncio.ensure_future(bot.unload_extension("nyx_sessions"))
    for _ in range(50):
        await asyncio.sleep(0)
    assert not unloading.done(), "shutdown waits for the start in progress"
    with harness.expect_errors(Exception):  # on_start's own failure
        gate.set()
        await unloading
        await harness.settle()

    assert story_command["outcomes"] == [False]
    assert (await session.wait()).code is SessionEndCode.START_FAILED and session.ends == []
    assert ran.ephemeral_texts == [START_FAILED_NOTICE]


async def test_a_start_still_running_when_shutdown_gives_up_fails_and_is_answered(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any], session_clock: ManualClock
) -> None:
    await bot.remove_cog("SessionCog")
    await bot.add_cog(
        SessionCog(bot, manager=SessionManager(bot, clock=session_clock, shutdown_timeout=0.05))
    )
    story_command["set"] = {"start_gate": asyncio.Event()}  # never opens
    ran = await harness.slash("story", settle=False)
    await harness.wait_until(lambda: story_command["sessions"], what="the start runs")
    session = story_command["sessions"][0]

    await bot.remove_cog("SessionCog")
    assert (await asyncio.wait_for(session.wait(), 1)).code is SessionEndCode.START_FAILED
    await harness.wait_until(lambda: ran.ephemeral_texts, what="the command is answered")
    assert ran.ephemeral_texts == [START_FAILED_NOTICE] and session.ends == []
    session.start_gate.set()  # type: ignore[union-attr]  # on_start returns at last: nothing changes
    await harness.settle()
    assert story_command["outcomes"] == [False]


async def test_end_called_from_on_end_returns_at_once_and_the_session_stays_usable_after_expiry(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any], session_clock: ManualClock
) -> None:
    story_command["set"] = {"end_in_on_end": True}
    started = await harness.slash("story")
    session = story_command["sessions"][0]
    count = harness.message_payload(started)["components"][0]["components"][0]["custom_id"]

    session_clock.advance(TTL + 1)
    await harness.settle()  # times out (and names the expiry task) if the end deadlocked on itself
    assert session.ends == [SessionEndCode.EXPIRED]
    inside = session.ended_from_inside[0]
    assert (inside.reason, inside.code) == ("the session expired", SessionEndCode.EXPIRED)
    assert (await session.wait()).code is SessionEndCode.EXPIRED

    # The message is disabled now; a client that still shows the old button sends this:
    late = await harness.inject(
        harness.build_payload(3, {"custom_id": count, "component_type": 2}, message=started)
    )
    assert late.ephemeral_texts == [EXPIRED_NOTICE], "the session's lock was released"


async def test_end_called_from_on_end_during_an_explicit_end_returns_the_end_as_it_stands(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any]
) -> None:
    story_command["set"] = {"end_in_on_end": True}
    await harness.slash("story")
    session = story_command["sessions"][0]
    ended = await asyncio.wait_for(session.end("done", "finished"), 1)
    assert (ended.reason, ended.code) == ("done", "finished") and session.ends == ["finished"]


@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="Python 3.10 has no Task.cancelling(): every CancelledError is taken as the handler's own"
    " cancellation and goes through (see nyx_sessions._utils.is_being_cancelled)",
)
async def test_a_handler_whose_awaited_task_was_cancelled_gets_the_error_notice(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any]
) -> None:
    errors: list[BaseException] = []
    get_session_manager(bot).executor.update_error_handler.set_consumer(
        BaseException, lambda error, *args: errors.append(error)
    )
    started = await harness.slash("story")
    cancelled = harness.message_payload(started)["components"][0]["components"][1]["custom_id"]
    clicked = await harness.click(started, cancelled)
    assert clicked.ephemeral_texts == [ERROR_NOTICE]
    assert isinstance(errors[0], asyncio.CancelledError)
    assert story_command["sessions"][0].state is SessionState.RUNNING, "the session lives on"


async def test_shutdown_cutting_off_a_slow_on_end_of_an_expiring_session_still_fires_session_end(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any], session_clock: ManualClock
) -> None:
    await bot.remove_cog("SessionCog")
    manager = SessionManager(bot, clock=session_clock, shutdown_timeout=0.05)
    await bot.add_cog(SessionCog(bot, manager=manager))
    ended_events: list[Any] = []
    manager.bus.subscribe(SessionEvent.END, lambda session, data, meta: ended_events.append(data.code))
    story_command["set"] = {"end_gate": asyncio.Event()}  # on_end never returns
    await harness.slash("story")
    session = story_command["sessions"][0]

    session_clock.advance(TTL + 1)
    await harness.wait_until(lambda: session.ends, what="on_end runs")
    await bot.remove_cog("SessionCog")
    assert ended_events == [SessionEndCode.EXPIRED], "session_end fires for every end"
    assert (await session.wait()).code is SessionEndCode.EXPIRED


async def test_a_session_id_of_a_start_in_progress_is_still_taken(
    bot: commands.Bot, harness: InteractionHarness, story_command: dict[str, Any]
) -> None:
    gate = asyncio.Event()
    story_command["set"] = {"session_id": "busy", "start_gate": gate}
    await harness.slash("story", settle=False)
    await harness.wait_until(lambda: story_command["sessions"], what="the start runs")
    story_command["set"] = {"session_id": "busy"}
    await harness.slash("story", settle=False)
    await harness.wait_until(lambda: story_command["outcomes"], what="the second start was refused")
    assert isinstance(story_command["outcomes"][0], DuplicateSessionError)
    gate.set()
    await harness.settle()
    assert story_command["outcomes"][1] is True
