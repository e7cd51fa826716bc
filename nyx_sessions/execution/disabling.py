"""Reading a message's components: their custom ids, and a disabled copy for sessions that ended."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
from discord.ui.select import BaseSelect

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from discord.ui.item import Item

__all__ = ("component_custom_ids", "disabled_view_of")

_COMPONENTS_V2_FLAG = 1 << 15


def disabled_view_of(message: discord.Message) -> discord.ui.View | discord.ui.LayoutView | None:
    """Copy ``message``'s components with every interactive one disabled.

    Buttons that send interactions and selects of all kinds are disabled; link and premium buttons,
    which send none, stay usable. A components-v2 message gives a :class:`discord.ui.LayoutView`,
    any other a :class:`discord.ui.View`. The copy is already stopped, so discord.py never stores it
    in its ViewStore when it is sent: the copy answers nothing, it only shows.

    Must be called while the event loop runs (from a coroutine): a view built without a running loop
    cannot be stopped.

    Parameters
    ----------
    message: :class:`discord.Message`
        The message whose components to copy.

    Returns
    -------
    Optional[Union[:class:`discord.ui.View`, :class:`discord.ui.LayoutView`]]
        The copy, or ``None`` when the message has nothing left to disable.

    Raises
    ------
    RuntimeError
        No event loop is running.
    ValueError
        discord.py could not rebuild the components.
    """
    # A view's "finished" state lives in a future made at construction, only with a running loop.
    asyncio.get_running_loop()
    if not message.components:
        return None
    view_type = discord.ui.LayoutView if _uses_components_v2(message) else discord.ui.View
    view = view_type.from_message(message, timeout=None)
    disabled = [_disable(item) for item in view.walk_children()]
    if not any(disabled):
        return None
    view.stop()
    return view


def _uses_components_v2(message: discord.Message) -> bool:
    if message.flags.value & _COMPONENTS_V2_FLAG:
        return True
    # A classic message holds only action rows at the top level.
    return any(not isinstance(component, discord.ActionRow) for component in message.components)


def _disable(item: Item[Any]) -> bool:
    """Disable ``item`` if it sends interactions and is enabled; return whether it changed."""
    if isinstance(item, (discord.ui.Button, BaseSelect)) and item.is_dispatchable() and not item.disabled:
        item.disabled = True
        return True
    return False


def component_custom_ids(message: discord.Message) -> Iterator[str]:
    """Yield the custom id of every component of ``message``, nested ones (rows, containers, ...) too."""
    return _custom_ids(message.components)


def _custom_ids(components: Iterable[object]) -> Iterator[str]:
    for component in components:
        custom_id = getattr(component, "custom_id", None)
        if isinstance(custom_id, str):
            yield custom_id
        yield from _custom_ids(getattr(component, "children", ()))
        for single in ("accessory", "component"):  # a section's accessory, a label's component
            inner = getattr(component, single, None)
            if inner is not None:
                yield from _custom_ids((inner,))
