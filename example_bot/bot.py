"""ExampleBot: a discord.py bot with nyx_sessions loaded, three feature cogs and a session log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

import nyx_sessions
from example_bot.db import Database
from example_bot.translator import ExampleTranslator
from nyx_sessions import SessionCog

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nyx_sessions.observers import SessionObserver
    from nyx_sessions.storage import Clock

__all__ = ("EXTENSIONS", "ExampleBot")

_log = logging.getLogger(__name__)

EXTENSIONS = (
    "example_bot.cogs.moderations",
    "example_bot.cogs.tickets",
    "example_bot.cogs.settings",
    "example_bot.cogs.reports",
    "example_bot.cogs.status",
    "example_bot.cogs.session_log",
)
"""The example's cogs, loaded after nyx_sessions."""


class ExampleBot(commands.Bot):
    """The example bot: prefix ``!`` plus slash commands, data in SQLite.

    Parameters
    ----------
    db_path: Union[:class:`str`, :class:`pathlib.Path`]
        The SQLite file (created on first run).
    sessions: Optional[:class:`str`]
        Where durable sessions are stored, as a store URL: ``redis://host:6379/0?namespace=example``
        lets several copies of the bot serve the same sessions. ``None`` stores them beside the
        database, in ``<name>.sessions.sqlite3``. Either way they survive restarts.
    clock: Optional[:class:`nyx_sessions.storage.Clock`]
        The clock sessions expire by. ``None`` (a real bot) is the system clock; the offline
        playground passes a clock it moves by hand.
    sync_commands: :class:`bool`
        Sync the slash commands with Discord on start-up (needed after adding or changing one).
    observers: Sequence[:class:`nyx_sessions.observers.SessionObserver`]
        What the session manager reports to (``--metrics-port`` gives it a Prometheus observer).
    intents: Optional[:class:`discord.Intents`]
        The default intents plus message content (for the prefix commands) when not given.

    Attributes
    ----------
    db: :class:`Database`
        The bot's data.
    sessions: :class:`str`
        The URL of the store its durable sessions are in.
    """

    def __init__(
        self,
        db_path: str | Path,
        *,
        sessions: str | None = None,
        clock: Clock | None = None,
        sync_commands: bool = False,
        intents: discord.Intents | None = None,
        observers: Sequence[SessionObserver] = (),
    ) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = True  # for the prefix commands; enable it in the developer portal
        super().__init__(command_prefix="!", intents=intents, description="The nyx_sessions example bot")
        self.db = Database(db_path)
        path = Path(db_path)
        self.sessions = sessions or f"sqlite:///{path.with_name(f'{path.stem}.sessions.sqlite3')}"
        self._clock = clock
        self._sync_commands = sync_commands
        self._observers = tuple(observers)

    async def setup_hook(self) -> None:
        await self.db.connect()
        # Two lines make sessions durable: a store, then the extension as usual.
        nyx_sessions.configure(self, store=self.sessions, clock=self._clock, observers=self._observers)
        await self.load_extension("nyx_sessions")
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # French for the package's notices and controls (and the commands' descriptions, at sync).
        await self.tree.set_translator(ExampleTranslator())
        if self._sync_commands:
            synced = await self.tree.sync()
            _log.info("Synced %d slash commands: %s", len(synced), ", ".join(c.name for c in synced))

    async def on_ready(self) -> None:
        assert self.user is not None  # set once connected
        _log.info("Logged in as %s (id %s), in %d servers", self.user, self.user.id, len(self.guilds))
        if not self._sync_commands:
            _log.info("Slash commands were not synced: restart with --sync after adding or changing one")

    async def close(self) -> None:
        # Sessions go first, while the session log still listens: durable ones are kept in the
        # store for the next start, the others end with BOT_STOP.
        await self.remove_cog(SessionCog.__cog_name__)
        await super().close()
        await self.db.close()
