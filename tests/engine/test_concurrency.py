"""Races, made deterministic with events and a manual clock (API §3 guarantees)."""

from __future__ import annotations

import asyncio
from typing import Any

from support_b import TTL, StartProbe, bot, button_id, clock, manager, start_probe

from nyx_sessions import SessionEndCode, SessionManager, SessionState
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness


async def spin(times: int = 20) -> None:
    """Let every ready task run a few steps."""
    for _ in range(times):
        await asyncio.sleep(0)


async def test_two_clicks_on_one_session_run_one_after_the_other(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe()
    message = harness.last_message()

    slow = await harness.click(message, button_id(message, "slow"), settle=False)
    await session.in_handler.wait()
    fast = await harness.click(message, button_id(message, "inc"), settle=False)
    await spin()
    assert session.calls == ["slow"], "the second click waits for the first handler"

    session.gate.set()
    await harness.settle()
    assert session.calls == ["slow", "inc"]
    assert harness.message_payload(message)["content"] == "count: 2"
    assert harness.initial_responses(slow) == harness.initial_responses(fast) == 1


async def test_a_click_during_a_slow_on_start_waits_for_it(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    gate = asyncio.Event()
    session = await start_probe(start_gate=gate, settle=False)
    while harness.last_message() is None or not harness.last_message().components:
        await asyncio.sleep(0)
    message = harness.last_message()
    assert session.state is SessionState.UNINITIALIZED, "on_start is still running"

    await harness.click(message, button_id(message, "inc"), settle=False)
    await spin()
    assert session.calls == []

    gate.set()
    await harness.settle()
    assert session.state is SessionState.RUNNING and session.calls == ["inc"]


async def test_expiry_during_a_slow_handler_waits_and_a_refresh_keeps_the_session(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    session = await start_probe()
    message = harness.last_message()
    await harness.click(message, button_id(message, "slow"), settle=False)
    await session.in_handler.wait()

    clock.advance(TTL + 1)
    await spin()
    assert session.state is SessionState.RUNNING and session.ends == [], "expiry never interrupts a handler"

    session.gate.set()  # the handler returns True: refresh
    await harness.settle()
    assert session.state is SessionState.RUNNING
    assert await manager.repository.expires_at(session.id) == clock.time() + TTL

    clock.advance(TTL + 1)
    await harness.settle()
    assert session.ends == [("the session expired", SessionEndCode.EXPIRED)]


async def test_expiry_during_a_slow_handler_that_asks_for_no_refresh_ends_after_it(
    start_probe: StartProbe, harness: InteractionHarness, clock: ManualClock
) -> None:
    session = await start_probe(slow_result=False)
    message = harness.last_message()
    await harness.click(message, button_id(message, "slow"), settle=False)
    await session.in_handler.wait()
    clock.advance(TTL + 1)

    session.gate.set()
    await harness.settle()
    assert session.ends == [("the session expired", SessionEndCode.EXPIRED)]
    assert harness.message_payload(message)["content"] == "count: 1", "the handler finished first"


async def test_end_racing_expiry_shutdown_and_another_end_ends_exactly_once(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    session = await start_probe()
    waiters = [asyncio.ensure_future(session.wait()) for _ in range(3)]
    clock.advance(TTL + 1)  # expiry is scheduled but has not run yet

    results = await asyncio.gather(session.end("first"), session.end("second"), manager.close())
    await harness.settle()

    assert len(session.ends) == 1
    first, second, _ = results
    assert first is second is session.end_data
    assert {(await waiter) for waiter in waiters} == {session.end_data}
    assert not manager.sessions and len(manager.repository) == 0 and len(manager.promise_repository) == 0


async def test_end_from_inside_a_handler_does_not_deadlock(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe()
    message = harness.last_message()
    clicked = await harness.click(message, button_id(message, "end"))
    assert (await session.wait()).reason == "the user pressed end"
    assert clicked.response is not None and clicked.response.content == "bye"


async def test_a_replayed_interaction_is_processed_once(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe()
    message = harness.last_message()
    clicked = await harness.click(message, button_id(message, "inc"))

    await harness.inject(clicked.payload)

    assert session.calls == ["inc"] and session.count == 1
    assert harness.initial_responses(clicked) == 1


async def test_end_on_an_ended_session_returns_its_data_and_does_nothing_else(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe()
    data = await session.end("done", "custom-code")
    assert data.code == "custom-code" and data.result == 0
    assert await session.end("again", SessionEndCode.BOT_STOP) is data
    assert await session.wait() is data
    assert len(session.ends) == 1


async def test_shutdown_is_bounded_when_an_end_subscriber_never_returns(
    bot, harness: InteractionHarness, clock: ManualClock
) -> None:
    from discord.ext import commands
    from support_b import ProbeSession

    from nyx_sessions import MemorySessionRepository, SessionCog, SessionEvent

    await bot.remove_cog("SessionCog")
    manager = SessionManager(bot, repository=MemorySessionRepository(clock=clock), shutdown_timeout=0.05)
    await bot.add_cog(SessionCog(bot, manager=manager))
    stuck = asyncio.Event()

    async def never_returns(*args: object) -> None:
        await stuck.wait()

    manager.bus.subscribe(SessionEvent.END, never_returns)
    started: list[ProbeSession] = []

    @bot.command(name="stuck")
    async def start(ctx: commands.Context[object]) -> None:
        started.append(ProbeSession(ctx.bot, ctx))
        await started[-1].start()

    await harness.message("!stuck")
    await asyncio.wait_for(manager.close(), timeout=5)  # would hang forever without the bound

    (session,) = started
    assert (await session.wait()).code is SessionEndCode.BOT_STOP
    assert manager.bus.pending == 0


async def test_shutdown_in_the_middle_of_an_update_still_answers_the_click(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    session = await start_probe()
    message = harness.last_message()
    clicked = await harness.click(message, button_id(message, "slow"), settle=False)
    await session.in_handler.wait()

    closing = asyncio.ensure_future(manager.close())
    await spin()
    assert (await session.wait()).code is SessionEndCode.BOT_STOP, "shutdown does not wait for the click"
    session.gate.set()  # the handler finishes after the end
    await closing
    await harness.settle()

    assert session.ends == [("the bot is stopping", SessionEndCode.BOT_STOP)]
    assert harness.initial_responses(clicked) == 1
    assert clicked.response is not None and clicked.response.content == "count: 1"


async def test_an_end_called_while_on_end_runs_waits_for_it_and_shares_its_data(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    session = await start_probe()
    in_on_end, release = asyncio.Event(), asyncio.Event()
    on_end = session.on_end

    async def slow_on_end(reason: str, code: Any, meta: Any) -> None:
        in_on_end.set()
        await release.wait()
        await on_end(reason, code, meta)

    session.on_end = slow_on_end  # type: ignore[method-assign]
    first = asyncio.ensure_future(session.end("first"))
    await in_on_end.wait()
    second = asyncio.ensure_future(session.end("second"))
    await spin()
    assert not second.done(), "the second end waits for the first to finish"

    release.set()
    assert await first is await second is session.end_data
    assert session.ends == [("first", SessionEndCode.SELF_ENDED)]
    assert not manager.sessions and len(manager.promise_repository) == 0
