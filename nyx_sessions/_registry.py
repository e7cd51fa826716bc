"""Finding a bot's session manager: by the cog's name, without importing the cog.

Session classes look their manager up when they are made; the cog module imports the manager and,
through it, nearly the whole package, so this lookup lives apart to keep the imports one-way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nyx_sessions.errors import SessionsNotLoadedError

if TYPE_CHECKING:
    import discord

    from nyx_sessions.manager import SessionManager

__all__ = ("COG_NAME", "get_session_manager")

COG_NAME = "SessionCog"
"""The name the session cog is added under."""


def get_session_manager(bot: discord.Client) -> SessionManager:
    """Return the bot's session manager.

    The cog is found by name, not by class, so session classes defined before a
    ``reload_extension("nyx_sessions")`` still find the reloaded manager.

    Raises
    ------
    SessionsNotLoadedError
        The extension is not loaded (no ``SessionCog`` on the bot).
    """
    get_cog = getattr(bot, "get_cog", None)
    cog = get_cog(COG_NAME) if get_cog is not None else None
    manager = getattr(cog, "manager", None)
    if manager is None:
        raise SessionsNotLoadedError()
    return manager  # type: ignore[no-any-return]
