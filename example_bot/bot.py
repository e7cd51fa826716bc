"""ExampleBot: a discord.py bot with nyx_sessions loaded, three feature cogs and a session log."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from example_bot.db import Database
from nyx_sessions import MemorySessionRepository, SessionCog, SessionManager

if TYPE_CHECKING:
    from pathlib import Path

    from nyx_sessions.storage import Clock

__all__ = ("EXTENSIONS", "ExampleBot")

_log = logging.getLogger(__name__)

EXTENSIONS = (
    "example_bot.cogs.moderations",
    "example_bot.cogs.tickets",
    "example_bot.cogs.settings",
    "example_bot.cogs.session_log",
)
"""The example's cogs, loaded after nyx_sessions."""


class ExampleBot(commands.Bot):
    """The example bot: prefix ``!`` plus slash commands, data in SQLite.

    Parameters
    ----------
    db_path: Union[:class:`str`, :class:`pathlib.Path`]
        The SQLite file (created on first run).
    clock: Optional[:class:`nyx_sessions.storage.Clock`]
        The clock sessions expire by. ``None`` (a real bot) loads nyx_sessions the usual way; the
        offline playground passes a clock it moves by hand.
    sync_commands: :class:`bool`
        Sync the slash commands with Discord on start-up (needed after adding or changing one).
    intents: Optional[:class:`discord.Intents`]
        The default intents plus message content (for the prefix commands) when not given.

    Attributes
    ----------
    db: :class:`Database`
        The bot's data.
    """

    def __init__(
        self,
        db_path: str | Path,
        *,
        clock: Clock | None = None,
        sync_commands: bool = False,
        intents: discord.Intents | None = None,
    ) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = True  # for the prefix commands; enable it in the developer portal
        super().__init__(command_prefix="!", intents=intents, description="The nyx_sessions example bot")
        self.db = Database(db_path)
        self._clock = clock
        self._sync_commands = sync_commands

    async def setup_hook(self) -> None:
        await self.db.connect()
        if self._clock is None:
            await self.load_extension("nyx_sessions")
        else:
            manager = SessionManager(self, repository=MemorySessionRepository(clock=self._clock))
            await self.add_cog(SessionCog(self, manager=manager))
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self._sync_commands:
            synced = await self.tree.sync()
            _log.info("Synced %d slash commands: %s", len(synced), ", ".join(c.name for c in synced))

    async def on_ready(self) -> None:
        assert self.user is not None  # set once connected
        _log.info("Logged in as %s (id %s), in %d servers", self.user, self.user.id, len(self.guilds))
        if not self._sync_commands:
            _log.info("Slash commands were not synced: restart with --sync after adding or changing one")

    async def close(self) -> None:
        # Sessions end first (with BOT_STOP), while the session log still listens for their ends.
        await self.remove_cog(SessionCog.__cog_name__)
        await super().close()
        await self.db.close()
