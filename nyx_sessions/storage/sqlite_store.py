"""SQLiteSessionStore: durable sessions in one SQLite file, for a bot that runs as one process."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nyx_sessions.errors import SessionStoreError

from .store import DurableRecord

if TYPE_CHECKING:
    from collections.abc import Collection

    import aiosqlite

__all__ = ("SQLiteSessionStore",)

_log = logging.getLogger("nyx_sessions")

_SCHEMA_VERSION = 1

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
    ending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS nyx_sessions_due ON nyx_sessions (deadline)
    WHERE ending = 0 AND deadline IS NOT NULL;
CREATE TABLE IF NOT EXISTS nyx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_COLUMNS = (
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
    "version",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM nyx_sessions"
_INSERT = f"INSERT INTO nyx_sessions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_UPDATE = (
    f"UPDATE nyx_sessions SET {', '.join(f'{name} = ?' for name in _COLUMNS[1:-1])}, version = version + 1 "
    "WHERE id = ? AND ending = 0"
)


class SQLiteSessionStore:
    """A :class:`~nyx_sessions.storage.SessionStore` in an SQLite file (WAL), for one bot process.

    Every start, handler and end is one transaction on the file, so sessions survive a restart or a
    crash of the bot (``synchronous=NORMAL``: a power loss may drop the last commits; pass
    ``synchronous="FULL"`` to keep them). The file is created readable by its owner only, as records
    carry interaction tokens for up to 15 minutes.

    One process only: the store takes a lock on the file (a ``<file>.lock`` beside it) when it
    opens, and a second process, or a second store in this process, gets a clear
    :class:`~nyx_sessions.SessionStoreError`. Several processes share sessions through a Redis store.

    Requires ``pip install "nyx-sessions[sqlite]"`` (aiosqlite).

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
        """:class:`pathlib.Path`: The database file."""
        return self._path

    def __repr__(self) -> str:
        state = "open" if self._db is not None else "closed"
        return f"<SQLiteSessionStore {str(self._path)!r} {state}>"

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Lock the file for this process, create the schema, and finish sessions left ending.

        Raises
        ------
        SessionStoreError
            aiosqlite is not installed, or another process (or store) holds the file.
        """
        if self._db is not None:
            return
        try:
            import aiosqlite
        except ImportError as error:
            raise SessionStoreError(
                'SQLiteSessionStore needs aiosqlite: pip install "nyx-sessions[sqlite]"'
            ) from error
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock_file(self._path)
        try:
            # Created owner-only before SQLite opens it: the records hold interaction tokens.
            os.close(os.open(self._path, os.O_CREAT | os.O_RDWR, 0o600))
            # Autocommit: each write is its own transaction, one trip to aiosqlite's thread instead of two.
            db = await aiosqlite.connect(self._path, isolation_level=None)
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute(f"PRAGMA synchronous={self._synchronous}")
                await db.execute("PRAGMA busy_timeout=5000")
                await db.executescript(_SCHEMA)
                await db.execute(
                    "INSERT OR IGNORE INTO nyx_meta (key, value) VALUES ('schema_version', ?)",
                    (str(_SCHEMA_VERSION),),
                )
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

    async def create(self, record: DurableRecord) -> bool:
        """Store a new session; ``False`` when its id is taken."""
        db = self._open_db()
        try:
            await db.execute(_INSERT, (*_values(record)[:-1], 1))
        except sqlite3.IntegrityError:
            return False
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

    async def commit(self, record: DurableRecord) -> bool:
        """Replace a running session's record."""
        db = self._open_db()
        values = _values(record)
        cursor = await db.execute(_UPDATE, (*values[1:-1], record.id))
        return cursor.rowcount == 1

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
        self, now: float, limit: int, *, kinds: Collection[str], busy: Collection[str] = ()
    ) -> list[DurableRecord]:
        """Mark due sessions of ``kinds`` (none in ``busy``) as ending; their records."""
        names = tuple(kinds)
        if not names:
            return []
        query = (
            f"{_SELECT} WHERE ending = 0 AND deadline IS NOT NULL AND deadline <= ? "
            f"AND kind IN ({', '.join('?' * len(names))}) ORDER BY deadline LIMIT ?"
        )
        db = self._open_db()
        async with db.execute(query, (now, *names, limit + len(busy))) as rows:
            found = [_record(row) for row in await rows.fetchall()]
        claimed = [record for record in found if record.id not in busy][:limit]
        if claimed:  # one process holds the file: nothing claims between the read and this write
            marks = ", ".join("?" * len(claimed))
            await db.execute(
                f"UPDATE nyx_sessions SET ending = 1 WHERE id IN ({marks})", [record.id for record in claimed]
            )
        return claimed

    async def claim_end(self, session_id: str, *, due_by: float | None = None) -> DurableRecord | None:
        """Mark a running session as ending and return its record."""
        db = self._open_db()
        condition = "" if due_by is None else " AND deadline IS NOT NULL AND deadline <= ?"
        parameters: tuple[Any, ...] = (session_id,) if due_by is None else (session_id, due_by)
        record = await self.load(session_id)
        cursor = await db.execute(
            f"UPDATE nyx_sessions SET ending = 1 WHERE id = ? AND ending = 0{condition}", parameters
        )
        return record if cursor.rowcount == 1 else None

    async def finish(self, session_id: str) -> None:
        """Forget the session."""
        db = self._open_db()
        await db.execute("DELETE FROM nyx_sessions WHERE id = ?", (session_id,))

    def _open_db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise SessionStoreError(f"{self!r} is not open: the session manager opens it when the cog loads")
        return self._db


def _values(record: DurableRecord) -> tuple[Any, ...]:
    """The record's fields in :data:`_COLUMNS` order (spelled out: this runs on every click)."""
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
        r.version,
    )


def _record(row: Any) -> DurableRecord:
    fields = dict(zip(_COLUMNS, row, strict=True))
    fields["ephemeral"] = bool(fields["ephemeral"])
    fields["token_edits_original"] = bool(fields["token_edits_original"])
    fields["data"] = bytes(fields["data"])
    if fields["state"] is not None:
        fields["state"] = bytes(fields["state"])
    return DurableRecord(**fields)


def _lock_file(path: Path) -> int:
    """Take the process lock beside ``path``; a second holder gets a clear error."""
    lock_path = path.with_name(path.name + ".lock")
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): one process is the caller's promise
        return descriptor
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(descriptor)
        raise SessionStoreError(
            f"the session store {str(path)!r} is in use by another process (or another store in this "
            "one): an SQLite store serves one bot process. Stop the other process, give each its own "
            "file, or share sessions between processes with RedisSessionStore"
        ) from error
    return descriptor


def _unlock_file(descriptor: int) -> None:
    with contextlib.suppress(OSError):
        os.close(descriptor)  # closing the descriptor releases its flock
