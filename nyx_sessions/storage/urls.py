"""Session stores named by URL: ``sqlite:///sessions.db``, ``memory://``, and Redis URLs."""

from __future__ import annotations

import inspect
from difflib import get_close_matches
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
    """A Redis store from its URL, the ``namespace`` parameter taken out of what the client sees.

    Raises
    ------
    SessionStoreError
        The URL has an option neither the store nor redis-py's connections take (a typo such as
        ``namspace=`` would otherwise fail every call, like an outage).
    """
    # Split by hand: urlunsplit drops the empty authority of unix:///path on some Python versions.
    base, _, raw_query = url.partition("?")
    query = parse_qsl(raw_query, keep_blank_values=True)
    known = _redis_options()
    unknown = sorted({key for key, _ in query} - known)
    if unknown:
        hints = [
            f"{name!r} (did you mean {close[0]!r}?)"
            if (close := get_close_matches(name, known, 1))
            else repr(name)
            for name in unknown
        ]
        raise SessionStoreError(
            f"{_without_password(base)}: unknown option {', '.join(hints)}; a Redis store URL "
            "takes namespace= and the connection options of redis-py"
        )
    namespace = next((value for key, value in query if key == "namespace"), "nyx")
    rest = urlencode([(key, value) for key, value in query if key != "namespace"])
    return RedisSessionStore.from_url(f"{base}?{rest}" if rest else base, namespace=namespace)


def _redis_options() -> set[str]:
    """The URL options a Redis store URL may carry: ``namespace``, and what redis-py's connections
    and pools take."""
    try:
        from redis.asyncio import connection
    except ImportError:  # the store itself says what to install
        return {"namespace"}
    classes = (
        connection.AbstractConnection,
        connection.Connection,
        connection.SSLConnection,
        connection.UnixDomainSocketConnection,
    )
    taken = {"namespace"}
    for cls in (*classes, connection.BlockingConnectionPool):
        taken |= set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs", "connection_kwargs"}
    return taken


def _without_password(url: str) -> str:
    """``url`` with the password of its user part replaced by ``***``: safe for logs and errors."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
