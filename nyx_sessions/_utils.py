"""Small helpers shared across the package."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any, TypeVar, Union

__all__ = ("MISSING", "maybe_await")

T = TypeVar("T")


class _MissingSentinel:
    """Marks "not given" where ``None`` already means something (``ttl=None`` = never expires)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _MissingSentinel()


async def maybe_await(value: Union[T, Awaitable[T]]) -> T:
    """Return ``value``, awaiting it first when a sync-or-async callback returned an awaitable."""
    if inspect.isawaitable(value):
        return await value
    return value
