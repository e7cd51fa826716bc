"""A session that was never started says so: wait() instead of hanging, respond() and edit() instead
of sending."""

from __future__ import annotations

import asyncio

import pytest
from support_b import ProbeSession, bot, clock

from nyx_sessions import IllegalSessionStateError
from nyx_sessions.testing import InteractionHarness

__all__ = ("bot", "clock")


async def test_waiting_on_a_session_never_started_says_so_instead_of_hanging(
    bot: object, harness: InteractionHarness
) -> None:
    never = ProbeSession(bot, harness.channel, owner=harness.members[0])  # type: ignore[arg-type]
    with pytest.raises(IllegalSessionStateError, match=r"was never started, so wait\(\) would never return"):
        await never.wait()

    scheduled = ProbeSession(bot, harness.channel, owner=harness.members[0])  # type: ignore[arg-type]
    starting = asyncio.create_task(scheduled.start())
    waiting = asyncio.create_task(scheduled.wait())  # a start scheduled just before counts
    assert await starting is True
    await scheduled.end("done")
    assert (await waiting).reason == "done"


async def test_answering_or_editing_a_session_never_started_says_so_and_sends_nothing(
    bot: object, harness: InteractionHarness
) -> None:
    never = ProbeSession(bot, harness.channel, owner=harness.members[0])  # type: ignore[arg-type]
    sent_before = len(harness.history())
    with pytest.raises(
        IllegalSessionStateError, match=r"ProbeSession\) was never started.*await session.start\(\)"
    ):
        await never.respond("hello")
    with pytest.raises(
        IllegalSessionStateError, match=r"was never started, so it has nothing to answer or edit"
    ):
        await never.edit(None, content="hello")
    assert len(harness.history()) == sent_before, "nothing reached Discord"
