"""What a user can enter, checked like Discord's client checks it: selects, modals, command options.

Each builder returns interaction ``data`` and raises :class:`AssertionError` for input a real user
could not produce (a value a select does not offer, a missing required field, an unknown option).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from ._components import describe
from .compat import new_snowflake
from .payloads import EntityKind, Resolver, SnowflakeLike

__all__ = ("ModalValue", "OptionValue", "command_data", "modal_data", "select_values")

Json = dict[str, Any]
ModalValue = str | bool | Sequence[SnowflakeLike] | Sequence[discord.File]
OptionValue = str | int | float | bool | discord.abc.Snowflake

_SELECT_KINDS: dict[int, EntityKind] = {5: "user", 6: "role", 7: "mentionable", 8: "channel"}
_OPTION_KINDS: dict[int, EntityKind] = {6: "user", 8: "role", 9: "mentionable", 7: "channel"}
_TEXT_INPUT, _RADIO_GROUP, _CHECKBOX, _FILE_UPLOAD = 4, 21, 23, 19
# Components whose options are listed in the payload (string select, checkbox group).
_OPTION_LISTS = frozenset({3, 22})
_MULTI_VALUE = frozenset({3, 5, 6, 7, 8, 22, _FILE_UPLOAD})
_SINGLE_VALUE = frozenset({_TEXT_INPUT, _RADIO_GROUP, _CHECKBOX})
_SUB_COMMAND, _SUB_COMMAND_GROUP = 1, 2
_MISSING: Any = object()


def select_values(
    component: Mapping[str, Any],
    values: Sequence[SnowflakeLike],
    resolver: Resolver,
    *,
    in_modal: bool = False,
) -> list[str]:
    """The ``values`` of a select (or checkbox group), checked against what it lets a user pick.

    Entity selects add what was picked to ``resolver``. ``required`` only counts in a modal:
    there an optional select may be left empty.
    """
    ctype = component["type"]
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    optional_and_empty = in_modal and not values and not component.get("required", True)
    if not optional_and_empty and not low <= len(values) <= high:
        raise AssertionError(
            f"{describe(component)} takes {low} to {high} values, not {len(values)}: {values!r}"
        )
    if ctype in _OPTION_LISTS:
        chosen = [str(value) for value in values]
        offered = [option["value"] for option in component.get("options", ())]
        unknown = [value for value in chosen if value not in offered]
        if unknown:
            raise AssertionError(f"{describe(component)} offers {offered}; it has no {unknown}")
        return chosen
    chosen = [resolver.add(_SELECT_KINDS[ctype], value) for value in values]
    allowed_types = component.get("channel_types")
    if ctype == 8 and allowed_types:
        refused = [value for value in chosen if resolver.channel_type(value) not in allowed_types]
        if refused:
            raise AssertionError(
                f"{describe(component)} only offers channel types {allowed_types}; not {refused}"
            )
    return chosen


def modal_data(
    custom_id: str,
    layout: Sequence[Mapping[str, Any]] | None,
    values: Mapping[str, ModalValue],
    resolver: Resolver,
) -> Json:
    """The ``data`` of a modal submission.

    Parameters
    ----------
    custom_id: str
        The modal's custom id.
    layout: list[dict] | None
        The modal's components as the bot sent them: the submission mirrors its action rows and
        Label (type 18) wrappers and is checked against it. ``None`` when unknown: every value is
        then a text input in its own row.
    values: Mapping[str, ModalValue]
        By custom id: text for text inputs and radio groups, ``bool`` for checkboxes, a sequence
        for selects and checkbox groups, a sequence of :class:`discord.File` for file uploads.
        Inputs left out keep their default.
    resolver: Resolver
        Receives the entities picked in entity selects.
    """
    if layout is None:
        components = [
            {"type": 1, "components": [{"type": _TEXT_INPUT, "custom_id": key, "value": _text(key, value)}]}
            for key, value in values.items()
        ]
    else:
        components = _ModalForm(values, resolver).fill(layout)
    data: Json = {"custom_id": custom_id, "components": components}
    if resolver.data:
        data["resolved"] = resolver.data
    return data


def _text(custom_id: str, value: ModalValue) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the value for text input {custom_id!r} must be a str, not {value!r}")
    return value


class _ModalForm:
    """Fills a modal's inputs the way a user would, then checks nothing was typed into thin air."""

    __slots__ = ("_offered", "_remaining", "_resolver")

    def __init__(self, values: Mapping[str, ModalValue], resolver: Resolver) -> None:
        self._remaining = dict(values)
        self._resolver = resolver
        self._offered: list[Mapping[str, Any]] = []

    def fill(self, layout: Sequence[Mapping[str, Any]]) -> list[Json]:
        submitted: list[Json] = []
        for top in layout:
            if top.get("type") == 1:
                row = [
                    answer for answer in map(self._answer, top.get("components", ())) if answer is not None
                ]
                submitted.append({"type": 1, "components": row})
            elif top.get("type") == 18:
                answer = self._answer(top["component"])
                if answer is not None:
                    label: Json = {"type": 18, "component": answer}
                    if "id" in top:
                        label["id"] = top["id"]
                    submitted.append(label)
            else:
                answer = self._answer(top)
                if answer is not None:
                    submitted.append(answer)
        if self._remaining:
            offered = ", ".join(map(describe, self._offered)) or "nothing"
            raise AssertionError(f"the modal has no inputs {sorted(self._remaining)}; it offers: {offered}")
        return submitted

    def _answer(self, component: Mapping[str, Any]) -> Json | None:
        ctype, custom_id = component.get("type"), component.get("custom_id")
        if custom_id is None or ctype not in _SINGLE_VALUE | _MULTI_VALUE:
            return None
        self._offered.append(component)
        given = self._remaining.pop(custom_id, _MISSING)
        answer: Json = {"type": ctype, "custom_id": custom_id}
        if ctype == _CHECKBOX:
            answer["value"] = bool(component.get("default", False)) if given is _MISSING else bool(given)
        elif ctype in _SINGLE_VALUE:
            answer["value"] = self._single(component, given)
        elif ctype == _FILE_UPLOAD:
            answer["values"] = self._files(component, given)
        else:
            answer["values"] = self._multiple(component, given)
        return answer

    def _single(self, component: Mapping[str, Any], given: Any) -> str | None:
        custom_id = component["custom_id"]
        if given is _MISSING:
            value = component.get("value") or _default_option(component)
        else:
            value = _text(custom_id, given)
        if not value:
            if component.get("required", True):
                raise AssertionError(f"{describe(component)} is required: give it a value")
            return "" if component["type"] == _TEXT_INPUT else None
        if component["type"] == _RADIO_GROUP:
            offered = [option["value"] for option in component.get("options", ())]
            if value not in offered:
                raise AssertionError(f"{describe(component)} offers {offered}; it has no {value!r}")
            return value
        low, high = component.get("min_length", 0), component.get("max_length", 4000)
        if not low <= len(value) <= high:
            raise AssertionError(f"{describe(component)} takes {low} to {high} characters, not {len(value)}")
        return value

    def _files(self, component: Mapping[str, Any], given: Any) -> list[str]:
        """The attachment ids of the files given to a file upload, uploaded into ``resolved``."""
        files = [] if given is _MISSING else given
        if isinstance(files, (str, bytes, discord.File)) or not all(
            isinstance(file, discord.File) for file in files
        ):
            raise TypeError(
                f"the value for {describe(component)} must be a sequence of discord.File, not {given!r}"
            )
        if not files and not component.get("required", True):
            return []
        # Discord's defaults (one file) where the bot sent none, or sent null.
        low, high = (
            1 if component.get(key) is None else component[key] for key in ("min_values", "max_values")
        )
        if not low <= len(files) <= high:
            raise AssertionError(f"{describe(component)} takes {low} to {high} files, not {len(files)}")
        return [self._resolver.add_file(file) for file in files]

    def _multiple(self, component: Mapping[str, Any], given: Any) -> list[str]:
        if given is _MISSING:
            # What the modal shows picked: default options, or the default values of an entity select.
            chosen: Sequence[SnowflakeLike] = [
                option["value"] for option in component.get("options", ()) if option.get("default")
            ] or [int(pick["id"]) for pick in component.get("default_values") or ()]
        elif isinstance(given, (str, bool)):
            raise TypeError(
                f"the value for {describe(component)} must be a sequence of choices, not {given!r}"
            )
        else:
            chosen = given
        return select_values(component, chosen, self._resolver, in_modal=True)


