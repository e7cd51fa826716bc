"""The example bot's SQLite database: created on first run, and what users saved survives a restart."""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from example_helpers import custom_id, embed, fields

from example_bot.db import Database, GuildSettings, TicketCategory
from example_bot.playground.world import create_offline_bot
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness, close_test_bot

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


@asynccontextmanager
async def running_bot(db_path: Path) -> AsyncIterator[InteractionHarness]:
    """Start the example bot on a fresh fake Discord; stop it (as Ctrl-C would) when done."""
    bot = await create_offline_bot(db_path, clock=ManualClock())
    harness = InteractionHarness(bot).install()
    try:
        yield harness
        await harness.settle()
    finally:
        await close_test_bot(bot)
        harness.uninstall()


async def test_the_database_and_its_folder_are_created_on_first_run(db_path: Path) -> None:
    assert not db_path.parent.exists()

    async with Database(db_path):
        pass

    with sqlite3.connect(db_path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"moderations", "guild_settings", "ticket_categories"}


async def test_a_guild_gets_sample_moderations_once() -> None:
    async with Database(":memory:") as db:
        first = await db.moderations(guild_id=1)
        again = await db.moderations(guild_id=1)
        other = await db.moderations(guild_id=2)

    assert len(first) == 22
    assert again == first
    assert [moderation.created_at for moderation in first] == sorted(
        (moderation.created_at for moderation in first), reverse=True
    )
    assert len(other) == 22
    assert {moderation.id for moderation in other}.isdisjoint(m.id for m in first)


async def test_settings_default_until_saved_and_saving_replaces_them() -> None:
    async with Database(":memory:") as db:
        assert await db.settings(1) == GuildSettings()
        await db.save_settings(1, GuildSettings(language="fr"))
        await db.save_settings(1, GuildSettings(language="de", log_channel_id=42))

        assert await db.settings(1) == GuildSettings(language="de", log_channel_id=42)
        assert await db.settings(2) == GuildSettings()


async def test_a_ticket_category_name_is_unique_per_guild_whatever_its_case() -> None:
    billing = TicketCategory("Billing", "", 10, "normal")
    async with Database(":memory:") as db:
        assert await db.add_ticket_category(1, billing, created_by=7)
        assert not await db.add_ticket_category(1, TicketCategory("BILLING", "x", 11, "low"), created_by=7)
        assert await db.add_ticket_category(2, billing, created_by=7)

        assert await db.ticket_categories(1) == [billing]


async def test_what_the_wizard_and_the_settings_panel_saved_survives_a_restart(db_path: Path) -> None:
    async with running_bot(db_path) as harness:
        guild_id = harness.guild.id
        support = next(channel for channel in harness.guild.text_channels if channel.name == "support")
        wizard = await harness.slash("ticket-setup")
        opened = await harness.click(wizard, custom_id(harness, wizard, "Set name…"))
        await harness.submit_modal(opened, {"name": "Billing", "description": "Invoices"})
        await harness.select(wizard, custom_id(harness, wizard, "Pick a channel"), [support])
        await harness.select(wizard, custom_id(harness, wizard, "Normal"), ["low"])
        await harness.click(wizard, custom_id(harness, wizard, "Create category"))

        panel = await harness.slash("settings")
        await harness.click(panel, custom_id(harness, panel, "Auto-moderation: off"))
        await harness.select(panel, custom_id(harness, panel, "English"), ["es"])
        await harness.click(panel, custom_id(harness, panel, "Save"))
        # Left open: the restart ends this session, and saved is saved.

    category = TicketCategory("Billing", "Invoices", support.id, "low")
    settings = GuildSettings(automod_enabled=True, language="es")
    async with Database(db_path) as db:
        assert await db.ticket_categories(guild_id) == [category]
        assert await db.settings(guild_id) == settings

    async with running_bot(db_path) as harness:
        assert harness.guild.id == guild_id  # the offline world keeps its ids from run to run
        panel = await harness.slash("settings")
        assert fields(harness, panel)["Auto-moderation"] == "on"
        assert fields(harness, panel)["Language"] == "Español"
        listed = await harness.slash("tickets")
        assert embed(harness, listed).description == str(category)
