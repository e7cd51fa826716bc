"""The offline world: the example bot connected to dpytest's fake Discord instead of the real one.

The guild, its channels and its members get the same ids on every run, so what a user saved in one
run (settings and tickets are stored by guild id) is found again in the next one.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import discord
import discord.ext.test as dpytest
from discord.ext.test import backend, factories

from example_bot.bot import ExampleBot
from nyx_sessions.testing import apply

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from nyx_sessions.observers import SessionObserver
    from nyx_sessions.storage import Clock

__all__ = ("CHANNELS", "GUILD", "MEMBERS", "create_offline_bot")

GUILD = "Nyx Playground"
CHANNELS = ("general", "support", "mod-log")
MEMBERS = ("alice", "bob", "carol")

_DISCORD_EPOCH_MS = 1_420_070_400_000
_WORLD_CREATED_MS = 1_704_067_200_000  # 2024-01-01: older than every id drawn at run time


@contextmanager
def _fixed_snowflakes() -> Iterator[None]:
    """Number what dpytest creates in here from a fixed point in time, the same way on every run."""
    counter = itertools.count(1)
    time_bits = (_WORLD_CREATED_MS - _DISCORD_EPOCH_MS) << 22
    make_id = factories.make_id
    factories.make_id = lambda: time_bits | next(counter)
    try:
        yield
    finally:
        factories.make_id = make_id


async def create_offline_bot(
    db_path: str | Path,
    *,
    clock: Clock | None = None,
    sessions: str | None = None,
    observers: Sequence[SessionObserver] = (),
) -> ExampleBot:
    """Create the example bot on a fake guild (#general, #support, #mod-log; alice, bob, carol).

    Like :func:`nyx_sessions.testing.create_test_bot`, with the example's own bot class and fixed
    ids. Call it inside the running event loop; install an
    :class:`~nyx_sessions.testing.InteractionHarness` on the bot to talk to it.

    Parameters
    ----------
    db_path: Union[:class:`str`, :class:`pathlib.Path`]
        The bot's database.
    clock: Optional[:class:`nyx_sessions.storage.Clock`]
        What sessions expire by; ``None`` wires nyx_sessions as on Discord (real time).
    sessions: Optional[:class:`str`]
        The store URL for durable sessions (:class:`~example_bot.bot.ExampleBot`).
    observers: Sequence[:class:`nyx_sessions.observers.SessionObserver`]
        What the session manager reports to.
    """
    apply()
    intents = discord.Intents.default()
    intents.message_content = intents.members = True  # the fake guild's members must be cached
    bot = ExampleBot(db_path, sessions=sessions, clock=clock, intents=intents, observers=observers)
    await bot._async_setup_hook()  # gives the bot its loop; a dpytest bot never logs in
    with _fixed_snowflakes():
        dpytest.configure(
            bot, guilds=[GUILD], text_channels=list(CHANNELS), voice_channels=0, members=list(MEMBERS)
        )
    for member in dpytest.get_config().members:
        backend.update_member(member, nick=member.name)  # dpytest calls them "alice_0_nick"
    state: Any = bot._connection
    state._command_tree = bot.tree
    state.application_id = state.user.id
    await bot.setup_hook()
    return bot