def _default_option(component: Mapping[str, Any]) -> str | None:
    return next((option["value"] for option in component.get("options", ()) if option.get("default")), None)


def command_data(
    tree: app_commands.CommandTree[Any],
    name: str,
    options: Mapping[str, OptionValue] | Sequence[Mapping[str, Any]] | None,
    resolver: Resolver,
    guild: discord.Guild | None,
    *,
    focused: str | None = None,
) -> Json:
    """The ``data`` of a chat-input command (or its autocomplete) interaction.

    Parameters
    ----------
    tree: app_commands.CommandTree
        Where the command is looked up (a guild command wins over a global one, as in Discord).
    name: str
        The command's full name: ``"echo"``, ``"settings set"``, ``"admin roles add"``.
    options: Mapping | Sequence | None
        By option name, values typed by the command's parameters (a user, role or channel
        option takes the object or its id); or raw option payloads, passed through unchanged.
    resolver: Resolver
        Receives the users, roles and channels the options mention.
    guild: discord.Guild | None
        The guild the command is used in, ``None`` in a DM.
    focused: str | None
        For autocomplete: the option being typed into (its value stays the typed text).
    """
    root, *path = name.split()
    command: Any = None
    guild_id: int | None = None
    if guild is not None:
        command = tree.get_command(root, guild=guild)
        if command is not None:
            guild_id = guild.id
    if command is None:
        command = tree.get_command(root)
    leaf = command
    for part in path:
        leaf = leaf.get_command(part) if isinstance(leaf, app_commands.Group) else None
    if options is None:
        leaf_options: list[Json] = []
    elif isinstance(options, Mapping):
        leaf_options = _typed_options(leaf, name, options, resolver, focused)
    else:
        leaf_options = [dict(option) for option in options]
    if focused is not None:
        target = next((option for option in leaf_options if option["name"] == focused), None)
        if target is None:
            raise AssertionError(f"cannot focus {focused!r}: it is not among the options given")
        target["focused"] = True
    nested = leaf_options
    for depth in range(len(path) - 1, -1, -1):
        kind = _SUB_COMMAND if depth == len(path) - 1 else _SUB_COMMAND_GROUP
        nested = [{"type": kind, "name": path[depth], "options": nested}]
    data: Json = {"id": str(new_snowflake()), "name": root, "type": 1, "options": nested}
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if resolver.data:
        data["resolved"] = resolver.data
    return data


