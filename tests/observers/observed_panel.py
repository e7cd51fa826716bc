"""A panel session with a button per click outcome, for the observer tests."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import AbstractSession, SessionExecutionMeta, on_button
from nyx_sessions.testing import InteractionHarness


class Panel(AbstractSession[None]):
    ttl = 60

    def __init__(self, bot: discord.Client, start: Any) -> None:
        super().__init__(bot, start)
        self.gate: asyncio.Event | None = None

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        buttons = (self.button(name, label=name) for name in ("ok", "boom", "slow", "stop"))
        await self.respond("panel", view=self.view(*buttons))

    @on_button("ok")
    async def ok(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await interaction.response.edit_message(content="ok")

    @on_button("boom")
    async def boom(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        raise ValueError("the database is gone")

    @on_button("slow")
    async def slow(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.gate = asyncio.Event()
        await self.gate.wait()
        await interaction.response.edit_message(content="slow but done")

    @on_button("stop")
    async def stop(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await interaction.response.defer()
        await self.end("stopped")


@pytest.fixture
def panels(bot: commands.Bot) -> list[Panel]:
    made: list[Panel] = []

    @bot.tree.command(name="panel", description="A panel")
    async def panel(interaction: discord.Interaction[Any]) -> None:
        session = Panel(interaction.client, interaction)
        made.append(session)
        await session.start()

    return made


def button(harness: InteractionHarness, message: Any, label: str) -> str:
    for row in harness.message_payload(message)["components"]:
        for child in row["components"]:
            if child.get("label") == label:
                return str(child["custom_id"])
    raise AssertionError(f"no {label!r} button")
