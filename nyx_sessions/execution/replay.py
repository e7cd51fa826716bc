"""The replay guard: an interaction delivered twice (a gateway resend, a second shard) is processed once."""

from __future__ import annotations

from collections import deque

__all__ = ("ReplayGuard",)


class ReplayGuard:
    """The interaction ids that arrived in the last ``window`` seconds: a replay is processed once.

    Parameters
    ----------
    window: :class:`float`
        Seconds an id is remembered from its arrival; the manager uses the 15-minute life of an
        interaction token, after which a replay can no longer be answered.
    """

    __slots__ = ("_arrivals", "_ids", "_window")

    def __init__(self, window: float) -> None:
        self._window = window
        self._ids: set[int] = set()
        # Oldest first. Not an ordered dict: deleting a dict's first key leaves a hole that every
        # later ``next(iter(d))`` scans past, which cost O(window) per interaction once full.
        self._arrivals: deque[tuple[float, int]] = deque()

    def add(self, interaction_id: int, now: float) -> bool:
        """Record ``interaction_id`` as arrived at ``now``; ``False`` if it was seen within the window."""
        if interaction_id in self._ids:
            return False
        self._ids.add(interaction_id)
        arrivals = self._arrivals
        arrivals.append((now, interaction_id))
        horizon = now - self._window
        while arrivals[0][0] < horizon:
            self._ids.discard(arrivals.popleft()[1])
        return True
