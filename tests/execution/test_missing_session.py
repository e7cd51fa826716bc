"""A click on a session that no longer exists: its components get disabled and the user is told."""

from __future__ import annotations

import logging

import discord
import pytest
from discord_fakes import COMPONENTS_V2, button, expired_token_error, row, select

from nyx_sessions.execution import EXPIRED_NOTICE, SessionExecutor, disabled_view_of


def _enabled_flags(components: list[dict]) -> list[tuple[str, bool]]:
    """(label or custom id, disabled) of every button and select in a components payload."""
    found: list[tuple[str, bool]] = []
    for component in components:
        if component["type"] in (2, 3):
            found.append(
                (component.get("custom_id") or component.get("url"), component.get("disabled", False))
            )
        found.extend(_enabled_flags(component.get("components", [])))
        if "accessory" in component:
            found.extend(_enabled_flags([component["accessory"]]))
    return found


async def test_every_button_and_select_is_disabled_but_links_stay_usable(make_message):
    message = make_message(
        [
            row(button("SSN:prev"), button("SSN:next"), button(style=5, url="https://docs.example")),
            row(select("SSN:pick")),
        ]
    )

    view = disabled_view_of(message)

    assert isinstance(view, discord.ui.View)
    assert _enabled_flags(view.to_components()) == [
        ("SSN:prev", True),
        ("SSN:next", True),
        ("https://docs.example", False),
        ("SSN:pick", True),
    ]


async def test_the_copy_is_never_stored_by_discord_py(make_message):
    view = disabled_view_of(make_message([row(button("SSN:next"))]))

    assert view is not None
    assert view.is_finished()


async def test_a_components_v2_message_gives_a_disabled_layout_view(make_message):
    message = make_message(
        [
            {"type": 10, "content": "Page 1 of 3"},
            {
                "type": 17,
                "components": [
                    {
                        "type": 9,
                        "components": [{"type": 10, "content": "Settings"}],
                        "accessory": button("SSN:edit"),
                    },
                    row(button("SSN:next"), button(style=5, url="https://docs.example")),
                ],
            },
        ],
        flags=COMPONENTS_V2,
    )

    view = disabled_view_of(message)

    assert isinstance(view, discord.ui.LayoutView)
    assert view.is_finished()
    assert _enabled_flags(view.to_components()) == [
        ("SSN:edit", True),
        ("SSN:next", True),
        ("https://docs.example", False),
    ]


@pytest.mark.parametrize(
    "components",
    [
        pytest.param([], id="no components"),
        pytest.param([row(button(style=5, url="https://docs.example"))], id="only links"),
        pytest.param([row(button("SSN:next", disabled=True))], id="already disabled"),
    ],
)
async def test_nothing_to_disable_gives_none(make_message, components):
    assert disabled_view_of(make_message(components)) is None


async def test_a_click_on_an_expired_session_disables_the_message_and_tells_the_user(
    discord_api, make_interaction
):
    interaction = make_interaction(
        components=[row(button("SSN:next"), button(style=5, url="https://x.example"))]
    )

    await SessionExecutor().handle_missing("gone", interaction)

    edit, notice = discord_api.answers
    assert edit.kind == "response"
    assert edit.payload["type"] == discord.InteractionResponseType.message_update.value
    assert _enabled_flags(edit.components) == [("SSN:next", True), ("https://x.example", False)]
    assert (notice.kind, notice.content, notice.ephemeral) == ("followup", EXPIRED_NOTICE, True)


async def test_a_message_with_nothing_to_disable_only_gets_the_notice(discord_api, make_interaction):
    interaction = make_interaction(components=[row(button("SSN:next", disabled=True))])

    await SessionExecutor().handle_missing("gone", interaction)

    [notice] = discord_api.answers
    assert (notice.kind, notice.content, notice.ephemeral) == ("response", EXPIRED_NOTICE, True)


async def test_a_custom_missing_handler_replaces_the_default(discord_api, make_interaction):
    seen = []
    executor = SessionExecutor()
    executor.missing_handler = lambda session_id, interaction: seen.append(session_id)

    await executor.handle_missing("gone", make_interaction())

    assert seen == ["gone"]
    assert discord_api.answers == []


async def test_a_failing_missing_handler_is_logged_and_the_user_still_gets_a_notice(
    discord_api, make_interaction, caplog
):
    async def broken(session_id, interaction):
        raise RuntimeError("database down")

    executor = SessionExecutor(missing_handler=broken)

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        await executor.handle_missing("gone", make_interaction())

    assert "database down" in caplog.text
    [notice] = discord_api.answers
    assert (notice.content, notice.ephemeral) == (EXPIRED_NOTICE, True)


async def test_an_expired_token_does_not_crash_the_missing_handler(discord_api, make_interaction, caplog):
    discord_api.fail_with = expired_token_error()

    with caplog.at_level(logging.WARNING, logger="nyx_sessions"):
        await SessionExecutor().handle_missing("gone", make_interaction(components=[row(button("SSN:x"))]))

    assert discord_api.answers == []
    assert "Unknown interaction" in caplog.text
