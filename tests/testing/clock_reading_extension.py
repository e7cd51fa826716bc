"""An extension that reads the session manager as it loads, as a bot's own cogs may."""

from __future__ import annotations

from discord.ext import commands

from nyx_sessions import get_session_manager
from nyx_sessions.storage import Clock


class ClockReader(commands.Cog):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ClockReader(get_session_manager(bot).clock))
