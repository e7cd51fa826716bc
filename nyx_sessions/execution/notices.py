"""The ephemeral notices nyx_sessions answers with when a session cannot handle an interaction."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from nyx_sessions._utils import DISCORD_ERRORS
from nyx_sessions.execution.deferral import unanswered
from nyx_sessions.execution.disabling import disabled_view_of
from nyx_sessions.messages import MESSAGES, translate
from nyx_sessions.messages import message as text_of

if TYPE_CHECKING:
    from discord.app_commands import locale_str

    from nyx_sessions.state import SessionExecutionMeta

__all__ = (
    "CHILD_OPEN_NOTICE",
    "DENIED_NOTICE",
    "ERROR_NOTICE",
    "EXPIRED_NOTICE",
    "START_DENIED_NOTICE",
    "START_FAILED_NOTICE",
    "STORE_UNAVAILABLE_NOTICE",
    "default_denied_handler",
    "default_missing_handler",
    "send_notice",
)

_log = logging.getLogger(__name__)

DENIED_NOTICE = MESSAGES["nyx_sessions.notice.not_owner"]
"""Shown to a user whose interaction a session's filter or middleware turned down.

English text of ``nyx_sessions.notice.not_owner``; users see it in their locale, through the
bot's translator."""

ERROR_NOTICE = MESSAGES["nyx_sessions.notice.error"]
"""Shown when a session's handler (or a middleware) raised and nothing answered the user.

English text of ``nyx_sessions.notice.error``; users see it in their locale, through the
bot's translator."""

EXPIRED_NOTICE = MESSAGES["nyx_sessions.notice.expired"]
"""Shown when the session behind a component has ended, expired, or was lost in a restart.

English text of ``nyx_sessions.notice.expired``; users see it in their locale, through the
bot's translator."""

START_DENIED_NOTICE = MESSAGES["nyx_sessions.notice.start_denied"]
"""Shown to a user whose interaction would have started a session that a start filter refused.

English text of ``nyx_sessions.notice.start_denied``; users see it in their locale, through the
bot's translator."""

START_FAILED_NOTICE = MESSAGES["nyx_sessions.notice.start_failed"]
"""Shown when a session's ``on_start`` (or a start middleware) raised before answering.

English text of ``nyx_sessions.notice.start_failed``; users see it in their locale, through the
bot's translator."""

STORE_UNAVAILABLE_NOTICE = MESSAGES["nyx_sessions.notice.try_again"]
"""Shown when a durable session's store does not answer: nothing is lost, the next try may work.

English text of ``nyx_sessions.notice.try_again``; users see it in their locale, through the
bot's translator."""

CHILD_OPEN_NOTICE = MESSAGES["nyx_sessions.notice.child_running"]
"""Shown for a click on a session that waits for a child session it opened (``open_child``).

English text of ``nyx_sessions.notice.child_running``; users see it in their locale, through the
bot's translator."""


async def send_notice(
    interaction: discord.Interaction[Any], content: str | locale_str, /, **fields: Any
) -> None:
    """Answer ``interaction`` with an ephemeral message, whether or not it was answered already.

    A :class:`~discord.app_commands.locale_str` (the package's own notices, see
    :func:`~nyx_sessions.messages.message`, or one of yours) is shown in the clicking user's
    locale through the bot's translator. Failures to reach Discord (an expired interaction token,
    a deleted channel, a dropped connection) are logged, not raised: a notice is a courtesy and
    must never break the caller.

    Parameters
    ----------
    interaction: :class:`discord.Interaction`
        The interaction to answer.
    content: Union[:class:`str`, :class:`~discord.app_commands.locale_str`]
        The text of the notice: a plain :class:`str` is sent as it is.
    **fields:
        The values of a translated notice's ``{name}`` placeholders.
    """
    if not isinstance(content, str):
        content = await translate(interaction.client, content, interaction.locale, **fields)
    try:
        if not interaction.response.is_done():
            try:
                await interaction.response.send_message(content, ephemeral=True)
            except discord.InteractionResponded:
                # Another task answered between is_done() and send_message(); a followup still works.
                pass
            else:
                return
        await interaction.followup.send(content, ephemeral=True)
    except DISCORD_ERRORS as error:
        _log.warning("Could not send an ephemeral notice for interaction %s: %s", interaction.id, error)


async def default_denied_handler(
    session: Any, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
) -> None:
    """Tell a turned-down user why nothing happened.

    The notice is the ``denied_message`` of the session's update filter when it has one (a
    :class:`str`, or a :class:`~discord.app_commands.locale_str` to translate), else
    ``nyx_sessions.notice.not_owner`` in the user's locale.

    Parameters
    ----------
    session: :class:`~nyx_sessions.AbstractSession`
        The session the interaction was routed to.
    interaction: :class:`discord.Interaction`
        The interaction that was turned down.
    meta: :class:`~nyx_sessions.SessionExecutionMeta`
        The metadata of the update.
    """
    text = getattr(getattr(session, "update_filter", None), "denied_message", None)
    await send_notice(interaction, text or text_of("nyx_sessions.notice.not_owner"))


async def default_missing_handler(session_id: str, interaction: discord.Interaction[Any]) -> None:
    """Answer a click on a session that no longer exists.

    When the clicked message still has enabled components, they are disabled in place (link buttons
    stay usable) and the user also gets ``nyx_sessions.notice.expired`` ephemerally; otherwise only the notice
    is sent.

    Parameters
    ----------
    session_id: :class:`str`
        The id read from the custom id.
    interaction: :class:`discord.Interaction`
        The interaction that named it.

    Raises
    ------
    discord.HTTPException
        Editing the message failed.
    """
    message = interaction.message
    view = None if message is None else disabled_view_of(message)
    if view is not None and unanswered(interaction):
        await interaction.response.edit_message(view=view)
    await send_notice(interaction, text_of("nyx_sessions.notice.expired"))
