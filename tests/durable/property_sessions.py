"""An extension for the property test: one durable session kind, started under a chosen id."""

from __future__ import annotations

from typing import Any

import discord
import msgspec
from discord import app_commands
from discord.ext import commands
from durable_records import ENDS

from nyx_sessions import AbstractSession, EndCode, SessionExecutionMeta, on_button

TTL = 100.0


class Life(msgspec.Struct):
    life: str
    clicks: int = 0


class PropertySession(AbstractSession[None], kind="test.property", data=Life):
    ttl = TTL

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            self.id, view=self.view(self.button("click", label="Click"), self.button("end", label="End"))
        )

    @on_button("click")
    async def click(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data.clicks += 1

    @on_button("end")
    async def finish(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.end("pressed end")

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append((self.data.life, code))


class Commands(commands.Cog):
    @app_commands.command(name="prop", description="Start a session")
    async def prop(self, interaction: discord.Interaction[Any], session_id: str, life: str) -> None:
        await PropertySession(interaction.client, interaction, session_id=session_id, data=Life(life)).start()


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Commands())
