"""What the fake Discord recorded: every reply to an injected interaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import discord

from ._components import custom_ids

if TYPE_CHECKING:
    from .fake_discord import Exchange

__all__ = ("Injected", "Reply", "ReplyKind")

Json = dict[str, Any]

ReplyKind = Literal[
    "callback",
    "followup",
    "get_original",
    "edit_original",
    "delete_original",
    "get_followup",
    "edit_followup",
    "delete_followup",
]

_EPHEMERAL = 1 << 6
_MODAL = 9
_AUTOCOMPLETE_RESULT = 8


class Reply:
    """One request the bot made to answer an interaction, as the fake Discord received it.

    Attributes
    ----------
    kind: ReplyKind
        ``"callback"`` (the initial response), ``"followup"``, or ``get/edit/delete`` of the
        original response (``*_original``) or of a followup message (``*_followup``).
    body: dict
        The raw JSON body: ``{"type", "data"}`` for a callback, message fields otherwise.
    message: dict | None
        A snapshot of the message this request created, edited, fetched or deleted, as it was
        right after the request.
    error: int | None
        The Discord error code the fake answered with (e.g. ``40060``: already acknowledged),
        or ``None`` when the request succeeded.
    files: list[str]
        Names of the files uploaded with the request.
    """

    __slots__ = ("body", "error", "files", "kind", "message")

    def __init__(
        self,
        kind: ReplyKind,
        body: Json,
        *,
        message: Json | None = None,
        error: int | None = None,
        files: list[str] | None = None,
    ) -> None:
        self.kind: ReplyKind = kind
        self.body = body
        self.message = message
        self.error = error
        self.files = files or []

    def __repr__(self) -> str:
        kind = self.kind if self.type is None else f"{self.kind} type={self.type}"
        return f"<Reply {kind} content={self.content!r} ephemeral={self.ephemeral} error={self.error}>"

    @property
    def type(self) -> int | None:
        """The interaction callback type (4, 5, 6, 7, 8, 9) of a callback; ``None`` otherwise."""
        return int(self.body["type"]) if self.kind == "callback" else None

    @property
    def data(self) -> Json:
        """The message-like part of the body: a callback's ``data``, or the whole body otherwise."""
        if self.kind == "callback":
            data: Json = self.body.get("data") or {}
            return data
        return self.body

    @property
    def content(self) -> str | None:
        """The ``content`` the bot sent, or ``None`` when the request did not set it."""
        content: str | None = self.data.get("content")
        return content

    @property
    def embeds(self) -> list[Json]:
        """The embed payloads the bot sent, as dicts (``embeds[0]["title"]``).

        Records hold what went over the wire, as :attr:`components` and
        :meth:`~InteractionHarness.message_payload` do; :meth:`embed_objects` builds
        :class:`discord.Embed` objects from them.
        """
        embeds: list[Json] = self.data.get("embeds") or []
        return embeds

    def embed_objects(self) -> list[discord.Embed]:
        """The embeds the bot sent, as :class:`discord.Embed` objects."""
        return [discord.Embed.from_dict(embed) for embed in self.embeds]

    @property
    def components(self) -> list[Json]:
        """The raw component payloads the bot sent (for a modal: the modal's components)."""
        components: list[Json] = self.data.get("components") or []
        return components

    @property
    def custom_ids(self) -> list[str]:
        """Every custom id in :attr:`components`, through rows, labels, containers and sections."""
        return custom_ids(self.components)

    @property
    def flags(self) -> int:
        """The message flags the bot sent (``0`` when none)."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether the message this reply concerns is ephemeral (only the user sees it)."""
        flags = self.message.get("flags", 0) if self.message is not None else self.flags
        return bool(int(flags or 0) & _EPHEMERAL)

    @property
    def modal(self) -> Json | None:
        """For a modal callback (type 9): ``{"custom_id", "title", "components"}``; else ``None``."""
        if self.type != _MODAL:
            return None
        return self.data

    @property
    def choices(self) -> list[Json] | None:
        """For an autocomplete callback (type 8): the ``{"name", "value"}`` choices; else ``None``."""
        if self.type != _AUTOCOMPLETE_RESULT:
            return None
        choices: list[Json] = self.data.get("choices") or []
        return choices

    @property
    def message_id(self) -> int | None:
        """The id of the message this reply concerns, if any."""
        return None if self.message is None else int(self.message["id"])


class Injected:
    """One injected interaction and everything the bot answered to it.

    The record stays live: replies that arrive later (a followup after ``settle()``) appear in it.

    Attributes
    ----------
    payload: dict
        The ``INTERACTION_CREATE`` payload that was injected.
    interaction: discord.Interaction | None
        The :class:`discord.Interaction` discord.py built from it (``None`` if it built none).
    """

    __slots__ = ("_exchange", "interaction", "payload")

    def __init__(self, exchange: Exchange, payload: Json, interaction: discord.Interaction | None) -> None:
        self._exchange = exchange
        self.payload = payload
        self.interaction = interaction

    def __repr__(self) -> str:
        return f"<Injected id={self.id} type={self.type} replies={len(self.replies)}>"

    @property
    def id(self) -> int:
        """The interaction id."""
        return self._exchange.id

    @property
    def token(self) -> str:
        """The interaction token."""
        return self._exchange.token

    @property
    def type(self) -> int:
        """The interaction type: 2 application command, 3 component, 4 autocomplete, 5 modal submit."""
        return int(self.payload["type"])

    @property
    def user_id(self) -> int:
        """The id of the user who triggered the interaction."""
        return self._exchange.user_id

    @property
    def channel_id(self) -> int:
        """The id of the channel the interaction happened in."""
        return self._exchange.channel_id

    @property
    def message_id(self) -> int | None:
        """The id of the message whose component was used, if any."""
        return self._exchange.message_id

    @property
    def replies(self) -> list[Reply]:
        """Every request the bot made for this interaction, in order."""
        return self._exchange.replies

    @property
    def response(self) -> Reply | None:
        """The accepted initial response (callback), or ``None`` if the bot never responded."""
        return self._exchange.response

    @property
    def acknowledged(self) -> bool:
        """Whether the bot responded; if not, Discord would show "This interaction failed"."""
        return self._exchange.response is not None

    @property
    def initial_responses(self) -> int:
        """How many initial responses the bot attempted, refused ones included (should be 1)."""
        return self._exchange.initial_attempts

    @property
    def followups(self) -> list[Reply]:
        """The followup messages the bot sent."""
        return [reply for reply in self.replies if reply.kind == "followup"]

    @property
    def modal(self) -> Json | None:
        """The modal the bot opened in response (``{"custom_id", "title", "components"}``), if any."""
        response = self.response
        return None if response is None else response.modal

    @property
    def original_id(self) -> int | None:
        """The id of the original response message.

        For a deferred update or message update (types 6 and 7) it is the component's message.
        """
        return self._exchange.original_id

    @property
    def ephemeral_texts(self) -> list[str]:
        """The contents of ephemeral messages this interaction's replies created or edited."""
        return [
            reply.content
            for reply in self.replies
            if reply.error is None and reply.ephemeral and reply.content is not None
        ]
