"""A FIFO lock per key that costs nothing for keys nobody holds."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ("KeyedLock",)


class KeyedLock:
    """Serializes work per key, in arrival order, without keeping a lock object per idle key.

    One :class:`asyncio.Lock` per live session would cost memory for every idle session; here a key
    is present in the table only while someone holds it, and its waiter queue only exists while
    someone waits. Uncontended acquisition is one dict lookup and one store.
    """

    __slots__ = ("_held",)

    def __init__(self) -> None:
        # key -> waiters (None while held with nobody waiting)
        self._held: dict[str, deque[asyncio.Future[None]] | None] = {}

    def __call__(self, key: str) -> _Hold:
        """Return an async context manager that holds ``key`` for its body."""
        return _Hold(self, key)

    def locked(self, key: str) -> bool:
        """Whether someone holds ``key`` now."""
        return key in self._held

    def try_acquire(self, key: str) -> bool:
        """Hold ``key`` if it is free, without waiting; return whether it is now held."""
        if key in self._held:
            return False
        self._held[key] = None
        return True

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` is free, then hold it."""
        if self.try_acquire(key):
            return
        waiters = self._held[key]
        if waiters is None:
            waiters = self._held[key] = deque()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # The key was handed to us just as we were cancelled: pass it on.
                self.release(key)
            else:
                # release() may already have skipped and dropped our cancelled future.
                with contextlib.suppress(ValueError):
                    waiters.remove(future)
            raise

    def release(self, key: str) -> None:
        """Hand ``key`` to the next waiter, or free it."""
        waiters = self._held[key]
        while waiters:
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        del self._held[key]


class _Hold:
    __slots__ = ("_key", "_lock")

    def __init__(self, lock: KeyedLock, key: str) -> None:
        self._lock = lock
        self._key = key

    async def __aenter__(self) -> None:
        await self._lock.acquire(self._key)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release(self._key)
