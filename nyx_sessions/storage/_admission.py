"""The decision every store makes when a start is counted against its limits (one algorithm; the
Redis store runs the same steps in Lua)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .store import Admitted

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("decide",)


def decide(
    counted: Sequence[Sequence[str]],
    limits: Sequence[tuple[str, int]],
    policy: Literal["replace", "reject"],
    starting: frozenset[str] | set[str],
) -> Admitted:
    """What admitting one more session does, given the sessions each limit counts (oldest first).

    ``starting`` names the counted sessions with no record yet: ending one for a ``"replace"`` must
    wait until it exists.
    """
    victims: list[str] = []
    for index, ((_, limit), ids) in enumerate(zip(limits, counted, strict=True)):
        over = len(ids) + 1 - limit
        if over <= 0:
            continue
        if policy == "reject":
            return Admitted("reject", blocker=ids[0], limit=index)
        for session_id in ids[:over]:
            if session_id in starting:
                return Admitted("busy")
            if session_id not in victims:
                victims.append(session_id)
    return Admitted("ok", victims=tuple(victims))
