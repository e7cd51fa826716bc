"""Durable sessions survive a restart: start, click, restart the bot onto the same store, click again.

Each story runs the real bot machinery through the testing kit, once with an SQLite store in a
temporary folder and once with a Redis store on a real server, and a manual clock shared by the bot
and the fake Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import stat
import time
from collections.abc import AsyncIterator
from typing import Any

import discord
import durable_records as ext
import pytest
from discord import app_commands
from discord.ext import commands
from redis.asyncio import Redis

from nyx_sessions import (
    AbstractSession,
    SessionDataError,
    SessionEndCode,
    SessionEvent,
    SessionExecutionMeta,
    SessionStoreError,
    configure,
    get_session_manager,
    on_button,
)
from nyx_sessions.execution import ERROR_NOTICE, EXPIRED_NOTICE, STORE_UNAVAILABLE_NOTICE
from nyx_sessions.storage import (
    DurableRecord,
    ManualClock,
    RedisSessionStore,
    SessionStore,
    SQLiteSessionStore,
)
from nyx_sessions.testing import InteractionHarness, RedisServer, close_test_bot, create_test_bot


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


def text(harness: InteractionHarness, message: Any) -> str:
    return str(harness.message_payload(message)["content"])


def footer(harness: InteractionHarness, message: Any) -> str:
    return str(harness.message_payload(message)["embeds"][0]["footer"]["text"])


def disabled(harness: InteractionHarness, message: Any) -> list[bool]:
    rows = harness.message_payload(message)["components"]
    return [bool(c.get("disabled")) for row in rows for c in row["components"]]


async def test_a_counter_continues_after_a_restart(harness: InteractionHarness, bot: commands.Bot) -> None:
    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    await harness.click(started, label="+1")
    before = get_session_manager(bot)

    await harness.restart()
    after = get_session_manager(bot)
    assert after is not before and not after.sessions, "a new manager, holding nothing yet"

    clicked = await harness.click(started, label="+1")
    assert clicked.response.type == 7 and text(harness, started) == "count: 3"
    (session,) = after.sessions.values()
    assert session.restored and type(session.data).__name__ == "CounterData", "typed data came back"
    assert session.owner_id == harness.members[0].id and session.start_interaction is None
    assert [session.id] == ext.RESTORES


async def test_restart_detaches_instead_of_ending(harness: InteractionHarness, bot: commands.Bot) -> None:
    await harness.slash("counter")
    manager = get_session_manager(bot)
    (session,) = manager.sessions.values()
    ended: list[Any] = []
    manager.bus.subscribe(SessionEvent.END, lambda *args: ended.append(args))

    await harness.restart()
    assert (await session.wait()).code is SessionEndCode.DETACHED, "local waiters learn it left"
    assert ext.ENDS == [] and ended == [], "no on_end, no session_end: the session goes on"


async def test_non_durable_sessions_still_end_at_a_restart(harness: InteractionHarness) -> None:
    plain = await harness.slash("plain")
    counter = await harness.slash("counter")
    await harness.restart()
    assert [code for _, code in ext.ENDS] == [SessionEndCode.BOT_STOP]
    late = await harness.click(plain, label="X")
    assert late.ephemeral_texts == [EXPIRED_NOTICE]
    assert (await harness.click(counter, label="+1")).response.type == 7


async def test_a_durable_list_reloads_its_items_and_keeps_its_page(harness: InteractionHarness) -> None:
    started = await harness.slash("mods", {"kind": "warn"})
    await harness.click(started, label="\u25b6")
    assert footer(harness, started) == "Page 2/6" and ext.LOADS == ["warn"]

    await harness.restart()
    await harness.click(started, label="\u25b6")
    assert footer(harness, started) == "Page 3/6"
    assert ext.LOADS == ["warn", "warn"], "load_items runs again after the restore"


async def test_a_list_made_durable_without_a_subclass_keeps_its_lines(harness: InteractionHarness) -> None:
    started = await harness.slash("lines")
    await harness.click(started, label="\u25b6")
    await harness.restart()
    await harness.click(started, label="\u25b6")
    assert footer(harness, started) == "Page 3/5"
    assert harness.message_payload(started)["embeds"][0]["description"].startswith("line 11")


async def test_a_wizard_continues_at_its_step_with_what_was_entered(harness: InteractionHarness) -> None:
    started = await harness.slash("wizard")
    opened = await harness.click(started, label="Enter name")
    await harness.submit_modal(opened, {"name": "Ann"})
    assert text(harness, started) == "Step 2: colour for Ann"

    await harness.restart()
    await harness.select(started, values=["blue"], placeholder="Colour")
    assert text(harness, started) == "Step 3: Ann likes blue?"


async def test_a_panel_started_in_a_channel_is_a_persistent_view_that_keeps_state(
    harness: InteractionHarness,
) -> None:
    await harness.message("!panel")
    panel = harness.last_message()
    assert panel is not None and panel.content == "Open your counter"
    first = await harness.click(panel, label="Open", user=1)  # anyone may press it
    assert first.response.content == "opened 1: 0"

    await harness.restart()
    second = await harness.click(panel, label="Open", user=0)
    assert second.response.content == "opened 2: 0", "the panel kept its count across the restart"


async def test_a_deadline_that_passed_during_downtime_ends_the_session_at_start(
    harness: InteractionHarness,
) -> None:
    started = await harness.slash("counter")
    await harness.restart(downtime=620)  # 20 s past the 600 s TTL
    assert [code for _, code in ext.ENDS] == [SessionEndCode.EXPIRED]
    assert disabled(harness, started) == [True, True, True], "recently expired: its buttons are disabled"


async def test_a_long_outage_ends_overdue_sessions_without_a_storm_of_edits(
    harness: InteractionHarness,
) -> None:
    started = await harness.slash("counter")
    await harness.restart(downtime=3600)
    assert [code for _, code in ext.ENDS] == [SessionEndCode.EXPIRED]
    assert disabled(harness, started) == [False, False, False], "left for the next click"
    late = await harness.click(started, label="+1")
    assert late.ephemeral_texts == [EXPIRED_NOTICE] and disabled(harness, started) == [True, True, True]


async def test_expiry_of_a_restored_session_disables_it_by_id(
    harness: InteractionHarness, session_clock: ManualClock
) -> None:
    started = await harness.slash("counter")
    await harness.restart()
    await harness.click(started, label="+1")
    session_clock.advance(601)
    await harness.settle()
    assert [code for _, code in ext.ENDS] == [SessionEndCode.EXPIRED]
    assert disabled(harness, started) == [True, True, True]


async def test_data_that_cannot_be_stored_keeps_the_last_stored_state(harness: InteractionHarness) -> None:
    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    with harness.expect_errors(SessionDataError) as caught:
        bad = await harness.click(started, label="Bad")
    assert bad.ephemeral_texts == [ERROR_NOTICE] and "field 'label'" in str(caught.error)
    assert "(Counter)" in str(caught.error), "the error names the class"
    assert "keep JSON values in it" in str(caught.error) and "ids rather than discord.py objects" in str(
        caught.error
    ), "and the fix"
    await harness.click(started, label="+1")
    assert text(harness, started) == "count: 2", "the copy held here is the last one stored too"
    await harness.restart()
    await harness.click(started, label="+1")
    assert text(harness, started) == "count: 3", "the restored state is the last one stored"


async def _store_record(store: SessionStore, **fields: Any) -> None:
    record = DurableRecord(
        id=fields.pop("id", "abcdefghijkl"),
        kind=fields.pop("kind", "test.counter"),
        data_version=fields.pop("data_version", 2),
        data=fields.pop("data", b'{"count": 5, "label": "count"}'),
        owner_id=fields.pop("owner_id", None),
        channel_id=None,
        message_id=None,
        ephemeral=False,
        token=None,
        token_expires_at=None,
        token_edits_original=True,
        page=None,
        state=None,
        ttl=600,
        deadline=fields.pop("deadline", 1_700_000_600.0),
        created_at=1_700_000_000.0,
    )
    assert not fields
    assert await store.create(record)


async def test_corrupt_data_is_answered_as_expired_and_the_record_kept(
    harness: InteractionHarness, session_store: SessionStore, caplog: pytest.LogCaptureFixture
) -> None:
    await _store_record(session_store, data=b"{not json")
    panel = await harness.channel.send("old", view=_one_button("SSN\u0b75abcdefghijkl\u109einc"))
    clicked = await harness.click(panel, "SSN\u0b75abcdefghijkl\u109einc")
    assert clicked.ephemeral_texts == [EXPIRED_NOTICE]
    assert disabled(harness, panel) == [True]
    assert await session_store.exists("abcdefghijkl"), "the record is kept"
    assert "abcdefghijkl" in caplog.text


@pytest.mark.parametrize(
    ("record", "why"),
    [({"kind": "gone.kind"}, "unknown kind"), ({"data_version": 9}, "data from a newer version")],
)
async def test_a_record_another_version_may_serve_is_told_to_try_again_and_left_alone(
    harness: InteractionHarness,
    session_store: SessionStore,
    record: dict[str, Any],
    why: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """During a rolling deploy the other version serves it: no expiry notice, no disabled buttons."""
    await _store_record(session_store, **record)
    panel = await harness.channel.send("old", view=_one_button("SSN\u0b75abcdefghijkl\u109einc"))
    clicked = await harness.click(panel, "SSN\u0b75abcdefghijkl\u109einc")
    assert clicked.ephemeral_texts == [STORE_UNAVAILABLE_NOTICE], why
    assert disabled(harness, panel) == [False], "the message is left alone"
    stored = await session_store.load("abcdefghijkl")
    assert stored is not None and stored.version == 1, "the record is kept as it was"
    assert "abcdefghijkl" in caplog.text


async def test_data_of_an_older_version_is_migrated(
    harness: InteractionHarness, session_store: SessionStore
) -> None:
    await _store_record(session_store, data_version=1, data=b'{"n": 41}', owner_id=harness.members[0].id)
    panel = await harness.channel.send("old", view=_one_button("SSN\u0b75abcdefghijkl\u109einc"))
    clicked = await harness.click(panel, "SSN\u0b75abcdefghijkl\u109einc")
    assert clicked.response.content == "count: 42"


async def test_an_alias_finds_a_renamed_kind(
    harness: InteractionHarness, session_store: SessionStore
) -> None:
    await _store_record(session_store, kind="test.tally", owner_id=harness.members[0].id)
    panel = await harness.channel.send("old", view=_one_button("SSN\u0b75abcdefghijkl\u109einc"))
    assert (await harness.click(panel, "SSN\u0b75abcdefghijkl\u109einc")).response.content == "count: 6"


@pytest.mark.parametrize("session_store", ["sqlite"], indirect=True)
async def test_the_store_file_is_owner_only_and_held_by_one_process_at_a_time(
    bot: commands.Bot, session_store: SQLiteSessionStore
) -> None:
    assert stat.S_IMODE(os.stat(session_store.path).st_mode) == 0o600
    second = await create_test_bot(extensions=())
    try:
        configure(second, store=SQLiteSessionStore(session_store.path))
        with pytest.raises(commands.ExtensionFailed, match="in use by another process") as failed:
            await second.load_extension("nyx_sessions")
        assert isinstance(failed.value.original, SessionStoreError)
    finally:
        await close_test_bot(second)


def _one_button(custom_id: str) -> Any:
    import discord

    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="+1", custom_id=custom_id))
    view.stop()
    return view


async def test_restoring_is_bounded_and_concurrent_clicks_wait(harness: InteractionHarness) -> None:
    started = await harness.slash("counter")
    await harness.restart()
    first = await harness.click(started, label="+1", settle=False)
    second = await harness.click(started, label="+1", settle=False)
    await harness.settle()
    assert text(harness, started) == "count: 2", "the second click saw the restored session"
    assert harness.initial_responses(first) == harness.initial_responses(second) == 1
    await asyncio.sleep(0)


async def test_the_store_keeps_the_last_token_only_while_it_lives(
    harness: InteractionHarness,
    session_store: SessionStore,
    session_clock: ManualClock,
    bot: commands.Bot,
) -> None:
    started = await harness.slash("long")
    (session_id,) = get_session_manager(bot).sessions
    record = await session_store.load(session_id)
    assert record is not None and record.token == started.token
    assert record.token_expires_at is not None and record.token_expires_at <= session_clock.time() + 15 * 60

    session_clock.advance(16 * 60)
    await harness.restart()  # the restored session's stored token is dead by now
    clicked = await harness.click(started, label="+1")
    record = await session_store.load(session_id)
    assert record is not None and record.token == clicked.token, "the click's live token replaced it"
    assert text(harness, started) == "count: 1"


async def test_a_store_that_does_not_answer_gets_a_try_again_notice_and_loses_nothing(
    harness: InteractionHarness, session_store: SessionStore, request: pytest.FixtureRequest
) -> None:
    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    await harness.restart()
    async with _store_down(session_store, request):
        refused = await harness.click(started, label="+1")
        assert refused.ephemeral_texts == ["This can't be reached right now. Please try again in a moment."]
        assert harness.initial_responses(refused) == 1, "answered in time, once"
        assert disabled(harness, started) == [False, False, False], "nothing was disabled or ended"
    await harness.click(started, label="+1")  # back, with no restart of the bot
    assert text(harness, started) == "count: 2", "nothing stored was lost"


@contextlib.asynccontextmanager
async def _store_down(store: SessionStore, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """SQLite: the store closed under the running bot. Redis: the server killed (``kill -9``), then
    started again from its append-only file (fsynced on every write)."""
    if isinstance(store, RedisSessionStore):
        server: RedisServer = request.getfixturevalue("redis_server")
        server.kill()
        try:
            yield
        finally:
            server.start()
    else:
        await store.close()
        try:
            yield
        finally:
            await store.open()


@pytest.mark.parametrize("session_store", ["redis"], indirect=True)
async def test_a_latency_spike_during_a_click_is_answered_within_three_seconds_and_blocks_nothing(
    harness: InteractionHarness, redis_server: RedisServer
) -> None:
    from redis.asyncio import Redis

    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    other = Redis.from_url(redis_server.url)
    spike = asyncio.ensure_future(other.execute_command("DEBUG", "SLEEP", "2.5"))  # the server stalls
    await asyncio.sleep(0.1)
    clock = time.monotonic()
    with harness.expect_errors(SessionStoreError):
        stalled = await harness.click(started, label="+1")
    assert time.monotonic() - clock < 3, "answered within Discord's deadline"
    assert stalled.ephemeral_texts == ["This can't be reached right now. Please try again in a moment."]
    await spike
    await other.aclose()
    # The process serves the session: its handler ran at once, and its write, which the stall held
    # past the click's give-up moment, was refused when it reached Redis. The change is not kept,
    # and the next click starts from the stored state.
    await harness.click(started, label="+1")
    assert text(harness, started) == "count: 2"


async def test_a_bot_starts_while_redis_is_down_and_serves_once_it_is_back(
    redis_server: RedisServer, redis_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    redis_server.kill()
    try:
        bot = await create_test_bot(extensions=("nyx_sessions", "durable_sessions"), store=store)
    finally:
        redis_server.start()
    assert "does not answer" in caplog.text, "a warning, and the extension loaded"
    harness = InteractionHarness(bot).install()
    try:
        started = await harness.slash("counter")
        await harness.click(started, label="+1")
        assert text(harness, started) == "count: 1"
    finally:
        await harness.settle()
        await close_test_bot(bot)
        harness.uninstall()


class Slow(AbstractSession[None], kind="test.slow"):
    """A handler that runs three times as long as the store's lease."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("slow", view=self.view(self.button("go", label="Go")))

    @on_button("go")
    async def go(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await interaction.response.defer()
        await asyncio.sleep(3.0)
        self.data = {"done": True}


async def test_a_handler_longer_than_the_lease_keeps_the_session_from_other_processes(
    redis_server: RedisServer, redis_namespace: str
) -> None:
    # A lease of 1 s: short against the handler, long against a loaded machine's slowest loop turn.
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=1.0)
    other = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=1.0)
    bot = await create_test_bot(store=store)
    harness = InteractionHarness(bot).install()
    try:
        session = Slow(bot, harness.channel, owner=harness.members[0], data={})
        await session.start()
        assert session.message is not None
        clicked = await harness.click(session.message, label="Go", settle=False)
        for _ in range(5):  # 2.5 s: the heartbeat keeps the session this process's all along
            await asyncio.sleep(0.5)
            taken = await other.acquire(session.id, interaction_id=None, give_up_at=time.time() + 2)
            assert taken.status == "busy", "another process may not take a session whose handler runs"
        await harness.settle()
        assert harness.initial_responses(clicked) == 1
        record = await other.load(session.id)
        assert record is not None and record.data == b'{"done":true}'
    finally:
        await other.close()
        await close_test_bot(bot)
        harness.uninstall()


