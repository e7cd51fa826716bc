"""SQLiteSessionStore: durable sessions in one SQLite file, for a bot that runs as one process."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nyx_sessions.errors import SessionStoreError

from .store import DurableRecord

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    import aiosqlite

__all__ = ("SQLiteSessionStore",)

_log = logging.getLogger(__name__)

# 2: the session's ``result`` (a ``result`` column, added to files of version 1 when they open).
_SCHEMA_VERSION = 2

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
    result BLOB
);
CREATE INDEX IF NOT EXISTS nyx_sessions_due ON nyx_sessions (deadline)
    WHERE ending = 0 AND deadline IS NOT NULL;
CREATE TABLE IF NOT EXISTS nyx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

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
)
_COLUMNS = (*_FIELDS, "version")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM nyx_sessions"
_RETURNING = f"RETURNING {', '.join(_COLUMNS)}"
_INSERT_COLUMNS = f"INSERT INTO nyx_sessions ({', '.join(_COLUMNS)})"
_MARKS = ", ".join("?" * len(_FIELDS))
_INSERT = f"{_INSERT_COLUMNS} VALUES ({_MARKS}, 1)"
# INSERT ... SELECT so that the give-up fence (see _FENCE) can refuse the row: then nothing is inserted.
_INSERT_FENCED = f"{_INSERT_COLUMNS} SELECT {_MARKS}, 1 WHERE "
_UPDATE = (
    f"UPDATE nyx_sessions SET {', '.join(f'{name} = ?' for name in _FIELDS[1:])}, version = version + 1 "
    "WHERE id = ? AND ending = 0"
)
# True while SQLite's wall clock (epoch seconds, the same clock as time.time()) has not passed the
# bound give_up_at. aiosqlite runs statements on its own thread, so a statement whose caller timed out
# still runs later; evaluated when the statement actually runs, this makes such a late write a no-op.
_FENCE = "(julianday('now') - 2440587.5) * 86400.0 <= ?"
# RETURNING arrived in SQLite 3.35.0: every claim is one UPDATE ... RETURNING.
_MIN_SQLITE = (3, 35, 0)


class SQLiteSessionStore:
    """A :class:`~nyx_sessions.storage.SessionStore` in an SQLite file (WAL), for one bot process.

    Every start, handler and end is one transaction on the file, so sessions survive a restart or a
    crash of the bot (``synchronous=NORMAL``: a power loss may drop the last commits; pass
    ``synchronous="FULL"`` to keep them). The file is created readable by its owner only, as records
    carry interaction tokens for up to 15 minutes.

    One process only: the store takes a lock on the file when it opens (a ``<file>.lock`` beside the
    file the path resolves to, so two paths through symlinks to one file share one lock), and a
    second process, or a second store in this process, gets a clear
    :class:`~nyx_sessions.SessionStoreError`. Several processes share sessions through a Redis store.
    Each claim of an end is still one atomic statement, so that two processes that reach one file
    anyway (a lock the platform does not enforce) never both end a session.

    Requires ``pip install "nyx-sessions[sqlite]"`` (aiosqlite) and SQLite 3.35 or newer.

    Parameters
    ----------
    path: Union[:class:`str`, :class:`os.PathLike`]
        The database file; created (with its folder) when missing.
    synchronous: :class:`str`
        SQLite's ``synchronous`` pragma under WAL: ``"NORMAL"`` (default) or ``"FULL"``.
    """

    shared: ClassVar[bool] = False

    __slots__ = ("_db", "_lock", "_path", "_synchronous")

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in {"NORMAL", "FULL"}:
            raise ValueError(f'synchronous must be "NORMAL" or "FULL", got {synchronous!r}')
        self._path = Path(path)
        self._synchronous = synchronous.upper()
        self._db: aiosqlite.Connection | None = None
        self._lock: int | None = None

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
            aiosqlite is not installed, SQLite is older than 3.35, or another process (or store)
            holds the file.
        """
        if self._db is not None:
            return
        try:
            import aiosqlite
        except ImportError as error:
            raise SessionStoreError(
                'SQLiteSessionStore needs aiosqlite: pip install "nyx-sessions[sqlite]"'
            ) from error
        if sqlite3.sqlite_version_info < _MIN_SQLITE:
            raise SessionStoreError(
                f"SQLiteSessionStore needs SQLite 3.35 or newer (UPDATE ... RETURNING); this Python "
                f"has SQLite {sqlite3.sqlite_version}"
            )
        real, self._lock = _lock_file(self._path)
        try:
            # Created owner-only before SQLite opens it: the records hold interaction tokens.
            os.close(os.open(real, os.O_CREAT | os.O_RDWR, 0o600))
            # Autocommit: each write is its own transaction, one trip to aiosqlite's thread instead of two.
            db = await aiosqlite.connect(real, isolation_level=None)
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute(f"PRAGMA synchronous={self._synchronous}")
                await db.execute("PRAGMA busy_timeout=5000")
                await db.executescript(_SCHEMA)
                await _migrate(db)
                # Ends cut off by a crash: their on_end ran at most once already; never again.
                await db.execute("DELETE FROM nyx_sessions WHERE ending = 1")
            except BaseException:
                await db.close()
                raise
        except BaseException:
            _unlock_file(self._lock)
            self._lock = None
            raise
        self._db = db

    async def close(self) -> None:
        """Close the file and release its lock; the store may be opened again."""
        db, self._db = self._db, None
        try:
            if db is not None:
                await db.close()
        finally:
            if self._lock is not None:
                _unlock_file(self._lock)
                self._lock = None

    # -- records ---------------------------------------------------------------------------------------

    async def create(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Store a new session; ``False`` when its id is taken.

        Raises
        ------
        SessionStoreError
            The insert ran after ``give_up_at``: nothing was stored.
        """
        db = self._open_db()
        try:
            if give_up_at is None:
                await db.execute(_INSERT, _values(record))
                return True
            cursor = await db.execute(_INSERT_FENCED + _FENCE, (*_values(record), give_up_at))
        except sqlite3.IntegrityError:
            return False
        if cursor.rowcount != 1:  # the fence kept the row out (a taken id raises above instead)
            raise _late("create", record.id)
        return True

    async def load(self, session_id: str) -> DurableRecord | None:
        """The running session's record, or ``None``."""
        async with self._open_db().execute(f"{_SELECT} WHERE id = ? AND ending = 0", (session_id,)) as rows:
            row = await rows.fetchone()
        return None if row is None else _record(row)

    async def exists(self, session_id: str) -> bool:
        """Whether the id is stored."""
        async with self._open_db().execute("SELECT 1 FROM nyx_sessions WHERE id = ?", (session_id,)) as rows:
            return await rows.fetchone() is not None

    async def commit(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Replace a running session's record.

        Raises
        ------
        SessionStoreError
            The update found nothing to change after ``give_up_at`` (it may have run too late).
        """
        db = self._open_db()
        query, parameters = _fenced(_UPDATE, (*_values(record)[1:], record.id), give_up_at)
        cursor = await db.execute(query, parameters)
        if cursor.rowcount == 1:
            return True
        if _past(give_up_at):
            raise _late("commit", record.id)
        return False

    async def next_deadline(self) -> float | None:
        """The earliest deadline of a running session."""
        query = "SELECT MIN(deadline) FROM nyx_sessions WHERE ending = 0 AND deadline IS NOT NULL"
        async with self._open_db().execute(query) as rows:
            row = await rows.fetchone()
        return None if row is None or row[0] is None else float(row[0])

    async def due(self, now: float, limit: int) -> list[str]:
        """Running sessions whose deadline has passed, earliest first."""
        query = (
            "SELECT id FROM nyx_sessions WHERE ending = 0 AND deadline IS NOT NULL AND deadline <= ? "
            "ORDER BY deadline LIMIT ?"
        )
        async with self._open_db().execute(query, (now, limit)) as rows:
            return [str(row[0]) for row in await rows.fetchall()]

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

        Raises
        ------
        SessionStoreError
            Nothing was claimed and ``give_up_at`` has passed (the claim may have run too late).
        """
        if not kinds or limit <= 0:  # a negative LIMIT is no limit in SQLite
            return []
        db = self._open_db()
        readable = " OR ".join("(kind = ? AND data_version <= ?)" for _ in kinds)
        skipped = tuple(busy)
        not_busy = f" AND id NOT IN ({', '.join('?' * len(skipped))})" if skipped else ""
        query = (
            "UPDATE nyx_sessions SET ending = 1 WHERE ending = 0 AND id IN ("
            "SELECT id FROM nyx_sessions WHERE ending = 0 AND deadline IS NOT NULL AND deadline <= ? "
            f"AND ({readable}){not_busy} ORDER BY deadline LIMIT ?)"
        )
        parameters = (now, *(item for pair in kinds.items() for item in pair), *skipped, limit)
        query, parameters = _fenced(query, parameters, give_up_at)
        rows = list(await db.execute_fetchall(f"{query} {_RETURNING}", parameters))
        if not rows and _past(give_up_at):
            raise _late("claim_due", None)
        # RETURNING gives the rows in no promised order.
        return sorted((_record(row) for row in rows), key=lambda record: (record.deadline or 0.0, record.id))

    async def claim_end(
        self, session_id: str, *, due_by: float | None = None, give_up_at: float | None = None
    ) -> DurableRecord | None:
        """Mark a running session as ending and return its record, as it was when claimed.

        Raises
        ------
        SessionStoreError
            Nothing was claimed and ``give_up_at`` has passed (the claim may have run too late).
        """
        db = self._open_db()
        query = "UPDATE nyx_sessions SET ending = 1 WHERE id = ? AND ending = 0"
        parameters: tuple[Any, ...] = (session_id,)
        if due_by is not None:
            query += " AND deadline IS NOT NULL AND deadline <= ?"
            parameters += (due_by,)
        query, parameters = _fenced(query, parameters, give_up_at)
        rows = list(await db.execute_fetchall(f"{query} {_RETURNING}", parameters))
        if rows:
            return _record(rows[0])
        if _past(give_up_at):
            raise _late("claim_end", session_id)
        return None

    async def claimed(
        self, *, ignore: Collection[str] = (), give_up_at: float | None = None
    ) -> list[DurableRecord]:
        """The sessions marked ending and not yet finished, except ``ignore``.

        One process holds the file, so every such session is this process's claim. Reads only:
        ``give_up_at`` fences nothing here.
        """
        async with self._open_db().execute(f"{_SELECT} WHERE ending = 1 ORDER BY deadline") as rows:
            found = [_record(row) for row in await rows.fetchall()]
        # Filtered here rather than in SQL: no bound on how many ids ``ignore`` holds.
        return [record for record in found if record.id not in ignore]

    async def finish(self, session_id: str, *, give_up_at: float | None = None) -> None:
        """Forget the session.

        Raises
        ------
        SessionStoreError
            Nothing was deleted and ``give_up_at`` has passed (the delete may have run too late, and
            the session then stays claimed).
        """
        db = self._open_db()
        query, parameters = _fenced("DELETE FROM nyx_sessions WHERE id = ?", (session_id,), give_up_at)
        cursor = await db.execute(query, parameters)
        if cursor.rowcount == 0 and _past(give_up_at):
            raise _late("finish", session_id)

    def _open_db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise SessionStoreError(f"{self!r} is not open: the session manager opens it when the cog loads")
        return self._db


async def _migrate(db: aiosqlite.Connection) -> None:
    """Bring a file of an older schema to :data:`_SCHEMA_VERSION` (a new file already is).

    Each step checks what the file has rather than trusting the recorded version, so a step cut off
    by a crash is simply done again at the next open.
    """
    columns = {str(row[1]) for row in await db.execute_fetchall("PRAGMA table_info(nyx_sessions)")}
    if "result" not in columns:  # version 1 stored no result
        await db.execute("ALTER TABLE nyx_sessions ADD COLUMN result BLOB")
    await db.execute(
        "INSERT OR IGNORE INTO nyx_meta (key, value) VALUES ('schema_version', ?)", (str(_SCHEMA_VERSION),)
    )
    # Never lowered: a file a newer release upgraded keeps its number (its extra columns have defaults).
    await db.execute(
        "UPDATE nyx_meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
        (str(_SCHEMA_VERSION), _SCHEMA_VERSION),
    )


def _fenced(query: str, parameters: tuple[Any, ...], give_up_at: float | None) -> tuple[str, tuple[Any, ...]]:
    """``query`` (whose WHERE clause comes last) made a no-op once SQLite's clock passes ``give_up_at``."""
    if give_up_at is None:
        return query, parameters
    return f"{query} AND {_FENCE}", (*parameters, give_up_at)


def _past(give_up_at: float | None) -> bool:
    """Whether the caller has given up by now (a write that changed nothing may have been fenced)."""
    return give_up_at is not None and time.time() > give_up_at


def _late(call: str, session_id: str | None) -> SessionStoreError:
    which = "" if session_id is None else f" of session {session_id!r}"
    return SessionStoreError(
        f"the SQLite store's {call}{which} ran after its caller gave up; it changed nothing"
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


def _lock_file(path: Path) -> tuple[Path, int]:
    """Take the process lock of the database file ``path`` resolves to; that file and the lock.

    The lock is ``<resolved file>.lock``: two paths that reach one file through symlinks (each
    release's linked file, or a linked folder) take one lock. SQLite's -wal and -shm files go beside
    the resolved file too. Never a lock on the database file itself: closing any other descriptor of
    a file SQLite has open in this process drops SQLite's own (POSIX) locks on it. A second holder
    gets a clear error. The folder is created when missing.
    """
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True)
    lock_path = real.with_name(real.name + ".lock")
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): one process is the caller's promise
        return real, descriptor
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(descriptor)
        where = repr(str(path)) if real == path else f"{str(path)!r} (the file {str(real)!r})"
        raise SessionStoreError(
            f"the session store {where} is in use by another process (or another store in this "
            "one): an SQLite store serves one bot process. Stop the other process, give each its own "
            "file, or share sessions between processes with RedisSessionStore"
        ) from error
    return real, descriptor


def _unlock_file(descriptor: int) -> None:
    with contextlib.suppress(OSError):
        os.close(descriptor)  # closing the descriptor releases its flock
