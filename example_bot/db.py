"""The bot's data: an embedded SQLite database (aiosqlite), created on first run.

Three tables: moderations (the paginated list), guild settings (the settings panel) and ticket
categories (the wizard). Everything is keyed by guild id, so one database serves every server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = (
    "MODERATION_KINDS",
    "PRIORITIES",
    "Database",
    "GuildSettings",
    "Moderation",
    "TicketCategory",
)

_log = logging.getLogger(__name__)

MODERATION_KINDS = {"warn": "⚠️ Warning", "mute": "🔇 Mute", "kick": "👢 Kick", "ban": "🔨 Ban"}
"""Moderation types and how they are shown."""

PRIORITIES = {"low": "Low", "normal": "Normal", "high": "High"}
"""Ticket priorities and how they are shown."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS moderations (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('warn', 'mute', 'kick', 'ban')),
    target      TEXT    NOT NULL,
    moderator   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL  -- epoch seconds
);
CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id        INTEGER PRIMARY KEY,
    welcome_enabled INTEGER NOT NULL,
    automod_enabled INTEGER NOT NULL,
    log_channel_id  INTEGER,
    language        TEXT    NOT NULL,
    welcome_message TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_categories (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    name        TEXT    NOT NULL COLLATE NOCASE,
    description TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL,
    priority    TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    UNIQUE (guild_id, name)
);
"""

# A fresh guild gets these, so the paginator has pages to show (a real bot records its own).
_SAMPLE_MODERATIONS = (
    ("warn", "Milo", "Spamming invite links in #general"),
    ("warn", "Ivy", "Off-topic memes in #support"),
    ("mute", "Milo", "Kept spamming after a warning"),
    ("warn", "Rowan", "All caps, all day"),
    ("kick", "Juniper", "Alt account evading a mute"),
    ("warn", "Ezra", "Pinging every moderator at once"),
    ("mute", "Hazel", "Heated argument in #general"),
    ("ban", "Otis", "Posting scam links"),
    ("warn", "Ivy", "Reposting deleted messages"),
    ("mute", "Rowan", "Voice chat soundboard spam"),
    ("warn", "Juniper", "Unmarked spoilers"),
    ("kick", "Ezra", "Ignored three warnings"),
    ("warn", "Hazel", "Advertising in DMs"),
    ("mute", "Ivy", "Flooding #support with tickets"),
    ("ban", "Juniper", "Came back to evade a kick"),
    ("warn", "Otis", "NSFW avatar"),
    ("kick", "Hazel", "Harassing a new member"),
    ("mute", "Ezra", "Mic spam in the stage channel"),
    ("warn", "Milo", "Begging for roles"),
    ("mute", "Otis", "Arguing with moderators"),
    ("kick", "Rowan", "Raid participation"),
    ("ban", "Rowan", "Raid organiser"),
)
_SAMPLE_MODERATORS = ("Ava", "Theo")
_SAMPLE_START = 1_709_280_000  # 2024-03-01 08:00 UTC
_SAMPLE_STEP = 36 * 3600


@dataclass(frozen=True)
class Moderation:
    """One moderation action taken in a guild."""

    id: int
    kind: str
    target: str
    moderator: str
    reason: str
    created_at: int

    def __str__(self) -> str:
        return (
            f"`#{self.id}` **{MODERATION_KINDS[self.kind]}** · {self.target}: {self.reason}"
            f" (by {self.moderator}, <t:{self.created_at}:d>)"
        )


@dataclass(frozen=True)
class GuildSettings:
    """A guild's settings, as the settings panel edits them; the defaults apply until saved."""

    welcome_enabled: bool = True
    automod_enabled: bool = False
    log_channel_id: int | None = None
    language: str = "en"
    welcome_message: str = "Welcome to the server, {user}!"


@dataclass(frozen=True)
class TicketCategory:
    """A kind of support ticket, as the ticket wizard creates it."""

    name: str
    description: str
    channel_id: int
    priority: str

    def __str__(self) -> str:
        about = f": {self.description}" if self.description else ""
        return f"**{self.name}**{about} (opens in <#{self.channel_id}>, {PRIORITIES[self.priority]} priority)"


