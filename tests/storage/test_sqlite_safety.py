"""What keeps an SQLite store's sessions ending once, and its clicks written in time.

The lock follows the file a path resolves to (two releases reach one database through symlinks);
each claim is one statement, so even two processes that meet on one file (the lock bypassed here)
claim each session once. A write is in the file when its call returns, and the write-ahead log is
checkpointed off the loop. A session's ``result`` is stored with its data, in files of the old
schema too.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from store_records import record

from nyx_sessions import AbstractSession, SessionDataError, SessionExecutionMeta, SessionStoreError
from nyx_sessions.codec import SessionCustomIdCodec
from nyx_sessions.storage import DurableRecord, SQLiteSessionStore, sqlite_store

KINDS = {"test.kind": 1}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteSessionStore]:
    opened = SQLiteSessionStore(tmp_path / "sessions.db")
    await opened.open()
    yield opened
    await opened.close()


# -- one process per file, whatever path reaches it --------------------------------------------------


async def test_two_symlinks_to_one_file_are_one_store(tmp_path: Path) -> None:
    # Capistrano's linked_files: each release links sessions.db to the shared one, made at first open.
    shared = tmp_path / "shared" / "sessions.db"
    releases = []
    for number in (1, 2):
        release = tmp_path / "releases" / str(number)
        release.mkdir(parents=True)
        (release / "sessions.db").symlink_to(shared)
        releases.append(SQLiteSessionStore(release / "sessions.db"))
    first, second = releases
    await first.open()
    try:
        assert await first.create(record())
        with pytest.raises(SessionStoreError, match="in use by another process") as raised:
            await second.open()
        assert str(shared) in str(raised.value), "the error names the file both paths reach"
        with pytest.raises(SessionStoreError, match="in use"):
            await SQLiteSessionStore(shared).open()
        assert (tmp_path / "shared" / "sessions.db.lock").exists()
        assert not (tmp_path / "releases" / "1" / "sessions.db.lock").exists()
    finally:
        await first.close()
    await second.open()  # released with the first store: the next release takes over
    try:
        loaded = await second.load("s1")
        assert loaded is not None and loaded.data == b'{"n":1}', "one database behind both links"
    finally:
        await second.close()


async def test_a_symlinked_folder_reaches_the_same_lock(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "current").symlink_to(shared, target_is_directory=True)
    first = SQLiteSessionStore(tmp_path / "current" / "sessions.db")
    await first.open()
    try:
        with pytest.raises(SessionStoreError, match="in use"):
            await SQLiteSessionStore(shared / "sessions.db").open()
        with pytest.raises(SessionStoreError, match="in use"):
            await SQLiteSessionStore(tmp_path / "current" / ".." / "shared" / "sessions.db").open()
    finally:
        await first.close()


async def test_the_lock_file_goes_with_the_store_and_still_keeps_a_second_one_out(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    first = SQLiteSessionStore(path)
    await first.open()
    assert (tmp_path / "sessions.db.lock").exists()
    with pytest.raises(SessionStoreError, match="in use"):
        await SQLiteSessionStore(path).open()
    assert (tmp_path / "sessions.db.lock").exists(), "a refused store leaves the holder's lock alone"
    await first.close()
    assert not (tmp_path / "sessions.db.lock").exists(), "nothing left beside the database"

    second = SQLiteSessionStore(path)
    await second.open()  # a new lock file, held by the second store alone
    try:
        with pytest.raises(SessionStoreError, match="in use"):
            await first.open()
    finally:
        await second.close()
    assert sorted(os.listdir(tmp_path)) == ["sessions.db"]


async def test_a_lock_file_removed_while_being_locked_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of removing lock files: a store opens the lock file, its holder closes (and removes
    it), then the store locks the removed file. It must lock the file at the path instead, or a third
    store would create a new lock file and hold the database at the same time."""
    path = tmp_path / "sessions.db"
    holder = SQLiteSessionStore(path)
    await holder.open()
    fcntl = pytest.importorskip("fcntl")
    real_flock = fcntl.flock
    closed_in_between: list[bool] = []

    def flock_after_the_holder_closed(descriptor: int, operation: int) -> None:
        if not closed_in_between:
            closed_in_between.append(True)
            # The holder's close, as far as the lock goes: unlock and remove the file.
            sqlite_store._unlock_file(Path(os.path.realpath(path)), holder._lock)  # type: ignore[arg-type]
            holder._lock = None
        real_flock(descriptor, operation)

    monkeypatch.setattr(fcntl, "flock", flock_after_the_holder_closed)
    second = SQLiteSessionStore(path)
    await second.open()
    monkeypatch.setattr(fcntl, "flock", real_flock)
    try:
        assert closed_in_between, "the holder went away between the second store's open and flock"
        assert (tmp_path / "sessions.db.lock").exists(), "the second store holds a lock file others see"
        with pytest.raises(SessionStoreError, match="in use"):
            await SQLiteSessionStore(path).open()
    finally:
        await second.close()
        await holder.close()
    assert not (tmp_path / "sessions.db.lock").exists()


