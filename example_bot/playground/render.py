"""Draw Discord messages and modals in a terminal with rich, as a person would see them in Discord.

Everything is drawn from the raw message payloads the fake Discord stores, so what is shown is what
Discord would receive. Interactive components are numbered in reading order (``[3 ▶]``): the
playground's ``click 3`` and ``select 3 …`` use those numbers. In a transcript without colours the
state still shows in words (``(disabled)``, ``✓`` for the selected option).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

__all__ = (
    "APP_NAME",
    "EXPIRED",
    "SELECTS",
    "FormField",
    "Names",
    "discord_text",
    "form_fields",
    "interactive_components",
    "render_message",
    "render_modal",
)

Json = dict[str, Any]
Names = Callable[[str, int], str]
"""``names(kind, id)``: how a mention reads; kind is ``"channel"``, ``"user"`` or ``"role"``."""

APP_NAME = "Nyx Example"
"""The name the bot's messages are shown under."""

EXPIRED = "its session is over: a click on its buttons answers that it expired"
"""What a message whose session is over says while its buttons still look usable."""

_BUTTON, _TEXT_INPUT, _TEXT_DISPLAY, _CONTAINER, _LABEL = 2, 4, 10, 17, 18
_SECTION, _THUMBNAIL, _GALLERY, _FILE, _SEPARATOR = 9, 11, 12, 13, 14
SELECTS = {3: "select", 5: "user select", 6: "role select", 7: "mentionable select", 8: "channel select"}
"""Select component types, and what each one is called."""
_EPHEMERAL, _LOADING = 1 << 6, 1 << 7
_BUTTON_STYLES = {
    1: "bold white on #5865f2",
    2: "white on #4e5058",
    3: "bold white on #248046",
    4: "bold white on #da373c",
}
_MARKUP = re.compile(
    r"\*\*(?P<bold>.+?)\*\*|`(?P<code>[^`]+)`|<#(?P<channel>\d+)>|<@!?(?P<user>\d+)>|<@&(?P<role>\d+)>"
    r"|<t:(?P<time>-?\d+)(?::(?P<style>[tTdDfFR]))?>"
)
_TIME_FORMATS = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%Y-%m-%d", "D": "%d %B %Y"}


def discord_text(text: str, names: Names) -> Text:
    """Discord markdown as styled text: bold, inline code, mentions and timestamps."""
    out = Text()
    position = 0
    for match in _MARKUP.finditer(text):
        out.append(text[position : match.start()])
        position = match.end()
        if match["bold"] is not None:
            bold = discord_text(match["bold"], names)
            bold.stylize("bold")
            out.append_text(bold)
        elif match["code"] is not None:
            out.append(match["code"], "bold cyan")
        elif match["time"] is not None:
            moment = datetime.fromtimestamp(int(match["time"]), tz=timezone.utc)
            out.append(
                moment.strftime(_TIME_FORMATS.get(match["style"] or "f", "%d %B %Y %H:%M")), "underline"
            )
        else:
            kind = next(kind for kind in ("channel", "user", "role") if match[kind] is not None)
            out.append(names(kind, int(match[kind])), "bold #c9cdfb on #3c4270")
    out.append(text[position:])
    return out


def interactive_components(message: Mapping[str, Any]) -> list[Json]:
    """The buttons and selects a user can use on ``message``, in reading order (disabled ones too)."""
    return [component for component in _walk(message.get("components") or ()) if _is_interactive(component)]


def _walk(components: Any) -> Iterator[Json]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or ())
        if "accessory" in component:
            yield from _walk((component["accessory"],))


def _is_interactive(component: Mapping[str, Any]) -> bool:
    return "custom_id" in component and (component["type"] == _BUTTON or component["type"] in SELECTS)


