"""The background work of a session manager: named tasks that closing waits for."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Coroutine

__all__ = ("Tasks",)


class Tasks:
    """Runs coroutines as named tasks and keeps them referenced until they finish."""

    __slots__ = ("_running",)

    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._running)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` as a task named ``name``; :meth:`wait` and :meth:`cancel` reach it."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def wait(self) -> None:
        """Wait for the tasks running now; their errors are theirs."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def cancel(self, grace: float) -> None:
        """Cancel every task and give them ``grace`` seconds to settle."""
        for task in self._running:
            task.cancel()
        if self._running:
            await asyncio.wait(self._running, timeout=grace)
