"""/status: a live board of the sessions open on the bot, kept current from outside any click.

Each session that starts or ends anywhere on the bot edits every open board through
``update_message``: the edit waits its turn behind a click on the board, as a handler would.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    IllegalSessionStateError,
    SessionEndCode,
    on_button,
    spawns_session,
)

if TYPE_CHECKING:
    from example_bot.bot import ExampleBot
    from nyx_sessions import SessionEndData, SessionExecutionMeta

__all__ = ("StatusBoard", "StatusBoards", "setup")


class StatusBoard(AbstractSession[None]):
    """The open sessions by kind, and a Close button. One board per channel: a new one replaces it."""

    ttl = None  # a board stays until closed (or replaced)
    max_per_channel = 1

    def render(self) -> dict[str, Any]:
        """The board as message keyword arguments, counting the sessions running now."""
        running = Counter(
            type(session).__name__
            for session in self.manager.sessions.values()
            if session.state.name == "RUNNING" and not isinstance(session, StatusBoard)
        )
        lines = [f"**{name}**: {count}" for name, count in sorted(running.items())] or [
            "Nothing else is open."
        ]
        embed = discord.Embed(
            title="Open sessions", description="\n".join(lines), colour=discord.Colour.green()
        )
        embed.set_footer(text=f"{sum(running.values())} open · updated live")
        return {"embed": embed, "view": self.view(self.button("close", label="Close"))}

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(**self.render())

    @on_button("close")
    async def close(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """Close the board: its message stays, without its button."""
        await self.edit(interaction, view=None)
        await self.end("closed by its user")


class StatusBoards(commands.Cog):
    """The /status command, and the listener that keeps every open board current."""

    def __init__(self, bot: ExampleBot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="status")  # type: ignore[arg-type]  # discord.py#9788
    @spawns_session
    async def status(self, ctx: commands.Context[ExampleBot]) -> StatusBoard:
        """Show the sessions open on the bot, updated live."""
        return StatusBoard(self.bot, ctx)

    @commands.Cog.listener()
    async def on_session_start(self, session: AbstractSession[Any], meta: SessionExecutionMeta) -> None:
        await self._refresh(session)

    @commands.Cog.listener()
    async def on_session_end(
        self, session: AbstractSession[Any], data: SessionEndData[Any], meta: SessionExecutionMeta
    ) -> None:
        if data.code is not SessionEndCode.BOT_STOP:  # the bot is stopping: every board ends too
            await self._refresh(session)

    async def _refresh(self, changed: AbstractSession[Any]) -> None:
        """Edit every open board but ``changed`` (a listener is a task of its own: outside any click)."""
        boards = [
            session
            for session in changed.manager.sessions.values()
            if isinstance(session, StatusBoard) and session is not changed
        ]
        for board in boards:
            # A board that ended (closed, replaced) between the event and its turn is left alone.
            with contextlib.suppress(IllegalSessionStateError):
                await board.update_message(**board.render())


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(StatusBoards(bot))
