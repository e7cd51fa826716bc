"""SessionCog: wires a SessionManager into the bot and routes interactions to it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from nyx_sessions._registry import COG_NAME, get_session_manager
from nyx_sessions.execution import send_notice
from nyx_sessions.execution.deferral import unanswered
from nyx_sessions.manager import SessionManager
from nyx_sessions.messages import message
from nyx_sessions.storage import store_from_url

if TYPE_CHECKING:
    from collections.abc import Iterable

    from nyx_sessions.observers import SessionObserver
    from nyx_sessions.storage import Clock, SessionStore

__all__ = ("SessionCog", "configure", "get_session_manager")

_log = logging.getLogger(__name__)

_OPTIONS = "_nyx_sessions_options"
"""The bot attribute :func:`configure` writes: on the bot, so it survives ``reload_extension``."""

_ROUTED_TYPES = frozenset({discord.InteractionType.component, discord.InteractionType.modal_submit})


class SessionCog(commands.Cog, name=COG_NAME):
    """The cog ``load_extension("nyx_sessions")`` adds: one listener that routes session interactions.

    Every button, select (all five kinds) and modal submit whose custom id carries the codec's
    namespace goes to :meth:`SessionManager.update`; every other interaction is left untouched for
    discord.py's views, dynamic items, app commands and other cogs.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot.
    manager: Optional[:class:`SessionManager`]
        A manager wired by hand; when omitted, one is built as :func:`configure` set up.
    """

    def __init__(self, bot: discord.Client, *, manager: SessionManager | None = None) -> None:
        self._manager = SessionManager(bot, **getattr(bot, _OPTIONS, {})) if manager is None else manager

    @property
    def manager(self) -> SessionManager:
        """:class:`SessionManager`: The manager this cog routes to."""
        return self._manager

    async def cog_load(self) -> None:
        """Open the manager: its expiry loop and its store of durable sessions."""
        await self._manager.open()

    async def cog_unload(self) -> None:
        """Close the manager: live sessions end with ``BOT_STOP`` (durable ones are stored)."""
        # Bot.close() and unload_extension() both come through here: every live session ends with BOT_STOP.
        await self._manager.close()

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Route a component or modal submit to its session (nyx's SessionUpdateSubscriber)."""
        if interaction.type not in _ROUTED_TYPES:
            return
        try:
            handled = await self._manager.update(interaction)
        except Exception:
            # The manager answers every failure itself; this is the last guard of the bot's listener.
            _log.exception("unexpected error while routing interaction %s", interaction.id)
            if unanswered(interaction):
                await send_notice(interaction, message("nyx_sessions.notice.error"))
            return
        if handled:
            # Lets other listeners tell that this interaction was a session's.
            interaction.extras["nyx_sessions_handled"] = True


def configure(
    bot: discord.Client,
    *,
    store: SessionStore | str | None = None,
    clock: Clock | None = None,
    observers: Iterable[SessionObserver] | None = None,
) -> None:
    """Choose how ``load_extension("nyx_sessions")`` builds the bot's :class:`SessionManager`.

    Call it before loading the extension; the choice stays on the bot, so reloading the extension
    keeps it. Each call replaces the previous choice::

        nyx_sessions.configure(bot, store="sqlite:///sessions.db")
        await bot.load_extension("nyx_sessions")

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot to configure.
    store: Optional[Union[:class:`~nyx_sessions.storage.SessionStore`, :class:`str`]]
        Where durable sessions live, or a URL naming it (``sqlite:///sessions.db``,
        ``sqlite:////abs/path.db``, ``memory://``). Each load of the extension opens it, each unload
        closes it.
    clock: Optional[:class:`~nyx_sessions.storage.Clock`]
        What expiry, automatic deferrals and token ages are measured on; the system clock by default.
        Tests pass a :class:`~nyx_sessions.storage.ManualClock` to move time by hand.
    observers: Optional[Iterable[:class:`~nyx_sessions.observers.SessionObserver`]]
        Told of every start, click, end and store call: metrics
        (:class:`~nyx_sessions.metrics.PrometheusObserver`), traces
        (:class:`~nyx_sessions.tracing.OpenTelemetryObserver`) or your own. None by default.

    Raises
    ------
    RuntimeError
        The extension is loaded already: configure first, or unload it, configure, and load it again.
    """
    get_cog = getattr(bot, "get_cog", None)
    if get_cog is not None and get_cog(SessionCog.__cog_name__) is not None:
        raise RuntimeError(
            "nyx_sessions is already loaded on this bot: call nyx_sessions.configure() before "
            'load_extension("nyx_sessions"), or unload the extension, configure, and load it again'
        )
    options: dict[str, Any] = {}
    if store is not None:
        options["store"] = store_from_url(store) if isinstance(store, str) else store
    if clock is not None:
        options["clock"] = clock
    if observers is not None:
        options["observers"] = tuple(observers)
    setattr(bot, _OPTIONS, options)
