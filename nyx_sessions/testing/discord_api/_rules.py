"""Discord's documented message and modal rules that its OpenAPI specification cannot express.

They run on bodies that already passed the schema (so the shapes are known) and add their errors to
the same :class:`FormErrors`: action rows five wide with a select alone, custom ids unique in a
message, buttons with exactly the fields their style needs, the 6,000-character embed budget, the
classic layout (at most five action rows at the top) and the components-v2 one (no content or
embeds, at most 40 components and 4,000 characters of text displays, a flag that stays), and
modals of one to five components. Sources: discord.com/developers/docs, "Components" and "Message
Resource"; the codes and messages are Discord's where its answers are known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._schema import FormErrors, Path

__all__ = ("COMPONENTS_V2", "check_message", "check_modal")

Json = dict[str, Any]

COMPONENTS_V2 = 1 << 15

_ACTION_ROW, _BUTTON, _SECTION, _TEXT_DISPLAY, _CONTAINER, _LABEL = 1, 2, 9, 10, 17, 18
_SELECTS = frozenset({3, 5, 6, 7, 8})
_LINK, _PREMIUM = 5, 6
_ROW_WIDTH = 5
_CLASSIC_ROWS = 5
_V2_COMPONENTS = 40
_V2_TEXT = 4000
_EMBED_TOTAL = 6000
_MODAL_COMPONENTS = 5
_LEGACY_FIELDS = ("content", "embeds", "poll", "sticker_ids")


def check_message(
    body: Json, errors: FormErrors, *, prefix: Path = (), current_flags: int | None = None, files: int = 0
) -> bool:
    """Check a message create (``current_flags=None``) or edit body; ``False``: an empty message.

    ``prefix`` is where the message sits in the request (``("data",)`` in an interaction callback);
    ``current_flags`` are the edited message's flags; ``files`` counts the uploaded files.
    """
    requested = body.get("flags")
    flags = int(requested or 0) | ((current_flags or 0) & COMPONENTS_V2)
    components = body.get("components") or []
    if flags & COMPONENTS_V2:
        _components_v2(body, components, errors, prefix, current_flags, requested)
    else:
        for index, component in enumerate(components):
            if component.get("type") != _ACTION_ROW:
                errors.add(
                    (*prefix, "components", str(index)),
                    "UNION_TYPE_CHOICES",
                    'Value of field "type" must be one of (1,).',
                )
        if len(components) > _CLASSIC_ROWS:
            errors.add(
                (*prefix, "components"),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {_CLASSIC_ROWS} or fewer in length.",
            )
    _layout(components, (*prefix, "components"), errors)
    _embeds(body.get("embeds") or [], (*prefix, "embeds"), errors)
    if current_flags is not None:
        return True
    return bool(
        body.get("content")
        or body.get("embeds")
        or components
        or body.get("sticker_ids")
        or body.get("poll")
        or body.get("attachments")
        or files
    )


def check_modal(data: Json, errors: FormErrors, *, prefix: Path = ("data",)) -> None:
    """Check a modal: one to five top-level components, custom ids unique in it."""
    components = data.get("components") or []
    if len(components) > _MODAL_COMPONENTS:
        errors.add(
            (*prefix, "components"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {_MODAL_COMPONENTS} in length.",
        )
    _layout(components, (*prefix, "components"), errors)


def _components_v2(
    body: Json,
    components: list[Json],
    errors: FormErrors,
    prefix: Path,
    current_flags: int | None,
    requested: int | None,
) -> None:
    for field in _LEGACY_FIELDS:
        if body.get(field):
            errors.add(
                (*prefix, field),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                f"The '{field}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
    removed = requested is not None and not int(requested) & COMPONENTS_V2
    if current_flags is not None and current_flags & COMPONENTS_V2 and removed:
        errors.add(
            (*prefix, "flags"),
            "MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG",
            "The IS_COMPONENTS_V2 flag cannot be removed from a message",
        )
    everything = list(_walk(components, (*prefix, "components")))
    if len(everything) > _V2_COMPONENTS:
        errors.add(
            (*prefix, "components"),
            "MAX_COMPONENTS_EXCEEDED",
            f"A message can hold at most {_V2_COMPONENTS} components, nested ones included",
        )
    text = sum(len(c.get("content") or "") for c, _ in everything if c.get("type") == _TEXT_DISPLAY)
    if text > _V2_TEXT:
        errors.add(
            (*prefix, "components"),
            "MAX_TEXT_DISPLAY_LENGTH_EXCEEDED",
            f"Text displays can hold at most {_V2_TEXT} characters in total",
        )


def _walk(components: list[Json], path: Path) -> Iterator[tuple[Json, Path]]:
    """Every component with its path: rows, containers and sections hold ``components``, labels one
    ``component``, sections an ``accessory``."""
    for index, component in enumerate(components):
        here = (*path, str(index))
        yield component, here
        yield from _walk(component.get("components") or [], (*here, "components"))
        for key in ("component", "accessory"):
            inner = component.get(key)
            if isinstance(inner, dict):
                yield inner, (*here, key)
                yield from _walk(inner.get("components") or [], (*here, key, "components"))


def _layout(components: list[Json], path: Path, errors: FormErrors) -> None:
    seen: set[str] = set()
    for component, here in _walk(components, path):
        kind = component.get("type")
        if kind == _ACTION_ROW:
            _row(component.get("components") or [], (*here, "components"), errors)
        elif kind == _BUTTON:
            _button(component, here, errors)
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if custom_id in seen:
                errors.add(
                    (*here, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)


def _row(children: list[Json], path: Path, errors: FormErrors) -> None:
    # A button takes one fifth of a row, a select all of it: a select shares its row with nothing.
    width = 0
    for index, child in enumerate(children):
        width += _ROW_WIDTH if child.get("type") in _SELECTS else 1
        if width > _ROW_WIDTH:
            errors.add(
                (*path, str(index)),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )


def _button(button: Json, path: Path, errors: FormErrors) -> None:
    style = button.get("style")
    has_id, has_url, has_sku = (button.get(key) is not None for key in ("custom_id", "url", "sku_id"))
    if style == _LINK:
        if not has_url:
            errors.add((*path, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A url is required")
        if has_id:
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE",
                "A custom id and url cannot both be specified",
            )
    elif style == _PREMIUM:
        if not has_sku:
            errors.add((*path, "sku_id"), "BUTTON_COMPONENT_SKU_ID_REQUIRED", "A sku id is required")
        for key, present in (("custom_id", has_id), ("url", has_url)):
            if present:
                errors.add(
                    (*path, key), "BUTTON_COMPONENT_INVALID_FIELD", f"A premium button cannot have a {key}"
                )
    else:
        if not has_id:
            errors.add((*path, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required")
        if has_url:
            errors.add(
                (*path, "url"),
                "BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE",
                "A custom id and url cannot both be specified",
            )
        if has_sku:
            errors.add(
                (*path, "sku_id"), "BUTTON_COMPONENT_INVALID_FIELD", "Only premium buttons can have a sku_id"
            )


def _embeds(embeds: list[Json], path: Path, errors: FormErrors) -> None:
    # Discord counts the title, description, field names and values, footer text and author name.
    total = 0
    for embed in embeds:
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
        for field in embed.get("fields") or ():
            total += len(field.get("name") or "") + len(field.get("value") or "")
    if total > _EMBED_TOTAL:
        errors.add(path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {_EMBED_TOTAL}")
