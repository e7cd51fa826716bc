"""Small helpers shared across the package."""

from __future__ import annotations

import inspect
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

    import discord

__all__ = ("MISSING", "interaction_data", "maybe_await")

T = TypeVar("T")


class _MissingSentinel:
    """Marks "not given" where ``None`` already means something (``ttl=None`` = never expires)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _MissingSentinel()


async def maybe_await(value: T | Awaitable[T]) -> T:
    """Return ``value``, awaiting it first when a sync-or-async callback returned an awaitable."""
    if inspect.isawaitable(value):
        return await value
    return value


_NO_DATA: Mapping[str, Any] = MappingProxyType({})


def interaction_data(interaction: discord.Interaction[Any]) -> Mapping[str, Any]:
    """``interaction.data`` as a plain mapping (discord.py types it as a union of TypedDicts)."""
    # No typing.cast(): a function call, and this runs on every click.
    return interaction.data or _NO_DATA
