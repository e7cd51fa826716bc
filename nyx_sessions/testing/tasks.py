"""Knowing when the bot is done: track every task started after install and wait for them."""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Coroutine, Generator

__all__ = ("TaskTracker", "describe_tasks")

# discord.py's long sleepers: View timeouts, ``delete_after`` / ``delete(delay=)`` timers, and
# ``ext.tasks`` loops. Waiting for them would make every settle last as long as their delay.
_SLEEPERS = frozenset(
    {
        "BaseView.__timeout_task_impl",
        "View.__timeout_task_impl",
        "PartialMessage.delete.<locals>.delete",
        "WebhookMessage.delete.<locals>.inner_call",
        "InteractionMessage.delete.<locals>.inner_call",
        "InteractionResponse.send_message.<locals>.inner_call",
        "InteractionResponse.edit_message.<locals>.inner_call",
        "Loop._loop",
    }
)


def _qualname(task: asyncio.Task[Any]) -> str:
    return str(getattr(task.get_coro(), "__qualname__", ""))


def describe_tasks(tasks: list[asyncio.Task[Any]]) -> str:
    """One line per task: its name and its coroutine."""
    return "\n".join(f"  {task.get_name()!r} running {_qualname(task)}" for task in tasks)


class TaskTracker:
    """Records tasks created on one loop after :meth:`install`, so :meth:`settle` can wait for them.

    Parameters
    ----------
    ignore_prefixes: tuple[str, ...]
        Tasks whose name starts with one of these are never waited for (long-lived work such as
        expiry timers), nor are discord.py's own long sleepers.
    """

    __slots__ = ("_fresh", "_ignore_prefixes", "_loop", "_previous", "_watched")

    def __init__(self, ignore_prefixes: tuple[str, ...]) -> None:
        self._ignore_prefixes = ignore_prefixes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: Any = None
        self._fresh: list[asyncio.Task[Any]] = []
        self._watched: list[asyncio.Task[Any]] = []

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start recording tasks created on ``loop`` (chaining any task factory already set)."""
        self._loop = loop
        self._previous = loop.get_task_factory()
        loop.set_task_factory(self._factory)

    def uninstall(self) -> None:
        """Stop recording and put the previous task factory back."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.set_task_factory(self._previous)
        self._loop = None
        self._fresh.clear()
        self._watched.clear()

    def _factory(
        self,
        loop: asyncio.AbstractEventLoop,
        coro: Coroutine[Any, Any, Any] | Generator[Any, None, Any],
        **kwargs: Any,
    ) -> asyncio.Task[Any]:
        if self._previous is not None:
            task: asyncio.Task[Any] = self._previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        self._fresh.append(task)
        return task

    def _ignored(self, task: asyncio.Task[Any]) -> bool:
        return task.get_name().startswith(self._ignore_prefixes) or _qualname(task) in _SLEEPERS

    def _pending(self, current: asyncio.Task[Any] | None) -> list[asyncio.Task[Any]]:
        # Finished and ignored tasks are dropped for good, so each task is classified once
        # and a settle costs time proportional to the tasks created since the last one.
        fresh, self._fresh = self._fresh, []
        self._watched = [
            task
            for task in itertools.chain(self._watched, fresh)
            if not task.done() and task is not current and not self._ignored(task)
        ]
        return self._watched

    async def settle(self, timeout: float) -> list[asyncio.Task[Any]]:
        """Wait until every recorded task is done, including tasks they start meanwhile.

        Parameters
        ----------
        timeout: float
            Seconds to wait at most.

        Returns
        -------
        list[asyncio.Task]
            The tasks still running when ``timeout`` ran out; empty when everything settled.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        current = asyncio.current_task()
        while True:
            # One turn of the loop runs callbacks already scheduled, which may start more tasks.
            await asyncio.sleep(0)
            pending = self._pending(current)
            if not pending:
                return []
            remaining = deadline - loop.time()
            if remaining <= 0:
                return pending
            await asyncio.wait(pending, timeout=remaining)
