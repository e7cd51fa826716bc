"""Session events and the bus that delivers them to subscribers."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import discord

__all__ = ("EventBus", "EventCallback", "SessionEvent")

_log = logging.getLogger(__name__)

EventCallback = Callable[..., object]
"""A bus subscriber: a function (run inline) or a coroutine function (run as a task)."""


class SessionEvent(str, Enum):
    """The events of a session's life, named as ``bot.dispatch`` names them.

    Being strings, members compare equal to their names, so ``bus.subscribe("session_end", cb)`` and
    members from before ``reload_extension("nyx_sessions")`` work too.
    """

    START = "session_start"
    """``(session, meta)``: the session started."""
    UPDATE = "session_update"
    """``(session, interaction, meta)``: the session handled an interaction."""
    END = "session_end"
    """``(session, data, meta)``: the session ended, expiry included."""
    EXPIRE = "session_expire"
    """``(session, data)``: the session expired (``END`` fires too)."""


class EventBus:
    """Delivers session events to subscribers, in subscription order.

    Function subscribers run inline during :meth:`emit`; coroutine-function subscribers run as tasks
    named ``"nyx-sessions:event:<event>"``, kept referenced until they finish. A failing subscriber
    is logged on the ``nyx_sessions`` logger and never reaches the emitter.
    """

    __slots__ = ("_closed", "_subscribers", "_tasks")

    def __init__(self) -> None:
        self._subscribers: dict[SessionEvent, list[EventCallback]] = {event: [] for event in SessionEvent}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def closed(self) -> bool:
        """:class:`bool`: Whether :meth:`aclose` was called; a closed bus drops every emit."""
        return self._closed

    @property
    def pending(self) -> int:
        """:class:`int`: How many coroutine subscribers are still running."""
        return len(self._tasks)

    def subscribe(self, event: SessionEvent | str, callback: EventCallback) -> None:
        """Call ``callback`` on every emit of ``event``, after the earlier subscribers.

        Parameters
        ----------
        event: Union[:class:`SessionEvent`, :class:`str`]
            The event, or its name (``"session_end"``).
        callback: EventCallback
            Called with the event's arguments; a function or a coroutine function.

        Raises
        ------
        ValueError
            ``event`` is not a session event, or ``callback`` already subscribes to it.
        """
        callbacks = self._subscribers[SessionEvent(event)]
        if callback in callbacks:
            raise ValueError(f"{callback!r} already subscribes to {SessionEvent(event).value!r}")
        callbacks.append(callback)

    def unsubscribe(self, event: SessionEvent | str, callback: EventCallback) -> bool:
        """Stop calling ``callback`` for ``event``.

        Returns
        -------
        :class:`bool`
            Whether it was subscribed.
        """
        callbacks = self._subscribers[SessionEvent(event)]
        if callback not in callbacks:
            return False
        callbacks.remove(callback)
        return True

    def subscribers(self, event: SessionEvent | str) -> tuple[EventCallback, ...]:
        """Return the subscribers of ``event`` in calling order."""
        return tuple(self._subscribers[SessionEvent(event)])

    def emit(self, event: SessionEvent | str, *args: Any) -> None:
        """Deliver ``event`` with ``args`` to its subscribers; never raises because of one.

        Coroutine subscribers are started as tasks, so they need a running event loop; without one
        they are skipped and logged.

        Parameters
        ----------
        event: Union[:class:`SessionEvent`, :class:`str`]
            The event.
        *args
            The event's arguments (see :class:`SessionEvent`).
        """
        callbacks = self._subscribers.get(event)  # type: ignore[arg-type]  # str-enum keys match strings
        if not callbacks:
            return  # the common case, on every click: keep it to one lookup
        if event.__class__ is not SessionEvent:
            event = SessionEvent(event)
        if self._closed:
            _log.debug("Dropped %s: the event bus is closed", event.value)
            return
        for callback in tuple(self._subscribers[event]):
            try:
                outcome = callback(*args)
            except Exception:
                _log.exception("Subscriber %r of %s raised", callback, event.value)
                continue
            if outcome is not None and inspect.isawaitable(outcome):
                self._schedule(event, callback, outcome)

    def _schedule(self, event: SessionEvent, callback: EventCallback, outcome: Awaitable[object]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(
                self._guard(event, callback, outcome), name=f"nyx-sessions:event:{event.value}"
            )
        except RuntimeError:
            if asyncio.iscoroutine(outcome):
                outcome.close()
            _log.error("Subscriber %r of %s needs a running event loop; skipped", callback, event.value)
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guard(event: SessionEvent, callback: EventCallback, outcome: Awaitable[object]) -> None:
        try:
            await outcome
        except Exception:
            _log.exception("Subscriber %r of %s raised", callback, event.value)

    async def wait_idle(self) -> None:
        """Wait until every coroutine subscriber finished, also those started meanwhile."""
        while self._tasks:
            await asyncio.wait(tuple(self._tasks))

    async def aclose(self) -> None:
        """Close the bus: cancel the running coroutine subscribers and drop later emits.

        Call :meth:`wait_idle` first to let them finish instead. Subscriptions are kept, so
        :meth:`subscribers` still lists them.
        """
        self._closed = True
        tasks = tuple(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    def __repr__(self) -> str:
        counts = ", ".join(f"{event.value}={len(cbs)}" for event, cbs in self._subscribers.items())
        return f"<EventBus {counts} pending={len(self._tasks)} closed={self._closed}>"


class Announcer:
    """Emits an event on the bus and through ``bot.dispatch`` (as ``on_session_end`` listeners hear it).

    Parameters
    ----------
    bus: :class:`EventBus`
        The bus subscribers listen on.
    bot: :class:`discord.Client`
        The bot whose listeners hear the event too.
    """

    __slots__ = ("_bot", "_bus")

    def __init__(self, bus: EventBus, bot: discord.Client) -> None:
        self._bus = bus
        self._bot = bot

    def emit(self, event: SessionEvent, *args: Any) -> None:
        """Emit ``event`` with ``args`` on the bus, and through ``bot.dispatch`` if anyone listens."""
        self._bus.emit(event, *args)
        name, method = _DISPATCHED_AS[event]
        if _is_listened(self._bot, name, method):
            self._bot.dispatch(name, *args)


_DISPATCHED_AS = {event: (event.value, "on_" + event.value) for event in SessionEvent}
"""Each event's ``bot.dispatch`` name and listener method name, read once (``.value`` is a
Python-level property of enums, and the update event is emitted on every click)."""


def _is_listened(bot: discord.Client, event: str, method: str) -> bool:
    """Whether ``bot.dispatch(event)`` would reach anyone (``method`` is ``"on_" + event``).

    Dispatching to nobody still costs discord.py a raised and caught ``AttributeError`` on every
    click; checking first is cheaper (the benchmarks page has the figures).
    """
    waiters = getattr(bot, "_listeners", None)  # wait_for() futures; if discord.py moves them, dispatch
    if waiters is None:
        return True
    extra_events: dict[str, list[Any]] = getattr(bot, "extra_events", {})
    return (
        bool(waiters.get(event)) or bool(extra_events.get(method)) or getattr(bot, method, None) is not None
    )