def render_message(
    message: Mapping[str, Any], *, number: int, edited: bool, names: Names, expired: bool = False
) -> Panel:
    """A message as a panel titled ``m<number>``, with its content, embeds and numbered components.

    ``expired``: its session is over though its buttons look usable (a last line says so).
    """
    flags = int(message.get("flags") or 0)
    title = Text.assemble(
        (f"m{number} ", "bold"), (APP_NAME, "bold #5865f2"), (" BOT", "bold white on #5865f2")
    )
    if flags & _EPHEMERAL:
        user = (message.get("interaction_metadata") or {}).get("user", {}).get("username", "you")
        title.append(f" · only {user} can see this", "italic")
    if edited:
        title.append(" · edited", "dim")
    parts: list[RenderableType] = []
    if flags & _LOADING:
        parts.append(Text(f"{APP_NAME} is thinking…", "italic dim"))
    if message.get("content"):
        parts.append(discord_text(message["content"], names))
    parts.extend(_embed(embed, names) for embed in message.get("embeds") or ())
    numbers = {id(component): n for n, component in enumerate(interactive_components(message), start=1)}
    parts.extend(_components(message.get("components") or (), numbers, names))
    if expired:
        parts.append(Text(f"⌛ {EXPIRED}", "bold yellow"))
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED, expand=False)


def _embed(embed: Mapping[str, Any], names: Names) -> Panel:
    lines: list[RenderableType] = []
    if embed.get("description"):
        lines.append(discord_text(embed["description"], names))
    for field in embed.get("fields") or ():
        line = Text.assemble((f"{field['name']}: ", "bold"))
        line.append_text(discord_text(field["value"], names))
        lines.append(line)
    if embed.get("footer"):
        lines.append(Text(embed["footer"]["text"], "dim"))
    colour = embed.get("color")
    return Panel(
        Group(*lines),
        title=Text(embed["title"], "bold") if embed.get("title") else None,
        title_align="left",
        border_style=f"#{colour:06x}" if colour else "grey50",
        box=box.HEAVY_EDGE,
        expand=False,
    )


def _components(components: Any, numbers: Mapping[int, int], names: Names) -> Iterator[RenderableType]:
    for component in components:
        kind = component["type"]
        if kind == 1:
            row = Text(" ").join(
                _button(child, numbers) for child in component["components"] if child["type"] == _BUTTON
            )
            if row:
                yield row
            for child in component["components"]:
                if child["type"] in SELECTS:
                    yield _select(child, numbers, names)
        elif kind == _TEXT_DISPLAY:
            yield discord_text(component["content"], names)
        elif kind == _CONTAINER:
            yield Panel(Group(*_components(component["components"], numbers, names)), box=box.HEAVY_EDGE)
        elif kind == _SECTION:
            yield _section(component, numbers, names)
        elif kind == _SEPARATOR:
            yield Rule(style="dim") if component.get("divider", True) else Text("")
        elif kind in (_THUMBNAIL, _GALLERY, _FILE):
            yield _media(component)
        else:
            yield Text(f"(a component of type {kind} the playground does not draw)", "dim")


def _section(section: Mapping[str, Any], numbers: Mapping[int, int], names: Names) -> RenderableType:
    """A section: its texts, with its accessory (a button or a thumbnail) on the right."""
    texts = Group(*_components(section.get("components") or (), numbers, names))
    accessory = section.get("accessory") or {}
    side = _button(accessory, numbers) if accessory.get("type") == _BUTTON else _media(accessory)
    grid = Table.grid(expand=False, padding=(0, 2))
    grid.add_row(texts, side)
    return grid


def _media(component: Mapping[str, Any]) -> Text:
    """A thumbnail, a gallery or a file, by name: the terminal shows no pictures."""
    if component["type"] == _GALLERY:
        urls = [item.get("media", {}).get("url", "") for item in component.get("items") or ()]
    else:
        media = component.get("media") or component.get("file") or {}
        urls = [media.get("url", "")]
    shown = ", ".join(url.rsplit("/", 1)[-1] or "image" for url in urls)
    return Text(f"🖼 {shown}" if component["type"] != _FILE else f"📎 {shown}", "italic")


def _button(button: Mapping[str, Any], numbers: Mapping[int, int]) -> Text:
    emoji = (button.get("emoji") or {}).get("name")
    face = " ".join(part for part in (emoji, button.get("label")) if part)
    number = numbers.get(id(button))
    text = f"[{number} {face}]" if number is not None else f"[{face} ↗]"
    if button.get("disabled"):
        return Text(text[:-1] + " (disabled)]", "dim strike")
    return Text(text, _BUTTON_STYLES.get(button.get("style", 2), "underline"))


