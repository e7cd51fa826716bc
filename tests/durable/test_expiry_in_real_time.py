"""Durable sessions expire on the real clock too: deadlines a moment apart all end, none is left waiting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from discord.ext import commands

from nyx_sessions import SessionEndCode, SessionEvent, get_session_manager
from nyx_sessions.storage import MemorySessionStore
from nyx_sessions.testing import InteractionHarness


@pytest.fixture
def session_store() -> MemorySessionStore:
    return MemorySessionStore()


@pytest.fixture
def bot_extensions() -> list[str]:
    return ["nyx_sessions", "property_sessions"]


async def test_sessions_whose_deadlines_follow_each_other_all_expire(
    bot: commands.Bot, harness: InteractionHarness, session_store: MemorySessionStore
) -> None:
    import property_sessions

    declared = property_sessions.PropertySession.__dict__["ttl"]
    property_sessions.PropertySession.ttl = 0.3  # type: ignore[assignment]
    try:
        expired: list[Any] = []
        get_session_manager(bot).bus.subscribe(
            SessionEvent.EXPIRE, lambda session, data: expired.append(data.code)
        )
        for index in range(12):
            await harness.slash("prop", {"session_id": f"real{index:02d}", "life": str(index)})
            await asyncio.sleep(0.01)  # deadlines a moment apart, as real starts are
        await harness.wait_until(lambda: len(expired) == 12, timeout=5, what="every session expired")
        assert expired == [SessionEndCode.EXPIRED] * 12 and len(session_store) == 0
    finally:
        property_sessions.PropertySession.ttl = declared
