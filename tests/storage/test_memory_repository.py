"""The memory repository: live sessions, their deadlines, and what happens when time runs out."""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from nyx_sessions.storage import ManualClock, ManualTimerHandle, MemorySessionRepository
from nyx_sessions.storage import repository as repository_module

START = 1_700_000_000.0


@dataclass
class FakeSession:
    id: str
    ttl: Any = 60.0


class Expiries:
    """Records each expiration callback: which session, and when by the clock."""

    def __init__(self, repository: MemorySessionRepository[FakeSession], clock: ManualClock) -> None:
        self.repository = repository
        self.clock = clock
        self.calls: list[tuple[str, float]] = []
        self.still_stored: list[str] = []

    def __call__(self, session: FakeSession) -> None:
        if session.id in self.repository:
            self.still_stored.append(session.id)
        self.calls.append((session.id, self.clock.time()))

    @property
    def ids(self) -> list[str]:
        return [session_id for session_id, _ in self.calls]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=START)


@pytest.fixture
def repository(clock: ManualClock) -> MemorySessionRepository[FakeSession]:
    return MemorySessionRepository(clock=clock)


@pytest.fixture
def expiries(repository: MemorySessionRepository[FakeSession], clock: ManualClock) -> Expiries:
    recorder = Expiries(repository, clock)
    repository.set_expiration_callback(recorder)
    return recorder


async def test_sessions_expire_in_deadline_order_with_ties_in_save_order(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("slow", ttl=30))
    await repository.save(FakeSession("quick", ttl=10))
    await repository.save(FakeSession("middle", ttl=20))
    await repository.save(FakeSession("quick too", ttl=10))

    clock.advance(9.9)
    assert expiries.calls == []
    assert len(repository) == 4

    clock.advance(0.1)
    assert expiries.calls == [("quick", START + 10), ("quick too", START + 10)]

    clock.advance(100)
    assert expiries.ids == ["quick", "quick too", "middle", "slow"]
    assert expiries.calls[-1] == ("slow", START + 30)
    assert expiries.still_stored == []
    assert len(repository) == 0
    assert clock.pending == 0


async def test_a_refreshed_deadline_ties_in_the_order_it_was_set(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("refreshed", ttl=10))
    clock.advance(5)
    await repository.save(FakeSession("saved later", ttl=5))
    # Same deadline as "saved later", set after it: it expires after it.
    await repository.set_ttl("refreshed", 5)

    clock.advance(5)
    assert expiries.calls == [("saved later", START + 10), ("refreshed", START + 10)]


async def test_an_expired_session_is_gone_before_an_async_callback_sees_it(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock
) -> None:
    seen: list[FakeSession | None] = []
    finished = asyncio.Event()

    async def on_expired(session: FakeSession) -> None:
        seen.append(await repository.get(session.id))
        finished.set()

    repository.set_expiration_callback(on_expired)
    await repository.save(FakeSession("gone", ttl=5))

    clock.advance(5)
    await asyncio.wait_for(finished.wait(), timeout=10)

    assert seen == [None]
    assert "gone" not in repository


async def test_a_refresh_pushes_the_deadline_to_now_plus_the_full_ttl(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("paginator", ttl=100))
    clock.advance(80)

    assert await repository.set_ttl("paginator", 100) is True
    assert await repository.expires_at("paginator") == START + 180

    clock.advance(99)  # t = 179: past the old deadline, short of the new one
    assert expiries.calls == []

    clock.advance(1)
    assert expiries.calls == [("paginator", START + 180)]


async def test_a_shorter_refresh_brings_the_expiry_forward(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("wizard", ttl=600))

    await repository.set_ttl("wizard", 5)
    clock.advance(5)

    assert expiries.calls == [("wizard", START + 5)]


async def test_set_ttl_none_keeps_a_session_forever(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("pinned", ttl=10))
    await repository.save(FakeSession("pinned by infinity", ttl=10))

    assert await repository.set_ttl("pinned", None) is True
    assert await repository.set_ttl("pinned by infinity", math.inf) is True
    assert await repository.expires_at("pinned") is None
    assert await repository.expires_at("pinned by infinity") is None

    clock.advance(10 * 365 * 24 * 3600)
    assert expiries.calls == []
    assert {session.id for session in repository} == {"pinned", "pinned by infinity"}
    assert clock.pending == 0


async def test_sessions_saved_with_no_ttl_never_expire(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("settings panel", ttl=None))
    await repository.save(FakeSession("dashboard", ttl=math.inf))

    clock.advance(10 * 365 * 24 * 3600)

    assert expiries.calls == []
    assert len(repository) == 2


