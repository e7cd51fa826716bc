"""The pytest plugin: a dpytest bot and an installed harness, one fresh pair per test.

Opt in from your top-level ``conftest.py``::

    pytest_plugins = ["nyx_sessions.testing"]

and choose the extensions the ``bot`` fixture loads by overriding ``bot_extensions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext import commands

from .compat import apply
from .harness import InteractionHarness

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

__all__ = ("bot", "bot_extensions", "close_test_bot", "create_test_bot", "harness")


async def create_test_bot(
    *,
    extensions: Sequence[str] = ("nyx_sessions",),
    prefix: str = "!",
    members: int = 2,
) -> commands.Bot:
    """Create a :class:`commands.Bot` wired to dpytest's fake guild, then load ``extensions``.

    The bot has the members and message content intents, one guild with one text channel, one
    voice channel and ``members`` members. Extensions are loaded *after* ``dpytest.configure``,
    which replaces the connection state (views and the tree link added earlier would be lost).
    Call it inside the running event loop.

    Parameters
    ----------
    extensions: Sequence[str]
        Extensions to load, in order.
    prefix: str
        The command prefix.
    members: int
        How many members besides the bot.

    Returns
    -------
    commands.Bot
        The configured bot; close it with :func:`close_test_bot`.
    """
    apply()
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    test_bot = commands.Bot(command_prefix=prefix, intents=intents)
    # Gives the bot its loop; dpytest bots never log in.
    await test_bot._async_setup_hook()
    dpytest.configure(test_bot, members=members)
    state = test_bot._connection
    state._command_tree = test_bot.tree
    if state.application_id is None and test_bot.user is not None:
        state.application_id = test_bot.user.id
    for name in extensions:
        await test_bot.load_extension(name)
    return test_bot


async def close_test_bot(test_bot: commands.Bot) -> None:
    """Close the bot (its extensions and cogs are unloaded first) and empty dpytest's queues.

    Safe to call twice.
    """
    await test_bot.close()
    await dpytest.empty_queue()


@pytest.fixture
def bot_extensions() -> Sequence[str]:
    """The extensions the ``bot`` fixture loads; override it to load your bot's cogs."""
    return ("nyx_sessions",)


@pytest_asyncio.fixture
async def bot(bot_extensions: Sequence[str]) -> AsyncIterator[commands.Bot]:
    """A fresh dpytest bot (prefix ``!``, two members) with ``bot_extensions`` loaded."""
    test_bot = await create_test_bot(extensions=bot_extensions)
    try:
        yield test_bot
    finally:
        await close_test_bot(test_bot)


@pytest_asyncio.fixture
async def harness(bot: commands.Bot) -> AsyncIterator[InteractionHarness]:
    """An :class:`InteractionHarness` installed on ``bot``.

    At teardown it settles (raising errors the test left behind), closes the bot while the fake
    Discord still answers (extensions may edit messages on shutdown), settles again, uninstalls.
    """
    test_harness = InteractionHarness(bot).install()
    try:
        yield test_harness
        if test_harness.installed:
            await test_harness.settle()
            await close_test_bot(bot)
            await test_harness.settle()
    finally:
        test_harness.uninstall()
