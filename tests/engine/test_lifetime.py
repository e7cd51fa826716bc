"""max_lifetime: a hard end counted from the start, which clicks do not move (API.md §13)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from support_b import TTL, ProbeSession, StartProbe, bot, button_id, clock, manager, start_probe

from nyx_sessions import SessionEndCode, SessionManager, SessionState
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness

__all__ = ("bot", "clock", "manager", "start_probe")


async def test_clicks_refresh_the_ttl_but_never_past_the_lifetime(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    started_at = clock.time()
    session = await start_probe(max_lifetime=100)
    message = harness.last_message()
    assert session.max_lifetime == 100 and session.ends_by == started_at + 100
    assert await manager.repository.expires_at(session.id) == started_at + TTL, "the TTL comes first"

    clock.advance(50)
    await harness.click(message, button_id(message, "inc"))
    assert await manager.repository.expires_at(session.id) == started_at + 100, "cut at the hard end"

    clock.advance(49)
    await harness.click(message, button_id(message, "inc"))
    assert session.state is SessionState.RUNNING
    clock.advance(1)
    await harness.settle()
    ended = await session.wait()
    assert ended.code is SessionEndCode.EXPIRED and session.count == 2


async def test_a_session_that_never_idles_out_still_ends_at_its_lifetime(
    start_probe: StartProbe, harness: InteractionHarness, clock: ManualClock
) -> None:
    session = await start_probe(ttl=None, max_lifetime=30)
    clock.advance(29)
    await harness.settle()
    assert session.state is SessionState.RUNNING
    clock.advance(1)
    await harness.settle()
    assert (await session.wait()).code is SessionEndCode.EXPIRED


class Brief(ProbeSession):
    max_lifetime: ClassVar[float | None] = 20  # type: ignore[misc]


async def test_the_class_attribute_is_the_default_and_the_constructor_overrides_it(
    bot: object, harness: InteractionHarness
) -> None:
    assert Brief.max_lifetime == 20 and ProbeSession.max_lifetime is None
    with pytest.raises(ValueError, match=r"max_lifetime must be a positive number of seconds or None"):

        class Broken(ProbeSession):
            max_lifetime = -5

    with pytest.raises(ValueError, match=r"max_lifetime must be a positive number"):
        ProbeSession(bot, harness.channel, owner=harness.members[0], max_lifetime=0)  # type: ignore[arg-type]
