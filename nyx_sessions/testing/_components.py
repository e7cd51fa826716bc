"""Reading raw component payloads: walking nested layouts and finding what a user can press."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from nyx_sessions._utils import COMPONENT_NAMES, walk_components

__all__ = (
    "BUTTON",
    "MESSAGE_INPUT_TYPES",
    "SELECT_TYPES",
    "custom_ids",
    "describe",
    "find_pressable",
    "walk",
)

Component = Mapping[str, Any]

BUTTON = 2
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
MESSAGE_INPUT_TYPES = SELECT_TYPES | {BUTTON}


def walk(components: Iterable[Component]) -> Iterator[Component]:
    """Yield every component depth-first, in display order.

    Descends through action rows and containers (``components``), labels (``component``) and
    sections (``components``, then ``accessory``).
    """
    return iter(walk_components(list(components)))


def custom_ids(components: Iterable[Component]) -> list[str]:
    """Every custom id in ``components``, flattened through rows, labels, containers and sections."""
    return [component["custom_id"] for component in walk(components) if "custom_id" in component]


def describe(component: Component) -> str:
    """A short human description such as ``'Next' 'SSN୵x႞next' (button, disabled)``."""
    kind = COMPONENT_NAMES.get(component.get("type", 0), f"type {component.get('type')}")
    state = ", disabled" if component.get("disabled") else ""
    name = _name(component)
    shown = f"{name!r} " if name else ""
    return f"{shown}{component.get('custom_id')!r} ({kind}{state})"


def _name(component: Component) -> str | None:
    """What a user reads on a component: a button's label or emoji, a select's placeholder."""
    emoji = component.get("emoji") or {}
    return component.get("label") or component.get("placeholder") or emoji.get("name")


def find_pressable(
    message: Mapping[str, Any], custom_id: str | None = None, *, label: str | None = None
) -> Component:
    """Return the enabled button or select a user would press on ``message``.

    Found by ``custom_id``, or by ``label``: a button's label (or its emoji, for emoji-only buttons)
    or a select's placeholder, which tests can know when custom ids carry a random session id.

    Raises
    ------
    AssertionError
        The message has no such component, several match the label, or it is disabled. The message
        lists what it offers.
    """
    if (custom_id is None) == (label is None):
        raise TypeError("find a component by its custom_id or by its label, not both or neither")
    offered: list[Component] = []
    found: list[Component] = []
    for component in walk(message.get("components") or ()):
        if component.get("type") not in MESSAGE_INPUT_TYPES or "custom_id" not in component:
            continue
        offered.append(component)
        if (component["custom_id"] == custom_id) if label is None else (_name(component) == label):
            found.append(component)
    wanted = f"custom id {custom_id!r}" if label is None else f"label {label!r}"
    choices = ", ".join(map(describe, offered)) or "nothing"
    if not found:
        raise AssertionError(
            f"message {message.get('id')} has no button or select with {wanted}; it offers: {choices}"
        )
    if len(found) > 1:
        raise AssertionError(
            f"message {message.get('id')} has {len(found)} components with {wanted}: "
            f"{', '.join(map(describe, found))}; use the custom id"
        )
    if found[0].get("disabled"):
        raise AssertionError(
            f"{describe(found[0])} on message {message.get('id')} is disabled: a user cannot use it"
        )
    return found[0]