async def test_refreshing_an_unknown_session_creates_nothing(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    assert await repository.set_ttl("never saved", 30) is False

    assert len(repository) == 0
    assert await repository.expires_at("never saved") is None
    assert clock.pending == 0
    clock.advance(60)
    assert expiries.calls == []


async def test_deleting_a_session_never_fires_the_callback(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("ended by the user", ttl=10))

    assert await repository.delete("ended by the user") is True
    assert await repository.delete("ended by the user") is False
    assert await repository.get("ended by the user") is None

    clock.advance(60)
    assert expiries.calls == []
    assert clock.pending == 0


async def test_replacing_a_session_never_expires_the_old_one(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    old = FakeSession("same id", ttl=10)
    new = FakeSession("same id", ttl=50)
    await repository.save(old)
    await repository.save(new)

    clock.advance(20)
    assert expiries.calls == []
    assert await repository.get("same id") is new
    assert len(repository) == 1

    clock.advance(30)
    assert expiries.calls == [("same id", START + 50)]


@pytest.mark.parametrize("ttl", [0, 0.0, -5, -0.001, math.nan, -math.inf])
async def test_a_ttl_that_is_not_positive_is_refused(
    repository: MemorySessionRepository[FakeSession], ttl: float
) -> None:
    with pytest.raises(ValueError, match="'doomed'") as refused:
        await repository.save(FakeSession("doomed", ttl=ttl))

    assert repr(ttl) in str(refused.value)
    assert "doomed" not in repository


@pytest.mark.parametrize("ttl", [True, False, "60", [60], object()])
async def test_a_ttl_that_is_not_a_number_is_refused(
    repository: MemorySessionRepository[FakeSession], ttl: object
) -> None:
    with pytest.raises(TypeError, match="'odd'") as refused:
        await repository.save(FakeSession("odd", ttl=ttl))

    assert repr(ttl) in str(refused.value)
    assert len(repository) == 0


async def test_a_bad_refresh_is_refused_and_keeps_the_old_deadline(
    repository: MemorySessionRepository[FakeSession],
) -> None:
    await repository.save(FakeSession("steady", ttl=30))

    with pytest.raises(ValueError, match="'steady'"):
        await repository.set_ttl("steady", 0)
    with pytest.raises(TypeError, match="'steady'"):
        await repository.set_ttl("steady", True)

    assert await repository.expires_at("steady") == START + 30


async def test_expires_at_reports_epoch_seconds(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock
) -> None:
    clock.advance(12.5)
    await repository.save(FakeSession("timed", ttl=30))
    await repository.save(FakeSession("forever", ttl=None))

    assert await repository.expires_at("timed") == START + 42.5
    assert await repository.expires_at("forever") is None
    assert await repository.expires_at("unknown") is None


async def test_iteration_len_and_membership_show_the_live_sessions(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock
) -> None:
    first = FakeSession("first", ttl=100)
    second = FakeSession("second", ttl=5)
    third = FakeSession("third", ttl=None)
    for session in (first, second, third):
        await repository.save(session)

    assert list(repository) == [first, second, third]
    assert len(repository) == 3
    assert "second" in repository
    assert "fourth" not in repository

    clock.advance(5)
    assert list(repository) == [first, third]

    # Iteration is a snapshot: ending sessions while walking it is safe.
    for session in repository:
        await repository.delete(session.id)
    assert len(repository) == 0


async def test_one_sweep_expires_every_due_session_before_any_callback_runs(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock
) -> None:
    stored_when_called: list[list[str]] = []
    repository.set_expiration_callback(lambda session: stored_when_called.append([s.id for s in repository]))
    await repository.save(FakeSession("a", ttl=10))
    await repository.save(FakeSession("b", ttl=10))
    await repository.save(FakeSession("c", ttl=10))
    await repository.save(FakeSession("survivor", ttl=11))

    clock.advance(10)

    assert stored_when_called == [["survivor"], ["survivor"], ["survivor"]]


async def test_a_failing_callback_is_logged_and_the_others_still_run(
    repository: MemorySessionRepository[FakeSession],
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    called: list[str] = []

    def on_expired(session: FakeSession) -> None:
        called.append(session.id)
        if session.id == "cursed":
            raise RuntimeError("the message was deleted")

    repository.set_expiration_callback(on_expired)
    await repository.save(FakeSession("cursed", ttl=1))
    await repository.save(FakeSession("fine", ttl=1))

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        clock.advance(1)

    assert called == ["cursed", "fine"]
    [record] = caplog.records
    assert record.name.partition(".")[0] == "nyx_sessions", "under the package logger"
    assert "'cursed'" in record.getMessage()
    assert record.exc_info is not None
    assert "deleted" in str(record.exc_info[1])


async def test_an_async_callback_runs_as_a_named_task_that_stop_waits_for(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock
) -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    finished: list[str] = []

    async def on_expired(session: FakeSession) -> None:
        started.set()
        await release.wait()  # e.g. editing the message to disable its buttons
        finished.append(session.id)

    repository.set_expiration_callback(on_expired)
    await repository.save(FakeSession("slow goodbye", ttl=3))
    clock.advance(3)
    await asyncio.wait_for(started.wait(), timeout=10)

    names = {task.get_name() for task in asyncio.all_tasks()}
    assert "nyx-sessions:expire:slow goodbye" in names

    stopping = asyncio.create_task(repository.stop())
    await asyncio.sleep(0)
    assert not stopping.done()
    assert finished == []

    release.set()
    await asyncio.wait_for(stopping, timeout=10)
    assert finished == ["slow goodbye"]


async def test_a_failing_async_callback_is_logged(
    repository: MemorySessionRepository[FakeSession],
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_expired(session: FakeSession) -> None:
        raise RuntimeError(f"could not edit {session.id}")

    repository.set_expiration_callback(on_expired)
    await repository.save(FakeSession("broken", ttl=1))

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        clock.advance(1)
        await repository.stop()

    [record] = caplog.records
    assert "nyx-sessions:expire:broken" in record.getMessage()
    assert record.exc_info is not None
    assert "could not edit broken" in str(record.exc_info[1])


async def test_a_session_saved_before_start_still_expires(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("early bird", ttl=5))

    clock.advance(5)
    assert expiries.ids == ["early bird"]

    await repository.start()  # harmless on a running repository
    await repository.save(FakeSession("after start", ttl=5))
    clock.advance(5)
    assert expiries.ids == ["early bird", "after start"]


async def test_stop_pauses_expiry_and_start_catches_up_in_deadline_order(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await repository.save(FakeSession("b", ttl=20))
    await repository.save(FakeSession("a", ttl=10))

    await repository.stop()
    assert clock.pending == 0
    await repository.save(FakeSession("saved while stopped", ttl=15))
    assert clock.pending == 0

    clock.advance(60)
    assert expiries.calls == []
    assert len(repository) == 3

    await repository.start()
    clock.advance(0)
    assert expiries.ids == ["a", "saved while stopped", "b"]
    assert expiries.still_stored == []
    assert len(repository) == 0

    # Stopped and started again, it keeps working.
    await repository.stop()
    await repository.start()
    await repository.save(FakeSession("again", ttl=1))
    clock.advance(1)
    assert expiries.ids[-1] == "again"


async def test_a_hundred_thousand_sessions_each_expire_once_in_deadline_order(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    # The story of a busy bot: 100k sessions with spread TTLs, a third of them clicked once.
    rng = random.Random(20250211)
    deadlines: dict[str, float] = {}
    order_key: dict[str, tuple[float, int]] = {}
    scheduled = 0

    def expect(session_id: str, deadline: float) -> None:
        nonlocal scheduled
        scheduled += 1
        deadlines[session_id] = deadline
        order_key[session_id] = (deadline, scheduled)

    sessions = [FakeSession(f"s{i}", ttl=rng.randint(10, 3000) / 10) for i in range(100_000)]
    for session in sessions:
        await repository.save(session)
        expect(session.id, clock.time() + session.ttl)

    clock.advance(0.5)
    for session in sessions[::3]:
        await repository.set_ttl(session.id, session.ttl)
        expect(session.id, clock.time() + session.ttl)

    must_expire_in = sorted(deadlines, key=order_key.__getitem__)
    expired_so_far = 0
    while len(repository):
        calls_before = len(expiries.calls)
        clock.advance(7.3)
        due_now = expired_so_far
        while due_now < len(must_expire_in) and deadlines[must_expire_in[due_now]] <= clock.time():
            due_now += 1

        fired = expiries.calls[calls_before:]
        # Everything due by now, in deadline order, and nothing that is not due yet...
        assert [session_id for session_id, _ in fired] == must_expire_in[expired_so_far:due_now]
        # ...each at the moment its deadline came.
        assert all(fired_at == deadlines[session_id] for session_id, fired_at in fired)
        assert len(repository) == 100_000 - due_now
        expired_so_far = due_now
        assert clock.time() < START + 400, "sessions outlived every deadline"

    assert len(expiries.calls) == 100_000
    assert len(set(expiries.ids)) == 100_000
    assert expiries.still_stored == []
    assert len(repository._heap) == 0  # nothing stale left behind
    assert clock.pending == 0


async def _save_idle_sessions_and(
    repository: MemorySessionRepository[FakeSession], session: FakeSession
) -> None:
    """Ten sessions that stay idle for an hour, then ``session``: the one a test works on."""
    for i in range(10):
        await repository.save(FakeSession(f"idle {i}", ttl=3600))
    await repository.save(session)


async def test_clicks_push_nothing_onto_the_heap(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    """A refresh that moves a deadline later only writes it down: one heap item per session."""
    await _save_idle_sessions_and(repository, FakeSession("busy", ttl=60))

    largest_heap = 0
    for _ in range(200_000):
        clock.advance(0.001)  # 200 s in all: the busy session's item comes up and moves on, again and again
        await repository.set_ttl("busy", 60)
        largest_heap = max(largest_heap, len(repository._heap))

    assert largest_heap == 11
    assert expiries.calls == []
    last_refresh = clock.time()
    clock.advance(60)
    assert expiries.calls == [("busy", last_refresh + 60)]
    clock.advance(3600)
    assert len(expiries.calls) == 11 and len(repository) == 0


async def test_deadlines_moved_earlier_two_hundred_thousand_times_keep_memory_bounded(
    repository: MemorySessionRepository[FakeSession], clock: ManualClock, expiries: Expiries
) -> None:
    await _save_idle_sessions_and(repository, FakeSession("shrinking", ttl=60))

    largest_heap = 0
    for step in range(1, 200_001):
        # Each deadline comes earlier than the last: each needs its own heap item.
        await repository.set_ttl("shrinking", 60 - step * 1e-4)
        largest_heap = max(largest_heap, len(repository._heap))

    # Stale heap items are compacted once they outnumber the live ones (with a small floor).
    assert largest_heap <= 2 * len(repository) + 64 + 1
    assert clock.pending <= 2

    clock.advance(40)
    assert expiries.calls == [("shrinking", START + 40)]


async def test_a_real_clock_expires_a_session_without_help() -> None:
    repository: MemorySessionRepository[FakeSession] = MemorySessionRepository()
    expired = asyncio.Event()
    seen: list[str] = []

    def on_expired(session: FakeSession) -> None:
        seen.append(session.id)
        expired.set()

    repository.set_expiration_callback(on_expired)
    await repository.start()
    await repository.save(FakeSession("blink", ttl=0.05))

    await asyncio.wait_for(expired.wait(), timeout=10)
    await repository.stop()

    assert seen == ["blink"]
    assert len(repository) == 0


class _CountingHeapq:
    """Stands in for the repository module's ``heapq``, counting the items taken off the top."""

    def __init__(self) -> None:
        self.taken = 0

    def heappop(self, heap: list[Any]) -> Any:
        self.taken += 1
        return heapq.heappop(heap)

    def heapreplace(self, heap: list[Any], item: Any) -> Any:
        self.taken += 1
        return heapq.heapreplace(heap, item)

    heappush = staticmethod(heapq.heappush)
    heapify = staticmethod(heapq.heapify)


class _TakeCountingClock(ManualClock):
    """Records how many heap items each timer call took off the top."""

    __slots__ = ("counter", "taken_per_call")

    def __init__(self, counter: _CountingHeapq) -> None:
        super().__init__(start=START)
        self.counter = counter
        self.taken_per_call: list[int] = []

    def call_at(self, when: float, callback: Callable[[], None]) -> ManualTimerHandle:
        def run() -> None:
            before = self.counter.taken
            callback()
            self.taken_per_call.append(self.counter.taken - before)

        return super().call_at(when, run)


async def test_no_timer_call_takes_more_than_a_bounded_number_of_heap_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """100,000 sessions started, then each clicked once: their first deadlines lie on top, outdated.

    Handling them all in one timer call stalled the event loop for 280 ms at this size; each call
    now takes a bounded share, and the loop polls I/O in between.
    """
    counter = _CountingHeapq()
    monkeypatch.setattr(repository_module, "heapq", counter)
    clock = _TakeCountingClock(counter)
    repository: MemorySessionRepository[FakeSession] = MemorySessionRepository(clock=clock)
    expiries = Expiries(repository, clock)
    repository.set_expiration_callback(expiries)
    sessions = [FakeSession(f"s{i}", ttl=10) for i in range(100_000)]
    for session in sessions:
        await repository.save(session)
    clock.advance(1)
    for session in sessions:
        await repository.set_ttl(session.id, 10)

    clock.advance(9.5)  # past every first deadline, before every current one
    assert expiries.calls == []
    assert counter.taken >= 100_000  # each outdated item was moved to its session's new deadline
    assert len(clock.taken_per_call) >= 100_000 // (2 * 4096)

    clock.advance(1)
    assert expiries.ids == [session.id for session in sessions]
    assert all(fired_at == START + 11 for _, fired_at in expiries.calls)
    assert len(repository) == 0 and len(repository._heap) == 0
    # A call takes at most 4,096 items and re-arming at most 4,096 more.
    assert max(clock.taken_per_call) <= 2 * 4096
