"""Fixtures for the execution tests: real discord.py objects over a recording Discord API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import discord
import pytest
from discord.webhook.async_ import async_context
from discord_fakes import OWNER_ID, FakeDiscordApi, interaction_payload, message_payload

InteractionFactory = Callable[..., discord.Interaction[Any]]


@pytest.fixture
def discord_api() -> Iterator[FakeDiscordApi]:
    api = FakeDiscordApi()
    token = async_context.set(api)  # type: ignore[arg-type]
    yield api
    async_context.reset(token)


@pytest.fixture
def make_interaction() -> InteractionFactory:
    """Build a real component interaction that ``user_id`` made on a message with ``components``."""
    client = discord.Client(intents=discord.Intents.none())

    def factory(
        *,
        user_id: int = OWNER_ID,
        custom_id: str = "SSN",
        components: list[dict[str, Any]] | None = None,
        flags: int = 0,
        with_message: bool = True,
    ) -> discord.Interaction[Any]:
        message = message_payload(components=components, flags=flags) if with_message else None
        payload = interaction_payload(user_id=user_id, custom_id=custom_id, message=message)
        return discord.Interaction(data=payload, state=client._connection)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def make_message(make_interaction: InteractionFactory) -> Callable[..., discord.Message]:
    """Build a real message with the given components (``flags`` for components v2)."""

    def factory(components: list[dict[str, Any]], *, flags: int = 0) -> discord.Message:
        message = make_interaction(components=components, flags=flags).message
        assert message is not None
        return message

    return factory
