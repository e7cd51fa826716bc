"""Real discord.py interactions and messages for the execution tests, with a recording Discord API.

discord.py sends every interaction answer through the adapter in ``discord.webhook.async_.async_context``;
swapping it for a recorder lets these tests drive the real ``Interaction.response`` and ``followup`` code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord

OWNER_ID = 1001
STRANGER_ID = 2002
CHANNEL_ID = 3003
APPLICATION_ID = 4004
COMPONENTS_V2 = 1 << 15

_snowflakes = iter(range(10**17, 10**18))


@dataclass
class Answer:
    """One call the bot made to Discord to answer an interaction."""

    kind: str  # "response" (the initial callback) or "followup"
    payload: dict[str, Any]

    @property
    def ephemeral(self) -> bool:
        return bool(self.payload.get("flags", 0) & discord.MessageFlags.ephemeral.flag)

    @property
    def content(self) -> str | None:
        return self.payload.get("content")

    @property
    def components(self) -> list[dict[str, Any]] | None:
        return self.payload.get("components")


@dataclass
class FakeDiscordApi:
    """Records interaction answers; ``fail_with`` makes the calls fail (e.g. like an expired token)."""

    answers: list[Answer] = field(default_factory=list)
    fail_with: Exception | None = None

    def _record(self, kind: str, payload: dict[str, Any]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.answers.append(Answer(kind, payload))

    async def create_interaction_response(
        self, interaction_id: int, token: str, *, params: Any, **_: Any
    ) -> dict[str, Any]:
        body = params.payload or {}
        self._record("response", {"type": body.get("type"), **(body.get("data") or {})})
        return {"interaction": {"id": str(interaction_id), "type": body.get("type")}}

    async def execute_webhook(
        self, webhook_id: int, token: str, *, payload: dict[str, Any] | None = None, **_: Any
    ) -> dict[str, Any]:
        self._record("followup", dict(payload or {}))
        return message_payload(content=(payload or {}).get("content", ""))


def expired_token_error() -> discord.NotFound:
    response = SimpleNamespace(status=404, reason="Not Found")
    return discord.NotFound(response, {"code": 10062, "message": "Unknown interaction"})  # type: ignore[arg-type]


def button(
    custom_id: str | None = None, *, style: int = 1, url: str | None = None, disabled: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {"type": 2, "style": style, "label": custom_id or "link", "disabled": disabled}
    if custom_id is not None:
        data["custom_id"] = custom_id
    if url is not None:
        data["url"] = url
    return data


def select(custom_id: str) -> dict[str, Any]:
    return {"type": 3, "custom_id": custom_id, "options": [{"label": "One", "value": "1"}]}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def message_payload(
    *, content: str = "", components: list[dict[str, Any]] | None = None, flags: int = 0
) -> dict[str, Any]:
    return {
        "id": str(next(_snowflakes)),
        "channel_id": str(CHANNEL_ID),
        "type": 0,
        "content": content,
        "author": {"id": str(APPLICATION_ID), "username": "bot", "discriminator": "0", "avatar": None},
        "attachments": [],
        "embeds": [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": "2025-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "flags": flags,
        "components": components or [],
    }


def interaction_payload(*, user_id: int, custom_id: str, message: dict[str, Any] | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(discord.utils.time_snowflake(discord.utils.utcnow())),
        "application_id": str(APPLICATION_ID),
        "type": 3,
        "token": "interaction-token",
        "version": 1,
        "attachment_size_limit": 8_000_000,
        "data": {"custom_id": custom_id, "component_type": 2},
        "channel": {"id": str(CHANNEL_ID), "type": 1},
        "user": {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None},
    }
    if message is not None:
        payload["message"] = message
    return payload
