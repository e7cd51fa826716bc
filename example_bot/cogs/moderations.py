"""/moderations: a paginated list of the server's moderations, as a components v2 layout: each case
in a section with its own "Details" button, and a select menu to filter by type.

"Details" opens the case as a child session in the list's place (:class:`CaseReview`): Revoke or
Back hands the decision back to the list, which renders its page again with it. Both are durable:
a restart between the two clicks loses neither."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from example_bot.db import MODERATION_KINDS, Moderation
from nyx_sessions import AbstractSession, SessionEndCode, on_button, select_values, spawns_session
from nyx_sessions.pagination import ListPaginationSession

if TYPE_CHECKING:
    from collections.abc import Sequence

    from example_bot.bot import ExampleBot
    from nyx_sessions import EndCode, SessionEndData, SessionExecutionMeta

__all__ = ("CaseRef", "CaseReview", "ModerationFilter", "Moderations", "ModerationsSession", "setup")

ModerationKind = Literal["warn", "mute", "kick", "ban"]


def _of_kind(moderations: Sequence[Moderation], kind: str | None) -> list[Moderation]:
    return [moderation for moderation in moderations if kind is None or moderation.kind == kind]


class ModerationFilter(msgspec.Struct):
    """What a moderations list stores to survive a restart: the server, the type shown, and what
    the last case review decided."""

    guild_id: int
    kind: str | None = None
    last_decision: str | None = None


class CaseRef(msgspec.Struct):
    """What a case review stores: which case of which server (the case itself is read again)."""

    guild_id: int
    case_id: int


class CaseReview(AbstractSession[str], kind="example.case-review", data=CaseRef):
    """One case, opened from the moderations list in its place: Revoke deletes it, Back changes
    nothing; either way the list gets the message back, with the decision as the result."""

    ttl = 180

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        case = await self._case()
        if case is None:  # deleted from the database since the list was drawn
            self.result = "That case is gone."
            await self.end("the case is gone")
            return
        await self.respond(view=self.layout(self._card(case)))

    def _card(self, case: Moderation) -> discord.ui.Container[Any]:
        details = (
            f"**Member:** {case.target}\n**Moderator:** {case.moderator}\n"
            f"**When:** <t:{case.created_at}:f>\n**Reason:** {case.reason}"
        )
        return discord.ui.Container(
            discord.ui.TextDisplay(f"## Case #{case.id} · {MODERATION_KINDS[case.kind]}"),
            discord.ui.TextDisplay(details),
            discord.ui.ActionRow(
                self.button("revoke", label="Revoke", style=discord.ButtonStyle.danger),
                self.button("back", label="Back to the list", style=discord.ButtonStyle.secondary),
            ),
            accent_colour=discord.Colour.orange(),
        )

    async def _case(self) -> Moderation | None:
        bot = cast("ExampleBot", self.bot)
        cases = await bot.db.moderations(self.data.guild_id)
        return next((case for case in cases if case.id == self.data.case_id), None)

    @on_button("revoke")
    async def revoke(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """Delete the case; the list shows it gone, and says so."""
        bot = cast("ExampleBot", self.bot)
        revoked = await bot.db.revoke_moderation(self.data.guild_id, self.data.case_id)
        self.result = f"Case #{self.data.case_id} revoked." if revoked else "That case is gone."
        await self.end("revoked")

    @on_button("back")
    async def back(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """Back to the list, nothing changed."""
        await self.end("back to the list")

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        if code is SessionEndCode.EXPIRED:
            self.result = f"Case #{self.data.case_id} was left open too long."


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
            *([discord.ui.TextDisplay(f"-# {self.data.last_decision}")] if self.data.last_decision else []),
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
        """A case's "Details": the case opens in the list's place, until it is decided."""
        case_id = int(self.tokens(interaction).get_at(1) or 0)
        review = CaseReview(self.bot, interaction, data=CaseRef(self.data.guild_id, case_id))
        await self.open_child(review, interaction)

    async def on_child_end(
        self, child_end: SessionEndData[Any], interaction: discord.Interaction[Any] | None
    ) -> None:
        """The review is over: its decision under the page, the cases read again (one may be gone)."""
        self.data.last_decision = child_end.result
        self.items = await self.load_items()
        self.current_page = self.current_page  # clamped again: the last page may be gone
        await super().on_child_end(child_end, interaction)

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
        self,
        ctx: commands.Context[ExampleBot],
        # The converter without "| None": an Optional converter turns a word it cannot read into
        # None, so "!moderations nope" would list every type; this one refuses it (see below).
        # commands.parameter() as a default is discord.py's way to give a converter (B008).
        kind: ModerationKind | None = commands.parameter(converter=ModerationKind, default=None),  # noqa: B008
    ) -> ModerationsSession:
        """Browse this server's moderations, five per page."""
        return ModerationsSession(self.bot, ctx, kind)

    async def cog_command_error(self, ctx: commands.Context[Any], error: Exception) -> None:
        """Answer a type that is not one (the slash form offers only the four); raise anything else.

        Raised again, an error this cog does not answer is still logged by discord.py, as it would
        be if the cog had no handler (with one, discord.py's default handler stays silent).
        """
        if isinstance(error, commands.BadLiteralArgument):
            allowed = ", ".join(f"`{kind}`" for kind in MODERATION_KINDS)
            await ctx.reply(
                f"There is no moderation type `{error.argument}`: use one of {allowed}, "
                "or none for every type.",
                mention_author=False,
            )
            return
        raise error


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Moderations(bot))