# -- claims are atomic even when two processes meet ---------------------------------------------------


@pytest.fixture
def unlocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two stores may open one file, as two processes would where the lock is not enforced."""

    def no_lock(path: Path) -> tuple[Path, int]:
        return Path(os.path.realpath(path)), os.open(os.devnull, os.O_RDONLY)

    monkeypatch.setattr(sqlite_store, "_lock_file", no_lock)


@pytest.fixture
async def two_processes(tmp_path: Path, unlocked: None) -> AsyncIterator[tuple[SQLiteSessionStore, ...]]:
    stores = (SQLiteSessionStore(tmp_path / "sessions.db"), SQLiteSessionStore(tmp_path / "sessions.db"))
    for one in stores:
        await one.open()
    yield stores
    for one in stores:
        await one.close()


async def test_racing_sweeps_and_ends_claim_each_session_once(
    two_processes: tuple[SQLiteSessionStore, SQLiteSessionStore],
) -> None:
    first, second = two_processes
    claims: collections.Counter[str] = collections.Counter()
    for round_ in range(40):
        ids = [f"r{round_}-{index}" for index in range(8)]
        for index, session_id in enumerate(ids):
            await first.create(record(session_id, deadline=float(index)))
        calls = [
            first.claim_due(50.0, 3, kinds=KINDS),
            second.claim_due(50.0, 3, kinds=KINDS),
            first.claim_due(50.0, 2, kinds=KINDS),
            second.claim_due(50.0, 8, kinds=KINDS),
        ]
        ends = [store.claim_end(session_id) for session_id in ids for store in (first, second)]
        results = await asyncio.gather(*calls, *ends)
        for result in results:
            for claimed in result if isinstance(result, list) else [result]:
                if claimed is not None:
                    claims[claimed.id] += 1
        assert {session_id for session_id in ids if claims[session_id] == 1} == set(ids), (
            f"round {round_}: {[(session_id, claims[session_id]) for session_id in ids]}"
        )
    assert set(claims.values()) == {1}


async def test_a_claim_returns_the_record_it_claimed_never_an_older_one(
    two_processes: tuple[SQLiteSessionStore, SQLiteSessionStore],
) -> None:
    first, second = two_processes
    for round_ in range(60):
        session_id = f"c{round_}"
        await first.create(record(session_id, deadline=10.0))
        committed, claimed = await asyncio.gather(
            first.commit(record(session_id, data=b'{"n":2}', deadline=10.0)), second.claim_end(session_id)
        )
        assert claimed is not None
        # The claim came after the commit exactly when the commit went through.
        assert (claimed.version, claimed.data) == ((2, b'{"n":2}') if committed else (1, b'{"n":1}'))


async def test_sessions_of_a_newer_data_version_are_left_for_the_version_that_wrote_them(
    store: SQLiteSessionStore,
) -> None:
    for session_id, kind, version, deadline in (
        ("old", "a", 1, 10.0),
        ("same", "a", 2, 11.0),
        ("newer", "a", 3, 5.0),
        ("b", "b", 1, 12.0),
        ("unknown", "c", 1, 1.0),
        ("busy", "a", 1, 2.0),
    ):
        await store.create(record(session_id, kind=kind, data_version=version, deadline=deadline))
    claimed = await store.claim_due(50.0, 10, kinds={"a": 2, "b": 1}, busy={"busy"})
    assert [one.id for one in claimed] == ["old", "same", "b"], "earliest first, none newer than 2"
    assert await store.due(50.0, 10) == ["unknown", "busy", "newer"], "left running"
    assert await store.claim_due(50.0, 10, kinds={}) == [], "a caller that reads no kind claims none"
    assert [one.id for one in await store.claim_due(50.0, 1, kinds={"a": 3, "c": 1})] == ["unknown"]
    assert [one.id for one in await store.claim_due(50.0, 5, kinds={"a": 3})] == ["busy", "newer"]


# -- a write that runs after its caller gave up changes nothing ---------------------------------------


async def test_writes_in_time_or_without_a_give_up_time_run(store: SQLiteSessionStore) -> None:
    for give_up_at in (None, time.time() + 60.0):
        prefix = "none" if give_up_at is None else "future"
        assert await store.create(record(f"{prefix}-a", deadline=10.0), give_up_at=give_up_at)
        assert await store.create(record(f"{prefix}-b", deadline=20.0), give_up_at=give_up_at)
        assert not await store.create(record(f"{prefix}-a"), give_up_at=give_up_at), "taken: False"
        assert await store.commit(
            record(f"{prefix}-a", data=b'{"n":2}', deadline=10.0), give_up_at=give_up_at
        )
        assert not await store.commit(record("never-created"), give_up_at=give_up_at)
        claimed = await store.claim_due(50.0, 1, kinds=KINDS, give_up_at=give_up_at)
        assert [(one.id, one.data, one.version) for one in claimed] == [(f"{prefix}-a", b'{"n":2}', 2)]
        assert await store.claim_due(5.0, 10, kinds=KINDS, give_up_at=give_up_at) == [], "none due"
        ended = await store.claim_end(f"{prefix}-b", give_up_at=give_up_at)
        assert ended is not None and ended.id == f"{prefix}-b"
        assert await store.claim_end(f"{prefix}-b", give_up_at=give_up_at) is None
        for session_id in (f"{prefix}-a", f"{prefix}-b"):
            await store.finish(session_id, give_up_at=give_up_at)
            assert not await store.exists(session_id)
        await store.finish("never-created", give_up_at=give_up_at)


async def test_a_write_is_in_the_file_when_the_call_returns(
    store: SQLiteSessionStore, tmp_path: Path
) -> None:
    """The promise of a click: its state is stored before the next click of the session is served."""
    assert await store.create(record("a"))
    assert await store.commit(record("a", data=b'{"n":2}'))
    other = sqlite3.connect(tmp_path / "sessions.db")  # another reader sees it at once
    try:
        assert other.execute("SELECT data, version FROM nyx_sessions WHERE id = 'a'").fetchone() == (
            b'{"n":2}',
            2,
        )
    finally:
        other.close()


async def test_the_log_is_copied_into_the_database_off_the_loop(
    store: SQLiteSessionStore, tmp_path: Path
) -> None:
    """Commits only append to the write-ahead log; every few hundred, a worker thread checkpoints it."""
    assert await store.create(record("a"))
    for count in range(2, sqlite_store._CHECKPOINT_EVERY + 2):
        assert await store.commit(record("a", data=b'{"n":%d}' % count))
    checkpoint = store._checkpoint
    assert checkpoint is not None, "a checkpoint runs on a worker thread"
    await checkpoint
    # The database file alone, without its log, has the commits the checkpoint copied.
    alone = sqlite3.connect(f"file:{tmp_path / 'sessions.db'}?immutable=1", uri=True)
    try:
        (version,) = alone.execute("SELECT version FROM nyx_sessions WHERE id = 'a'").fetchone()
    finally:
        alone.close()
    assert version >= sqlite_store._CHECKPOINT_EVERY - 1


# -- the sessions this process claimed -----------------------------------------------------------------


async def test_claimed_lists_claims_not_yet_finished_except_those_ignored(store: SQLiteSessionStore) -> None:
    for session_id, deadline in (("a", 10.0), ("b", 20.0), ("c", 90.0)):
        await store.create(record(session_id, deadline=deadline))
    assert await store.claimed() == []
    await store.claim_end("b")
    await store.claim_due(50.0, 10, kinds=KINDS)
    found = await store.claimed()
    assert [(one.id, one.version) for one in found] == [("a", 1), ("b", 1)]
    assert [one.id for one in await store.claimed(ignore={"a"}, give_up_at=time.time() + 5)] == ["b"]
    await store.finish("a")
    assert [one.id for one in await store.claimed()] == ["b"]


# -- the session's result, and files of the first schema ----------------------------------------------


async def test_a_result_is_stored_with_the_record(store: SQLiteSessionStore) -> None:
    assert await store.create(record("a", result=b'{"score":3}'))
    assert await store.create(record("b"))
    assert await store.load("a") == dataclasses.replace(record("a", result=b'{"score":3}'), version=1)
    loaded = await store.load("b")
    assert loaded is not None and loaded.result is None
    assert await store.commit(record("b", result=b"[1,2]", deadline=10.0))
    claimed = await store.claim_end("b")
    assert claimed is not None and claimed.result == b"[1,2]"


_SCHEMA_1 = """
CREATE TABLE nyx_sessions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    data_version INTEGER NOT NULL,
    data BLOB NOT NULL,
    owner_id INTEGER,
    channel_id INTEGER,
    message_id INTEGER,
    ephemeral INTEGER NOT NULL,
    token TEXT,
    token_expires_at REAL,
    token_edits_original INTEGER NOT NULL,
    page INTEGER,
    state BLOB,
    ttl REAL,
    deadline REAL,
    created_at REAL NOT NULL,
    version INTEGER NOT NULL,
    ending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX nyx_sessions_due ON nyx_sessions (deadline) WHERE ending = 0 AND deadline IS NOT NULL;
