"""A FIFO lock per key that costs nothing for keys nobody holds."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import KeysView
    from types import TracebackType

__all__ = ("KeyedLock",)


class KeyedLock:
    """Serializes work per key, in arrival order, without keeping a lock object per idle key.

    One :class:`asyncio.Lock` per live session would cost memory for every idle session; here a key
    is present in the table only while someone holds it, and its waiter queue only exists while
    someone waits. Uncontended acquisition is one dict lookup and one store.

    The lock knows which task holds each key: the ``async with`` form lets that task in again (a
    session started from a handler of the session with the same id), and :meth:`acquire` refuses it
    with an error instead of waiting forever on itself.
    """

    __slots__ = ("_held", "_waiting")

    def __init__(self) -> None:
        # key -> the task holding it (None: handed to a waiter that has not run yet)
        self._held: dict[str, asyncio.Task[object] | None] = {}
        # key -> waiters, only while someone waits
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}

    def __call__(self, key: str) -> _Hold:
        """Return an async context manager that holds ``key`` for its body (re-entrant per task)."""
        return _Hold(self, key)

    @property
    def held(self) -> KeysView[str]:
        """The keys held now."""
        return self._held.keys()

    def locked(self, key: str) -> bool:
        """Whether someone holds ``key`` now."""
        return key in self._held

    def held_here(self, key: str) -> bool:
        """Whether the running task holds ``key``."""
        return key in self._held and self._held[key] is asyncio.current_task()

    def try_acquire(self, key: str) -> bool:
        """Hold ``key`` if it is free, without waiting; return whether it is now held."""
        if key in self._held:
            return False
        self._held[key] = asyncio.current_task()
        return True

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` is free, then hold it.

        Raises
        ------
        RuntimeError
            The running task holds ``key`` already: waiting for it would never end.
        """
        if self.try_acquire(key):
            return
        if self.held_here(key):
            raise RuntimeError(f"{key!r} is held by the task asking for it: waiting would never end")
        waiters = self._waiting.get(key)
        if waiters is None:
            waiters = self._waiting[key] = deque()
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
                if not waiters and self._waiting.get(key) is waiters:
                    del self._waiting[key]
            raise
        self._held[key] = asyncio.current_task()

    def release(self, key: str) -> None:
        """Hand ``key`` to the next waiter, or free it."""
        waiters = self._waiting.get(key)
        while waiters:
            future = waiters.popleft()
            if not future.done():
                if not waiters:
                    del self._waiting[key]
                self._held[key] = None  # the waiter records itself when it runs
                future.set_result(None)
                return
        if waiters is not None:
            del self._waiting[key]
        del self._held[key]


class _Hold:
    __slots__ = ("_entered", "_key", "_lock")

    def __init__(self, lock: KeyedLock, key: str) -> None:
        self._lock = lock
        self._key = key
        self._entered = False

    async def __aenter__(self) -> None:
        if self._lock.held_here(self._key):
            return  # re-entered by the holder: the outer hold releases it
        await self._lock.acquire(self._key)
        self._entered = True

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._entered:
            self._lock.release(self._key)
