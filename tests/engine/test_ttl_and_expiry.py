"""TTL refresh, expiry, and clicks on sessions that are gone (nyx §3.3, §4.4, §4.5)."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands
from support_b import (
    TTL,
    ProbeSession,
    StartProbe,
    bot,
    button_id,
    clock,
    disabled_states,
    manager,
    start_probe,
)

from nyx_sessions import SessionCustomIdCodec, SessionEndCode, SessionEvent, SessionManager, SessionState
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness
from nyx_sessions.testing.fake_discord import FakeDiscord

UPDATE_MESSAGE = 7


async def test_a_handler_returning_true_or_none_refreshes_the_full_ttl(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    session = await start_probe()
    message = harness.last_message()
    assert await manager.repository.expires_at(session.id) == clock.time() + TTL

    clock.advance(TTL - 10)
    await harness.click(message, button_id(message, "inc"))  # returns True
    assert await manager.repository.expires_at(session.id) == clock.time() + TTL

    clock.advance(TTL - 10)
    await harness.click(message, button_id(message, "quiet"))  # returns True without answering
    clock.advance(TTL - 10)
    await harness.settle()
    assert session.state is SessionState.RUNNING


async def test_returning_false_or_being_denied_does_not_refresh(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    session = await start_probe(user=0)
    message = harness.last_message()
    deadline = await manager.repository.expires_at(session.id)

    clock.advance(10)
    await harness.click(message, button_id(message, "keep"))  # returns False
    await harness.click(message, button_id(message, "inc"), user=1)  # a stranger: denied
    assert session.calls == ["keep"]
    assert await manager.repository.expires_at(session.id) == deadline


async def test_expiry_ends_the_session_fires_events_and_disables_the_message(
    bot: commands.Bot,
    start_probe: StartProbe,
    harness: InteractionHarness,
    manager: SessionManager,
    clock: ManualClock,
) -> None:
    bus_events: list[str] = []
    manager.bus.subscribe(SessionEvent.END, lambda *args: bus_events.append("end"))
    manager.bus.subscribe(SessionEvent.EXPIRE, lambda *args: bus_events.append("expire"))
    session = await start_probe()
    message = harness.last_message()
    await harness.click(message, button_id(message, "inc"))
    waiting = bot.wait_for("session_expire")

    clock.advance(TTL + 1)
    await harness.settle()

    ended = await session.wait()
    assert ended.code is SessionEndCode.EXPIRED and ended.result == 1
    assert session.ends == [("the session expired", SessionEndCode.EXPIRED)]
    assert bus_events == ["end", "expire"]
    expired_session, data = await waiting
    assert expired_session is session and data is ended
    assert not manager.sessions and len(manager.repository) == 0
    payload = harness.message_payload(message)
    assert payload["content"] == "count: 1", "content stays; only the components are disabled"
    assert disabled_states(payload) == [True] * 6


async def test_a_network_failure_while_disabling_an_expired_message_is_logged_and_ends_nothing_twice(
    bot: commands.Bot,
    start_probe: StartProbe,
    harness: InteractionHarness,
    manager: SessionManager,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The connection drops while the expired message is read back (not an HTTP error status)."""
    session = await start_probe()
    message = harness.last_message()
    await harness.click(message, button_id(message, "inc"))  # the click's token will be used
    answer = FakeDiscord.webhook_request

    async def dropped(fake: FakeDiscord, route: Any, *args: Any) -> Any:
        if route.method == "GET":
            raise aiohttp.ServerDisconnectedError()
        return await answer(fake, route, *args)

    monkeypatch.setattr(FakeDiscord, "webhook_request", dropped)
    expired: list[object] = []
    manager.bus.subscribe(SessionEvent.EXPIRE, lambda *args: expired.append(args))

    with caplog.at_level(logging.WARNING, logger="nyx_sessions"):
        clock.advance(TTL + 1)
        await harness.settle()

    assert (await session.wait()).code is SessionEndCode.EXPIRED
    assert session.ends == [("the session expired", SessionEndCode.EXPIRED)]
    assert len(expired) == 1
    [record] = [r for r in caplog.records if "could not disable" in r.getMessage()]
    assert session.id in record.getMessage() and record.exc_info is not None
    assert disabled_states(harness.message_payload(message)) == [False] * 6, "left as it was"


