"""Reading raw component payloads: walking nested layouts and finding what a user can press."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

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

_TYPE_NAMES = {
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


def walk(components: Iterable[Component]) -> Iterator[Component]:
    """Yield every component depth-first, in display order.

    Descends through action rows and containers (``components``), labels (``component``) and
    sections (``components``, then ``accessory``).
    """
    for component in components:
        yield component
        children = component.get("components")
        if children:
            yield from walk(children)
        for key in ("component", "accessory"):
            child = component.get(key)
            if child:
                yield from walk((child,))


def custom_ids(components: Iterable[Component]) -> list[str]:
    """Every custom id in ``components``, flattened through rows, labels, containers and sections."""
    return [component["custom_id"] for component in walk(components) if "custom_id" in component]


def describe(component: Component) -> str:
    """A short human description such as ``'next' (button, disabled)``."""
    kind = _TYPE_NAMES.get(component.get("type", 0), f"type {component.get('type')}")
    state = ", disabled" if component.get("disabled") else ""
    return f"{component.get('custom_id')!r} ({kind}{state})"


def find_pressable(message: Mapping[str, Any], custom_id: str) -> Component:
    """Return the enabled button or select with ``custom_id`` on ``message``, as a user would see it.

    Raises
    ------
    AssertionError
        The message has no such component, or it is disabled. The message lists what it offers.
    """
    offered: list[Component] = []
    for component in walk(message.get("components") or ()):
        if component.get("type") not in MESSAGE_INPUT_TYPES or "custom_id" not in component:
            continue
        if component["custom_id"] == custom_id:
            if component.get("disabled"):
                raise AssertionError(
                    f"{describe(component)} on message {message.get('id')} is disabled: a user cannot use it"
                )
            return component
        offered.append(component)
    choices = ", ".join(map(describe, offered)) or "nothing"
    raise AssertionError(
        f"message {message.get('id')} has no button or select with custom id {custom_id!r}; "
        f"it offers: {choices}"
    )