def _select(select: Mapping[str, Any], numbers: Mapping[int, int], names: Names) -> Text:
    number = numbers[id(select)]
    options = select.get("options") or ()
    chosen = [option["label"] for option in options if option.get("default")]
    shown = ", ".join(chosen) or select.get("placeholder") or f"pick a {SELECTS[select['type']].split()[0]}"
    if select.get("disabled"):
        return Text(f"[{number} ▾ {shown} (disabled)]", "dim strike")
    line = Text(f"[{number} ▾ {shown}]", "bold")
    if options:
        offers = ", ".join(
            option["label"]
            + (" ✓" if option.get("default") else "")
            + ("" if option["value"].lower() == option["label"].lower() else f" ({option['value']})")
            for option in options
        )
        line.append(f"  options: {offers}")
    else:
        example = "#channel" if select["type"] == 8 else "@name"
        line.append(f"  pick with: select {number} {example}", "dim")
    return line


_INPUT_KINDS = {
    _TEXT_INPUT: "text",
    3: "select",
    5: "user select",
    6: "role select",
    7: "mentionable select",
    8: "channel select",
    19: "file upload",
    21: "radio group",
    22: "checkbox group",
    23: "checkbox",
}
"""The inputs a modal may hold, by component type, and what each is called here."""


@dataclass(frozen=True)
class FormField:
    """One input of a modal."""

    custom_id: str
    label: str
    value: str
    required: bool
    max_length: int | None
    kind: str = "text"
    options: tuple[str, ...] = ()


def form_fields(modal: Mapping[str, Any]) -> list[FormField]:
    """The inputs of a modal, in order (labels come from the input or its Label wrapper)."""
    fields = []
    for component in modal.get("components") or ():
        labelled = component["type"] == _LABEL
        wrapper_label = component.get("label") if labelled else None
        inputs = [component["component"]] if labelled else component.get("components") or ()
        for item in inputs:
            kind = _INPUT_KINDS.get(item["type"])
            if kind is None:
                continue
            options = tuple(option["label"] for option in item.get("options") or ())
            fields.append(
                FormField(
                    item["custom_id"],
                    wrapper_label or item.get("label") or item["custom_id"],
                    _shown_value(item),
                    item.get("required", kind != "checkbox"),
                    item.get("max_length"),
                    kind,
                    options,
                )
            )
    return fields


def _shown_value(item: Mapping[str, Any]) -> str:
    """What an input holds before the user changes it, as text."""
    if item["type"] == 23:
        return "yes" if item.get("default") else "no"
    picked = [option["label"] for option in item.get("options") or () if option.get("default")]
    if picked:
        return ", ".join(picked)
    chosen = item.get("default_values") or ()
    return f"{len(chosen)} already picked" if chosen else str(item.get("value") or "")


def render_modal(modal: Mapping[str, Any]) -> Panel:
    """A modal as a form: numbered fields with their current values, and how to fill it in."""
    lines: list[RenderableType] = []
    for number, field in enumerate(form_fields(modal), start=1):
        limits = "required" if field.required else "optional"
        if field.kind == "checkbox":
            limits = "checkbox"  # Discord's checkboxes have no "required": the form's own rules say
        elif field.kind != "text":
            limits = f"{field.kind}, {limits}"
        if field.max_length:
            limits += f", up to {field.max_length} characters"
        if field.options:
            limits += f"; options: {', '.join(field.options)}"
        if field.kind == "checkbox":
            limits += "; yes or no"
        lines.append(Text.assemble((f"{number}. {field.label}", "bold"), f" ({limits})"))
        lines.append(Text(f"   › {field.value}" if field.value else "   › (empty)", "italic"))
    lines.append(Text('Fill it in: fill 1="…" 2="…" (by number, label or id) · or: cancel', "dim"))
    title = Text.assemble(("Form · ", "bold"), (modal.get("title", ""), "bold #5865f2"))
    return Panel(Group(*lines), title=title, title_align="left", box=box.DOUBLE, expand=False)
