"""SQLiteSessionStore: durable sessions in one SQLite file, for a bot that runs as one process.

Statements run on the event loop's thread through the standard :mod:`sqlite3` module: under WAL with
``synchronous=NORMAL`` a commit is an append to the log that waits for no disk, tens of microseconds,
cheaper than a hop to a worker thread and back. What does wait for the disk, copying the log into
the database (a checkpoint), runs on a worker thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from nyx_sessions.errors import SessionStoreError

from ._admission import decide
from .store import STARTING_GRACE, DurableRecord

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from .store import Admitted

__all__ = ("SQLiteSessionStore",)

_log = logging.getLogger(__name__)

# 2: the session's ``result`` (a ``result`` column, added to files of version 1 when they open).
# 3: the session's ``max_lifetime`` (a ``lifetime`` column, added to older files when they open).
# 4: child sessions (``parent`` and ``child`` columns, likewise).
# 5: the session's ``locale`` (a ``locale`` column, added to older files when they open).
_SCHEMA_VERSION = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nyx_sessions (
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
    ending INTEGER NOT NULL DEFAULT 0,
    result BLOB,
    lifetime REAL,
    parent TEXT,
    child TEXT,
    locale TEXT
);
CREATE INDEX IF NOT EXISTS nyx_sessions_due ON nyx_sessions (deadline)
    WHERE ending = 0 AND deadline IS NOT NULL;
CREATE TABLE IF NOT EXISTS nyx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nyx_limits (
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (key, id)
);
CREATE INDEX IF NOT EXISTS nyx_limits_id ON nyx_limits (id);
"""
# ``nyx_limits``: the sessions each limit (``max_per_user``, ...) counts, by the limit's key, with
# the moment each was admitted. A row whose session has no record is a start in progress.

# What a write sets from the record, in :func:`_values` order; ``version`` is the store's own.
_FIELDS = (
    "id",
    "kind",
    "data_version",
    "data",
    "owner_id",
    "channel_id",
    "message_id",
    "ephemeral",
    "token",
    "token_expires_at",
    "token_edits_original",
    "page",
    "state",
    "ttl",
    "deadline",
    "created_at",
    "result",
    "lifetime",
    "parent",
    "child",
    "locale",
)
_COLUMNS = (*_FIELDS, "version")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM nyx_sessions"
_RETURNING = f"RETURNING {', '.join(_COLUMNS)}"
_INSERT_COLUMNS = f"INSERT INTO nyx_sessions ({', '.join(_COLUMNS)})"
_MARKS = ", ".join("?" * len(_FIELDS))
_INSERT = f"{_INSERT_COLUMNS} VALUES ({_MARKS}, 1)"
_UPDATE = (
    f"UPDATE nyx_sessions SET {', '.join(f'{name} = ?' for name in _FIELDS[1:])}, version = version + 1 "
    "WHERE id = ? AND ending = 0"
)
_ORPHANS_DUE = (
    "UPDATE nyx_sessions SET deadline = created_at "
    "WHERE ending = 0 AND child IN (SELECT id FROM nyx_sessions WHERE ending = 1)"
)
"""Parents whose child's end a crash cut off become due at once (their start is in the past on any
clock), and expire."""
_COUNTED = (
    "SELECT l.id, l.at, s.ending FROM nyx_limits l LEFT JOIN nyx_sessions s ON s.id = l.id "
    "WHERE l.key = ? ORDER BY l.at, l.rowid"
)
"""The sessions a limit counted, oldest first, each with ``ending`` (``None``: no record yet)."""
_CHECKPOINT_EVERY = 500
"""Writes between two checkpoints, which copy the write-ahead log into the database off the loop."""

# RETURNING arrived in SQLite 3.35.0: every claim is one UPDATE ... RETURNING.
_MIN_SQLITE = (3, 35, 0)


