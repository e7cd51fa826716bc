"""Discord's component limits, checked before a session's message or modal is sent.

Discord answers a message or modal that breaks a limit with a 400 whose ``errors`` tree is hard to
read back to the code that built it. A session checks what it sends first and raises
:class:`~nyx_sessions.ComponentLimitError`, which names the limit, the count and where; no request
is made. A message that went components v2 never goes back: an edit with classic content is
refused the same way (Discord refuses it too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

from nyx_sessions._utils import COMPONENT_NAMES, walk_components
from nyx_sessions.errors import ComponentLimitError
from nyx_sessions.sessions.components import _CheckedPayload

__all__ = ("check_layout", "check_message", "check_modal", "is_components_v2")

Component = Mapping[str, Any]

_ACTION_ROW, _BUTTON, _STRING_SELECT, _TEXT_DISPLAY, _LABEL = 1, 2, 3, 10, 18
_V2_COMPONENTS, _V2_TEXT = 40, 4000
_CLASSIC_ROWS, _ROW_ITEMS, _OPTIONS, _MODAL_ITEMS = 5, 5, 25, 5
_CUSTOM_ID, _BUTTON_LABEL, _TITLE = 100, 80, 45


def is_components_v2(view: object) -> bool:
    """Whether ``view`` makes a components-v2 message."""
    return isinstance(view, discord.ui.LayoutView)


def check_message(where: str, *, view: object, classic_content: bool) -> None:
    """Check a message a session sends or edits.

    Parameters
    ----------
    where: :class:`str`
        Names the message in an error ("the message of session 'ab12'").
    view: object
        The ``view=`` of the send or edit (a :class:`discord.ui.View` or
        :class:`discord.ui.LayoutView`), or anything else for none.
    classic_content: :class:`bool`
        Whether the send or edit carries content or embeds (a components-v2 message may have
        neither).

    Raises
    ------
    ComponentLimitError
        A limit is broken.
    ValueError
        Content or embeds beside a components-v2 layout.
    """
    if not isinstance(view, (discord.ui.View, discord.ui.LayoutView)):
        return
    components: list[dict[str, Any]] = view.to_components()
    parts = walk_components(components)  # one walk of the tree serves every check
    if is_components_v2(view):
        if classic_content:
            raise ValueError(
                f"{where}: a components v2 message has no content or embeds (Discord refuses both); "
                "put the text in a discord.ui.TextDisplay"
            )
        _at_most(where, len(parts), _V2_COMPONENTS, "components in a components v2 message")
        text = sum(len(part.get("content", "")) for part in parts if part["type"] == _TEXT_DISPLAY)
        _at_most(where, text, _V2_TEXT, "characters of text displays in a components v2 message")
    else:
        _at_most(where, len(components), _CLASSIC_ROWS, "action rows in a message")
    for row in parts:
        if row["type"] == _ACTION_ROW and len(row.get("components", ())) > _ROW_ITEMS:
            _at_most(f"{where}, a row", len(row["components"]), _ROW_ITEMS, "items in a row")
    _check_items(where, parts)
    if isinstance(view, _CheckedPayload):
        view.keep_checked(components)


def check_layout(where: str, items: Sequence[discord.ui.Item[Any]]) -> None:
    """Check the top-level items of a components v2 message before they are put in a view (which
    refuses more than 40 components with an error that names neither the count nor the message).

    Raises
    ------
    ComponentLimitError
        More than 40 components through the tree.
    """
    tree: list[Component] = [item.to_component_dict() for item in items]
    _at_most(where, len(walk_components(tree)), _V2_COMPONENTS, "components in a components v2 message")


def check_modal(where: str, modal: discord.ui.Modal) -> None:
    """Check a modal a session opens.

    Raises
    ------
    ComponentLimitError
        A limit is broken.
    """
    payload: Component = modal.to_dict()
    components: list[Component] = list(payload.get("components", ()))
    _at_most(where, len(components), _MODAL_ITEMS, "top-level items in a modal")
    _at_most(where, len(payload.get("title", "")), _TITLE, "characters of modal title")
    parts = walk_components(components)
    for part in parts:
        if part["type"] == _LABEL:
            _at_most(f"{where}, a label", len(part.get("label", "")), _TITLE, "characters of label")
    _check_items(where, parts)


def _check_items(where: str, parts: Sequence[Component]) -> None:
    """The limits of single components, and custom ids unique in the message or modal.

    Every page turn pays this: the checks compare numbers, and build a description only for a
    breach.
    """
    ids: set[str] = set()
    for part in parts:
        custom_id = part.get("custom_id")
        if custom_id is not None:
            if custom_id in ids:
                raise ComponentLimitError(
                    f"{where}, custom id {custom_id!r}", 2, "each custom id once per message", "uses"
                )
            ids.add(custom_id)
            if len(custom_id) > _CUSTOM_ID:
                _at_most(_place(where, part), len(custom_id), _CUSTOM_ID, "characters of custom id")
        label = part.get("label")
        if part["type"] == _BUTTON and label is not None and len(label) > _BUTTON_LABEL:
            _at_most(f"{where}, button {label!r}", len(label), _BUTTON_LABEL, "characters of button label")
        options = part.get("options")
        if options is not None and len(options) > _OPTIONS:
            _at_most(_place(where, part), len(options), _OPTIONS, "options")


def _place(where: str, part: Component) -> str:
    kind = COMPONENT_NAMES.get(part["type"], "component")
    return f"{where}, {kind} {part.get('custom_id')!r}"


def _at_most(where: str, count: int, limit: int, what: str) -> None:
    if count > limit:
        raise ComponentLimitError(where, count, f"{limit:,}", what)