CREATE TABLE nyx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO nyx_meta (key, value) VALUES ('schema_version', '1');
INSERT INTO nyx_sessions VALUES
    ('old', 'test.kind', 1, X'7B226E223A317D', 7, 8, 9, 0, NULL, NULL, 0, NULL, NULL, 60.0, 30.0, 40.0, 4, 0);
"""


def _schema_of(path: Path) -> tuple[str, set[str]]:
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("SELECT value FROM nyx_meta WHERE key = 'schema_version'").fetchone()
        columns = {row[1] for row in connection.execute("PRAGMA table_info(nyx_sessions)")}
    connection.close()
    return version, columns


async def test_a_file_of_the_first_schema_gains_every_later_column(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    connection = sqlite3.connect(path)
    connection.executescript(_SCHEMA_1)
    connection.close()

    for _ in range(2):  # a second open finds nothing left to do
        store = SQLiteSessionStore(path)
        await store.open()
        try:
            loaded = await store.load("old")
            assert loaded is not None
            assert (loaded.data, loaded.version, loaded.result, loaded.lifetime, loaded.locale) == (
                b'{"n":1}',
                4,
                None,
                None,
                None,
            )
            assert (loaded.parent, loaded.child) == (None, None)
        finally:
            await store.close()
        version, columns = _schema_of(path)
        assert version == "5" and {"result", "lifetime", "parent", "child", "locale"} <= columns

    store = SQLiteSessionStore(path)
    await store.open()
    try:
        assert await store.commit(dataclasses.replace(record("old"), result=b'"won"'))
        assert await store.create(record("new", deadline=200.0, result=b"1", lifetime=600.0, locale="de"))
        claimed = await store.claim_due(300.0, 10, kinds=KINDS)
        assert [(one.id, one.result, one.lifetime, one.locale) for one in claimed] == [
            ("old", b'"won"', None, "fr"),
            ("new", b"1", 600.0, "de"),
        ]
    finally:
        await store.close()


async def test_a_newer_schema_number_is_never_lowered(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SQLiteSessionStore(path)
    await store.open()
    await store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE nyx_meta SET value = '6' WHERE key = 'schema_version'")
    connection.close()
    await store.open()
    await store.close()
    assert _schema_of(path)[0] == "6"


# -- a session's result goes into its record and comes back -------------------------------------------


class Scored(AbstractSession[Any], kind="test.sqlite_safety.scored"):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Never started here: the sessions of these tests are built from records."""


