"""/moderations: a paginated list of the server's moderations, with a select menu to filter by type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from example_bot.db import MODERATION_KINDS, Moderation
from nyx_sessions import select_values, spawns_session
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
    """Five moderations per page, the navigation row, and a select menu that filters by type.

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

    def format_page(self, items: Sequence[Moderation]) -> dict[str, Any]:
        kind = self.data.kind
        shown = MODERATION_KINDS[kind] if kind else "All types"
        embed = discord.Embed(
            title=f"Moderations · {shown}",
            description="\n".join(map(str, items)) or "No moderations of this type.",
            colour=discord.Colour.orange(),
        )
        embed.set_footer(text=f"{self.page_label} · {len(self.items)} moderations")
        # With our own view, the navigation row is ours to add: it takes row 0, the filter row 1.
        return {"embed": embed, "view": self.view(*self.build_navigation(), self._filter_select())}

    def _filter_select(self) -> discord.ui.Select[Any]:
        kind = self.data.kind
        options = [discord.SelectOption(label="All types", value="all", default=kind is None)]
        options += [
            discord.SelectOption(label=label, value=key, default=key == kind)
            for key, label in MODERATION_KINDS.items()
        ]
        return self.select("filter", options=options, row=1)

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
