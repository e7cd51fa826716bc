"""The example bot in French: a real ``app_commands.Translator`` for nyx_sessions and the commands.

nyx_sessions hands every string it shows a user to the bot's translator as a ``locale_str`` whose
``extras["key"]`` is a key of ``nyx_sessions.MESSAGES``; a translation keeps the ``{name}`` fields
of the English text, and the package fills them in. Returning ``None`` keeps the English text.
The same translator gives Discord the French names of the slash commands' descriptions when they
are synced (``python -m example_bot --sync``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("FRENCH", "FRENCH_COMMANDS", "ExampleTranslator")

# The catalogue is shown in the docs, whose code blocks are 80 characters wide.
# fmt: off
# --8<-- [start:catalogue]
FRENCH: Mapping[str, str] = {
    "nyx_sessions.notice.expired": (
        "Cette session a expiré. Relancez la commande pour en ouvrir une autre."
    ),
    "nyx_sessions.notice.not_owner": (
        "Ce n'est pas à vous. Lancez la commande vous-même pour avoir la vôtre."
    ),
    "nyx_sessions.notice.try_again": (
        "Impossible d'y accéder pour l'instant. Réessayez dans un moment."
    ),
    "nyx_sessions.notice.error": "Une erreur s'est produite. Réessayez.",
    "nyx_sessions.notice.start_denied": "Vous ne pouvez pas lancer ceci ici.",
    "nyx_sessions.notice.start_failed": (
        "Une erreur s'est produite au démarrage. Elle a été enregistrée."
    ),
    "nyx_sessions.notice.child_running": "Terminez d'abord l'étape en cours.",
    "nyx_sessions.notice.page_out_of_range": (
        "Entrez un numéro de page entier de 1 à {count}."
    ),
    "nyx_sessions.notice.page_out_of_range_unknown": (
        "Entrez un numéro de page entier, 1 ou plus."
    ),
    "nyx_sessions.notice.page_out_of_range_partial": (
        "Entrez un numéro de page entier de 1 à {count} : la fin de cette liste"
        " n'est pas encore connue, les pages suivantes s'ouvrent une fois que "
        "vous y êtes arrivé."
    ),
    "nyx_sessions.notice.single_page": "Il n'y a qu'une seule page.",
    "nyx_sessions.notice.jump_too_late": (
        "L'ouverture a pris trop de temps, le choix de page n'a pas pu "
        "s'afficher. Appuyez à nouveau."
    ),
    "nyx_sessions.notice.limit_reached": (
        "Vous avez déjà un {label} ouvert. Terminez-le d'abord."
    ),
    "nyx_sessions.notice.limit_reached_link": (
        "Vous avez déjà un {label} ouvert : {link}. Terminez-le d'abord."
    ),
    "nyx_sessions.notice.limit_reached_channel": (
        "Ce salon a déjà un {label} ouvert. Terminez-le d'abord."
    ),
    "nyx_sessions.notice.limit_reached_channel_link": (
        "Ce salon a déjà un {label} ouvert : {link}. Terminez-le d'abord."
    ),
    "nyx_sessions.notice.limit_reached_guild": (
        "Ce serveur a déjà un {label} ouvert. Terminez-le d'abord."
    ),
    "nyx_sessions.notice.limit_reached_guild_link": (
        "Ce serveur a déjà un {label} ouvert : {link}. Terminez-le d'abord."
    ),
    "nyx_sessions.nav.indicator": "{page}/{count}",
    "nyx_sessions.nav.indicator_unknown": "{page}/?",
    "nyx_sessions.nav.page_label": "Page {page} sur {count}",
    "nyx_sessions.nav.page_label_unknown": "Page {page}",
    "nyx_sessions.nav.select_option": "Page {page}",
    "nyx_sessions.nav.select_placeholder": "Aller à la page\u2026",
    "nyx_sessions.nav.jump_title": "Aller à la page",
    "nyx_sessions.nav.jump_label": "Numéro de page",
    "nyx_sessions.nav.jump_placeholder": "1\u2013{count}",
    "nyx_sessions.nav.jump_placeholder_unknown": "1 ou plus",
    "nyx_sessions.nav.empty_page": "Rien à afficher.",
    "nyx_sessions.form.fill_in": "Remplir",
    "nyx_sessions.form.continue": "Continuer",
    "nyx_sessions.form.fix": "Corriger",
    "nyx_sessions.form.step_done": "Étape {step} sur {steps} terminée.",
    "nyx_sessions.form.done": "Merci : vos réponses sont enregistrées.",
    "nyx_sessions.form.fix_intro": "À corriger :",
    "nyx_sessions.form.error_line": "\u2022 **{label}** {problem}",
    "nyx_sessions.form.modal_title": "{title} ({step}/{steps})",
    "nyx_sessions.form.required": "est obligatoire",
    "nyx_sessions.form.must_be_ticked": "doit être cochée",
    "nyx_sessions.form.too_short": "demande au moins {min} caractères",
    "nyx_sessions.form.too_long": "accepte au plus {max} caractères",
    "nyx_sessions.form.too_few_picks": "demande au moins {min} choix",
}
"""French for every key of ``nyx_sessions.MESSAGES``, same ``{name}`` fields."""
# --8<-- [end:catalogue]
# fmt: on

FRENCH_COMMANDS: Mapping[str, str] = {
    "moderations": "Les sanctions du serveur, page par page",
    "ticket-setup": "Créer une catégorie de tickets, étape par étape",
    "tickets": "Les catégories de tickets",
    "settings": "Les réglages du serveur",
    "report": "Signaler un membre",
    "status": "Les sessions ouvertes, en direct",
}
"""French descriptions of the slash commands, by command name."""


# --8<-- [start:translator]
class ExampleTranslator(app_commands.Translator):
    """French for nyx_sessions' notices and controls, and the commands'
    descriptions."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.french:
            return None  # English (or the text as written) everywhere else
        key: Any = string.extras.get("key")
        if key is not None:
            return FRENCH.get(key)
        where = app_commands.TranslationContextLocation
        if context.location is where.command_description:
            return FRENCH_COMMANDS.get(context.data.name)
        return None


# --8<-- [end:translator]
