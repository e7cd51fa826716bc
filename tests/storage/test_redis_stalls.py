"""The Redis store under stalls: a frozen server (``SIGSTOP``) runs what was queued when it thaws.

Each case freezes the real server while a call is in flight, gives the call up as a caller would,
thaws the server, and checks what the late request did: nothing, when it ran past its caller's
give-up moment. A claim that ran in time but whose answer was lost is found again by its claimer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from store_records import record

from nyx_sessions.storage import DurableRecord, RedisSessionStore
from nyx_sessions.testing import RedisServer


@pytest.fixture
async def stores(
    redis_server: RedisServer, redis_namespace: str
) -> AsyncIterator[tuple[RedisSessionStore, RedisSessionStore]]:
    """Two store objects on one namespace: two processes."""
    pair = (
        RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=1.0),
        RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=1.0),
    )
    for store in pair:
        await store.open()
    yield pair
    for store in pair:
        await store.close()


async def given_up_during_a_stall(server: RedisServer, call: Awaitable[Any], *, give_up: float) -> None:
    """Freeze the server, send ``call``, give it up after ``give_up`` seconds, then thaw the server
    a moment later, so the request it queued runs after its caller gave up."""
    server.pause()
    try:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(call, give_up)
        await asyncio.sleep(0.2)
    finally:
        server.resume()
    await asyncio.sleep(0.2)  # the queued script runs


async def test_a_create_that_runs_after_its_caller_gave_up_stores_nothing(
    stores: tuple[RedisSessionStore, RedisSessionStore], redis_server: RedisServer
) -> None:
    """A start reported failed (its create timed out) never comes back to life."""
    one, _ = stores
    await given_up_during_a_stall(
        redis_server, one.create(record(), give_up_at=time.time() + 0.3), give_up=0.3
    )
    assert not await one.exists("s1")
    assert await one.next_deadline() is None


async def test_an_admission_that_runs_after_its_caller_gave_up_counts_nothing(
    stores: tuple[RedisSessionStore, RedisSessionStore], redis_server: RedisServer
) -> None:
    """A start under a limit reported failed (its admission timed out) never takes a place: the
    next start of the same user is admitted, in the other process too."""
    one, two = stores
    await one.admit("warm", [("test.kind|user|1", 1)], "reject", now=time.time())  # the script is loaded
    limit = [("test.kind|user|7", 1)]
    admit = one.admit("s1", limit, "reject", now=time.time(), give_up_at=time.time() + 0.3)
    await given_up_during_a_stall(redis_server, admit, give_up=0.3)
    assert (await two.admit("s2", limit, "reject", now=time.time())).status == "ok"


async def test_claims_that_run_after_their_caller_gave_up_claim_nothing(
    stores: tuple[RedisSessionStore, RedisSessionStore], redis_server: RedisServer
) -> None:
    one, two = stores
    await one.create(record("a", deadline=10.0))
    await one.create(record("b", deadline=10.0))
    late_sweep = one.claim_due(50.0, 10, kinds={"test.kind": 1}, give_up_at=time.time() + 0.3)
    await given_up_during_a_stall(redis_server, late_sweep, give_up=0.3)
    late_end = one.claim_end("b", give_up_at=time.time() + 0.3)
    await given_up_during_a_stall(redis_server, late_end, give_up=0.3)
    assert await one.load("a") is not None and await one.load("b") is not None, "both still run"
    assert await one.claimed() == [], "no claim was made that nobody runs on_end for"
    claimed = await two.claim_due(50.0, 10, kinds={"test.kind": 1})
    assert sorted(found.id for found in claimed) == ["a", "b"], "a live sweep ends them"


async def test_a_commit_and_a_finish_that_run_after_their_caller_gave_up_change_nothing(
    stores: tuple[RedisSessionStore, RedisSessionStore], redis_server: RedisServer
) -> None:
    one, _ = stores
    await one.create(record())
    stale = dataclasses.replace(record(), data=b'{"n":99}')
    await given_up_during_a_stall(redis_server, one.commit(stale, give_up_at=time.time() + 0.3), give_up=0.3)
    loaded = await one.load("s1")
    assert loaded is not None and loaded.data == b'{"n":1}' and loaded.version == 1
    await given_up_during_a_stall(redis_server, one.finish("s1", give_up_at=time.time() + 0.3), give_up=0.3)
    assert await one.exists("s1")


async def test_a_claim_whose_answer_was_lost_is_found_by_its_claimer_only(
    stores: tuple[RedisSessionStore, RedisSessionStore], redis_server: RedisServer
) -> None:
    """The script ran within its caller's time, then the answer was lost: the claim is not dropped."""
    one, two = stores
    await one.create(record("a", deadline=10.0))
    # Given up by the client at 0.3 s while the script may still run until 5 s: it runs, unseen.
    lost = one.claim_due(50.0, 10, kinds={"test.kind": 1}, give_up_at=time.time() + 5.0)
    await given_up_during_a_stall(redis_server, lost, give_up=0.3)
    assert await one.load("a") is None, "claimed: ending"
    assert await two.claimed() == [], "another process does not take it up"
    (found,) = await one.claimed()
    assert found.id == "a" and found.version == 1
    assert await one.claimed(ignore={"a"}) == [], "an end in progress here is left to itself"
    await one.finish("a")
    assert await one.claimed() == [] and not await one.exists("a")


