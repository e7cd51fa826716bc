"""The fields of a form: what each one asks, the modal input it becomes, and the rules its answer keeps.

A field is declared as a class attribute of a :class:`~nyx_sessions.forms.Form` with one of the
helpers here (``name: str = text("Your name")``). On a form instance it reads as its answer (or its
default until answered).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import discord

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nyx_sessions.sessions.submission import ModalSubmission

__all__ = ("Field", "FieldKind", "channel", "checkbox", "choice", "choices", "files", "role", "text", "user")

FieldKind = Literal["text", "choice", "choices", "checkbox", "files", "user", "role", "channel"]
"""What a field asks for."""

_REQUIRED = "nyx_sessions.form.required"

_PICKED = frozenset({"user", "role", "channel"})
"""Kinds whose answer is a Discord object, stored by its id."""

_CHECKBOX_GROUP_OPTIONS = 10
"""Options a checkbox group shows at most; a longer list of choices is a string select."""


class Field:
    """One question of a form: its label, its input and its rules.

    Made by the helpers of this module (:func:`text`, :func:`choice`, ...), never directly. As a
    class attribute of a form it is a descriptor: the form instance's answer, or :attr:`default`.

    Attributes
    ----------
    name: :class:`str`
        The attribute name (set when the form class is made); also the input's custom id.
    kind: :data:`FieldKind`
        What it asks for.
    label: :class:`str`
        The question, shown above the input (45 characters at most).
    description: Optional[:class:`str`]
        A line under the label.
    default: Any
        The answer before the user gives one.
    required: :class:`bool`
        Whether an empty answer is refused (for a checkbox: whether it must be ticked).
    """

    __slots__ = (
        "default",
        "description",
        "kind",
        "label",
        "max_choices",
        "max_files",
        "max_length",
        "min_choices",
        "min_length",
        "name",
        "options",
        "placeholder",
        "required",
        "style",
    )

    def __init__(
        self,
        kind: FieldKind,
        label: str,
        *,
        description: str | None = None,
        default: Any = None,
        required: bool = True,
        min_length: int | None = None,
        max_length: int | None = None,
        placeholder: str | None = None,
        style: Literal["short", "paragraph"] = "short",
        options: Sequence[str] = (),
        min_choices: int = 0,
        max_choices: int | None = None,
        max_files: int = 1,
    ) -> None:
        self.name = ""
        self.kind: FieldKind = kind
        self.label = label
        self.description = description
        self.default = default
        self.required = required
        self.min_length = min_length
        self.max_length = max_length
        self.placeholder = placeholder
        self.style = style
        self.options = tuple(options)
        self.min_choices = min_choices
        self.max_choices = max_choices
        self.max_files = max_files

    def __repr__(self) -> str:
        return f"<Field {self.name!r} kind={self.kind!r} label={self.label!r}>"

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        return instance._answers.get(self.name, self.default)

    def __set__(self, instance: Any, value: Any) -> None:
        instance._answers[self.name] = value

    def input(self, value: Any) -> discord.ui.Label[Any]:
        """The modal input of this field, in its label, showing ``value`` where Discord can."""
        return discord.ui.Label(
            text=self.label, description=self.description, component=self._component(value)
        )

    def _component(self, value: Any) -> discord.ui.Item[Any]:
        custom_id = self.name
        if self.kind == "text":
            style = discord.TextStyle.paragraph if self.style == "paragraph" else discord.TextStyle.short
            return discord.ui.TextInput(
                custom_id=custom_id,
                style=style,
                required=self.required,
                min_length=self.min_length,
                max_length=self.max_length,
                placeholder=self.placeholder,
                default=value or None,
            )
        if self.kind == "choice":
            options = [discord.RadioGroupOption(label=o, value=o, default=o == value) for o in self.options]
            return discord.ui.RadioGroup(custom_id=custom_id, required=self.required, options=options)
        if self.kind == "choices":
            picked = set(value or ())
            high = self.max_choices or len(self.options)
            grouped = len(self.options) <= _CHECKBOX_GROUP_OPTIONS
            option: Any = discord.CheckboxGroupOption if grouped else discord.SelectOption
            picker: Any = discord.ui.CheckboxGroup if grouped else discord.ui.Select
            return picker(  # type: ignore[no-any-return]
                custom_id=custom_id,
                required=self.min_choices > 0,
                min_values=self.min_choices,
                max_values=high,
                options=[option(label=o, value=o, default=o in picked) for o in self.options],
            )
        if self.kind == "checkbox":
            return discord.ui.Checkbox(custom_id=custom_id, default=bool(value))
        if self.kind == "files":
            return discord.ui.FileUpload(
                custom_id=custom_id, required=self.required, max_values=self.max_files
            )
        select = {
            "user": discord.ui.UserSelect,
            "role": discord.ui.RoleSelect,
            "channel": discord.ui.ChannelSelect,
        }
        shown: list[Any] = [value] if isinstance(value, discord.abc.Snowflake) else []
        return select[self.kind](
            custom_id=custom_id,
            required=self.required,
            min_values=0 if not self.required else 1,
            default_values=shown,
        )

    def read(self, answers: ModalSubmission) -> Any:
        """This field's answer in a modal submit, typed."""
        if self.kind == "text":
            return answers.text(self.name)
        if self.kind == "choice":
            return answers.choice(self.name)
        if self.kind == "choices":
            return answers.choices(self.name)
        if self.kind == "checkbox":
            return answers.boolean(self.name)
        if self.kind == "files":
            return answers.attachments(self.name)
        if self.kind == "user":
            found: list[Any] = answers.users(self.name)
        elif self.kind == "role":
            found = answers.roles(self.name)
        else:
            found = answers.channels(self.name)
        return found[0] if found else None

    def dump(self, value: Any) -> Any:
        """``value``, an answer of this field, as JSON keeps it (for a durable form's record)."""
        if self.kind == "files":
            return [attachment.to_dict() for attachment in value or ()]
        if self.kind in _PICKED:
            return None if value is None else value.id
        return value

    def load(self, stored: Any, bot: discord.Client, guild: discord.Guild | None) -> Any:
        """The answer :meth:`dump` stored, as the live object again where the bot's cache has it
        (a member, role or channel of ``guild``; else a :class:`discord.Object` of its id)."""
        if self.kind == "files":
            # discord.py builds attachments from the connection's state, as for a received message.
            state = bot._connection
            return [discord.Attachment(data=data, state=state) for data in stored or ()]
        if self.kind not in _PICKED or stored is None:
            return stored
        found: Any = None
        if self.kind == "user":
            found = (guild.get_member(stored) if guild is not None else None) or bot.get_user(stored)
        elif self.kind == "role":
            found = guild.get_role(stored) if guild is not None else None
        else:
            found = bot.get_channel(stored)
        return found if found is not None else discord.Object(stored)

    def problem(self, value: Any) -> tuple[str, dict[str, Any]] | None:
        """What is wrong with ``value`` by this field's rules, as the key of its text in
        :data:`~nyx_sessions.messages.MESSAGES` and the text's fields; ``None`` when nothing is."""
        empty = value is None or value == "" or value == [] or value is False
        if empty:
            if not self.required or (self.kind == "choices" and self.min_choices == 0):
                return None
            return ("nyx_sessions.form.must_be_ticked" if self.kind == "checkbox" else _REQUIRED), {}
        if self.kind == "text":
            if self.min_length is not None and len(value) < self.min_length:
                return "nyx_sessions.form.too_short", {"min": self.min_length}
            if self.max_length is not None and len(value) > self.max_length:
                return "nyx_sessions.form.too_long", {"max": self.max_length}
        if self.kind == "choices" and len(value) < self.min_choices:
            return "nyx_sessions.form.too_few_picks", {"min": self.min_choices}
        return None


