"""Session stores named by URL: ``sqlite:///sessions.db``, ``memory://``, and Redis URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from nyx_sessions.errors import SessionStoreError

from .memory_store import MemorySessionStore
from .redis_store import RedisSessionStore
from .sqlite_store import SQLiteSessionStore

if TYPE_CHECKING:
    from .store import SessionStore

__all__ = ("store_from_url",)

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def store_from_url(url: str) -> SessionStore:
    """Build the store a URL names.

    - ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db``: :class:`SQLiteSessionStore`;
    - ``memory://``: :class:`MemorySessionStore` (gone with the process);
    - ``redis://``, ``rediss://``, ``unix://``: :class:`RedisSessionStore`, for several processes;
      its namespace is the URL's ``namespace`` parameter (``redis://host/0?namespace=mybot``),
      ``nyx`` without one.

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
        return _redis_store(url)
    raise SessionStoreError(
        f"{url!r} names no session store: use sqlite:///sessions.db, memory://, or a redis:// URL"
    )


def _redis_store(url: str) -> RedisSessionStore:
    """A Redis store from its URL, the ``namespace`` parameter taken out of what the client sees."""
    # Split by hand: urlunsplit drops the empty authority of unix:///path on some Python versions.
    base, _, raw_query = url.partition("?")
    query = parse_qsl(raw_query, keep_blank_values=True)
    namespace = next((value for key, value in query if key == "namespace"), "nyx")
    rest = urlencode([(key, value) for key, value in query if key != "namespace"])
    return RedisSessionStore.from_url(f"{base}?{rest}" if rest else base, namespace=namespace)
