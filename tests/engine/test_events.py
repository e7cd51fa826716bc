"""Session events reach every kind of listener, and no listener can break a session.

Events go to ``manager.bus`` subscribers (functions and coroutine functions), to
``@commands.Cog.listener()`` methods and to ``bot.wait_for``; starts that never happened and
updates that were turned down fire nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest
from discord.ext import commands
from support_a import (  # the fixture_* imports provide the bot_extensions, clock and manager fixtures
    TTL,
    CounterSession,
    controls,
    fixture_bot_extensions,
    fixture_clock,
    fixture_manager,
)

from nyx_sessions import (
    AbstractSession,
    SessionEndCode,
    SessionEndData,
    SessionEvent,
    SessionExecutionMeta,
    SessionManager,
    SessionState,
)

if TYPE_CHECKING:
    import discord

    from nyx_sessions.storage import ManualClock
    from nyx_sessions.testing import InteractionHarness

Heard = list[tuple[Any, ...]]


class SessionDiary(commands.Cog):
    """A user's cog that writes down every session event it hears."""

    def __init__(self) -> None:
        self.heard: Heard = []

    @commands.Cog.listener()
    async def on_session_start(self, session: AbstractSession[Any], meta: SessionExecutionMeta) -> None:
        self.heard.append(("start", session, meta))

    @commands.Cog.listener()
    async def on_session_update(
        self, session: AbstractSession[Any], interaction: discord.Interaction, meta: SessionExecutionMeta
    ) -> None:
        self.heard.append(("update", session, interaction.id))

    @commands.Cog.listener()
    async def on_session_end(
        self, session: AbstractSession[Any], data: SessionEndData[Any], meta: SessionExecutionMeta
    ) -> None:
        self.heard.append(("end", session, data.code))

    @commands.Cog.listener()
    async def on_session_expire(self, session: AbstractSession[Any], data: SessionEndData[Any]) -> None:
        self.heard.append(("expire", session, data.code))


class WelcomeOnly:
    """A start filter that lets a session start only when it is welcome."""

    def check(self, session: PickySession, meta: SessionExecutionMeta) -> bool:
        return session.welcome


class PickySession(CounterSession):
    """A counter whose start a filter may deny (``welcome=False``) or whose ``on_start`` may fail."""

    start_filter = WelcomeOnly()

    def __init__(
        self, bot: discord.Client, start: Any, *, welcome: bool = True, broken: bool = False
    ) -> None:
        super().__init__(bot, start)
        self.welcome = welcome
        self.broken = broken

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        if self.broken:
            raise RuntimeError("the panel could not be built")
        await super().on_start(meta)


RunCounter = Callable[..., Awaitable[PickySession]]


@pytest.fixture
def run_counter(bot: commands.Bot, harness: InteractionHarness, manager: SessionManager) -> RunCounter:
    """Type ``!counter`` as the first member; return the session the command tried to start."""
    options: dict[str, bool] = {}
    started: list[PickySession] = []

    @bot.command(name="counter")
    async def counter(ctx: commands.Context[Any]) -> None:
        session = PickySession(ctx.bot, ctx, **options)
        started.append(session)
        await session.start()

    async def run(**wanted: bool) -> PickySession:
        options.clear()
        options.update(wanted)
        await harness.message("!counter")
        return started[-1]

    return run


async def press(harness: InteractionHarness, session: CounterSession, label: str, **kwargs: Any) -> Any:
    assert session.message is not None
    return await harness.click(
        session.message, controls(harness, session.message)[label]["custom_id"], **kwargs
    )


async def test_bus_subscribers_hear_a_whole_session_with_plain_and_async_callbacks(
    run_counter: RunCounter, bot: commands.Bot, harness: InteractionHarness, manager: SessionManager
) -> None:
    heard: Heard = []

    def on_start(session: AbstractSession[Any], meta: SessionExecutionMeta) -> None:
        heard.append(("start", session, meta))

    async def on_update(session: AbstractSession[Any], interaction: discord.Interaction, meta: Any) -> None:
        heard.append(("update", session, interaction.id))

    async def on_end(session: AbstractSession[Any], data: SessionEndData[Any], meta: Any) -> None:
        heard.append(("end", session, data))

    manager.bus.subscribe(SessionEvent.START, on_start)
    manager.bus.subscribe(SessionEvent.UPDATE, on_update)
    manager.bus.subscribe("session_end", on_end)

    session = await run_counter()
    counted = await press(harness, session, "+1")
    await press(harness, session, "Done")

    assert [entry[0] for entry in heard] == ["start", "update", "end"]
    (_, started, meta), (_, updated, interaction_id), (_, ended, data) = heard
    assert started is updated is ended is session
    assert isinstance(meta, SessionExecutionMeta)
    assert meta.id.startswith(session.id)
    assert interaction_id == counted.id
    assert data == SessionEndData("the user pressed Done", SessionEndCode.SELF_ENDED, 1)