async def test_an_interaction_is_taken_once_even_when_the_first_process_ended_its_session(
    stores: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    """The loser of an interaction never answers it, whatever it finds (here: no session any more)."""
    one, two = stores
    await one.create(record())
    later = time.time() + 5
    assert (await one.acquire("s1", interaction_id=7, give_up_at=later)).status == "ok"
    assert await one.claim_end("s1") is not None
    await one.finish("s1")
    assert (await two.acquire("s1", interaction_id=7, give_up_at=later)).status == "replay"
    assert (await two.acquire("s1", interaction_id=8, give_up_at=later)).status == "missing"
    assert (await one.acquire("s1", interaction_id=8, give_up_at=later)).status == "replay"


async def test_a_busy_session_does_not_keep_the_interaction_from_its_next_try(
    stores: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = stores
    await one.create(record())
    later = time.time() + 5
    assert (await two.acquire("s1", interaction_id=2, give_up_at=later)).status == "busy"
    assert await one.commit(record(), interaction_id=1)  # asked meanwhile: lets go as it writes
    assert (await two.acquire("s1", interaction_id=2, give_up_at=later)).status == "ok", "tried again"


async def test_a_heartbeat_queued_during_a_stall_never_brings_back_ownership_that_ran_out(
    stores: tuple[RedisSessionStore, RedisSessionStore], redis_server: RedisServer
) -> None:
    """Redis stands still past a lease while the owner's heartbeat waits on the wire: when it runs,
    the heartbeat finds the ownership gone, and the owner takes a new name; another process takes
    the session over, and the old owner's late write is fenced."""
    one, two = stores
    await one.create(record())
    watch = asyncio.create_task(one.watch(lambda _: None, lambda _: None))
    try:
        await asyncio.sleep(0.2)
        assert one.owns("s1")
        redis_server.pause()
        try:
            await asyncio.sleep(1.5)  # past the 1 s lease: the heartbeats in flight reach Redis late
            assert not one.owns("s1"), "no click counts on ownership the heartbeat could not renew"
        finally:
            redis_server.resume()
        await asyncio.sleep(0.5)
        assert not one.owns("s1"), "the late heartbeat found the ownership gone: not brought back"
        assert (await two.acquire("s1", interaction_id=2, give_up_at=time.time() + 5)).status == "ok"
        assert await two.commit(record(data=b'{"by":"two"}'))
        assert not await one.commit(record(data=b'{"by":"one"}')), "the old owner's write is fenced"
    finally:
        watch.cancel()


async def test_a_late_request_to_let_go_never_lets_go_of_a_later_taking(
    stores: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    """After a stall, Redis may run a let-go sent before a new taking of the same session after it
    (their connections are read in any order): the later taking stays, or two processes would
    serve the session at once."""
    one, two = stores
    await one.create(record())
    first_taking = one._owned["s1"]  # what a let-go sent now would carry
    await one.let_go("s1")
    assert (await one.acquire("s1", interaction_id=1, give_up_at=time.time() + 5)).status == "ok"
    one._owned["s1"] = first_taking  # the let-go that was on the wire all along reaches Redis now
    await one.let_go("s1")
    assert (await two.acquire("s1", interaction_id=2, give_up_at=time.time() + 5)).status == "busy", (
        "the session is still process one's"
    )


async def test_claim_due_leaves_sessions_a_newer_version_wrote(
    stores: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    """A rolling deploy: the old release cannot read version 2 data, and must not end it."""
    one, two = stores
    await one.create(record("old", deadline=10.0))
    await two.create(record("new", deadline=10.0, data_version=2))
    assert [found.id for found in await one.claim_due(50.0, 10, kinds={"test.kind": 1})] == ["old"]
    assert await one.load("new") is not None, "still running, for the release that reads it"
    assert [found.id for found in await two.claim_due(50.0, 10, kinds={"test.kind": 2})] == ["new"]


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ({"appendonly": "no", "save": "3600 1"}, "snapshots only"),
        ({"appendonly": "no", "save": ""}, "persists nothing"),
        ({"appendonly": "yes", "appendfsync": "no"}, "appendfsync is no"),
    ],
)
async def test_settings_that_lose_recent_clicks_are_warned_about_at_start(
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, str],
    warned: str,
) -> None:
    folder = Path(tmp_path_factory.mktemp("r", numbered=True))
    server = RedisServer.launch(folder)
    try:
        admin = Redis.from_url(server.url)
        for name, value in settings.items():
            await admin.config_set(name, value)
        await admin.aclose()
        store = RedisSessionStore.from_url(server.url, namespace="warned")
        with caplog.at_level(logging.WARNING, logger="nyx_sessions"):
            await store.open()
        await store.close()
    finally:
        server.stop()
    assert warned in caplog.text


async def test_the_safe_settings_are_not_warned_about(
    redis_server: RedisServer, redis_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    with caplog.at_level(logging.WARNING, logger="nyx_sessions"):
        await store.open()
    await store.close()
    assert "appendonly" not in caplog.text and "appendfsync" not in caplog.text