def _restored(stored: DurableRecord) -> Scored:
    manager: Any = SimpleNamespace(bot=None, codec=SessionCustomIdCodec())
    return Scored._from_record(manager, stored, {"n": 1})


def scored(session_id: str = "s1") -> DurableRecord:
    """A record of :class:`Scored` with no token (that would need a bot to check it)."""
    return dataclasses.replace(
        record(session_id, kind="test.sqlite_safety.scored"), token=None, token_expires_at=None
    )


async def test_a_sessions_result_survives_the_store(store: SQLiteSessionStore) -> None:
    session = _restored(scored())
    assert session.result is None, "no result stored: none restored"
    assert session._to_record(10.0, 40.0).result is None
    session.result = {"score": 3, "names": ["a", "b"]}
    assert await store.create(session._to_record(10.0, 40.0))

    loaded = await store.load("s1")
    assert loaded is not None and loaded.result == b'{"score":3,"names":["a","b"]}'
    assert _restored(loaded).result == {"score": 3, "names": ["a", "b"]}


async def test_a_result_json_cannot_carry_names_its_field() -> None:
    session = _restored(scored())
    session.result = {"score": 3, "when": object()}
    with pytest.raises(SessionDataError, match=r"result\.when") as raised:
        session._to_record(10.0, 40.0)
    assert raised.value.field == "result.when" and raised.value.session_id == "s1"
    session.result = object()
    with pytest.raises(SessionDataError) as raised:
        session._to_record(10.0, 40.0)
    assert raised.value.field == "result"
