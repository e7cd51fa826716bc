"""ModalSubmission: every answer of a modal submit, typed, whatever the modal's nesting.

Session modals are never dispatched by discord.py, so their items' values stay empty; the answers
are in the submit's payload. Discord sends each input as a component with its ``custom_id``, in
classic action rows or inside labels (type 18): a text input's ``value`` (``str``), a radio group's
``value`` (``str``, or ``null`` when left unanswered), a checkbox's ``value`` (``bool``), and the
``values`` (a list of strings) of every select, checkbox group and file upload. Entity selects and
file uploads give ids; their objects are in the submit's ``resolved`` data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import discord

from nyx_sessions._utils import COMPONENT_NAMES, interaction_data, walk_components

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ("ModalAnswer", "ModalSubmission")

ModalAnswer = str | bool | list[str] | None
"""One input's answer as Discord sent it: text or a radio pick (``str``; ``None`` unanswered), a
checkbox (``bool``), or the picks of a select, checkbox group or file upload (``list[str]``)."""

T = TypeVar("T")

_INPUTS = frozenset({3, 4, 5, 6, 7, 8, 19, 21, 22, 23})
"""The component types that carry an answer in a modal submit."""


class ModalSubmission:
    """The answers of one modal submit, read by input custom id.

    Every reader raises :class:`KeyError` (naming the ids the submit has) for an id that is not in
    it, and :class:`TypeError` when the input with that id gives another kind of answer (``text``
    of a checkbox). An optional input left unanswered reads as empty: ``""``, ``False``, ``None``
    or ``[]``.

    Parameters
    ----------
    interaction: :class:`discord.Interaction`
        The modal submit.

    Examples
    --------
    .. code-block:: python3

        @on_modal("report")
        async def reported(self, interaction, meta):
            answers = ModalSubmission(interaction)
            reason = answers.text("reason")
            urgent = answers.boolean("urgent")
            proof = answers.attachments("proof")
    """

    __slots__ = ("_answers", "_interaction", "_kinds", "_resolved")

    def __init__(self, interaction: discord.Interaction[Any]) -> None:
        data = interaction_data(interaction)
        self._interaction = interaction
        self._answers: dict[str, ModalAnswer] = {}
        self._kinds: dict[str, int] = {}
        for custom_id, kind, answer in _inputs(data.get("components")):
            self._answers[custom_id] = answer
            self._kinds[custom_id] = kind
        resolved = data.get("resolved")
        self._resolved: Mapping[str, Any] = resolved if isinstance(resolved, Mapping) else {}

    def __repr__(self) -> str:
        return f"<ModalSubmission ids={self.ids!r}>"

    @property
    def ids(self) -> list[str]:
        """The custom ids of the inputs in the submit, in the modal's order."""
        return list(self._answers)

    @property
    def answers(self) -> dict[str, ModalAnswer]:
        """Every input's answer as Discord sent it, by custom id (what :func:`modal_values` gives)."""
        return dict(self._answers)

    def text(self, custom_id: str) -> str:
        """A text input's text (``""`` when an optional one was left empty)."""
        answer = self._answer(custom_id, str, "text")
        return "" if answer is None else answer

    def boolean(self, custom_id: str) -> bool:
        """Whether a checkbox was ticked."""
        return bool(self._answer(custom_id, bool, "boolean"))

    def choice(self, custom_id: str) -> str | None:
        """A radio group's pick; ``None`` when an optional one was left unanswered."""
        return self._answer(custom_id, str, "choice")

    def choices(self, custom_id: str) -> list[str]:
        """The values picked in a string select or a checkbox group (ids, for an entity select)."""
        return list(self._answer(custom_id, list, "choices") or ())

    def attachments(self, custom_id: str) -> list[discord.Attachment]:
        """The files given to a file upload, built from the submit's resolved attachments."""
        state = self._interaction._state
        built = self._objects(
            custom_id, "attachments", lambda data: discord.Attachment(data=data, state=state)
        )
        return [item for item in built if isinstance(item, discord.Attachment)]  # Discord resolves every file

    def users(self, custom_id: str) -> list[discord.Member | discord.User | discord.Object]:
        """The users picked in a user (or mentionable) select: members in a guild, users elsewhere."""
        state, guild = self._interaction._state, self._interaction.guild
        members = self._resolved.get("members")
        members = members if isinstance(members, Mapping) else {}

        def build(data: Any) -> discord.Member | discord.User:
            member = members.get(str(data.get("id")))
            if guild is not None and isinstance(member, Mapping):
                return discord.Member(data={**member, "user": data}, guild=guild, state=state)  # type: ignore[typeddict-item]
            return discord.User(state=state, data=data)

        return self._objects(custom_id, "users", build)

    def roles(self, custom_id: str) -> list[discord.Role | discord.Object]:
        """The roles picked in a role (or mentionable) select."""
        guild = self._interaction.guild
        if guild is None:
            return [discord.Object(int(value)) for value in self.choices(custom_id)]
        state = self._interaction._state
        return self._objects(
            custom_id, "roles", lambda data: discord.Role(guild=guild, state=state, data=data)
        )

    def channels(self, custom_id: str) -> list[discord.abc.GuildChannel | discord.Thread | discord.Object]:
        """The channels picked in a channel select: the cached channel, else a
        :class:`discord.Object` of its id."""
        client = self._interaction.client
        picked: list[discord.abc.GuildChannel | discord.Thread | discord.Object] = []
        for value in self.choices(custom_id):
            found = client.get_channel(int(value))
            usable = isinstance(found, (discord.abc.GuildChannel, discord.Thread))
            picked.append(found if usable else discord.Object(int(value)))
        return picked

    def _answer(self, custom_id: str, kind: type[T], reader: str) -> T | None:
        try:
            answer = self._answers[custom_id]
        except KeyError:
            raise KeyError(f"the modal submit has no input {custom_id!r}; it has {self.ids!r}") from None
        if answer is not None and not isinstance(answer, kind):
            name = COMPONENT_NAMES[self._kinds[custom_id]]
            raise TypeError(f"input {custom_id!r} is a {name}: {reader}() cannot read its answer {answer!r}")
        return answer

    def _objects(self, custom_id: str, table: str, build: Callable[[Any], T]) -> list[T | discord.Object]:
        """The picks of ``custom_id`` built from the resolved ``table``; a pick missing there is a
        :class:`discord.Object` of its id."""
        resolved = self._resolved.get(table)
        resolved = resolved if isinstance(resolved, Mapping) else {}
        picked: list[T | discord.Object] = []
        for value in self.choices(custom_id):
            data = resolved.get(value)
            picked.append(build(data) if isinstance(data, Mapping) else discord.Object(int(value)))
        return picked


def _inputs(components: object) -> Iterator[tuple[str, int, ModalAnswer]]:
    """Each input of a submit's component tree: its custom id, type and answer; malformed parts of
    the payload are skipped."""
    for component in walk_components(components):
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if not isinstance(custom_id, str) or kind not in _INPUTS:
            continue
        answer = component["values"] if "values" in component else component.get("value")
        if kind == 4 and answer is None:
            answer = ""
        if answer is None or isinstance(answer, (str, bool)) or _strings(answer):
            yield custom_id, kind, answer


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
