"""Time sources for session expiry: the real clock, and a hand-driven one for tests."""

from __future__ import annotations

import asyncio
import heapq
import math
import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("Alarm", "Clock", "ManualClock", "ManualTimerHandle", "SystemClock", "TimerHandleLike")


class TimerHandleLike(Protocol):
    """What :meth:`Clock.call_at` returns: something that can be cancelled.

    :class:`asyncio.TimerHandle` and :class:`ManualTimerHandle` both qualify.
    """

    def cancel(self) -> None:
        """Stop the callback from running; harmless if it already ran or was cancelled."""


class Clock(Protocol):
    """A source of wall-clock time that can run a callback at a given time.

    Repositories take one so that tests can drive expiry by hand (:class:`ManualClock`)
    instead of sleeping.
    """

    def time(self) -> float:
        """Return the current time in epoch seconds, like :func:`time.time`."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandleLike:
        """Run ``callback()`` once the time reaches ``when``.

        Parameters
        ----------
        when: :class:`float`
            Epoch seconds. A time already past means "as soon as possible".
        callback: Callable[[], None]
            Called with no arguments.

        Returns
        -------
        :class:`TimerHandleLike`
            A handle whose ``cancel()`` stops the callback.
        """
        ...


class Alarm:
    """One timer on a clock for the earliest of many deadlines: arming it only ever moves it earlier.

    What a component with many deadlines keeps (the session repository, the deferral watch, the
    durable sweep): it arms the alarm for each new deadline, and the alarm rings once, at the
    earliest.

    Parameters
    ----------
    clock: :class:`Clock`
        The clock it rings on.
    callback: Callable[[], None]
        Called with no arguments when it rings; re-arm it from there for the next deadline.

    Attributes
    ----------
    when: :class:`float`
        When it rings; :data:`math.inf` while it is not armed. Read it, do not set it.
    """

    __slots__ = ("_callback", "_clock", "_handle", "when")

    def __init__(self, clock: Clock, callback: Callable[[], None]) -> None:
        self._clock = clock
        self._callback = callback
        self._handle: TimerHandleLike | None = None
        self.when = math.inf

    def arm(self, when: float | None) -> None:
        """Ring at ``when`` if that is earlier than now planned; ``None`` changes nothing."""
        if when is None or when >= self.when:
            return
        if self._handle is not None:
            self._handle.cancel()
        self.when = when
        self._handle = self._clock.call_at(when, self._ring)

    def cancel(self) -> None:
        """Do not ring."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.when = math.inf

    def _ring(self) -> None:
        self._handle = None
        self.when = math.inf
        self._callback()


class SystemClock:
    """The real clock: :func:`time.time` and the running event loop's timers.

    :meth:`call_at` must be called while an event loop runs, because the timer lives on it.
    """

    __slots__ = ()

    def time(self) -> float:
        """Return :func:`time.time`."""
        return time.time()

    def call_at(self, when: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """Schedule ``callback`` on the running loop for the epoch time ``when``.

        The delay is measured now against :func:`time.time` and handed to
        :meth:`asyncio.loop.call_later`, so a wall-clock jump after scheduling does not move it;
        callers that care re-check :meth:`time` when the callback runs.

        Raises
        ------
        RuntimeError
            No event loop is running in this thread.
        """
        loop = asyncio.get_running_loop()
        return loop.call_later(max(0.0, when - time.time()), callback)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualTimerHandle:
    """A callback scheduled on a :class:`ManualClock`.

    Attributes
    ----------
    when: :class:`float`
        The epoch time it is due at.
    """

    __slots__ = ("_callback", "_cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self._callback = callback
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Keep the callback from running; harmless if it already ran."""
        self._cancelled = True

    def __repr__(self) -> str:
        state = " cancelled" if self._cancelled else ""
        return f"<ManualTimerHandle when={self.when!r}{state}>"


class ManualClock:
    """A clock that moves only when told to, for tests that must not sleep.

    Time starts at ``start`` and stays there until :meth:`advance` or :meth:`set_time`. Those
    run every callback that has come due, synchronously, in deadline order (callbacks due at the
    same time run in the order they were scheduled), including callbacks that other callbacks
    schedule, as long as they are due. While a callback runs, :meth:`time` reads its deadline, as
    if the event loop had woken exactly on time; afterwards it reads the target time.

    An exception raised by a callback propagates out of :meth:`advance`; the clock then stays at
    that callback's deadline and later callbacks remain scheduled.

    Parameters
    ----------
    start: :class:`float`
        The initial epoch time (default 2023-11-14T22:13:20Z).
    """

    __slots__ = ("_now", "_queue", "_scheduled")

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = _checked_time(start)
        self._queue: list[tuple[float, int, ManualTimerHandle]] = []
        self._scheduled = 0

    def time(self) -> float:
        """Return the clock's current epoch time."""
        return self._now

    def call_at(self, when: float, callback: Callable[[], None]) -> ManualTimerHandle:
        """Schedule ``callback`` for ``when``; a past ``when`` runs on the next advance.

        Returns
        -------
        :class:`ManualTimerHandle`
            Its ``cancel()`` keeps the callback from running.
        """
        handle = ManualTimerHandle(_checked_time(when), callback)
        self._scheduled += 1
        heapq.heappush(self._queue, (handle.when, self._scheduled, handle))
        return handle

    @property
    def pending(self) -> int:
        """How many scheduled callbacks have neither run nor been cancelled."""
        return sum(not handle.cancelled for _, _, handle in self._queue)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and run every callback that came due.

        Raises
        ------
        ValueError
            ``seconds`` is negative or NaN (use :meth:`set_time` to move backwards).
        """
        if not seconds >= 0:
            raise ValueError(f"ManualClock.advance needs seconds >= 0, got {seconds!r}")
        self.set_time(self._now + seconds)

    def set_time(self, t: float) -> None:
        """Set the time to ``t`` and run every callback due by then.

        ``t`` may lie in the past, to imitate a wall clock stepped back; nothing that already ran
        runs again.

        Raises
        ------
        ValueError
            ``t`` is NaN or infinite.
        """
        target = _checked_time(t)
        queue = self._queue
        while queue and queue[0][0] <= target:
            when, _, handle = heapq.heappop(queue)
            if handle.cancelled:
                continue
            self._now = max(self._now, when)
            handle._callback()
        self._now = target

    def __repr__(self) -> str:
        return f"<ManualClock time={self._now!r} pending={self.pending}>"


def _checked_time(t: float) -> float:
    if not math.isfinite(t):
        raise ValueError(f"ManualClock needs a finite epoch time, got {t!r}")
    return float(t)
