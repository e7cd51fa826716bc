"""A randomized storm of clicks, ends, expiries and a shutdown; then the invariants of API §3."""

from __future__ import annotations

import asyncio
import random

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

from nyx_sessions import SessionManager, SessionState
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import Injected, InteractionHarness

SESSIONS = 200
STEPS = 8000


async def test_a_storm_keeps_every_guarantee(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    rng = random.Random(20261125)
    manager.executor.update_error_handler.set_consumer(KeyError, lambda *args: None)  # "boom" is expected
    sessions: list[ProbeSession] = []
    messages = []
    for index in range(SESSIONS):
        sessions.append(await start_probe(user=index % 2, update_filter=None))
        messages.append(harness.last_message())
    resolved: list[int] = []
    waiters = [asyncio.ensure_future(session.wait()) for session in sessions]
    for waiter in waiters:
        waiter.add_done_callback(lambda _: resolved.append(1))
    ends: list[asyncio.Future[object]] = []
    clicks: list[Injected] = []

    for step in range(STEPS):
        roll = rng.random()
        index = rng.randrange(SESSIONS)
        if roll < 0.85:
            message = messages[index]
            if not all(disabled_states(harness.message_payload(message))):
                action = rng.choice(["inc"] * 40 + ["quiet"] * 5 + ["keep"] * 3 + ["boom", "end"])
                clicks.append(
                    await harness.click(
                        message, button_id(message, action), user=rng.randrange(2), settle=False
                    )
                )
        elif roll < 0.855:
            ends.append(asyncio.ensure_future(sessions[index].end("ended by the storm", "storm")))
        else:
            clock.advance(rng.uniform(0, TTL / 100))
        if rng.random() < 0.2:
            await asyncio.sleep(0)
        if step % 1500 == 1499:  # a long pause: sessions idle for a while expire
            clock.advance(TTL * 0.5)

    shutdown = asyncio.ensure_future(manager.close())
    clock.advance(TTL * 2)
    await shutdown
    await asyncio.gather(*ends)
    await harness.settle()

    assert all(session.state is SessionState.ENDED for session in sessions)
    assert all(len(session.ends) == 1 for session in sessions), "every on_end ran exactly once"
    assert len(resolved) == SESSIONS, "every wait() resolved once"
    assert all(waiter.result() is session.end_data for waiter, session in zip(waiters, sessions, strict=True))
    assert {harness.initial_responses(click) for click in clicks} == {1}, "one initial response each"
    assert not manager.sessions and len(manager.repository) == 0 and len(manager.promise_repository) == 0
    leftovers = [task for task in asyncio.all_tasks() if task.get_name().startswith("nyx-sessions:")]
    assert leftovers == []
    codes = {str(session.end_data.code) for session in sessions if session.end_data is not None}
    assert len(codes) >= 3, f"the storm should mix end kinds, got {codes}"
    assert len(clicks) > 2000, f"thousands of clicks were expected, got {len(clicks)}"
