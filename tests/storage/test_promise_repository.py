"""End promises: a caller waits on a session's future, and the end settles it once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from nyx_sessions.sessions.state import SessionEndCode, SessionEndData
from nyx_sessions.storage import SessionPromiseRepository


@dataclass
class FakeSession:
    id: str
    ttl: float | None = 180.0


DONE: SessionEndData[Any] = SessionEndData("done", "finished", result=42)


async def test_asking_twice_before_the_end_gives_the_same_future() -> None:
    promises = SessionPromiseRepository()
    session = FakeSession("paginator")

    first = promises.get_future(session)
    second = promises.get_future(session)

    assert first is second
    assert not first.done()
    assert len(promises) == 1


async def test_the_end_settles_the_future_once_and_nothing_is_kept() -> None:
    promises = SessionPromiseRepository()
    session = FakeSession("wizard")
    future = promises.get_future(session)

    assert promises.resolve(session, DONE) is True
    assert await future is DONE
    assert len(promises) == 0

    # A second end (say, an expiry racing the end) finds nothing to settle.
    assert promises.resolve(session, SessionEndData("late", SessionEndCode.EXPIRED)) is False
    assert promises.reject(session, RuntimeError("late")) is False
    assert await future is DONE


async def test_a_failed_end_rejects_the_waiter_and_is_forgotten() -> None:
    promises = SessionPromiseRepository()
    session = FakeSession("settings")
    future = promises.get_future(session)

    assert promises.reject(session, RuntimeError("the bot lost access")) is True

    with pytest.raises(RuntimeError, match="lost access"):
        await future
    assert len(promises) == 0


async def test_ending_a_session_nobody_waits_for_stores_nothing() -> None:
    promises = SessionPromiseRepository()
    session = FakeSession("lonely")

    assert promises.resolve(session, DONE) is False
    assert len(promises) == 0

    # Asked after the end, it is a fresh, pending future: the session keeps its own end data.
    later = promises.get_future(session)
    assert not later.done()
    assert promises.resolve(session, DONE) is True
    assert await later is DONE


async def test_thousands_of_ended_sessions_leave_nothing_behind() -> None:
    promises = SessionPromiseRepository()
    sessions = [FakeSession(f"s{i}") for i in range(5_000)]
    futures = [promises.get_future(session) for session in sessions]
    assert len(promises) == 5_000

    for session in sessions:
        promises.resolve(session, DONE)

    assert len(promises) == 0
    assert all(future.result() is DONE for future in futures)


async def test_bot_stop_settles_every_pending_future_at_once() -> None:
    promises = SessionPromiseRepository()
    futures = [promises.get_future(FakeSession(name)) for name in ("a", "b", "c")]
    promises.resolve(FakeSession("b"), DONE)
    stopping: SessionEndData[Any] = SessionEndData("the bot is stopping", SessionEndCode.BOT_STOP)

    assert promises.resolve_all(stopping) == 2

    assert [future.result() for future in futures] == [stopping, DONE, stopping]
    assert len(promises) == 0
    assert promises.resolve_all(stopping) == 0


async def test_a_waiter_that_gives_up_drops_its_future_and_the_next_one_is_fresh() -> None:
    promises = SessionPromiseRepository()
    session = FakeSession("impatient")
    abandoned = promises.get_future(session)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(abandoned, timeout=0.01)

    assert abandoned.cancelled()
    assert len(promises) == 0
    assert promises.resolve(session, DONE) is False

    fresh = promises.get_future(session)
    assert fresh is not abandoned
    assert promises.resolve(session, DONE) is True
    assert await fresh is DONE


async def test_a_future_cancelled_a_moment_ago_is_not_handed_out_again() -> None:
    promises = SessionPromiseRepository()
    session = FakeSession("racy")
    cancelled = promises.get_future(session)
    cancelled.cancel()

    # The cancellation has not been processed by the loop yet; it still must not be reused.
    assert promises.get_future(session) is not cancelled
    await asyncio.sleep(0)
    assert len(promises) == 1


def test_futures_belong_to_a_running_loop() -> None:
    with pytest.raises(RuntimeError):
        SessionPromiseRepository().get_future(FakeSession("no loop"))
