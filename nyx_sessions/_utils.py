"""Small helpers shared across the package."""

from __future__ import annotations

import asyncio
import inspect
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
import discord

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

__all__ = (
    "COMPONENT_NAMES",
    "DISCORD_ERRORS",
    "MISSING",
    "interaction_data",
    "is_being_cancelled",
    "maybe_await",
)

T = TypeVar("T")


class _MissingSentinel:
    """Marks "not given" where ``None`` already means something (``ttl=None`` = never expires)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _MissingSentinel()

COMPONENT_NAMES = {
    1: "action row",
    2: "button",
    3: "string select",
    4: "text input",
    5: "user select",
    6: "role select",
    7: "mentionable select",
    8: "channel select",
    9: "section",
    10: "text display",
    17: "container",
    18: "label",
    19: "file upload",
    21: "radio group",
    22: "checkbox group",
    23: "checkbox",
}
"""What a component type of Discord's payloads is called, for messages that name one."""


def walk_components(components: object) -> list[Mapping[str, Any]]:
    """Every component of a payload's tree, depth first, in display order.

    Descends through rows and containers (``components``), labels (``component``) and sections
    (``components``, then ``accessory``). Parts of a payload that are not components are skipped.
    """
    found: list[Mapping[str, Any]] = []
    pending = list(reversed(components)) if isinstance(components, list) else []
    while pending:
        component = pending.pop()
        # dict, not Mapping: payloads are JSON, and every page turn walks one (an ABC check is slower).
        if not isinstance(component, dict):
            continue
        found.append(component)
        accessory, child = component.get("accessory"), component.get("component")
        if accessory is not None:
            pending.append(accessory)
        if child is not None:
            pending.append(child)
        children = component.get("components")
        if isinstance(children, list):
            pending.extend(reversed(children))
    return found


DISCORD_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)
"""What a call to Discord raises when it fails: an error answer, or a transport failure.

A dropped connection surfaces as aiohttp's or the OS's errors (``ConnectionResetError``), not as
:class:`discord.HTTPException`; every call site that must survive Discord failing catches these.
"""


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


def is_being_cancelled() -> bool:
    """Whether the running task itself is being cancelled.

    Tells a cancellation of the caller (shutdown, ``asyncio.wait_for``) apart from a
    :class:`asyncio.CancelledError` that a handler got from awaiting a task someone else cancelled.
    Python 3.10 cannot tell (no :meth:`asyncio.Task.cancelling`): it reports ``True``, so every
    cancellation goes through. Taken for a handler's error instead, the cancellation of a timeout
    (``asyncio.wait_for``) or of a shutdown would be swallowed and the caller would wait on.
    """
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else True
