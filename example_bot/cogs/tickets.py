"""/ticket-setup: a step-by-step wizard that creates a ticket category; /tickets lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from example_bot.db import PRIORITIES, TicketCategory
from nyx_sessions import modal_values, select_values, spawns_session
from nyx_sessions.pagination import (
    ListPaginationSession,
    SessionStage,
    SessionStartStage,
    StagePaginationSession,
)

if TYPE_CHECKING:
    from example_bot.bot import ExampleBot
    from example_bot.db import Database
    from nyx_sessions import EndCode, SessionExecutionMeta

__all__ = ("TicketWizard", "Tickets", "setup")


def _step(stage: SessionStage[Any], title: str, help_text: str) -> discord.Embed:
    count = stage.session.page_count
    return discord.Embed(
        title=f"New ticket category · step {stage.index + 1} of {count}: {title}",
        description=help_text,
        colour=discord.Colour.green(),
    )


def _message(stage: SessionStage[Any], embed: discord.Embed, *items: discord.ui.Item[Any]) -> dict[str, Any]:
    """The stage's embed, its own components on row 0 and the wizard's previous/next row below."""
    return {"embed": embed, "view": stage.session.view(*items, *stage.session.build_navigation(row=1))}


class NameStage(SessionStartStage[tuple[str, str]]):
    """Step 1: the name and description, typed into a modal. Result: ``(name, description)``."""

    result_type = tuple[str, str]  # how the stored answer reads back after a restart

    def build_message(self) -> dict[str, Any]:
        name, description = self.result or ("not set", "")
        embed = _step(self, "name", "Give the category a name members will recognise.")
        embed.add_field(name="Name", value=name).add_field(name="Description", value=description or "none")
        return _message(
            self, embed, self.button("name", label="Set name…", style=discord.ButtonStyle.primary)
        )

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        name, description = self.result or ("", "")
        form = self.modal(
            "Ticket category",
            discord.ui.Label(
                text="Name", component=discord.ui.TextInput(custom_id="name", default=name, max_length=40)
            ),
            discord.ui.Label(
                text="Description",
                component=discord.ui.TextInput(
                    custom_id="description",
                    style=discord.TextStyle.paragraph,
                    default=description,
                    required=False,
                    max_length=200,
                ),
            ),
        )
        await interaction.response.send_modal(form)

    async def handle_modal(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        values = modal_values(interaction)  # text inputs: one string each (selects give lists)
        self.result = (str(values["name"]).strip(), str(values["description"]).strip())
        await self.session.switch_to(self.index + 1, interaction, meta)


class ChannelStage(SessionStage[int]):
    """Step 2: the channel tickets open in. Result: its id."""

    def build_message(self) -> dict[str, Any]:
        embed = _step(self, "channel", "Where should tickets of this category open?")
        embed.add_field(name="Channel", value=f"<#{self.result}>" if self.result else "not set")
        picker: discord.ui.ChannelSelect[Any] = self.select(
            "channel",
            cls=discord.ui.ChannelSelect,
            channel_types=[discord.ChannelType.text],
            placeholder="Pick a channel",
        )
        return _message(self, embed, picker)

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        self.result = int(select_values(interaction)[0])
        await self.session.switch_to(self.index + 1, interaction, meta)


class PriorityStage(SessionStage[str]):
    """Step 3: how urgent these tickets are. Result: a key of :data:`PRIORITIES`."""

    def __init__(self, wizard: TicketWizard) -> None:
        super().__init__(wizard)
        self.result = "normal"

    def build_message(self) -> dict[str, Any]:
        embed = _step(self, "priority", "How urgent are tickets of this category?")
        options = [
            discord.SelectOption(label=label, value=key, default=key == self.result)
            for key, label in PRIORITIES.items()
        ]
        return _message(self, embed, self.select("priority", options=options))

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        (self.result,) = select_values(interaction)
        await self.session.switch_to(self.index + 1, interaction, meta)


class ConfirmStage(SessionStage[None]):
    """Step 4: a summary, and the button that saves the category."""

    def __init__(self, wizard: TicketWizard) -> None:
        super().__init__(wizard)
        self.wizard = wizard

    def _category(self) -> TicketCategory | None:
        naming, channel_id, priority, _ = self.wizard.stage_results
        if naming is None or channel_id is None:
            return None
        name, description = naming
        return TicketCategory(name, description, channel_id, priority)

    def build_message(self) -> dict[str, Any]:
        category = self._category()
        summary = str(category) if category else "Go back and fill in the name and the channel first."
        create = self.button(
            "create", label="Create category", style=discord.ButtonStyle.success, disabled=category is None
        )
        return _message(self, _step(self, "confirm", summary), create)

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        category = self._category()
        assert category is not None  # the button stays disabled until then
        if not await self.wizard.db.add_ticket_category(self.wizard.guild_id, category, interaction.user.id):
            await interaction.response.send_message(
                f"There already is a category named **{category.name}**: go back and rename it.",
                ephemeral=True,
            )
            return
        self.wizard.result = category
        done = discord.Embed(
            title="Ticket category created", description=str(category), colour=discord.Colour.green()
        )
        await self.wizard.edit(interaction, embed=done, view=None)
        await self.wizard.end("the category was created")


class TicketWizard(
    StagePaginationSession[TicketCategory],
    kind="example.ticket-setup",
    data=int,
    stages=(NameStage, ChannelStage, PriorityStage, ConfirmStage),
):
    """Four steps: name (typed into a modal), channel, priority, confirm.

    Each step keeps its answer in its ``result``; the confirm step reads them all and saves the
    category. The session's result is the created category, or ``None`` if the user gave up.

    Durable: its data is the server's id; a restart brings it back at its step, with every answer
    given so far (each stage's ``result``).

    Parameters
    ----------
    bot: :class:`ExampleBot`
        The bot.
    start: Union[:class:`discord.Interaction`, :class:`commands.Context`]
        What started the session; it must come from a server.
    """

    ttl = 600  # seconds without a click before the wizard expires: typing takes time
    max_per_channel = 1  # one wizard at a time in a channel...
    limit_policy = "reject"  # ...a second is refused, with a link to the open one

    def __init__(self, bot: ExampleBot, start: discord.Interaction[Any] | commands.Context[Any]) -> None:
        assert start.guild is not None  # the command is guild_only
        super().__init__(bot, start, data=start.guild.id)

    @property
    def guild_id(self) -> int:
        """:class:`int`: The server the category is for."""
        guild_id: int = self.data
        return guild_id

    @property
    def db(self) -> Database:
        """:class:`Database`: The bot's data."""
        return cast("ExampleBot", self.bot).db

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        """Keep the result ``None`` unless a category was created (not every step's answer)."""


class Tickets(commands.Cog):
    """Ticket categories."""

    def __init__(self, bot: ExampleBot) -> None:
        self.bot = bot

    @app_commands.command(name="ticket-setup")
    @app_commands.guild_only()
    @spawns_session
    async def ticket_setup(self, interaction: discord.Interaction[ExampleBot]) -> TicketWizard:
        """Create a ticket category, step by step."""
        return TicketWizard(self.bot, interaction)

    @commands.hybrid_command()  # type: ignore[arg-type]  # discord.py#9788
    @commands.guild_only()
    @spawns_session
    async def tickets(self, ctx: commands.Context[ExampleBot]) -> ListPaginationSession[TicketCategory, None]:
        """List this server's ticket categories."""
        assert ctx.guild is not None  # guild_only
        categories = await self.bot.db.ticket_categories(ctx.guild.id)
        return ListPaginationSession(self.bot, ctx, categories, per_page=5)


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Tickets(bot))
