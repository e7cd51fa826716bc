"""The seed guide's own example, ported: a select menu and a button that opens a modal."""

from __future__ import annotations

from typing import Any

import discord
from discord.ext import commands

from nyx_sessions import AbstractSession, SessionEndCode, SessionExecutionMeta, modal_values
from nyx_sessions.testing import InteractionHarness


class SeedSession(AbstractSession[str]):
    """The guide's MySession: a select and a button; the button opens a modal."""

    def __init__(self, bot: commands.Bot, start: commands.Context[Any]) -> None:
        super().__init__(bot, start)
        self.button_tokens: tuple[str, ...] | None = None

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            "Select an option!",
            view=self.view(
                self.button("button", label="Click to open a modal!", style=discord.ButtonStyle.primary),
                self.select(
                    "select",
                    placeholder="A select menu!",
                    options=[
                        discord.SelectOption(label="Option 1", value="option1"),
                        discord.SelectOption(label="Option 2", value="option2"),
                    ],
                ),
            ),
        )

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        name = discord.ui.TextInput(custom_id="name", label="Your Name", required=True)
        await interaction.response.send_modal(self.modal("My modal!", name))
        iterator = self.manager.codec.create_iterator_from_custom_id(interaction.data["custom_id"])
        assert iterator is not None
        self.button_tokens = iterator.tokens

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        await interaction.response.send_message("You selected: " + interaction.data["values"][0])

    async def handle_modal(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        name = modal_values(interaction)["name"]
        self.result = name
        await interaction.response.send_message(f"Your name is {name}")
        await self.end("the user told us their name")


async def test_the_seed_example_runs_end_to_end(bot: commands.Bot, harness: InteractionHarness) -> None:
    started: list[SeedSession] = []

    @bot.command()
    async def seed(ctx: commands.Context[Any]) -> None:
        session = SeedSession(ctx.bot, ctx)
        started.append(session)
        assert await session.start()

    await harness.message("!seed")
    (session,) = started
    message = harness.last_message()
    assert message.content == "Select an option!"
    button_id, select_id = (child.custom_id for row in message.components for child in row.children)
    assert button_id != select_id

    chosen = await harness.select(message, select_id, ["option2"])
    assert chosen.response is not None and chosen.response.content == "You selected: option2"

    opened = await harness.click(message, button_id)
    assert opened.modal is not None and opened.modal["title"] == "My modal!"
    assert session.button_tokens == ("button",)

    submitted = await harness.submit_modal(opened.modal, {"name": "Amgelo"}, message=message)
    assert submitted.response is not None and submitted.response.content == "Your name is Amgelo"

    ended = await session.wait()
    assert ended.code is SessionEndCode.SELF_ENDED
    assert ended.result == "Amgelo"
