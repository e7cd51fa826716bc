"""Reading what the example bot shows: components by label, embeds, ephemeral notices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from example_bot.playground.render import interactive_components

if TYPE_CHECKING:
    from nyx_sessions.testing import InteractionHarness, MessageRef


def components(harness: InteractionHarness, message: MessageRef) -> list[dict[str, Any]]:
    """The message's buttons and selects, in reading order."""
    return interactive_components(harness.message_payload(message))


def component(harness: InteractionHarness, message: MessageRef, label: str) -> dict[str, Any]:
    """The button whose label (or emoji) is ``label``, or the select whose placeholder or choice it is."""
    for found in components(harness, message):
        names = {found.get("label"), found.get("placeholder"), (found.get("emoji") or {}).get("name")}
        names.update(option["label"] for option in found.get("options", ()) if option.get("default"))
        if label in names:
            return found
    raise AssertionError(f"nothing labelled {label!r} on the message")


def custom_id(harness: InteractionHarness, message: MessageRef, label: str) -> str:
    """The custom id of :func:`component`."""
    return str(component(harness, message, label)["custom_id"])


def texts(harness: InteractionHarness, message: MessageRef) -> list[str]:
    """The text displays of a components v2 message, in reading order."""
    return [
        found["content"]
        for found in walk(harness.message_payload(message)["components"])
        if found["type"] == 10
    ]


def walk(components: Any) -> list[dict[str, Any]]:
    """Every component of a payload's tree, in reading order (sections: their text, then accessory)."""
    found: list[dict[str, Any]] = []
    for one in components:
        found.append(one)
        found += walk(one.get("components") or ())
        if "accessory" in one:
            found += walk([one["accessory"]])
    return found


def embed(harness: InteractionHarness, message: MessageRef) -> discord.Embed:
    """The message's only embed, as it is now."""
    (only,) = harness.message_payload(message)["embeds"]
    return discord.Embed.from_dict(only)


def fields(harness: InteractionHarness, message: MessageRef) -> dict[str, str]:
    """The message's embed fields, by name."""
    return {field.name or "": field.value or "" for field in embed(harness, message).fields}
