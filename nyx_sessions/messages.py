"""The text nyx_sessions shows Discord users, by stable key, and its way through the bot's translator.

Every string the package itself shows a user (notices, navigation, the jump modal, the form's
buttons and error lines) has a key in :data:`MESSAGES`, with its English text. When it is shown, it
goes to ``bot.tree.translator`` (discord.py's :class:`~discord.app_commands.Translator`) as a
:class:`~discord.app_commands.locale_str` whose ``extras["key"]`` is the key; the English text is
used when the bot has no translator or the translator returns ``None``. Texts are templates:
``{name}`` fields are filled in after translation, so a translation keeps the same fields.

The translator is looked up each time a string is shown, so one set after the extension loaded
counts. Without one, showing a string costs a dictionary lookup: no await, no new object.
"""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from discord.app_commands import TranslationContext, TranslationContextLocation, locale_str

if TYPE_CHECKING:
    from collections.abc import Mapping

    import discord
    from discord.app_commands import Translator

__all__ = ("MESSAGES", "fill", "message", "translate", "translate_all", "translator_of")

_log = logging.getLogger(__name__)

_NOTICE = "nyx_sessions.notice."
_NAV = "nyx_sessions.nav."
_FORM = "nyx_sessions.form."

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        # Notices: ephemeral answers in the clicking user's locale (interaction.locale).
        f"{_NOTICE}expired": "This session has expired. Run the command again to start a new one.",
        f"{_NOTICE}not_owner": "This isn't yours to use. Run the command yourself to get your own.",
        f"{_NOTICE}try_again": "This can't be reached right now. Please try again in a moment.",
        f"{_NOTICE}error": "Something went wrong while handling that. Please try again.",
        f"{_NOTICE}start_denied": "You can't start this here.",
        f"{_NOTICE}start_failed": "Something went wrong while starting this. The error was logged.",
        f"{_NOTICE}child_running": "Finish the step in progress first.",
        f"{_NOTICE}page_out_of_range": "Enter a whole page number from 1 to {count}.",
        f"{_NOTICE}page_out_of_range_unknown": "Enter a whole page number, 1 or more.",
        f"{_NOTICE}page_out_of_range_partial": (
            "Enter a whole page number from 1 to {count}: the end of this list is not known yet, "
            "so later pages open once you have paged that far."
        ),
        f"{_NOTICE}single_page": "There is only one page.",
        f"{_NOTICE}jump_too_late": (
            "That took too long to open, so the page picker could not appear. Press it again."
        ),
        f"{_NOTICE}limit_reached": "You already have an open {label}. Finish it first.",
        f"{_NOTICE}limit_reached_link": "You already have an open {label}: {link}. Finish it first.",
        f"{_NOTICE}limit_reached_channel": "This channel already has an open {label}. Finish it first.",
        f"{_NOTICE}limit_reached_channel_link": (
            "This channel already has an open {label}: {link}. Finish it first."
        ),
        f"{_NOTICE}limit_reached_guild": "This server already has an open {label}. Finish it first.",
        f"{_NOTICE}limit_reached_guild_link": (
            "This server already has an open {label}: {link}. Finish it first."
        ),
        # Navigation: a session's own text, in session.locale.
        f"{_NAV}indicator": "{page}/{count}",
        f"{_NAV}indicator_unknown": "{page}/?",
        f"{_NAV}page_label": "Page {page}/{count}",
        f"{_NAV}page_label_unknown": "Page {page}",
        f"{_NAV}select_option": "Page {page}",
        f"{_NAV}select_placeholder": "Go to page\u2026",
        f"{_NAV}jump_title": "Go to page",
        f"{_NAV}jump_label": "Page number",
        f"{_NAV}jump_placeholder": "1\u2013{count}",
        f"{_NAV}jump_placeholder_unknown": "1 or more",
        f"{_NAV}empty_page": "Nothing to show.",
        # Forms: a session's own text, in session.locale.
        f"{_FORM}fill_in": "Fill in",
        f"{_FORM}continue": "Continue",
        f"{_FORM}fix": "Fix",
        f"{_FORM}step_done": "Step {step} of {steps} done.",
        f"{_FORM}done": "Thank you: your answers are in.",
        f"{_FORM}fix_intro": "Please fix:",
        f"{_FORM}error_line": "\u2022 **{label}** {problem}",
        f"{_FORM}modal_title": "{title} ({step}/{steps})",
        f"{_FORM}required": "is required",
        f"{_FORM}must_be_ticked": "must be ticked",
        f"{_FORM}too_short": "needs at least {min} characters",
        f"{_FORM}too_long": "takes at most {max} characters",
        f"{_FORM}too_few_picks": "needs at least {min} picks",
    }
)
"""Every key of a string nyx_sessions shows a Discord user, with its English text.

Keys start with ``nyx_sessions.notice.`` (ephemeral notices, in the clicking user's locale),
``nyx_sessions.nav.`` (a paginator's controls) or ``nyx_sessions.form.`` (a form's buttons and
error lines); the last two are in the session's :attr:`~nyx_sessions.AbstractSession.locale`.
Placeholders are ``{name}`` fields, filled in after translation.
"""

