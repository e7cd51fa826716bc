"""/moderations: a paginated list of the server's moderations, with a select menu to filter by type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from example_bot.db import MODERATION_KINDS, Moderation
from nyx_sessions import select_values, spawns_session
from nyx_sessions.pagination import ListPaginationSession

if TYPE_CHECKING:
    from collections.abc import Sequence

    from example_bot.bot import ExampleBot
    from nyx_sessions import SessionExecutionMeta

__all__ = ("Moderations", "ModerationsSession", "setup")

ModerationKind = Literal["warn", "mute", "kick", "ban"]


def _of_kind(moderations: Sequence[Moderation], kind: str | None) -> list[Moderation]:
    return [moderation for moderation in moderations if kind is None or moderation.kind == kind]


class ModerationsSession(ListPaginationSession[Moderation, None]):
    """Five moderations per page, the navigation row, and a select menu that filters by type.

    Parameters
    ----------
    bot: :class:`ExampleBot`
        The bot.
    start: Union[:class:`discord.Interaction`, :class:`commands.Context`]
        What started the session.
    moderations: Sequence[:class:`Moderation`]
        Every moderation of the server.
    kind: Optional[:class:`str`]
        The type to show first; ``None`` shows every type.
    """

    def __init__(
        self,
        bot: ExampleBot,
        start: discord.Interaction[Any] | commands.Context[Any],
        moderations: Sequence[Moderation],
        kind: str | None = None,
    ) -> None:
        super().__init__(bot, start, _of_kind(moderations, kind), per_page=5)
        self.moderations = moderations
        self.kind = kind

    def format_page(self, items: Sequence[Moderation]) -> dict[str, Any]:
        shown = MODERATION_KINDS[self.kind] if self.kind else "All types"
        embed = discord.Embed(
            title=f"Moderations · {shown}",
            description="\n".join(map(str, items)) or "No moderations of this type.",
            colour=discord.Colour.orange(),
        )
        embed.set_footer(text=f"{self.page_label} · {len(self.items)} moderations")
        # With our own view, the navigation row is ours to add: it takes row 0, the filter row 1.
        return {"embed": embed, "view": self.view(*self.build_navigation(), self._filter_select())}

    def _filter_select(self) -> discord.ui.Select[Any]:
        options = [discord.SelectOption(label="All types", value="all", default=self.kind is None)]
        options += [
            discord.SelectOption(label=label, value=kind, default=kind == self.kind)
            for kind, label in MODERATION_KINDS.items()
        ]
        return self.select("filter", options=options, row=1)

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        (choice,) = select_values(interaction)
        self.kind = None if choice == "all" else choice
        self.items = _of_kind(self.moderations, self.kind)
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
        assert ctx.guild is not None  # guild_only
        moderations = await self.bot.db.moderations(ctx.guild.id)
        return ModerationsSession(self.bot, ctx, moderations, kind)


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Moderations(bot))