class Database:
    """The bot's SQLite database; the file and its tables are created on first :meth:`connect`.

    Parameters
    ----------
    path: Union[:class:`str`, :class:`pathlib.Path`]
        The database file (its folder is created if needed), or ``":memory:"``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self._connection: aiosqlite.Connection | None = None

    async def connect(self) -> None:
        """Open the database, creating the file and its tables when they don't exist yet."""
        if str(self.path) != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = await aiosqlite.connect(self.path)
        await self._connection.executescript(_SCHEMA)
        await self._connection.commit()
        _log.info("Database ready at %s", self.path)

    async def close(self) -> None:
        """Close the database; safe to call twice."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def connection(self) -> aiosqlite.Connection:
        """The open connection.

        Raises
        ------
        RuntimeError
            :meth:`connect` was not called, or the database was closed.
        """
        if self._connection is None:
            raise RuntimeError("the database is not open: call connect() first")
        return self._connection

    # -- moderations -------------------------------------------------------------------------------

    async def moderations(self, guild_id: int) -> list[Moderation]:
        """Every moderation of a guild, newest first (a guild seen for the first time gets samples)."""
        query = "SELECT id, kind, target, moderator, reason, created_at FROM moderations WHERE guild_id = ?"
        async with self.connection.execute(f"{query} ORDER BY created_at DESC", (guild_id,)) as cursor:
            rows = await cursor.fetchall()
        if not rows:
            await self._add_sample_moderations(guild_id)
            return await self.moderations(guild_id)
        return [Moderation(*row) for row in rows]

    async def revoke_moderation(self, guild_id: int, case_id: int) -> bool:
        """Delete a guild's case (a ban lifted, a warning withdrawn); ``False`` if it was gone already."""
        cursor = await self.connection.execute(
            "DELETE FROM moderations WHERE guild_id = ? AND id = ?", (guild_id, case_id)
        )
        await self.connection.commit()
        return cursor.rowcount > 0

    async def _add_sample_moderations(self, guild_id: int) -> None:
        rows = [
            (guild_id, kind, target, _SAMPLE_MODERATORS[n % 2], reason, _SAMPLE_START + n * _SAMPLE_STEP)
            for n, (kind, target, reason) in enumerate(_SAMPLE_MODERATIONS)
        ]
        await self.connection.executemany(
            "INSERT INTO moderations (guild_id, kind, target, moderator, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        await self.connection.commit()
        _log.info("Added %d sample moderations for guild %s", len(rows), guild_id)

    # -- settings ----------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> GuildSettings:
        """A guild's saved settings, or the defaults."""
        async with self.connection.execute(
            "SELECT welcome_enabled, automod_enabled, log_channel_id, language, welcome_message"
            " FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings()
        welcome, automod, log_channel_id, language, message = row
        return GuildSettings(bool(welcome), bool(automod), log_channel_id, language, message)

    async def save_settings(self, guild_id: int, settings: GuildSettings) -> None:
        """Save a guild's settings, replacing what was saved before."""
        await self.connection.execute(
            "INSERT OR REPLACE INTO guild_settings VALUES (?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                settings.welcome_enabled,
                settings.automod_enabled,
                settings.log_channel_id,
                settings.language,
                settings.welcome_message,
            ),
        )
        await self.connection.commit()

    # -- ticket categories -------------------------------------------------------------------------

    async def ticket_categories(self, guild_id: int) -> list[TicketCategory]:
        """A guild's ticket categories, in the order they were created."""
        async with self.connection.execute(
            "SELECT name, description, channel_id, priority FROM ticket_categories"
            " WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        ) as cursor:
            return [TicketCategory(*row) async for row in cursor]

    async def add_ticket_category(self, guild_id: int, category: TicketCategory, created_by: int) -> bool:
        """Save a new ticket category.

        Returns
        -------
        :class:`bool`
            ``False`` when the guild already has a category with that name (case-insensitive).
        """
        try:
            await self.connection.execute(
                "INSERT INTO ticket_categories"
                " (guild_id, name, description, channel_id, priority, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    category.name,
                    category.description,
                    category.channel_id,
                    category.priority,
                    created_by,
                ),
            )
        except aiosqlite.IntegrityError:
            return False
        await self.connection.commit()
        return True