# One locale_str per key, made once: handing one to the translator builds nothing.
_STRINGS: Mapping[str, locale_str] = {key: locale_str(text, key=key) for key, text in MESSAGES.items()}


def message(key: str) -> locale_str:
    """The :class:`~discord.app_commands.locale_str` of ``key``: its English text, ``extras["key"]``.

    Raises
    ------
    KeyError
        ``key`` is not in :data:`MESSAGES`.
    """
    return _STRINGS[key]


def translator_of(client: discord.Client) -> Translator | None:
    """The translator of ``client``'s command tree, or ``None`` (no tree, or no translator set)."""
    tree = getattr(client, "tree", None)
    return None if tree is None else tree.translator


def fill(template: str, fields: Mapping[str, Any], english: str | None = None) -> str:
    """``template`` with its ``{name}`` fields filled from ``fields``.

    A translated template that does not fit (an unknown or malformed field) falls back to
    ``english``, filled the same way, and is logged: a broken translation never breaks a click.
    """
    if not fields:
        return template
    try:
        return template.format_map(fields)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        if english is None or english == template:
            raise
        _log.warning(
            "the translation %r does not fit its fields %s (%r): shown in English",
            template,
            sorted(fields),
            error,
        )
        return english.format_map(fields)


async def translate(
    client: discord.Client, string: str | locale_str, locale: discord.Locale, /, **fields: Any
) -> str:
    """Show ``string`` in ``locale``: through ``client``'s translator, its ``{name}`` fields filled.

    Parameters
    ----------
    client: :class:`discord.Client`
        The bot; its ``tree.translator`` (when set) translates.
    string: Union[:class:`str`, :class:`~discord.app_commands.locale_str`]
        A :class:`~discord.app_commands.locale_str` (see :func:`message`) is translated; a plain
        :class:`str` is shown as it is, fields unfilled (a user's own text).
    locale: :class:`discord.Locale`
        The language to show it in.
    **fields:
        The values of the placeholders. They are also the translation context's ``data``.

    Returns
    -------
    :class:`str`
        The translation, or the English text when there is no translator, it returns ``None``, or
        it raises (logged).
    """
    if not isinstance(string, locale_str):
        return string
    english = string.message
    translator = translator_of(client)
    if translator is None:
        return fill(english, fields)
    template = await _translated(translator, string, locale, fields)
    return fill(english if template is None else template, fields, english)


async def translate_all(
    client: discord.Client, keys: tuple[str, ...], locale: discord.Locale
) -> Mapping[str, str]:
    """The templates of ``keys`` in ``locale``, fields unfilled; :data:`MESSAGES` without a translator.

    For text a session builds many times from one template (a page select's options): translated
    once, then filled with :func:`fill`. The context's ``data`` is empty.
    """
    translator = translator_of(client)
    if translator is None:
        return MESSAGES
    templates = dict(MESSAGES)
    for key in keys:
        found = await _translated(translator, _STRINGS[key], locale, {})
        if found is not None:
            templates[key] = found
    return templates


async def _translated(
    translator: Translator, string: locale_str, locale: discord.Locale, fields: Mapping[str, Any]
) -> str | None:
    context: TranslationContext[Any, Any] = TranslationContext(TranslationContextLocation.other, dict(fields))
    try:
        return await translator.translate(string, locale, context)
    except Exception:
        # A notice is a courtesy and a control must still render: English rather than no answer.
        _log.exception(
            "the translator failed on %r for %s: shown in English", string.extras.get("key"), locale
        )
        return None
