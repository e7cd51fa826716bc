"""Logs every session's start and end, through the events nyx_sessions dispatches on the bot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

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
    """Who a session belongs to, for people: a name, or an id for a restored session, or nobody."""
    name = getattr(session.user, "display_name", None)
    if name is not None:
        return str(name)
    return "everyone" if session.owner_id is None else f"user {session.owner_id}"


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(SessionLog())