SCORES: list[Any] = []


class Scored(AbstractSession[int], kind="test.scored"):
    """Keeps a score in ``result`` (not in ``data``), as a game or a poll would."""

    ttl = 600

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(content="play", view=self.view(self.button("score", label="Score")))

    @on_button("score")
    async def score(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = (self.result or 0) + 7
        await interaction.response.defer()

    async def on_end(self, reason: str, code: Any, meta: SessionExecutionMeta) -> None:
        SCORES.append(self.result)


async def test_a_result_set_before_a_restart_is_seen_by_on_end_after_it(
    harness: InteractionHarness, bot: commands.Bot, session_clock: ManualClock
) -> None:
    SCORES.clear()
    scored = Scored(bot, harness.channel, owner=harness.members[0], data={})
    await scored.start()
    await harness.click(scored.message, label="Score")
    await harness.restart()
    await harness.click(scored.message, label="Score")
    session_clock.advance(601)
    await harness.settle()
    assert SCORES == [14], "the result came back with the record, and the click after added to it"


async def test_a_durable_form_keeps_its_first_answers_across_a_restart(harness: InteractionHarness) -> None:
    moderator, guild = harness.members[1], harness.guild
    team = guild.roles[0]
    first = await harness.slash("appeal")
    answers = {
        "moderator": [moderator.id],
        "reason": "I was muted by mistake",
        "evidence": [discord.File(io.BytesIO(b"chat log"), "log.txt")],
        "team": [team.id],
        "honest": True,
    }
    step = await harness.submit_modal(first, answers)
    assert step.ephemeral_texts == ["Step 1 of 2 done."]

    await harness.restart()
    second = await harness.click(step.original_id or 0, label="Continue")
    assert second.modal is not None and second.modal["title"] == "Appeal (2/2)"
    await harness.submit_modal(second, {"where": [harness.channel.id]})
    (appeal,) = ext.FORMS
    assert type(appeal).__name__ == "Appeal" and appeal.honest is True
    assert isinstance(appeal.moderator, discord.Member) and appeal.moderator.id == moderator.id
    assert (appeal.reason, appeal.team, appeal.where.id) == (
        "I was muted by mistake",
        team,
        harness.channel.id,
    )
    (evidence,) = appeal.evidence
    assert isinstance(evidence, discord.Attachment) and evidence.filename == "log.txt"
    assert evidence.size == len(b"chat log"), "the attachment as Discord described it"
    assert [code for _, code in ext.ENDS] == [SessionEndCode.SELF_ENDED]


async def test_a_durable_form_shows_what_was_typed_when_fixed_after_a_restart(
    harness: InteractionHarness,
) -> None:
    first = await harness.slash("appeal")
    answers = {
        "moderator": [harness.members[1].id],
        "reason": "a mistake",
        "evidence": [discord.File(io.BytesIO(b"log"), "log.txt")],
        "team": [harness.guild.roles[0].id],
        "honest": False,
    }
    refused = await harness.submit_modal(first, answers)
    (notice,) = refused.ephemeral_texts
    assert "**All of this is true** must be ticked" in notice

    await harness.restart()
    fix = await harness.click(refused.original_id or 0, label="Fix")
    assert fix.modal is not None
    shown = {label["component"]["custom_id"]: label["component"] for label in fix.modal["components"]}
    assert shown["reason"]["value"] == "a mistake", "what the user typed, kept in the record"
    picked = [int(pick["id"]) for pick in shown["moderator"]["default_values"]]
    assert picked == [harness.members[1].id]


async def test_the_lifetime_holds_across_a_restart_whatever_the_clicks(
    harness: InteractionHarness, session_clock: ManualClock
) -> None:
    started = await harness.slash("brief")
    session_clock.advance(60)
    await harness.click(started, label="+1")
    await harness.restart(downtime=30)
    clicked = await harness.click(started, label="+1")  # restored at 90 s, its TTL cut at 100 s
    assert clicked.response.type == 7 and text(harness, started) == "count: 2"
    assert ext.ENDS == []
    session_clock.advance(10)
    await harness.settle()
    assert [code for _, code in ext.ENDS] == [SessionEndCode.EXPIRED], (
        "100 s after the start, not 600 after a click"
    )


async def test_a_lifetime_of_its_own_is_kept_in_the_record_and_ends_it_during_downtime(
    harness: InteractionHarness, session_clock: ManualClock
) -> None:
    await harness.slash("brief", {"lifetime": 40})
    await harness.restart(downtime=45)
    assert [code for _, code in ext.ENDS] == [SessionEndCode.EXPIRED]


async def test_a_restored_session_is_updated_from_outside_a_click(
    harness: InteractionHarness, bot: commands.Bot
) -> None:
    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    (session_id,) = get_session_manager(bot).sessions
    await harness.restart()
    manager = get_session_manager(bot)
    assert manager.get(session_id) is None, "not held after the restart"
    assert await manager.update_message(session_id, content="count: 1 (live)") is True
    assert text(harness, started) == "count: 1 (live)"
    restored = manager.get(session_id)
    assert restored is not None and restored.restored, "taken from the store, as a click would"
    await harness.click(started, label="+1")
    assert text(harness, started) == "count: 2", "its state went on untouched"


async def test_a_limit_holds_across_a_restart(harness: InteractionHarness, bot: commands.Bot) -> None:
    first = await harness.slash("limited")
    await harness.restart()
    refused = await harness.slash("limited")
    assert refused.ephemeral_texts[0].startswith(
        "You already have an open limited counter: https://discord.com/"
    )
    assert str(first.original_id) in refused.ephemeral_texts[0], "the link names the open session's message"
    assert (await harness.click(first, label="+1")).response.type == 7, "the open one goes on"

    replacing = await harness.slash("limited", {"policy": "replace"})
    assert [code for _, code in ext.ENDS] == [SessionEndCode.REPLACED], "restored to be ended, once"
    assert disabled(harness, first) == [True, True, True]
    (running,) = get_session_manager(bot).sessions.values()
    assert running.message is not None and running.message.id == replacing.original_id


@pytest.mark.parametrize("session_store", ["redis"], indirect=True)
async def test_a_start_under_a_limit_costs_one_more_redis_call(
    harness: InteractionHarness, session_store: RedisSessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted at the client (every command redis-py sends goes through ``execute_command``): a
    limited start makes exactly one call more than an unlimited one, the admission script. The
    fewest of two starts each (one per member: nothing to replace): the first loads the scripts,
    and a heartbeat would have to land in both to tip it."""
    client = session_store._client
    sent: list[str] = []
    execute = client.execute_command

    async def counted(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)

    async def calls_of(command: str, user: int) -> int:
        sent.clear()
        await harness.slash(command, user=user)
        return len(sent)

    plain = min([await calls_of("counter", user) for user in (0, 1)])
    limited = min([await calls_of("limited", user) for user in (0, 1)])
    assert (plain, limited) == (2, 3), "EXISTS and the create script; then the admission script too"


class PageTranslator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: Any
    ) -> str | None:
        if locale is discord.Locale.french and string.extras.get("key") == "nyx_sessions.nav.page_label":
            return "Page {page} sur {count}"
        return None


async def test_a_session_keeps_its_locale_across_a_restart(
    harness: InteractionHarness, bot: commands.Bot
) -> None:
    await bot.tree.set_translator(PageTranslator())
    started = await harness.slash("lines", locale="fr")
    await harness.click(started, label="\u25b6", locale="en-US")
    assert footer(harness, started) == "Page 2 sur 5", "the session's text: the locale it started in"

    await harness.restart()
    await harness.click(started, label="\u25b6", locale="en-US")
    (session,) = get_session_manager(bot).sessions.values()
    assert session.restored and session.locale is discord.Locale.french, "kept in the record"
    assert footer(harness, started) == "Page 3 sur 5"


async def test_a_record_from_before_locales_were_kept_reads_as_english(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    await _store_record(session_store, owner_id=harness.members[0].id)  # no locale field, as before
    panel = await harness.channel.send("old", view=_one_button("SSN\u0b75abcdefghijkl\u109einc"))
    await harness.click(panel, "SSN\u0b75abcdefghijkl\u109einc", locale="fr")
    (session,) = get_session_manager(bot).sessions.values()
    assert session.restored and session.locale is discord.Locale.american_english
    record = await session_store.load("abcdefghijkl")
    assert record is not None and record.locale == "en-US", "written with the click"
