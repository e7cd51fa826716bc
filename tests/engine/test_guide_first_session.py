"""The guide's "A first session" example (docs/guide/sessions.md), run as written."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord.ext import commands

from nyx_sessions import AbstractSession, SessionEndCode, SessionExecutionMeta, modal_values
from nyx_sessions.testing import InteractionHarness


class NameSession(AbstractSession[str]):
    ttl = 120

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            "What's your name?",
            view=self.view(
                self.button("ask", label="Tell me", style=discord.ButtonStyle.primary),
                self.select("colour", options=[discord.SelectOption(label=c) for c in ("red", "blue")]),
            ),
        )

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        name = discord.ui.TextInput(custom_id="name", label="Your name")
        await interaction.response.send_modal(self.modal("Who are you?", name))

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        await interaction.response.send_message(f"You picked {interaction.data['values'][0]}", ephemeral=True)

    async def handle_modal(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = str(modal_values(interaction)["name"])
        await self.edit(interaction, content=f"Hello {self.result}!", view=None)
        await self.end("answered")


async def test_the_readme_first_session(bot: commands.Bot, harness: InteractionHarness) -> None:
    results: list[str | None] = []

    @bot.command()
    async def hello(ctx: commands.Context[Any]) -> None:
        session = NameSession(ctx.bot, ctx)
        await session.start()
        ended = await session.wait()
        assert ended.code is SessionEndCode.SELF_ENDED
        results.append(ended.result)

    sending = harness.message("!hello", settle=False)
    task = asyncio.ensure_future(sending)  # the command waits for the session's end
    while (message := harness.last_message()) is None:
        await asyncio.sleep(0)
    ask, colour = (child.custom_id for row in message.components for child in row.children)

    picked = await harness.select(message, colour, ["blue"], settle=False)
    while picked.response is None:
        await asyncio.sleep(0)
    assert picked.response.ephemeral and picked.response.content == "You picked blue"

    opened = await harness.click(message, ask, settle=False)
    while opened.modal is None:
        await asyncio.sleep(0)
    await harness.submit_modal(opened, {"name": "Ada"}, message=message, settle=False)
    await task
    await harness.settle()

    assert results == ["Ada"]
    assert harness.message_payload(message)["content"] == "Hello Ada!"
    assert harness.message_payload(message)["components"] == []
