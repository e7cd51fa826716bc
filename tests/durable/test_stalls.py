"""Durable sessions when the store stalls, fails or loses an answer: every end once, every start answered.

One bot on the system clock (Discord's 3-second deadline is real here) with a real store: SQLite in
a temporary folder, or a real redis-server that the tests freeze, slow down or kill.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import discord
import durable_records as ext
import pytest
from discord.ext import commands
from durable_sessions import CounterData
from redis.asyncio import Redis

from nyx_sessions import (
    AbstractSession,
    SessionEndCode,
    SessionExecutionMeta,
    SessionStoreError,
    get_session_manager,
    on_button,
    spawns_session,
)
from nyx_sessions.execution import ERROR_NOTICE, STORE_UNAVAILABLE_NOTICE
from nyx_sessions.storage import RedisSessionStore, SessionStore, SQLiteSessionStore
from nyx_sessions.testing import InteractionHarness, RedisServer, close_test_bot, create_test_bot


class _LosesAnAnswer:
    """A real store whose next end claim is made, and then its answer lost (the connection drops
    between the store's work and the reply)."""

    lose_next_answer = False

    async def claim_end(self, session_id: str, **options: Any) -> Any:
        claimed = await super().claim_end(session_id, **options)  # type: ignore[misc]
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise ConnectionResetError("the connection dropped before the answer came back")
        return claimed


class LosingSQLiteStore(_LosesAnAnswer, SQLiteSessionStore):
    """SQLite, losing an answer when told."""


class LosingRedisStore(_LosesAnAnswer, RedisSessionStore):
    """Redis, losing an answer when told."""


@pytest.fixture(params=["sqlite", "redis"])
def session_store(request: pytest.FixtureRequest, tmp_path: Path) -> SessionStore:
    if request.param == "sqlite":
        return LosingSQLiteStore(tmp_path / "sessions.db")
    server = request.getfixturevalue("redis_server")
    return LosingRedisStore(server.url, namespace=request.getfixturevalue("redis_namespace"))


@pytest.fixture
def bot_extensions() -> list[str]:
    return ["nyx_sessions", "durable_sessions"]


class Flaky(AbstractSession[int], kind="test.flaky", data=CounterData):
    """A counter whose "Boom" button changes the data, then raises."""

    ttl = 600

    def render(self) -> dict[str, Any]:
        buttons = (self.button("inc", label="+1"), self.button("boom", label="Boom"))
        return {"content": f"count: {self.data.count}", "view": self.view(*buttons)}

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(**self.render())

    @on_button("inc")
    async def inc(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data.count += 1
        await self.edit(interaction, **self.render())

    @on_button("boom")
    async def boom(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data.count += 10
        raise RuntimeError("boom")


class SlowStart(AbstractSession[int], kind="test.slow-start", data=CounterData):
    """Takes two seconds in ``on_start`` before it answers, as a start that loads data would."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await asyncio.sleep(2.0)
        await self.respond(content="ready")


async def _break(store: SessionStore, server: RedisServer | None) -> None:
    """Make every write fail: Redis killed, or an SQLite file that refuses writes."""
    if isinstance(store, RedisSessionStore):
        assert server is not None
        server.kill()
    else:
        assert isinstance(store, SQLiteSessionStore)
        store._open_db().execute("PRAGMA query_only = 1")


async def _mend(store: SessionStore, server: RedisServer | None) -> None:
    if isinstance(store, RedisSessionStore):
        assert server is not None
        server.start()
    else:
        assert isinstance(store, SQLiteSessionStore)
        store._open_db().execute("PRAGMA query_only = 0")


@pytest.fixture
def server(session_store: SessionStore, request: pytest.FixtureRequest) -> RedisServer | None:
    return request.getfixturevalue("redis_server") if isinstance(session_store, RedisSessionStore) else None


async def test_an_end_the_store_cannot_record_is_refused_and_on_end_runs_once_when_asked_again(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore, server: RedisServer | None
) -> None:
    """No recorded claim, no on_end: the caller is told, the session goes on, nothing runs twice."""
    await harness.slash("counter")
    (session,) = get_session_manager(bot).sessions.values()
    await _break(session_store, server)
    try:
        with pytest.raises(SessionStoreError):
            await session.end("bye")
    finally:
        await _mend(session_store, server)
    assert ext.ENDS == [], "on_end did not run without a recorded end"
    assert session.end_data is None and get_session_manager(bot).get(session.id) is session, "it goes on"
    ended = await session.end("bye")
    assert ended.code is SessionEndCode.SELF_ENDED
    await asyncio.sleep(1.5)  # a sweep or two (a shared store's sweep polls every second)
    assert list(ext.ENDS) == [(session.id, SessionEndCode.SELF_ENDED)], "on_end ran once"
    assert not await session_store.exists(session.id)


@pytest.mark.parametrize("session_store", ["sqlite"], indirect=True)  # Redis down refuses the click earlier
async def test_a_click_whose_end_cannot_be_recorded_is_told_to_try_again_and_changes_nothing(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    """SQLite refusing writes while a handler ends its session: the same object ends once later."""
    started = await harness.slash("counter")
    (session,) = get_session_manager(bot).sessions.values()
    await _break(session_store, None)
    try:
        with harness.expect_errors(SessionStoreError):
            clicked = await harness.click(started, label="End")
    finally:
        await _mend(session_store, None)
    assert clicked.ephemeral_texts == [STORE_UNAVAILABLE_NOTICE], "told to try again"
    assert ext.ENDS == [] and session.end_data is None, "no recorded end, no on_end"
    assert (await session.end("bye")).code is SessionEndCode.SELF_ENDED
    assert list(ext.ENDS) == [(session.id, SessionEndCode.SELF_ENDED)]


async def test_a_durable_handler_that_raises_commits_nothing(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    flaky = Flaky(bot, harness.channel, owner=harness.members[0], data=CounterData())
    await flaky.start()
    message = flaky.message
    with harness.expect_errors(RuntimeError):
        boom = await harness.click(message, label="Boom")
    assert boom.ephemeral_texts == [ERROR_NOTICE]
    stored = await session_store.load(flaky.id)
    assert stored is not None and stored.data == b'{"count":0,"label":"count"}', "the stored state stays"
    held = get_session_manager(bot).get(flaky.id)
    assert held is not None and held.data.count == 0, "the held copy is restored from the store"
    clicked = await harness.click(message, label="+1")
    assert clicked.ephemeral_texts == [] and harness.message_payload(message)["content"] == "count: 1"


async def test_an_end_whose_answer_was_lost_is_taken_up_by_its_claimer_with_on_end(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    """The store made the claim, the answer never came back: the next sweep ends it, once."""
    await harness.slash("counter")
    (session,) = get_session_manager(bot).sessions.values()
    assert isinstance(session_store, _LosesAnAnswer)
    session_store.lose_next_answer = True
    with pytest.raises(SessionStoreError):
        await session.end("bye")
    assert ext.ENDS == [] and await session_store.load(session.id) is None, "claimed, not yet ended"
    ended = await asyncio.wait_for(session.wait(), 5)  # the next sweep, a second later
    assert ended.code is SessionEndCode.SELF_ENDED and ended.reason == "bye", "the end it was asked for"
    assert list(ext.ENDS) == [(session.id, SessionEndCode.SELF_ENDED)], "on_end ran once"
    assert not await session_store.exists(session.id)


@pytest.fixture
async def redis_bot(redis_server: RedisServer, redis_namespace: str) -> Any:
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    bot = await create_test_bot(extensions=("nyx_sessions", "durable_sessions"), store=store)

    @bot.tree.command(name="slow", description="A durable session whose start takes two seconds")
    async def slow(interaction: discord.Interaction[Any]) -> None:
        await SlowStart(interaction.client, interaction, data=CounterData()).start()

    @bot.tree.command(name="slow-spawn", description="The same, through @spawns_session")
    @spawns_session
    async def slow_spawn(interaction: discord.Interaction[Any]) -> SlowStart:
        return SlowStart(interaction.client, interaction, data=CounterData())

    harness = InteractionHarness(bot).install()
    yield bot, harness
    harness.uninstall()
    await close_test_bot(bot)


@pytest.mark.parametrize("command", ["slow", "slow-spawn"])
@pytest.mark.parametrize("stall", [1.5, 2.5])
async def test_a_durable_start_is_answered_in_time_when_the_store_is_slow(
    redis_bot: tuple[commands.Bot, InteractionHarness], redis_server: RedisServer, stall: float, command: str
) -> None:
    """1.5 s of store latency plus a 2 s on_start is deferred in time; a 2.5 s stall is told to try again."""
    bot, harness = redis_bot
    admin = Redis.from_url(redis_server.url)  # no socket timeout: it waits the stall out
    spike = asyncio.ensure_future(admin.execute_command("DEBUG", "SLEEP", str(stall)))
    await asyncio.sleep(0.05)
    try:
        ran = await harness.slash(command)
    finally:
        await spike
        await admin.aclose()
    # The fake Discord refuses a first answer later than 3 s: any answer here came in time.
    assert ran.response is not None, "answered within Discord's 3 seconds"
    if stall < 2.0:
        assert ran.response.type == 5 and ran.ephemeral_texts == [], "deferred, then the start answered"
        assert len(get_session_manager(bot).sessions) == 1
    else:
        told = [reply.content for reply in ran.replies if reply.error is None]
        assert told == [None, STORE_UNAVAILABLE_NOTICE], "deferred, then a failed start told to try again"
        assert not get_session_manager(bot).sessions


async def test_closing_right_after_loading_never_hangs(
    redis_server: RedisServer, redis_namespace: str
) -> None:
    """The watch of ended sessions may be mid-subscribe; every wait at shutdown is bounded."""
    for _ in range(10):
        store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
        bot = await create_test_bot(store=store)
        began = time.monotonic()
        await asyncio.wait_for(close_test_bot(bot), 8)
        assert time.monotonic() - began < 3
