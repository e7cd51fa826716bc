"""Logs every session's start and end, through the events nyx_sessions dispatches on the bot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from example_bot.bot import ExampleBot
    from nyx_sessions import AbstractSession, SessionEndData, SessionExecutionMeta

__all__ = ("SessionLog", "owner_name", "setup")

_log = logging.getLogger(__name__)


class SessionLog(commands.Cog):
    """Listens to ``session_start`` and ``session_end`` like to any other discord.py event."""

    @commands.Cog.listener()
    async def on_session_start(self, session: AbstractSession[Any], meta: SessionExecutionMeta) -> None:
        _log.info("%s started by %s (session %s)", type(session).__name__, owner_name(session), session.id)

    @commands.Cog.listener()
    async def on_session_end(
        self, session: AbstractSession[Any], data: SessionEndData[Any], meta: SessionExecutionMeta
    ) -> None:
        code = getattr(data.code, "name", data.code)  # user code may end sessions with any str or int
        _log.info("%s of %s ended: %s [%s]", type(session).__name__, owner_name(session), data.reason, code)


def owner_name(session: AbstractSession[Any]) -> str:
    """Who a session belongs to, for people: a name, or an id if nobody by it is cached, or nobody.

    A restored session knows its owner by id only (a :class:`discord.Object`) until the owner
    clicks: the name comes from the member cache of the session's server, else the user cache.
    """
    owner_id = session.owner_id
    if owner_id is None:
        return "everyone"
    user: object = session.user
    if isinstance(user, discord.Object):
        channel = None if session.channel_id is None else session.bot.get_channel(session.channel_id)
        guild = getattr(channel, "guild", None)
        user = (guild.get_member(owner_id) if isinstance(guild, discord.Guild) else None) or (
            session.bot.get_user(owner_id)
        )
    name = getattr(user, "display_name", None)
    return f"user {owner_id}" if name is None else str(name)


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(SessionLog())