class SQLiteSessionStore:
    """A :class:`~nyx_sessions.storage.SessionStore` in an SQLite file (WAL), for one bot process.

    Every start, handler and end is one transaction on the file, written before the next click of
    the session is served, so sessions survive a restart or a crash of the bot. A power cut is
    another matter: with ``synchronous="NORMAL"`` (the default) the last commits before it may be
    lost, since a commit does not wait for the disk; ``synchronous="FULL"`` keeps them, at the price
    of one disk flush per click on the event loop's thread. The file is created readable by its
    owner only, as records carry interaction tokens for up to 15 minutes.

    One process only: the store takes a lock on the file when it opens (a ``<file>.lock`` beside the
    file the path resolves to, so two paths through symlinks to one file share one lock, removed
    again when the store closes), and a second process, or a second store in this process, gets a
    clear :class:`~nyx_sessions.SessionStoreError`. Several processes share sessions through a Redis
    store.
    Each claim of an end is still one atomic statement, so that two processes that reach one file
    anyway (a lock the platform does not enforce) never both end a session.

    Every call runs at once on the calling thread, so none outlives its caller: ``give_up_at`` is
    accepted and has nothing to fence. Requires SQLite 3.35 or newer (``UPDATE ... RETURNING``).

    Parameters
    ----------
    path: Union[:class:`str`, :class:`os.PathLike`]
        The database file; created (with its folder) when missing.
    synchronous: :class:`str`
        SQLite's ``synchronous`` pragma under WAL: ``"NORMAL"`` (default) or ``"FULL"``.
    """

    shared: ClassVar[bool] = False
    waits: ClassVar[bool] = False

    __slots__ = ("_checkpoint", "_db", "_lock", "_path", "_real", "_synchronous", "_writes")

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in {"NORMAL", "FULL"}:
            raise ValueError(f'synchronous must be "NORMAL" or "FULL", got {synchronous!r}')
        self._path = Path(path)
        self._synchronous = synchronous.upper()
        self._db: sqlite3.Connection | None = None
        self._lock: int | None = None
        self._real = self._path
        self._writes = 0
        self._checkpoint: asyncio.Future[None] | None = None

    @property
    def path(self) -> Path:
        """:class:`pathlib.Path`: The database file, as given."""
        return self._path

    def __repr__(self) -> str:
        state = "open" if self._db is not None else "closed"
        return f"<SQLiteSessionStore {str(self._path)!r} {state}>"

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Lock the file for this process, create or upgrade the schema, and finish sessions left ending.

        Raises
        ------
        SessionStoreError
            SQLite is older than 3.35, or another process (or store) holds the file.
        """
        if self._db is not None:
            return
        if sqlite3.sqlite_version_info < _MIN_SQLITE:
            raise SessionStoreError(
                f"SQLiteSessionStore needs SQLite 3.35 or newer (UPDATE ... RETURNING); this Python "
                f"has SQLite {sqlite3.sqlite_version}"
            )
        real, self._lock = _lock_file(self._path)
        try:
            # Created owner-only before SQLite opens it: the records hold interaction tokens.
            os.close(os.open(real, os.O_CREAT | os.O_RDWR, 0o600))
            # Autocommit: each write is its own transaction. The loop's thread alone uses this
            # connection; the checkpoint's worker thread opens its own.
            db = sqlite3.connect(real, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"PRAGMA synchronous={self._synchronous}")
                db.execute("PRAGMA busy_timeout=5000")
                db.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run off the loop (_checkpoint)
                db.executescript(_SCHEMA)
                _migrate(db)
                # Ends cut off by a crash: their on_end ran at most once already; never again. A
                # parent that waited for one of them would wait for ever: it is due at once.
                db.execute(_ORPHANS_DUE)
                db.execute("DELETE FROM nyx_sessions WHERE ending = 1")
                # Starts cut off by a crash: one process holds the file, so none is in progress now.
                db.execute("DELETE FROM nyx_limits WHERE id NOT IN (SELECT id FROM nyx_sessions)")
            except BaseException:
                db.close()
                raise
        except BaseException:
            _unlock_file(real, self._lock)
            self._lock = None
            raise
        self._db, self._real, self._writes = db, real, 0

    async def close(self) -> None:
        """Close the file and release its lock; the store may be opened again."""
        db, self._db = self._db, None
        try:
            if self._checkpoint is not None:
                await asyncio.wait((self._checkpoint,))
                self._checkpoint = None
            if db is not None:
                db.close()  # the last connection to close checkpoints the log into the database
        finally:
            if self._lock is not None:
                _unlock_file(self._real, self._lock)
                self._lock = None

    # -- records ---------------------------------------------------------------------------------------

    async def create(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Store a new session; ``False`` when its id is taken."""
        try:
            self._write(_INSERT, _values(record))
        except sqlite3.IntegrityError:
            return False
        return True

    async def load(self, session_id: str) -> DurableRecord | None:
        """The running session's record, or ``None``."""
        row = self._open_db().execute(f"{_SELECT} WHERE id = ? AND ending = 0", (session_id,)).fetchone()
        return None if row is None else _record(row)

    async def exists(self, session_id: str) -> bool:
        """Whether the id is stored."""
        return (
            self._open_db().execute("SELECT 1 FROM nyx_sessions WHERE id = ?", (session_id,)).fetchone()
            is not None
        )

    async def commit(
        self, record: DurableRecord, *, interaction_id: int | None = None, give_up_at: float | None = None
    ) -> bool:
        """Replace a running session's record; ``False`` when it no longer runs (one process:
        ``interaction_id`` needs no remembering)."""
        return self._write(_UPDATE, (*_values(record)[1:], record.id)).rowcount == 1

    async def next_deadline(self) -> float | None:
        """The earliest deadline of a running session."""
        query = "SELECT MIN(deadline) FROM nyx_sessions WHERE ending = 0 AND deadline IS NOT NULL"
        row = self._open_db().execute(query).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    async def due(self, now: float, limit: int) -> list[str]:
        """Running sessions whose deadline has passed, earliest first."""
        query = (
            "SELECT id FROM nyx_sessions WHERE ending = 0 AND deadline IS NOT NULL AND deadline <= ? "
            "ORDER BY deadline LIMIT ?"
        )
        return [str(row[0]) for row in self._open_db().execute(query, (now, limit)).fetchall()]

    async def claim_due(
        self,
        now: float,
        limit: int,
        *,
        kinds: Mapping[str, int],
        busy: Collection[str] = (),
        give_up_at: float | None = None,
    ) -> list[DurableRecord]:
        """Mark up to ``limit`` due sessions the caller can end as ending, earliest first; their records.

        A session is claimed when its kind is in ``kinds`` with a ``data_version`` no newer than the
        one ``kinds`` maps it to, and it is not in ``busy``. Selection and marking are one statement,
        so that no other connection claims a session between the two.
        """
        if not kinds or limit <= 0:  # a negative LIMIT is no limit in SQLite
            return []
        readable = " OR ".join("(kind = ? AND data_version <= ?)" for _ in kinds)
        skipped = tuple(busy)
        not_busy = f" AND id NOT IN ({', '.join('?' * len(skipped))})" if skipped else ""
        query = (
            "UPDATE nyx_sessions SET ending = 1 WHERE ending = 0 AND id IN ("
            "SELECT id FROM nyx_sessions WHERE ending = 0 AND deadline IS NOT NULL AND deadline <= ? "
            f"AND ({readable}){not_busy} ORDER BY deadline LIMIT ?) {_RETURNING}"
        )
        parameters = (now, *(item for pair in kinds.items() for item in pair), *skipped, limit)
        rows = self._write(query, parameters).fetchall()
        # RETURNING gives the rows in no promised order.
        return sorted((_record(row) for row in rows), key=lambda record: (record.deadline or 0.0, record.id))

    async def claim_end(
        self, session_id: str, *, due_by: float | None = None, give_up_at: float | None = None
    ) -> DurableRecord | None:
        """Mark a running session as ending and return its record, as it was when claimed."""
        query = "UPDATE nyx_sessions SET ending = 1 WHERE id = ? AND ending = 0"
        parameters: tuple[Any, ...] = (session_id,)
        if due_by is not None:
            query += " AND deadline IS NOT NULL AND deadline <= ?"
            parameters += (due_by,)
        row = self._write(f"{query} {_RETURNING}", parameters).fetchone()
        return None if row is None else _record(row)

    async def claimed(
        self, *, ignore: Collection[str] = (), give_up_at: float | None = None
    ) -> list[DurableRecord]:
        """The sessions marked ending and not yet finished, except ``ignore``.

        One process holds the file, so every such session is this process's claim.
        """
        rows = self._open_db().execute(f"{_SELECT} WHERE ending = 1 ORDER BY deadline").fetchall()
        # Filtered here rather than in SQL: no bound on how many ids ``ignore`` holds.
        return [record for record in map(_record, rows) if record.id not in ignore]

    async def finish(self, session_id: str, *, give_up_at: float | None = None) -> None:
        """Forget the session."""
        self._write("DELETE FROM nyx_sessions WHERE id = ?", (session_id,))
        self._write("DELETE FROM nyx_limits WHERE id = ?", (session_id,))

    async def admit(
        self,
        session_id: str,
        limits: Sequence[tuple[str, int]],
        policy: Literal["replace", "reject"],
        *,
        now: float,
        give_up_at: float | None = None,
    ) -> Admitted:
        """Count a new session against its limits and admit it (see the protocol): one transaction."""
        db = self._open_db()
        db.execute("BEGIN IMMEDIATE")
        try:
            counted: list[list[str]] = []
            starting: set[str] = set()
            for key, _ in limits:
                rows = db.execute(_COUNTED, (key,)).fetchall()
                ids = []
                for counted_id, admitted_at, ending in rows:
                    if ending == 0 or (ending is None and now - admitted_at < STARTING_GRACE):
                        ids.append(counted_id)
                        if ending is None:
                            starting.add(counted_id)
                    elif ending is None:  # a start that never created its record
                        db.execute("DELETE FROM nyx_limits WHERE key = ? AND id = ?", (key, counted_id))
                counted.append(ids)
            admitted = decide(counted, limits, policy, starting)
            if admitted.status == "ok":
                db.executemany(
                    "INSERT OR REPLACE INTO nyx_limits (key, id, at) VALUES (?, ?, ?)",
                    [(key, session_id, now) for key, _ in limits],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return admitted

    async def unadmit(self, session_id: str) -> None:
        """Stop counting a start that failed before its record was created."""
        query = "DELETE FROM nyx_limits WHERE id = ? AND id NOT IN (SELECT id FROM nyx_sessions)"
        self._write(query, (session_id,))

    def _open_db(self) -> sqlite3.Connection:
        if self._db is None:
            raise SessionStoreError(f"{self!r} is not open: the session manager opens it when the cog loads")
        return self._db

    def _write(self, query: str, parameters: Sequence[Any]) -> sqlite3.Cursor:
        """Run one writing statement; every so often, start a checkpoint off the loop."""
        cursor = self._open_db().execute(query, parameters)
        self._writes += 1
        if self._writes >= _CHECKPOINT_EVERY and self._checkpoint is None:
            self._writes = 0
            self._checkpoint = asyncio.get_running_loop().run_in_executor(None, self._copy_log, self._real)
            self._checkpoint.add_done_callback(self._checkpointed)
        return cursor

    @staticmethod
    def _copy_log(real: Path) -> None:
        """Copy the write-ahead log into the database (a worker thread: it waits for the disk).

        Its own connection: PASSIVE never blocks the loop's writes, and the log restarts from its
        beginning once copied, so it does not grow.
        """
        connection = sqlite3.connect(real, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()

    def _checkpointed(self, done: asyncio.Future[None]) -> None:
        self._checkpoint = None
        if not done.cancelled() and done.exception() is not None:
            _log.warning("checkpointing the session store %s failed: %r", self._real, done.exception())


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a file of an older schema to :data:`_SCHEMA_VERSION` (a new file already is).

    Each step checks what the file has rather than trusting the recorded version, so a step cut off
    by a crash is simply done again at the next open.
    """
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(nyx_sessions)").fetchall()}
    if "result" not in columns:  # version 1 stored no result
        db.execute("ALTER TABLE nyx_sessions ADD COLUMN result BLOB")
    if "lifetime" not in columns:  # versions 1 and 2 stored no lifetime
        db.execute("ALTER TABLE nyx_sessions ADD COLUMN lifetime REAL")
    if "parent" not in columns:  # versions 1 to 3 had no child sessions
        db.execute("ALTER TABLE nyx_sessions ADD COLUMN parent TEXT")
        db.execute("ALTER TABLE nyx_sessions ADD COLUMN child TEXT")
    if "locale" not in columns:  # versions 1 to 4 stored no locale
        db.execute("ALTER TABLE nyx_sessions ADD COLUMN locale TEXT")
    db.execute(
        "INSERT OR IGNORE INTO nyx_meta (key, value) VALUES ('schema_version', ?)", (str(_SCHEMA_VERSION),)
    )
    # Never lowered: a file a newer release upgraded keeps its number (its extra columns have defaults).
    db.execute(
        "UPDATE nyx_meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
        (str(_SCHEMA_VERSION), _SCHEMA_VERSION),
    )


def _values(record: DurableRecord) -> tuple[Any, ...]:
    """The record's fields in :data:`_FIELDS` order (spelled out: this runs on every click)."""
    r = record
    return (
        r.id,
        r.kind,
        r.data_version,
        r.data,
        r.owner_id,
        r.channel_id,
        r.message_id,
        r.ephemeral,
        r.token,
        r.token_expires_at,
        r.token_edits_original,
        r.page,
        r.state,
        r.ttl,
        r.deadline,
        r.created_at,
        r.result,
        r.lifetime,
        r.parent,
        r.child,
        r.locale,
    )


def _record(row: Any) -> DurableRecord:
    fields = dict(zip(_COLUMNS, row, strict=True))
    fields["ephemeral"] = bool(fields["ephemeral"])
    fields["token_edits_original"] = bool(fields["token_edits_original"])
    fields["data"] = bytes(fields["data"])
    for name in ("state", "result"):
        if fields[name] is not None:
            fields[name] = bytes(fields[name])
    return DurableRecord(**fields)


def _lock_path(real: Path) -> Path:
    return real.with_name(real.name + ".lock")


def _lock_file(path: Path) -> tuple[Path, int]:
    """Take the process lock of the database file ``path`` resolves to; that file and the lock.

    The lock is ``<resolved file>.lock``: two paths that reach one file through symlinks (each
    release's linked file, or a linked folder) take one lock. SQLite's -wal and -shm files go beside
    the resolved file too. Never a lock on the database file itself: closing any other descriptor of
    a file SQLite has open in this process drops SQLite's own (POSIX) locks on it. A second holder
    gets a clear error. The folder is created when missing.

    The lock file is removed when the store closes (:func:`_unlock_file`), so a lock taken here may
    be on a file another store unlinked between our ``open`` and our ``flock``: that lock excludes
    nobody, as the next opener creates a new file. So after locking, the locked file must still be
    the one at the lock's path (same device and inode); if not, the lock is dropped and taken again
    on the file now there.
    """
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True)
    lock_path = _lock_path(real)
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): one process is the caller's promise
        return real, os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    while True:
        descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            where = repr(str(path)) if real == path else f"{str(path)!r} (the file {str(real)!r})"
            raise SessionStoreError(
                f"the session store {where} is in use by another process (or another store in this "
                "one): an SQLite store serves one bot process. Stop the other process, give each its "
                "own file, or share sessions between processes with RedisSessionStore"
            ) from error
        if _is_at(descriptor, lock_path):
            return real, descriptor
        os.close(descriptor)  # unlinked by its last holder after we opened it: lock the new one


def _is_at(descriptor: int, path: Path) -> bool:
    """Whether the open file ``descriptor`` is the file at ``path`` (not one unlinked or replaced)."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino)


def _unlock_file(real: Path, descriptor: int) -> None:
    """Release the lock of the database file ``real`` and remove the lock file.

    Removed while still locked, and only if the locked file is the one at the lock's path: whoever
    opened it meanwhile and locks it after us sees it unlinked (:func:`_lock_file`) and takes a new
    one, and a lock file that another store created after ours was removed is never ours to remove.
    Unlinking after the unlock instead would race: another store could lock the file in between and
    be left holding a lock nobody else can see.
    """
    lock_path = _lock_path(real)
    # Where an open file cannot be unlinked (Windows, which has no flock either) the file stays.
    with contextlib.suppress(OSError):
        if _is_at(descriptor, lock_path):
            lock_path.unlink()
    with contextlib.suppress(OSError):
        os.close(descriptor)  # closing the descriptor releases its flock
