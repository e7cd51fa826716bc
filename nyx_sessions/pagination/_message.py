"""Turn what a page formatter returns into keyword arguments for sending, and for editing, a message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

__all__ = ("PageContent", "edit_kwargs", "message_kwargs")

PageContent = str | discord.Embed | Sequence[discord.Embed] | Mapping[str, Any]
"""What a page may be: text, an embed, several embeds, or the keyword arguments of a message.

A mapping takes what :meth:`discord.abc.Messageable.send` takes (``content``, ``embed``, ``embeds``,
``view``, ``file``, ``files``, ``allowed_mentions``, ...).
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
        return kwargs
    if isinstance(page, Sequence) and all(isinstance(embed, discord.Embed) for embed in page):
        return {"embeds": list(page)}
    raise TypeError(
        f"a page must be a str, a discord.Embed, a sequence of embeds or a mapping of message "
        f"keyword arguments, got {type(page).__name__}"
    )


def edit_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Return the part of send keyword arguments an edit takes, replacing the whole message.

    Content and embeds the new page does not have are cleared (a text page after an embed page must
    not keep the embed). Files become attachments; send-only options (``ephemeral``, ``tts``, ...)
    are dropped, since they only mean something when the message is created.
    """
    edit = {key: kwargs[key] for key in _EDITABLE if key in kwargs}
    files = [kwargs["file"]] if "file" in kwargs else list(kwargs.get("files", ()))
    if files:
        edit["attachments"] = [*edit.get("attachments", ()), *files]
    if not isinstance(edit.get("view"), discord.ui.LayoutView):
        # Components-v2 messages may not have content or embeds at all, not even empty ones.
        edit.setdefault("content", None)
        edit.setdefault("embeds", [])
    return edit
