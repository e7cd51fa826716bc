"""/moderations: a paginated list of the server's moderations, as a components v2 layout: each case
in a section with its own "Details" button, and a select menu to filter by type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from example_bot.db import MODERATION_KINDS, Moderation
from nyx_sessions import on_button, select_values, spawns_session
from nyx_sessions.pagination import ListPaginationSession

if TYPE_CHECKING:
    from collections.abc import Sequence

    from example_bot.bot import ExampleBot
    from nyx_sessions import SessionExecutionMeta

__all__ = ("ModerationFilter", "Moderations", "ModerationsSession", "setup")

ModerationKind = Literal["warn", "mute", "kick", "ban"]


def _of_kind(moderations: Sequence[Moderation], kind: str | None) -> list[Moderation]:
    return [moderation for moderation in moderations if kind is None or moderation.kind == kind]


class ModerationFilter(msgspec.Struct):
    """What a moderations list stores to survive a restart: the server, and the type shown."""

    guild_id: int
    kind: str | None = None


class ModerationsSession(
    ListPaginationSession[Moderation, None], kind="example.moderations", data=ModerationFilter
):
    """Five moderations per page, each with a "Details" button, the navigation row, and a select
    menu that filters by type, all in one components v2 container.

    Durable: it stores only its filter (:class:`ModerationFilter`) and loads the moderations from the
    database again after a restart, at the page it was on.

    Parameters
    ----------
    bot: :class:`ExampleBot`
        The bot.
    start: Union[:class:`discord.Interaction`, :class:`commands.Context`]
        What started the session; it must come from a server.
    kind: Optional[:class:`str`]
        The type to show first; ``None`` shows every type.
    """

    def __init__(
        self,
        bot: ExampleBot,
        start: discord.Interaction[Any] | commands.Context[Any],
        kind: str | None = None,
    ) -> None:
        assert start.guild is not None  # the command is guild_only
        super().__init__(bot, start, data=ModerationFilter(start.guild.id, kind), per_page=5)

    async def load_items(self) -> list[Moderation]:
        """The server's moderations of the chosen type: at start, and again after every restore."""
        bot = cast("ExampleBot", self.bot)
        return _of_kind(await bot.db.moderations(self.data.guild_id), self.data.kind)

    def format_page(self, items: Sequence[Moderation]) -> discord.ui.Container[Any]:
        kind = self.data.kind
        shown = MODERATION_KINDS[kind] if kind else "All types"
        # One section per case, its button carrying the case's id: an action per item of the page.
        cases: list[discord.ui.Item[Any]] = [
            discord.ui.Section(
                discord.ui.TextDisplay(str(case)),
                accessory=self.button("case", case.id, label="Details", style=discord.ButtonStyle.secondary),
            )
            for case in items
        ]
        # The session adds its navigation row after a separator, at the end of the container.
        return discord.ui.Container(
            discord.ui.TextDisplay(f"## Moderations · {shown}"),
            *(cases or [discord.ui.TextDisplay("No moderations of this type.")]),
            discord.ui.TextDisplay(f"-# {self.page_label} · {len(self.items)} moderations"),
            discord.ui.ActionRow(self._filter_select()),
            accent_colour=discord.Colour.orange(),
        )

    def _filter_select(self) -> discord.ui.Select[Any]:
        kind = self.data.kind
        options = [discord.SelectOption(label="All types", value="all", default=kind is None)]
        options += [
            discord.SelectOption(label=label, value=key, default=key == kind)
            for key, label in MODERATION_KINDS.items()
        ]
        return self.select("filter", options=options)

    @on_button("case")
    async def show_case(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """A case's "Details": the whole case, shown only to the member who clicked."""
        case_id = int(self.tokens(interaction).get_at(1) or 0)
        case = next((case for case in self.items if case.id == case_id), None)
        if case is None:  # deleted from the database since the page was drawn
            await interaction.response.send_message("That case is gone.", ephemeral=True)
            return
        details = discord.Embed(
            title=f"Case #{case.id} · {MODERATION_KINDS[case.kind]}", colour=discord.Colour.orange()
        )
        details.add_field(name="Member", value=case.target)
        details.add_field(name="Moderator", value=case.moderator)
        details.add_field(name="When", value=f"<t:{case.created_at}:f>")
        details.add_field(name="Reason", value=case.reason, inline=False)
        await interaction.response.send_message(embed=details, ephemeral=True)

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        (choice,) = select_values(interaction)
        self.data.kind = None if choice == "all" else choice
        self.items = await self.load_items()
        self.current_page = 0
        await self.refresh(interaction)


class Moderations(commands.Cog):
    """The moderation log."""

    def __init__(self, bot: ExampleBot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="moderations")  # type: ignore[arg-type]  # discord.py#9788
    @commands.guild_only()
    @app_commands.rename(kind="type")
    @app_commands.describe(kind="Only show this type of moderation")
    @spawns_session
    async def moderations(
        self, ctx: commands.Context[ExampleBot], kind: ModerationKind | None = None
    ) -> ModerationsSession:
        """Browse this server's moderations, five per page."""
        return ModerationsSession(self.bot, ctx, kind)


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Moderations(bot))
