"""The store contract: the same cases against the memory, SQLite and Redis stores.

Then what only a shared store promises, with two store objects on one Redis namespace standing for
two processes: one process serves a session at a time (handed over between clicks, or taken once
its owner's heartbeat ran out), an interaction taken once, fenced commits, one end.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from store_records import record

from nyx_sessions import SessionStoreError
from nyx_sessions.storage import (
    Admitted,
    DurableRecord,
    MemorySessionStore,
    RedisSessionStore,
    SessionBusyError,
    SessionStore,
    SQLiteSessionStore,
)
from nyx_sessions.testing import RedisServer

StoreFactory = Callable[[], SessionStore]


@pytest.fixture(params=["memory", "sqlite", "redis", "redis, valkey client"])
async def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    """Makes store objects on one storage: a new object is a new bot (or, for Redis, process).

    The last runs the Redis store on a client of Valkey's fork of redis-py, given by the caller.
    """
    if request.param == "memory":
        memory = MemorySessionStore()
        yield lambda: memory
        return
    if request.param == "sqlite":
        yield lambda: SQLiteSessionStore(tmp_path / "sessions.db")
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    namespace: str = request.getfixturevalue("redis_namespace")
    if request.param == "redis":
        yield lambda: RedisSessionStore.from_url(server.url, namespace=namespace)
        return
    valkey = pytest.importorskip("valkey.asyncio")
    clients: list[Any] = []

    def on_valkey() -> RedisSessionStore:
        clients.append(valkey.Valkey(unix_socket_path=str(server.socket)))
        return RedisSessionStore(clients[-1], namespace=namespace)

    yield on_valkey
    for client in clients:  # a client given to the store is the caller's to close
        await client.aclose()


@pytest.fixture
async def store(make_store: StoreFactory) -> AsyncIterator[SessionStore]:
    opened = make_store()
    await opened.open()
    yield opened
    await opened.close()


async def test_a_record_comes_back_as_it_was_written(store: SessionStore) -> None:
    assert await store.create(record())
    loaded = await store.load("s1")
    assert loaded == dataclasses.replace(record(), version=1)
    assert await store.exists("s1")
    assert await store.load("nope") is None and not await store.exists("nope")


async def test_an_id_is_taken_once(store: SessionStore) -> None:
    assert await store.create(record())
    assert not await store.create(record(data=b'{"n":2}'))
    loaded = await store.load("s1")
    assert loaded is not None and loaded.data == b'{"n":1}', "the first record stays"


async def test_each_commit_replaces_the_record_and_bumps_its_version(store: SessionStore) -> None:
    await store.create(record())
    assert await store.commit(record(data=b'{"n":2}', deadline=150.0))
    assert await store.commit(record(data=b'{"n":3}', deadline=None))
    loaded = await store.load("s1")
    assert loaded is not None
    assert (loaded.data, loaded.deadline, loaded.version) == (b'{"n":3}', None, 3)
    assert await store.next_deadline() is None, "a session that never expires has no deadline"
    assert not await store.commit(record("never-created"))


USER_1 = [("test.kind|user|1", 1)]


async def test_a_limit_counts_starts_and_running_sessions_and_forgets_finished_ones(
    store: SessionStore,
) -> None:
    assert await store.admit("s1", USER_1, "reject", now=10.0) == Admitted("ok")
    refused = await store.admit("s2", USER_1, "reject", now=11.0)
    assert refused == Admitted("reject", blocker="s1", limit=0), "a start counts before its record exists"
    assert await store.admit("s2", USER_1, "replace", now=11.0) == Admitted("busy"), "s1 is still starting"
    await store.create(record("s1"))
    assert await store.admit("s2", USER_1, "replace", now=12.0) == Admitted("ok", victims=("s1",))
    await store.create(record("s2"))

    assert await store.claim_end("s1") is not None
    both = [("test.kind|user|1", 1), ("test.kind|guild|9", 5)]
    assert await store.admit("s3", both, "reject", now=13.0) == Admitted("reject", blocker="s2", limit=0), (
        "an ending session no longer counts; a running one does"
    )
    await store.finish("s1")
    await store.claim_end("s2")
    await store.finish("s2")
    assert await store.admit("s3", both, "reject", now=14.0) == Admitted("ok"), "finished: forgotten"


async def test_a_failed_start_stops_counting_at_once_or_after_a_grace(store: SessionStore) -> None:
    assert await store.admit("s1", USER_1, "reject", now=10.0) == Admitted("ok")
    await store.unadmit("s1")
    assert await store.admit("s2", USER_1, "reject", now=10.0) == Admitted("ok")


async def test_deadlines_come_due_in_order_and_only_once_passed(store: SessionStore) -> None:
    for index, deadline in enumerate((30.0, 10.0, 20.0, None)):
        await store.create(record(f"s{index}", deadline=deadline))
    assert await store.next_deadline() == 10.0
    assert await store.due(5.0, 10) == []
    assert await store.due(25.0, 10) == ["s1", "s2"]
    assert await store.due(100.0, 2) == ["s1", "s2"], "the limit keeps the earliest"
    await store.commit(record("s1", deadline=50.0))  # a click refreshed it
    assert await store.due(25.0, 10) == ["s2"]
    assert await store.next_deadline() == 20.0


async def test_an_end_is_claimed_once_and_a_refreshed_session_is_not_due(store: SessionStore) -> None:
    await store.create(record("a", deadline=10.0))
    await store.create(record("b", deadline=10.0))
    await store.commit(record("b", deadline=90.0))
    assert await store.claim_end("b", due_by=20.0) is None, "its deadline moved past the sweep's"
    claimed = await store.claim_end("a", due_by=20.0)
    assert claimed is not None and claimed.id == "a" and claimed.version == 1
    assert await store.claim_end("a") is None, "claimed once"
    assert await store.load("a") is None and await store.exists("a"), "ending: not loadable, still taken"
    assert "a" not in await store.due(100.0, 10)
    await store.finish("a")
    assert not await store.exists("a")
    assert await store.claim_end("b") is not None, "an explicit end needs no deadline"


async def test_due_sessions_are_claimed_by_kind_and_never_while_their_handler_runs(
    store: SessionStore,
) -> None:
    for index, (kind, deadline) in enumerate(
        (("test.kind", 10.0), ("other.kind", 5.0), ("test.kind", 20.0), ("test.kind", 90.0))
    ):
        await store.create(dataclasses.replace(record(f"s{index}", deadline=deadline), kind=kind))
    busy = await store.claim_due(50.0, 10, kinds={"test.kind": 1}, busy={"s0"})
    assert [claimed.id for claimed in busy] == ["s2"], "not the unknown kind, not the busy one, not s3"
    assert [claimed.id for claimed in await store.claim_due(50.0, 10, kinds={"test.kind": 1})] == ["s0"]
    assert await store.claim_due(50.0, 10, kinds={"test.kind": 1}) == [], "each claimed once"
    assert await store.load("s0") is None and await store.claim_end("s0") is None, "ending"
    assert await store.due(50.0, 10) == ["s1"], "the unknown kind stays due, for its own process"
    claimed = await store.claim_due(100.0, 1, kinds={"test.kind": 1, "other.kind": 1})
    assert [(one.id, one.version, one.data) for one in claimed] == [("s1", 1, b'{"n":1}')], "earliest first"


async def test_an_end_left_unfinished_is_finished_by_the_next_store_without_a_new_claim(
    make_store: StoreFactory,
) -> None:
    first = make_store()
    if isinstance(first, RedisSessionStore):
        first.end_claim = 0.0  # shared: another process takes over once the claim is over; here at once
    await first.open()
    await first.create(record("a", deadline=10.0))
    assert await first.claim_end("a") is not None
    await first.close()  # the process stops in on_end

    second = make_store()
    await second.open()
    try:
        await second.due(1_000.0, 10)  # a shared store finishes dead ends as it sweeps
        assert not await second.exists("a"), "finished"
        assert await second.claim_end("a") is None, "never claimed again: on_end ran at most once"
    finally:
        await second.close()


async def test_records_survive_a_new_store_object(make_store: StoreFactory) -> None:
    first = make_store()
    await first.open()
    await first.create(record())
    await first.close()
    second = make_store()
    await second.open()
    try:
        loaded = await second.load("s1")
        assert loaded is not None and loaded.data == b'{"n":1}'
    finally:
        await second.close()


# -- what a shared store adds -----------------------------------------------------------------------


@pytest.fixture
async def two_processes(
    redis_server: RedisServer, redis_namespace: str
) -> AsyncIterator[tuple[RedisSessionStore, RedisSessionStore]]:
    stores = (
        RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=0.3),
        RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=0.3),
    )
    for store in stores:
        await store.open()
    yield stores
    for store in stores:
        await store.close()


def later(seconds: float = 5.0) -> float:
    return time.time() + seconds


async def test_a_session_is_served_by_one_process_at_a_time_and_handed_over_between_clicks(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record())
    assert one.owns("s1") and not two.owns("s1"), "the process that starts a session serves it"
    busy = await two.acquire("s1", interaction_id=2, give_up_at=later())
    assert busy.status == "busy" and 0 < busy.retry_after <= 0.3
    assert await one.commit(record(data=b'{"n":2}'), interaction_id=1), "asked: it lets go as it writes"
    assert not one.owns("s1")
    taken = await two.acquire("s1", interaction_id=2, give_up_at=later())
    assert (taken.status, taken.version) == ("ok", 2), "the version says process two's copy is stale"
    assert two.owns("s1")
    await two.release("s1", interaction_id=3)
    assert two.owns("s1"), "nobody asked: a click over keeps the session where it is"
    assert (await one.acquire("s1", interaction_id=4, give_up_at=later())).status == "busy"


async def test_the_owner_writes_without_asking_first_and_keeps_the_session(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, _ = two_processes
    await one.create(record())
    for count in range(2, 5):
        assert one.owns("s1")
        assert await one.commit(record(data=b'{"n":%d}' % count), interaction_id=count)
    loaded = await one.load("s1")
    assert loaded is not None and (loaded.data, loaded.version) == (b'{"n":4}', 4)


async def test_an_interaction_delivered_to_two_processes_is_taken_once(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record())
    assert await one.commit(record(), interaction_id=41), "the owner's write marks its interaction"
    await one.release("s1", interaction_id=42)  # and so does a click over without a write
    assert (await two.acquire("s1", interaction_id=41, give_up_at=later())).status == "replay"
    assert (await two.acquire("s1", interaction_id=42, give_up_at=later())).status == "replay"
    assert (await two.acquire("s1", interaction_id=43, give_up_at=later())).status == "busy"
    await one.let_go("s1")
    assert (await two.acquire("s1", interaction_id=43, give_up_at=later())).status == "ok", (
        "a replay or a busy answer leaves the interaction free for its next try"
    )
    assert (await one.acquire("s1", interaction_id=43, give_up_at=later())).status == "replay"


async def test_a_commit_after_the_owner_stood_still_past_its_heartbeat_is_refused(
    two_processes: tuple[RedisSessionStore, RedisSessionStore], caplog: pytest.LogCaptureFixture
) -> None:
    one, two = two_processes
    await one.create(record())
    await asyncio.sleep(0.4)  # process one stalls past its 0.3 s heartbeat (no watch beats here)
    assert not one.owns("s1"), "a process never counts on ownership its heartbeat may have lost"
    assert (await two.acquire("s1", interaction_id=2, give_up_at=later())).status == "ok"
    assert await two.commit(record(data=b'{"by":"two"}'))
    assert not await one.commit(record(data=b'{"by":"one"}')), "fenced"
    loaded = await one.load("s1")
    assert loaded is not None and loaded.data == b'{"by":"two"}'
    assert "taken over by another process" in caplog.text


async def test_a_handler_that_outlived_its_heartbeat_keeps_its_change_unless_someone_came_between(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record())
    await asyncio.sleep(0.4)  # a slow handler: the heartbeat ran out, nobody else came
    assert await one.commit(record(data=b'{"slow":true}')), "nobody took it or wrote since: kept"

    assert (await one.acquire("s1", interaction_id=2, give_up_at=later())).status == "ok", (
        "under a new name: the one whose heartbeat ran out is never used again"
    )
    await asyncio.sleep(0.4)
    assert (await two.acquire("s1", interaction_id=3, give_up_at=later())).status == "ok"
    assert await two.commit(record(data=b'{"by":"two"}'))
    assert not await one.commit(record(data=b'{"by":"one"}')), "two served it since: fenced"
    loaded = await one.load("s1")
    assert loaded is not None and loaded.data == b'{"by":"two"}'


async def test_a_request_that_arrives_after_its_caller_gave_up_takes_nothing(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record())
    await one.let_go("s1")
    assert (await one.acquire("s1", interaction_id=1, give_up_at=time.time() - 1)).status == "late"
    assert (await two.acquire("s1", interaction_id=1, give_up_at=later())).status == "ok", (
        "neither the session nor the interaction was taken"
    )


async def test_an_ended_session_cannot_be_acquired(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record())
    assert await one.claim_end("s1") is not None
    assert (await two.acquire("s1", interaction_id=1, give_up_at=later())).status == "ending"
    await one.finish("s1")
    assert (await two.acquire("s1", interaction_id=2, give_up_at=later())).status == "missing"


async def test_an_end_from_another_process_asks_the_owner_to_let_go_first(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    """A click may run in the owner: the end waits for it to let go, between two clicks."""
    one, two = two_processes
    await one.create(record())
    with pytest.raises(SessionBusyError) as busy:
        await two.claim_end("s1")
    assert 0 < busy.value.retry_after <= 0.3
    await one.release("s1")  # the owner's click is over: asked, it lets go
    claimed = await two.claim_end("s1")
    assert claimed is not None and claimed.id == "s1"


async def test_expiry_leaves_a_session_to_its_live_owner_and_takes_it_once_the_owner_stopped(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record(deadline=19.0))
    assert await two.claim_due(20.0, 10, kinds={"test.kind": 1}) == [], "its owner ends it (or refreshes it)"
    assert await two.claim_end("s1", due_by=20.0) is None
    assert [claimed.id for claimed in await one.claim_due(20.0, 10, kinds={"test.kind": 1})] == ["s1"]

    await one.create(record("s2", deadline=10.0))
    await asyncio.sleep(0.4)  # process one stopped: its heartbeat runs out
    assert [claimed.id for claimed in await two.claim_due(20.0, 10, kinds={"test.kind": 1})] == ["s2"]


async def test_many_sweepers_claim_each_due_session_once(
    redis_server: RedisServer, redis_namespace: str
) -> None:
    stores = [RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace) for _ in range(3)]
    for store in stores:
        await store.open()
    try:
        starter = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
        await starter.open()
        for index in range(300):
            await starter.create(record(f"s{index}", deadline=float(index % 7)))
        await starter.close()  # a process that stopped: its sessions are anyone's at once

        async def sweep(store: RedisSessionStore) -> list[str]:
            mine: list[str] = []
            while claimed := await store.claim_due(100.0, 16, kinds={"test.kind": 1}):
                mine += [one.id for one in claimed]
                for one in claimed:
                    await store.finish(one.id)
            return mine

        claimed = await asyncio.gather(*(sweep(store) for store in stores))
        everyone = [session_id for mine in claimed for session_id in mine]
        assert sorted(everyone) == sorted(f"s{index}" for index in range(300)), "each once, none lost"
        assert all(claimed), "every sweeper took a share"
    finally:
        for store in stores:
            await store.close()


async def test_an_unreachable_server_is_a_store_error_and_not_a_failed_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisSessionStore.from_url(f"unix://{tmp_path / 'nobody.sock'}", namespace="x")
    await store.open()  # warns, does not raise: the bot starts
    assert "does not answer" in caplog.text
    with pytest.raises(SessionStoreError, match="Redis"):
        await store.load("s1")
    await store.close()


async def test_unsafe_server_settings_are_warned_about(
    redis_server: RedisServer, redis_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    client: Any = store.client
    await client.config_set("maxmemory-policy", "allkeys-lru")
    try:
        await store.open()
    finally:
        await client.config_set("maxmemory-policy", "noeviction")
        await store.close()
    assert "maxmemory-policy is 'allkeys-lru'" in caplog.text


async def test_a_host_clock_off_the_servers_is_warned_about_and_deadlines_keep_the_servers(
    redis_server: RedisServer,
    redis_namespace: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    await honest.open()
    assert abs(honest.clock_offset) < 0.5
    true_time = time.time
    monkeypatch.setattr(time, "time", lambda: true_time() + 20.0)  # this host runs 20 s ahead
    ahead = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    try:
        await ahead.open()
        assert "20.0 s ahead of the Redis server's" in caplog.text
        assert -20.5 < ahead.clock_offset < -19.5
        deadline = true_time() + 10.0
        await honest.create(record(deadline=deadline))
        stored = await ahead.load("s1")
        assert stored is not None and stored.deadline is not None
        assert abs(stored.deadline - (deadline + 20.0)) < 0.5, "seen on this host's clock"
        assert await ahead.due(time.time(), 5) == [], "not due: 10 s are left on the server's clock"
        assert await ahead.claim_due(time.time(), 5, kinds={"test.kind": 1}) == []
        assert abs((await ahead.next_deadline() or 0) - (deadline + 20.0)) < 0.5
    finally:
        await ahead.close()
        await honest.close()


async def _notices(
    store: RedisSessionStore, asked: asyncio.Queue[str] | None = None
) -> tuple[asyncio.Queue[str], asyncio.Task[None]]:
    """Watch ``store``'s ends into a queue (and the requests to let go into ``asked``), once the
    watch listens."""
    heard: asyncio.Queue[str] = asyncio.Queue()
    watch = asyncio.create_task(store.watch(heard.put_nowait, (asked or asyncio.Queue()).put_nowait))
    for _ in range(100):  # the subscription is in place once the server counts it
        await asyncio.sleep(0.01)
        if (await store.client.pubsub_numsub(store._ended_channel))[0][1]:
            break
    return heard, watch


async def test_every_process_hears_of_each_session_another_one_finishes(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    heard, watch = await _notices(one)
    try:
        await two.create(record("s1"))
        await two.create(record("s2"))
        assert await two.claim_end("s1") is not None
        await two.finish("s1")
        assert await asyncio.wait_for(heard.get(), 5) == "s1"
        assert heard.empty(), "a claim alone tells nobody; only the finish does"
    finally:
        watch.cancel()


async def test_the_owner_hears_at_once_that_another_process_asks_for_a_session_and_keeps_it_meanwhile(
    redis_server: RedisServer, redis_namespace: str
) -> None:
    # A lease of 1 s: short against the wait below, long against a loaded machine's slowest loop turn.
    one, two = (
        RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace, lease=1.0) for _ in "12"
    )
    await one.open()
    asked: asyncio.Queue[str] = asyncio.Queue()
    _, watch = await _notices(one, asked)
    try:
        await one.create(record())
        await asyncio.sleep(2.5)  # past two leases: the heartbeat keeps the session this process's
        assert one.owns("s1")
        assert (await two.acquire("s1", interaction_id=1, give_up_at=later())).status == "busy"
        assert await asyncio.wait_for(asked.get(), 5) == "s1"
        await one.let_go("s1")
        assert not one.owns("s1")
        assert (await two.acquire("s1", interaction_id=1, give_up_at=later())).status == "ok"
    finally:
        watch.cancel()
        await one.close()
        await two.close()


async def test_a_request_to_let_go_whose_notice_was_lost_comes_back_with_the_heartbeat(
    two_processes: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, two = two_processes
    await one.create(record())
    assert (await two.acquire("s1", interaction_id=1, give_up_at=later())).status == "busy"
    asked: asyncio.Queue[str] = asyncio.Queue()
    _, watch = await _notices(one, asked)  # listening only after the notice went out
    try:
        assert await asyncio.wait_for(asked.get(), 5) == "s1"
    finally:
        watch.cancel()


async def test_the_watch_of_ends_listens_again_after_redis_restarts(
    redis_server: RedisServer, redis_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nyx_sessions")
    one = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    two = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    heard, watch = await _notices(one)
    try:
        redis_server.kill()
        await asyncio.sleep(0.2)
        redis_server.start()
        assert "are not received" in caplog.text, "the lost connection was warned about"
        await two.create(record("s1"))
        until = time.monotonic() + 10
        while not (await one.client.pubsub_numsub(one._ended_channel))[0][1] and time.monotonic() < until:
            await asyncio.sleep(0.05)
        await two.finish("s1")
        assert await asyncio.wait_for(heard.get(), 5) == "s1"
        assert "received again" in caplog.text
    finally:
        watch.cancel()
        await one.close()
        await two.close()


async def test_every_key_carries_the_namespace_hash_tag(
    redis_server: RedisServer, redis_namespace: str
) -> None:
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    await store.open()
    try:
        await store.create(record(deadline=10.0))
        await store.acquire("s1", interaction_id=5, give_up_at=later())
        await store.claim_end("s1")
        keys = [key.decode() for key in await store.client.keys(f"*{redis_namespace}*")]
        assert keys and all(key.startswith(f"{{nyx:{redis_namespace}}}:") for key in keys), keys
    finally:
        await store.close()


async def test_an_acl_user_limited_to_the_namespace_runs_the_store(
    redis_server: RedisServer, redis_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The ACL the durable guide gives: this namespace's keys and channel, no dangerous commands.

    A user without the channel still runs the store; only the notices of ends are lost.
    """
    admin = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace).client
    user, blind = f"bot-{redis_namespace}", f"blind-{redis_namespace}"
    both = [f"&{{nyx:{redis_namespace}}}:ended", f"&{{nyx:{redis_namespace}}}:let"]
    for name, channels in ((user, both), (blind, [])):
        await admin.execute_command(
            "ACL", "SETUSER", name, "on", ">secret", "resetkeys", f"~{{nyx:{redis_namespace}}}:*",
            "resetchannels", *channels,
            "-@all", "+@connection", "+@read", "+@write", "+@scripting", "+@pubsub", "+time", "-@dangerous",
        )  # fmt: skip
    store = RedisSessionStore.from_url(
        f"unix://{user}:secret@{redis_server.socket}", namespace=redis_namespace
    )
    heard, watch = await _notices(store)
    try:
        await store.open()
        assert await store.create(record(deadline=10.0))
        assert (await store.acquire("s1", interaction_id=1, give_up_at=later())).status == "ok"
        assert await store.commit(record(deadline=10.0))
        assert await store.due(20.0, 5) == ["s1"]
        assert await store.claim_end("s1", due_by=20.0) is not None
        await store.finish("s1")
        assert await asyncio.wait_for(heard.get(), 5) == "s1"
        without_channel = RedisSessionStore.from_url(
            f"unix://{blind}:secret@{redis_server.socket}", namespace=redis_namespace
        )
        assert await without_channel.create(record("s2"))
        await without_channel.finish("s2")
        assert not await without_channel.exists("s2"), "finished, though its notice could not go out"
        refused = asyncio.create_task(without_channel.watch(heard.put_nowait, heard.put_nowait))
        await asyncio.sleep(0.3)
        refused.cancel()
        assert f"the ACL user needs the channels: &{{nyx:{redis_namespace}}}:*" in caplog.text
        await without_channel.close()
        other = RedisSessionStore.from_url(f"unix://{user}:secret@{redis_server.socket}", namespace="other")
        with pytest.raises(SessionStoreError, match="permission"):
            await other.create(record())
        await other.close()
    finally:
        watch.cancel()
        await store.close()
        for name in (user, blind):
            await admin.execute_command("ACL", "DELUSER", name)
        await admin.aclose()