async def test_cog_listeners_hear_start_update_end_and_expiry(
    run_counter: RunCounter,
    bot: commands.Bot,
    harness: InteractionHarness,
    manager: SessionManager,
    clock: ManualClock,
) -> None:
    diary = SessionDiary()
    await bot.add_cog(diary)

    session = await run_counter()
    counted = await press(harness, session, "+1")
    clock.advance(TTL + 1)
    await harness.settle()

    assert diary.heard[0][:2] == ("start", session)
    assert diary.heard[1:] == [
        ("update", session, counted.id),
        ("end", session, SessionEndCode.EXPIRED),
        ("expire", session, SessionEndCode.EXPIRED),
    ]


async def test_bot_wait_for_session_end_returns_how_the_session_ended(
    run_counter: RunCounter, bot: commands.Bot, harness: InteractionHarness, manager: SessionManager
) -> None:
    session = await run_counter()
    ending = bot.wait_for("session_end", check=lambda ended, data, meta: ended is session, timeout=5)

    await press(harness, session, "+1")
    await press(harness, session, "Done")
    ended, data, meta = await ending

    assert ended is session
    assert data.code is SessionEndCode.SELF_ENDED
    assert data.result == 1
    assert isinstance(meta, SessionExecutionMeta)


async def test_failing_bus_subscribers_are_logged_and_the_session_carries_on(
    run_counter: RunCounter,
    bot: commands.Bot,
    harness: InteractionHarness,
    manager: SessionManager,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_start(session: AbstractSession[Any], meta: Any) -> None:
        raise RuntimeError("the start subscriber broke")

    async def broken_update(session: AbstractSession[Any], interaction: Any, meta: Any) -> None:
        raise RuntimeError("the update subscriber broke")

    def broken_end(session: AbstractSession[Any], data: Any, meta: Any) -> None:
        raise RuntimeError("the end subscriber broke")

    manager.bus.subscribe(SessionEvent.START, broken_start)
    manager.bus.subscribe(SessionEvent.UPDATE, broken_update)
    manager.bus.subscribe(SessionEvent.END, broken_end)

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        session = await run_counter()
        counted = await press(harness, session, "+1")
        again = await press(harness, session, "+1")
        assert session.state is SessionState.RUNNING
        done = await press(harness, session, "Done")

    assert counted.response is not None
    assert counted.response.content == "Counter: 1"
    assert again.response is not None
    assert again.response.content == "Counter: 2"
    assert done.response is not None
    assert done.response.content == "Counter finished at 2"
    assert (await session.wait()).result == 2
    assert session.end_calls == [SessionEndCode.SELF_ENDED]
    logged = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert [str(error) for error in logged] == [
        "the start subscriber broke",
        "the update subscriber broke",
        "the update subscriber broke",
        "the end subscriber broke",
    ]


async def test_a_failing_cog_listener_goes_to_discord_pys_error_handler_and_the_session_carries_on(
    run_counter: RunCounter, bot: commands.Bot, harness: InteractionHarness, manager: SessionManager
) -> None:
    class Grumpy(commands.Cog):
        @commands.Cog.listener()
        async def on_session_update(self, session: Any, interaction: Any, meta: Any) -> None:
            raise RuntimeError("the listener broke")

    await bot.add_cog(Grumpy())
    session = await run_counter()

    assert session.message is not None
    plus_one = controls(harness, session.message)["+1"]["custom_id"]
    clicks = []
    for _ in range(2):
        clicks.append(await harness.click(session.message, plus_one, settle=False))
        # discord.py hands a listener's error to bot.on_error, which logs it; the harness raises it here.
        with pytest.raises(RuntimeError, match="the listener broke"):
            await harness.settle()

    assert [click.response.content for click in clicks if click.response] == ["Counter: 1", "Counter: 2"]
    assert session.state is SessionState.RUNNING


@pytest.mark.parametrize(
    ("options", "code"),
    [({"welcome": False}, SessionEndCode.START_DENIED), ({"broken": True}, SessionEndCode.START_FAILED)],
    ids=["denied", "failed"],
)
async def test_a_start_that_never_happened_fires_neither_start_nor_end(
    run_counter: RunCounter,
    bot: commands.Bot,
    manager: SessionManager,
    options: dict[str, bool],
    code: SessionEndCode,
) -> None:
    diary = SessionDiary()
    await bot.add_cog(diary)
    on_bus: Heard = []
    for event in (SessionEvent.START, SessionEvent.END):
        manager.bus.subscribe(event, lambda *args, event=event: on_bus.append((event, *args)))
    # A failing on_start is logged through the start error handler; keep the log quiet here.
    manager.executor.start_error_handler.fallback = lambda error, *args: None

    session = await run_counter(**options)

    assert (await session.wait()).code is code
    assert session.end_calls == []
    assert diary.heard == []
    assert on_bus == []


async def test_a_denied_update_fires_no_update_event(
    run_counter: RunCounter, bot: commands.Bot, harness: InteractionHarness, manager: SessionManager
) -> None:
    diary = SessionDiary()
    await bot.add_cog(diary)
    updates: Heard = []
    manager.bus.subscribe(SessionEvent.UPDATE, lambda *args: updates.append(args))

    session = await run_counter()
    stranger = await press(harness, session, "+1", user=1)
    owner = await press(harness, session, "+1")

    assert stranger.ephemeral_texts
    assert session.count == 1
    assert [args[1].id for args in updates] == [owner.id]
    assert [entry for entry in diary.heard if entry[0] == "update"] == [("update", session, owner.id)]