def text(
    label: str,
    *,
    required: bool = True,
    min_length: int | None = None,
    max_length: int | None = None,
    placeholder: str | None = None,
    style: Literal["short", "paragraph"] = "short",
    description: str | None = None,
    default: str | None = None,
) -> Any:
    """A text input (``style="paragraph"`` for several lines); its answer is a :class:`str`."""
    return Field(
        "text",
        label,
        required=required,
        min_length=min_length,
        max_length=max_length,
        placeholder=placeholder,
        style=style,
        description=description,
        default=default if default is not None else "",
    )


def choice(
    label: str,
    options: Sequence[str],
    *,
    required: bool = True,
    description: str | None = None,
    default: str | None = None,
) -> Any:
    """One pick among ``options`` (a radio group); its answer is the picked :class:`str`, or ``None``."""
    return Field(
        "choice", label, options=options, required=required, description=description, default=default
    )


def choices(
    label: str,
    options: Sequence[str],
    *,
    min: int = 0,
    max: int | None = None,
    description: str | None = None,
    default: Sequence[str] = (),
) -> Any:
    """Several picks among ``options`` (a checkbox group; a string select past ten options); its
    answer is a :class:`list` of :class:`str`."""
    return Field(
        "choices",
        label,
        options=options,
        min_choices=min,
        max_choices=max,
        description=description,
        default=list(default),
    )


def checkbox(
    label: str, *, required: bool = False, description: str | None = None, default: bool = False
) -> Any:
    """A checkbox; its answer is a :class:`bool` (``required=True``: it must be ticked)."""
    return Field("checkbox", label, required=required, description=description, default=default)


def files(label: str, *, max_files: int = 1, required: bool = True, description: str | None = None) -> Any:
    """A file upload; its answer is a :class:`list` of :class:`discord.Attachment`."""
    return Field("files", label, max_files=max_files, required=required, description=description, default=[])


def user(label: str, *, required: bool = True, description: str | None = None, default: Any = None) -> Any:
    """A user select; its answer is a :class:`discord.Member` (a :class:`discord.User` outside a guild)."""
    return Field("user", label, required=required, description=description, default=default)


def role(label: str, *, required: bool = True, description: str | None = None, default: Any = None) -> Any:
    """A role select; its answer is a :class:`discord.Role`."""
    return Field("role", label, required=required, description=description, default=default)


def channel(label: str, *, required: bool = True, description: str | None = None, default: Any = None) -> Any:
    """A channel select; its answer is the channel picked."""
    return Field("channel", label, required=required, description=description, default=default)
