"""End promises: one pending future per session, settled when the session ends."""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..sessions.state import SessionEndData
    from .repository import StoredSession

__all__ = ("SessionPromiseRepository",)


class SessionPromiseRepository:
    """Hands out the future that settles when a session ends.

    Only pending futures are kept, so ended sessions leave nothing behind: a future is forgotten
    the moment it settles, and one its awaiter cancelled is dropped, so the next
    :meth:`get_future` returns a fresh one. Settling a session with no pending future does
    nothing; a session keeps its own end data for callers that ask after the end.

    Awaiters that may be cancelled while others wait on the same future should await it through
    :func:`asyncio.shield`, because cancelling an awaiter cancels the future it awaits.
    """

    __slots__ = ("_futures",)

    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[SessionEndData[Any]]] = {}

    def get_future(self, session: StoredSession) -> asyncio.Future[SessionEndData[Any]]:
        """Return the session's pending future, creating it on the running loop if needed.

        Asked again before it settles, the same future is returned.

        Raises
        ------
        RuntimeError
            No event loop is running.
        """
        future = self._futures.get(session.id)
        if future is None or future.done():
            future = asyncio.get_running_loop().create_future()
            future.add_done_callback(functools.partial(self._forget, session.id))
            self._futures[session.id] = future
        return future

    def resolve(self, session: StoredSession, data: SessionEndData[Any]) -> bool:
        """Settle the session's pending future with ``data``; return whether there was one."""
        future = self._take(session.id)
        if future is None:
            return False
        future.set_result(data)
        return True

    def reject(self, session: StoredSession, exc: BaseException) -> bool:
        """Settle the session's pending future with the exception ``exc``; return whether there was one."""
        future = self._take(session.id)
        if future is None:
            return False
        future.set_exception(exc)
        return True

    def resolve_all(self, data: SessionEndData[Any]) -> int:
        """Settle every pending future with ``data`` (e.g. on bot stop); return how many there were."""
        futures, self._futures = self._futures, {}
        pending = [future for future in futures.values() if not future.done()]
        for future in pending:
            future.set_result(data)
        return len(pending)

    def __len__(self) -> int:
        """Return the number of pending futures."""
        return len(self._futures)

    def __repr__(self) -> str:
        return f"<SessionPromiseRepository pending={len(self._futures)}>"

    def _take(self, session_id: str) -> asyncio.Future[SessionEndData[Any]] | None:
        future = self._futures.pop(session_id, None)
        return None if future is None or future.done() else future

    def _forget(self, session_id: str, future: asyncio.Future[SessionEndData[Any]]) -> None:
        # A future cancelled by its awaiter settles without passing through _take.
        if self._futures.get(session_id) is future:
            del self._futures[session_id]
