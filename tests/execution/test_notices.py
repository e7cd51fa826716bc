"""Ephemeral notices reach the user whether or not the interaction was answered, and never crash."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from discord_fakes import expired_token_error

from nyx_sessions.execution import DENIED_NOTICE, OwnerOnly, default_denied_handler, send_notice
from nyx_sessions.sessions.state import SessionExecutionMeta


async def test_an_unanswered_interaction_gets_an_ephemeral_response(discord_api, make_interaction):
    interaction = make_interaction()

    await send_notice(interaction, "Not now.")

    [answer] = discord_api.answers
    assert (answer.kind, answer.content, answer.ephemeral) == ("response", "Not now.", True)
    assert interaction.response.is_done()


async def test_an_answered_interaction_gets_an_ephemeral_followup(discord_api, make_interaction):
    interaction = make_interaction()
    await interaction.response.defer()

    await send_notice(interaction, "Not now.")

    assert [a.kind for a in discord_api.answers] == ["response", "followup"]
    assert discord_api.answers[1].content == "Not now."
    assert discord_api.answers[1].ephemeral


async def test_an_expired_token_is_logged_not_raised(discord_api, make_interaction, caplog):
    discord_api.fail_with = expired_token_error()
    interaction = make_interaction()

    with caplog.at_level(logging.WARNING, logger="nyx_sessions"):
        await send_notice(interaction, "Not now.")

    assert "Could not send an ephemeral notice" in caplog.text
    assert discord_api.answers == []


@pytest.mark.parametrize(
    ("update_filter", "expected"),
    [
        (None, DENIED_NOTICE),
        (OwnerOnly(), DENIED_NOTICE),
        (
            OwnerOnly(denied_message="Ask the moderator who opened this."),
            "Ask the moderator who opened this.",
        ),
    ],
)
async def test_a_denied_user_reads_the_filters_message_or_the_default(
    discord_api, make_interaction, update_filter, expected
):
    session = SimpleNamespace(id="s1", update_filter=update_filter)

    await default_denied_handler(session, make_interaction(), SessionExecutionMeta("s1"))

    [answer] = discord_api.answers
    assert (answer.content, answer.ephemeral) == (expected, True)