async def test_a_click_on_an_expired_session_is_answered_by_the_missing_handler(
    start_probe: StartProbe, harness: InteractionHarness, clock: ManualClock
) -> None:
    session = await start_probe(disable_on_expire=False)
    message = harness.last_message()
    clock.advance(TTL + 1)
    await harness.settle()
    assert session.state is SessionState.ENDED
    assert disabled_states(harness.message_payload(message)) == [False] * 6

    clicked = await harness.click(message, button_id(message, "inc"))

    assert clicked.response is not None and clicked.response.type == UPDATE_MESSAGE
    assert disabled_states(harness.message_payload(message)) == [True] * 6
    assert [reply.ephemeral for reply in clicked.followups] == [True]
    assert "expired" in (clicked.followups[0].content or "")
    assert session.calls == []


async def test_a_click_on_a_session_from_before_a_restart_is_answered(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    """The manager is empty (as after a restart) but the namespace still identifies our buttons."""
    codec = SessionCustomIdCodec()
    stale_id = codec.create_custom_id_builder(type("Old", (), {"id": "gone"})()).clone_push("inc").build()
    channel = harness.channel
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="+1", custom_id=stale_id))
    view.add_item(discord.ui.Button(label="docs", url="https://example.com"))
    view.stop()
    message = await channel.send("an old session", view=view)

    clicked = await harness.click(message, stale_id)

    assert clicked.response is not None and clicked.response.type == UPDATE_MESSAGE
    components = harness.message_payload(message)["components"][0]["components"]
    assert components[0]["disabled"] is True
    assert not components[1].get("disabled"), "link buttons keep working"
    assert clicked.followups and clicked.followups[0].ephemeral


async def test_ending_stops_the_ttl_and_a_later_click_finds_the_session_gone(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    session = await start_probe()
    message = harness.last_message()

    ended = await harness.click(message, button_id(message, "end"))

    assert ended.response is not None and ended.response.content == "bye"
    assert (await session.wait()).code is SessionEndCode.SELF_ENDED
    clock.advance(TTL * 10)
    await harness.settle()
    assert session.ends == [("the user pressed end", SessionEndCode.SELF_ENDED)], "ended once, never expired"


async def test_a_session_with_no_ttl_never_expires(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    session = await start_probe(ttl=None)
    clock.advance(10 * 365 * 24 * 3600)
    await harness.settle()
    assert session.state is SessionState.RUNNING
    assert await manager.repository.expires_at(session.id) is None


async def test_the_class_ttl_and_the_constructor_ttl(bot: commands.Bot, start_probe: StartProbe) -> None:
    class Quick(ProbeSession):
        ttl = 5

    assert Quick.ttl == 5 and ProbeSession.ttl == TTL
    session = await start_probe(ttl=12)
    assert session.ttl == 12


async def test_an_invalid_ttl_is_refused_with_a_clear_error(
    bot: commands.Bot, start_probe: StartProbe
) -> None:
    import pytest

    with pytest.raises(ValueError, match="ttl must be a positive number"):

        class Broken(ProbeSession):
            ttl = 0

    session = await start_probe()
    with pytest.raises(ValueError, match="-3"):
        ProbeSession(bot, session.start_context, ttl=-3)


async def test_a_malformed_id_in_our_namespace_is_answered_not_dropped(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    """Tampered or truncated ids still get an answer: Discord never shows "This interaction failed"."""
    codec = SessionCustomIdCodec()
    namespace = codec.namespace + codec.metadata_separator
    malformed = [
        namespace + codec.separator,  # no session id
        namespace + "abc" + codec.separator + "x" + codec.metadata_separator + "y",  # a token holding M
    ]
    for custom_id in malformed:
        message = await harness.channel.send("a tampered button", view=_one_button(custom_id))

        clicked = await harness.click(message, custom_id)
        assert harness.initial_responses(clicked) == 1
        assert clicked.followups and clicked.followups[0].ephemeral

    # Longer than Discord allows (from another tool): Discord refuses the message itself, so no
    # click on such a button can ever arrive.
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send("a tampered button", view=_one_button(namespace + "x" * 150))
    assert (refused.value.status, refused.value.code) == (400, 50035)


def _one_button(custom_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="tampered", custom_id=custom_id))
    view.stop()
    return view
