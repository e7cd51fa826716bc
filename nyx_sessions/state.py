"""Value types of a session's life: its state, why it ended, and per-call metadata."""

from __future__ import annotations

import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from _nyx_sessions_identity import SessionEndCode, SessionState

__all__ = (
    "EndCode",
    "SessionEndCode",
    "SessionEndData",
    "SessionExecutionMeta",
    "SessionRecord",
    "SessionState",
)

T = TypeVar("T")

EndCode: TypeAlias = SessionEndCode | str | int
"""What a session may end with: a built-in :class:`SessionEndCode`, or any ``str``/``int`` of the user's."""


@dataclass(frozen=True, slots=True)
class SessionEndData(Generic[T]):
    """How a session ended, as :meth:`AbstractSession.wait` returns it.

    Attributes
    ----------
    reason: :class:`str`
        A human-readable reason.
    code: Union[:class:`SessionEndCode`, :class:`str`, :class:`int`]
        The machine-readable end code.
    result: Optional[T]
        The session's :attr:`~AbstractSession.result` once ``on_end`` had run.
    """

    reason: str
    code: EndCode
    result: T | None = None


class SessionExecutionMeta(MutableMapping[str, Any]):
    """A mutable mapping created for one start, update or end of a session.

    Middlewares and filters may write into it; the session's handlers receive the same object and
    can read what was written (nyx calls this a pre-processor).

    Attributes
    ----------
    created_at: :class:`float`
        Creation time, :func:`time.time` epoch seconds.
    """

    __slots__ = ("_data", "_session_id", "created_at")

    def __init__(self, session_id: str, *, created_at: float | None = None) -> None:
        self.created_at = time.time() if created_at is None else created_at
        self._session_id = session_id
        self._data: dict[str, Any] = {}

    @property
    def id(self) -> str:
        """:class:`str`: ``"<session id>@<created_at>"``; built when read, as most metas are never logged."""
        return f"{self._session_id}@{self.created_at:.6f}"

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<SessionExecutionMeta id={self.id!r} data={self._data!r}>"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What identifies a live session, free of discord.py objects.

    This is the part of a session a repository outside the process (Redis, SQL) can store, and that
    lets another process or a restarted bot rebuild the session through its ``kind``.

    Attributes
    ----------
    kind: :class:`str`
        ``"module:QualifiedClassName"`` of the session class.
    id: :class:`str`
        The session id.
    owner_id: :class:`int`
        The id of the user who started it.
    channel_id: Optional[:class:`int`]
        The channel of its message, when known.
    message_id: Optional[:class:`int`]
        Its message, once sent.
    page: Optional[:class:`int`]
        The current page of a pagination session, else ``None``.
    ttl: Optional[:class:`float`]
        Seconds of inactivity before expiry; ``None`` never expires.
    """

    kind: str
    id: str
    owner_id: int
    channel_id: int | None
    message_id: int | None
    page: int | None
    ttl: float | None