def _typed_options(
    leaf: Any,
    name: str,
    options: Mapping[str, OptionValue],
    resolver: Resolver,
    focused: str | None,
) -> list[Json]:
    if not isinstance(leaf, app_commands.Command):
        # Unknown command: Discord would not know it either; let the tree say CommandNotFound.
        return [
            {
                "name": key,
                "type": _infer_type(value),
                "value": _option_value(_infer_type(value), value, resolver),
            }
            for key, value in options.items()
        ]
    parameters = {parameter.display_name: parameter for parameter in leaf.parameters}
    parameters.update({parameter.name: parameter for parameter in leaf.parameters})
    unknown = [key for key in options if key not in parameters]
    if unknown:
        available = [parameter.display_name for parameter in leaf.parameters]
        raise AssertionError(f"/{name} has no options {unknown}; it has {available}")
    given = {parameters[key].display_name for key in options}
    missing = [p.display_name for p in leaf.parameters if p.required and p.display_name not in given]
    if missing and focused is None:
        raise AssertionError(f"/{name} requires the options {missing}")
    built = []
    for key, value in options.items():
        parameter = parameters[key]
        option_type = parameter.type.value
        is_focused = parameter.display_name == focused or key == focused
        converted = str(value) if is_focused else _option_value(option_type, value, resolver)
        allowed = [choice.value for choice in parameter.choices]
        if allowed and not is_focused and converted not in allowed:
            raise AssertionError(
                f"option {parameter.display_name!r} of /{name} offers {allowed}, not {value!r}"
            )
        built.append({"name": parameter.display_name, "type": option_type, "value": converted})
    return built


def _infer_type(value: OptionValue) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, str):
        return 3
    if isinstance(value, discord.Role):
        return 8
    if isinstance(value, discord.abc.User):
        return 6
    return 7


def _option_value(option_type: int, value: Any, resolver: Resolver) -> Any:
    if option_type in _OPTION_KINDS:
        return resolver.add(_OPTION_KINDS[option_type], value)
    converters: dict[int, Any] = {3: str, 4: int, 5: bool, 10: float}
    if option_type not in converters:
        raise NotImplementedError(f"option type {option_type} is not modelled: pass raw option payloads")
    return converters[option_type](value)
