"""Session stores named by URL: ``sqlite:///sessions.db``, ``memory://``, and Redis URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nyx_sessions.errors import SessionStoreError

from .memory_store import MemorySessionStore
from .sqlite_store import SQLiteSessionStore

if TYPE_CHECKING:
    from .store import SessionStore

__all__ = ("store_from_url",)

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def store_from_url(url: str) -> SessionStore:
    """Build the store a URL names.

    - ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db``: :class:`SQLiteSessionStore`;
    - ``memory://``: :class:`MemorySessionStore` (gone with the process);
    - ``redis://``, ``rediss://``, ``unix://``: a Redis store, for several processes.

    Raises
    ------
    SessionStoreError
        The URL names no store this version provides, or no file.
    """
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path:
            raise SessionStoreError(
                f"{url!r} names no file: use sqlite:///sessions.db or sqlite:////abs/path.db"
            )
        return SQLiteSessionStore(path)
    if url in {"memory://", "memory:"}:
        return MemorySessionStore()
    if url.startswith(_REDIS_SCHEMES):
        raise SessionStoreError(
            f"{url.split(':', 1)[0]}:// names a Redis store, which this version of nyx_sessions does not "
            "provide yet: use sqlite:///sessions.db for a bot that runs as one process"
        )
    raise SessionStoreError(
        f"{url!r} names no session store: use sqlite:///sessions.db, memory://, or a redis:// URL"
    )
