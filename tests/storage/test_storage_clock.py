"""The clocks behind expiry: a hand-driven one for tests and the real one."""

from __future__ import annotations

import asyncio
import math

import pytest

from nyx_sessions.storage import ManualClock, SystemClock

START = 1_700_000_000.0


def test_a_new_manual_clock_stands_still_at_its_start() -> None:
    clock = ManualClock()

    assert clock.time() == START
    assert clock.time() == START
    assert ManualClock(start=5.0).time() == 5.0


def test_due_callbacks_run_in_deadline_order_and_ties_in_scheduling_order() -> None:
    clock = ManualClock()
    ran: list[tuple[str, float]] = []

    def note(name: str) -> None:
        ran.append((name, clock.time()))

    clock.call_at(START + 30, lambda: note("thirty"))
    clock.call_at(START + 10, lambda: note("ten, first"))
    clock.call_at(START + 20, lambda: note("twenty"))
    clock.call_at(START + 10, lambda: note("ten, second"))

    clock.advance(9.5)
    assert ran == []

    clock.advance(15)
    # Each callback sees the time it was due at, as if the loop woke exactly on time.
    assert ran == [("ten, first", START + 10), ("ten, second", START + 10), ("twenty", START + 20)]
    assert clock.time() == START + 24.5

    clock.advance(100)
    assert ran[-1] == ("thirty", START + 30)
    assert clock.pending == 0


def test_callbacks_scheduled_by_callbacks_run_when_they_fall_due() -> None:
    clock = ManualClock()
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        clock.call_at(clock.time() + 1, lambda: ran.append("one second later"))
        clock.call_at(clock.time() + 60, lambda: ran.append("a minute later"))

    clock.call_at(START + 5, first)
    clock.advance(10)

    assert ran == ["first", "one second later"]
    assert clock.pending == 1

    clock.advance(60)
    assert ran == ["first", "one second later", "a minute later"]


def test_a_cancelled_callback_never_runs() -> None:
    clock = ManualClock()
    ran: list[str] = []

    handle = clock.call_at(START + 1, lambda: ran.append("cancelled"))
    clock.call_at(START + 2, lambda: ran.append("kept"))
    handle.cancel()

    assert handle.cancelled
    assert clock.pending == 1
    clock.advance(5)
    assert ran == ["kept"]


def test_a_callback_scheduled_in_the_past_runs_on_the_next_advance() -> None:
    clock = ManualClock()
    ran: list[float] = []

    clock.call_at(START - 100, lambda: ran.append(clock.time()))
    assert ran == []

    clock.advance(0)
    assert ran == [START]


def test_set_time_can_step_the_clock_back_like_a_wall_clock() -> None:
    clock = ManualClock()
    ran: list[str] = []
    clock.call_at(START + 10, lambda: ran.append("due at +10"))

    clock.set_time(START - 3600)
    assert clock.time() == START - 3600
    assert ran == []

    clock.set_time(START + 10)
    assert ran == ["due at +10"]


@pytest.mark.parametrize("seconds", [-1.0, math.nan])
def test_advance_refuses_to_go_backwards_or_nowhere(seconds: float) -> None:
    clock = ManualClock()

    with pytest.raises(ValueError, match="advance"):
        clock.advance(seconds)
    assert clock.time() == START


def test_a_failing_callback_surfaces_and_leaves_later_ones_scheduled() -> None:
    clock = ManualClock()
    ran: list[str] = []

    def explode() -> None:
        raise RuntimeError("boom")

    clock.call_at(START + 1, explode)
    clock.call_at(START + 2, lambda: ran.append("later"))

    with pytest.raises(RuntimeError, match="boom"):
        clock.advance(5)
    assert clock.time() == START + 1
    assert clock.pending == 1

    clock.advance(4)
    assert ran == ["later"]


async def test_the_system_clock_runs_a_callback_on_the_running_loop() -> None:
    clock = SystemClock()
    fired = asyncio.Event()
    cancelled_fired: list[bool] = []

    clock.call_at(clock.time() + 0.01, fired.set)
    clock.call_at(clock.time() - 10, lambda: None)  # a past time is "as soon as possible", not an error
    clock.call_at(clock.time() + 0.01, lambda: cancelled_fired.append(True)).cancel()

    await asyncio.wait_for(fired.wait(), timeout=10)
    await asyncio.sleep(0.02)
    assert cancelled_fired == []


def test_the_system_clock_needs_a_running_loop_for_timers() -> None:
    with pytest.raises(RuntimeError):
        SystemClock().call_at(0.0, lambda: None)
