"""Small helpers the example's sessions share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import discord

__all__ = ("selected_values",)


def selected_values(interaction: discord.Interaction[Any]) -> list[str]:
    """The values picked in a select menu: option values, or ids for user and channel selects."""
    # discord.py types ``interaction.data`` as a union of every interaction's payload.
    data = cast("dict[str, Any]", interaction.data or {})
    return list(data.get("values", ()))
