"""Turn what a page formatter returns into keyword arguments for sending, and for editing, a message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

__all__ = ("PageContent", "edit_kwargs", "layout_with_navigation", "message_kwargs")

PageContent = (
    str
    | discord.Embed
    | Sequence[discord.Embed]
    | Mapping[str, Any]
    | discord.ui.Container[Any]
    | Sequence[discord.ui.Item[Any]]
)
"""What a page may be: text, an embed, several embeds, the keyword arguments of a message, or a
components v2 layout: a :class:`discord.ui.Container`, or a sequence of top-level v2 items
(containers, sections, text displays, galleries, files, separators, action rows).

A mapping takes what :meth:`discord.abc.Messageable.send` takes (``content``, ``embed``, ``embeds``,
``view``, ``file``, ``files``, ``allowed_mentions``, ...), or ``layout`` (a layout as above) with the
``file``/``files`` its media gallery, file or thumbnail name as ``attachment://<filename>``. A layout
is sent as a components v2 message with the session's navigation inside its last container (after a
separator), or after its items when it has no container. Return a new layout from each call: the
navigation is added to it.

On a page turn, a file whose name is already attached to the message is kept, not uploaded again;
a page with no files keeps the message's attachments as they are.
"""

_EDITABLE = ("content", "embeds", "attachments", "view", "allowed_mentions")
"""What both :meth:`discord.InteractionResponse.edit_message` and :meth:`discord.Message.edit` take."""


def message_kwargs(page: PageContent) -> dict[str, Any]:
    """Return ``page`` as send keyword arguments, with a single ``embed`` folded into ``embeds``.

    Raises
    ------
    TypeError
        ``page`` is none of the kinds :data:`PageContent` names.
    """
    if isinstance(page, str):
        return {"content": page}
    if isinstance(page, discord.Embed):
        return {"embeds": [page]}
    if isinstance(page, Mapping):
        kwargs = dict(page)
        embed = kwargs.pop("embed", None)
        if embed is not None:
            kwargs["embeds"] = [embed, *kwargs.get("embeds", ())]
        if "layout" in kwargs:
            kwargs["layout"] = _layout_items(kwargs["layout"])
        return kwargs
    items = _layout_items(page)
    if items is not None:
        return {"layout": items}
    if isinstance(page, Sequence) and all(isinstance(embed, discord.Embed) for embed in page):
        return {"embeds": list(page)}
    raise TypeError(
        f"a page must be a str, a discord.Embed, a sequence of embeds, a mapping of message keyword "
        f"arguments, a discord.ui.Container or a sequence of components v2 items, got {type(page).__name__}"
    )


def _layout_items(page: object) -> list[discord.ui.Item[Any]] | None:
    """The top-level items of a components v2 layout, or ``None`` when ``page`` is no layout."""
    if isinstance(page, discord.ui.Container):
        return [page]
    if isinstance(page, Sequence) and page and all(isinstance(item, discord.ui.Item) for item in page):
        return list(page)
    return None


def layout_with_navigation(
    items: Sequence[discord.ui.Item[Any]], navigation: Sequence[discord.ui.Item[Any]]
) -> list[discord.ui.Item[Any]]:
    """The top-level items of a components v2 page with its navigation placed in it.

    The navigation controls (each with its ``row``) become action rows, one per row, inside the
    page's last container after a separator; without a container, after the items.
    """
    rows: dict[int, list[discord.ui.Item[Any]]] = {}
    for control in navigation:
        rows.setdefault(control.row or 0, []).append(control)
    action_rows: list[discord.ui.ActionRow[Any]] = []
    for _, controls in sorted(rows.items()):
        for control in controls:
            control.row = None  # rows are for classic messages; here the action row places it
        action_rows.append(discord.ui.ActionRow(*controls))
    placed = list(items)
    container = next((item for item in reversed(placed) if isinstance(item, discord.ui.Container)), None)
    if container is None:
        return [*placed, *action_rows]
    if action_rows:
        container.add_item(discord.ui.Separator())
        for action_row in action_rows:
            container.add_item(action_row)
    return placed


def edit_kwargs(kwargs: Mapping[str, Any], attached: Sequence[discord.Attachment] = ()) -> dict[str, Any]:
    """Return the part of send keyword arguments an edit takes, replacing the whole message.

    Content and embeds the new page does not have are cleared (a text page after an embed page must
    not keep the embed). Files become attachments, except those named like one of ``attached`` (the
    message's attachments): that attachment is kept rather than uploaded again. Without files the
    message keeps its attachments. Send-only options (``ephemeral``, ``tts``, ...) are dropped, since
    they only mean something when the message is created.
    """
    edit = {key: kwargs[key] for key in _EDITABLE if key in kwargs}
    files = [kwargs["file"]] if "file" in kwargs else list(kwargs.get("files", ()))
    if files:
        edit["attachments"] = [*edit.get("attachments", ()), *_kept_or_new(files, attached)]
    if not isinstance(edit.get("view"), discord.ui.LayoutView):
        # Components-v2 messages may not have content or embeds at all, not even empty ones.
        edit.setdefault("content", None)
        edit.setdefault("embeds", [])
    return edit


def _kept_or_new(
    files: Sequence[discord.File], attached: Sequence[discord.Attachment]
) -> list[discord.File | discord.Attachment]:
    """``files`` with each one already attached under its name replaced by that attachment."""
    by_name = {attachment.filename: attachment for attachment in attached}
    kept: list[discord.File | discord.Attachment] = []
    for file in files:
        attachment = by_name.get(file.filename)
        if attachment is None:
            kept.append(file)
        else:
            file.close()  # never sent: its bytes are on Discord already
            kept.append(attachment)
    return kept
