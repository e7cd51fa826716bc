"""The example bot in French: its real app_commands.Translator, end to end through the testing kit."""

from __future__ import annotations

from string import Formatter
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from example_helpers import custom_id, texts

from example_bot.translator import FRENCH, FRENCH_COMMANDS, ExampleTranslator
from nyx_sessions import MESSAGES, get_session_manager

if TYPE_CHECKING:
    from example_bot.bot import ExampleBot
    from nyx_sessions.testing import InteractionHarness


def fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_key_has_french_with_the_same_fields() -> None:
    assert set(FRENCH) == set(MESSAGES)
    for key, english in MESSAGES.items():
        assert fields_of(FRENCH[key]) == fields_of(english), key


async def test_a_french_member_sees_the_list_and_its_notices_in_french(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    assert isinstance(bot.tree.translator, ExampleTranslator), "set in setup_hook"
    started = await harness.slash("moderations", locale="fr")
    assert texts(harness, started)[-1] == "-# Page 1 sur 5 · 22 moderations"
    jump = await harness.click(started, custom_id(harness, started, "1/5"), locale="fr")
    assert jump.modal is not None and jump.modal["title"] == "Aller à la page"
    too_far = await harness.submit_modal(jump, {"page": "42"})
    assert too_far.ephemeral_texts == ["Entrez un numéro de page entier de 1 à 5."]

    refused = await harness.click(started, custom_id(harness, started, "▶"), user=1, locale="fr")
    assert refused.ephemeral_texts == [
        "Ce n'est pas à vous. Lancez la commande vous-même pour avoir la vôtre."
    ]
    english = await harness.click(started, custom_id(harness, started, "▶"), user=2)
    assert english.ephemeral_texts == ["This isn't yours to use. Run the command yourself to get your own."]


async def test_a_prefix_command_in_a_french_server_speaks_french(
    bot: ExampleBot, harness: InteractionHarness
) -> None:
    harness.guild.preferred_locale = discord.Locale.french
    await harness.message("!moderations")
    (session,) = get_session_manager(bot).sessions.values()
    assert session.locale is discord.Locale.french, "no user locale: the guild's"
    message = harness.last_message()
    assert message is not None and texts(harness, message)[-1] == "-# Page 1 sur 5 · 22 moderations"


async def test_the_slash_commands_descriptions_are_translated_for_discord(bot: ExampleBot) -> None:
    translator = bot.tree.translator
    assert translator is not None
    for name, french in FRENCH_COMMANDS.items():
        command = bot.tree.get_command(name)
        assert isinstance(command, app_commands.Command), name
        context = app_commands.TranslationContext(
            app_commands.TranslationContextLocation.command_description, command
        )
        string = app_commands.locale_str(command.description)
        assert await translator.translate(string, discord.Locale.french, context) == french
        assert await translator.translate(string, discord.Locale.german, context) is None
