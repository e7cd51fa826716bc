"""EventBus: subscribers run in order, sync inline and async as named tasks; failures are only logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

from nyx_sessions.events import EventBus, SessionEvent


def test_events_are_named_as_bot_dispatch_names_them():
    assert [event.value for event in SessionEvent] == [
        "session_start",
        "session_update",
        "session_end",
        "session_expire",
    ]
    assert SessionEvent.END == "session_end"


async def test_sync_subscribers_run_inline_in_subscription_order():
    bus, seen = EventBus(), []
    bus.subscribe(SessionEvent.END, lambda session, data, meta: seen.append(("first", session, data)))
    bus.subscribe(SessionEvent.END, lambda session, data, meta: seen.append(("second", session, data)))

    bus.emit(SessionEvent.END, "s1", "data", "meta")

    assert seen == [("first", "s1", "data"), ("second", "s1", "data")]


async def test_async_subscribers_run_as_named_tasks_and_wait_idle_waits_for_them():
    bus, seen, names = EventBus(), [], []
    release = asyncio.Event()

    async def archive(session, data, meta):
        names.append(asyncio.current_task().get_name())
        await release.wait()
        seen.append(session)

    bus.subscribe(SessionEvent.END, archive)
    bus.emit(SessionEvent.END, "s1", "data", "meta")
    await asyncio.sleep(0)

    assert names == ["nyx-sessions:event:session_end"]
    assert seen == []
    assert bus.pending == 1

    release.set()
    await bus.wait_idle()

    assert seen == ["s1"]
    assert bus.pending == 0


async def test_wait_idle_also_waits_for_callbacks_emitted_meanwhile():
    bus, seen = EventBus(), []

    async def on_end(session, data, meta):
        await asyncio.sleep(0)
        bus.emit(SessionEvent.EXPIRE, session, data)

    async def on_expire(session, data):
        await asyncio.sleep(0)
        seen.append(("expired", session))

    bus.subscribe(SessionEvent.END, on_end)
    bus.subscribe(SessionEvent.EXPIRE, on_expire)
    bus.emit(SessionEvent.END, "s1", "data", "meta")
    await bus.wait_idle()

    assert seen == [("expired", "s1")]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_failing_subscriber_is_logged_and_the_others_still_run(caplog, is_async):
    bus, seen = EventBus(), []

    def broken(session, meta):
        raise RuntimeError("listener bug")

    async def broken_async(session, meta):
        broken(session, meta)

    bus.subscribe(SessionEvent.START, broken_async if is_async else broken)
    bus.subscribe(SessionEvent.START, lambda session, meta: seen.append(session))

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        bus.emit(SessionEvent.START, "s1", "meta")
        await bus.wait_idle()

    assert seen == ["s1"]
    assert "listener bug" in caplog.text
    assert all(record.name.partition(".")[0] == "nyx_sessions" for record in caplog.records), (
        "under the package logger"
    )


async def test_unsubscribe_stops_delivery():
    bus, seen = EventBus(), []

    def on_start(session, meta):
        seen.append(session)

    bus.subscribe(SessionEvent.START, on_start)
    bus.emit(SessionEvent.START, "s1", "meta")

    assert bus.unsubscribe(SessionEvent.START, on_start) is True
    assert bus.unsubscribe(SessionEvent.START, on_start) is False
    bus.emit(SessionEvent.START, "s2", "meta")

    assert seen == ["s1"]
    assert bus.subscribers(SessionEvent.START) == ()


async def test_a_bound_method_unsubscribes_with_a_fresh_reference():
    class Auditor:
        def __init__(self):
            self.seen = []

        def on_update(self, session, interaction, meta):
            self.seen.append(session)

    bus, auditor = EventBus(), Auditor()
    bus.subscribe(SessionEvent.UPDATE, auditor.on_update)

    assert bus.unsubscribe(SessionEvent.UPDATE, auditor.on_update) is True


def test_subscribing_the_same_callback_twice_to_one_event_is_refused():
    bus = EventBus()

    def on_end(*args):
        pass

    bus.subscribe(SessionEvent.END, on_end)
    bus.subscribe(SessionEvent.EXPIRE, on_end)

    with pytest.raises(ValueError, match="already subscribes"):
        bus.subscribe(SessionEvent.END, on_end)
    assert bus.subscribers(SessionEvent.END) == (on_end,)
    assert bus.subscribers("session_expire") == (on_end,)


def test_event_names_work_as_strings_and_unknown_names_are_refused():
    bus = EventBus()

    def on_end(*args):
        pass

    bus.subscribe("session_end", on_end)

    assert bus.subscribers(SessionEvent.END) == (on_end,)
    with pytest.raises(ValueError):
        bus.subscribe("session_ended", on_end)


async def test_a_subscriber_added_during_an_emit_waits_for_the_next_one():
    bus, seen = EventBus(), []

    def late(session, meta):
        seen.append(("late", session))

    def first(session, meta):
        seen.append(("first", session))
        bus.subscribe(SessionEvent.START, late)

    bus.subscribe(SessionEvent.START, first)
    bus.emit(SessionEvent.START, "s1", "meta")
    bus.emit(SessionEvent.START, "s2", "meta")

    assert seen == [("first", "s1"), ("first", "s2"), ("late", "s2")]


async def test_aclose_cancels_running_subscribers_and_drops_later_emits():
    bus, seen = EventBus(), []
    cancelled = asyncio.Event()

    async def slow(session, meta):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    bus.subscribe(SessionEvent.START, slow)
    bus.subscribe(SessionEvent.UPDATE, lambda *args: seen.append(args))
    bus.emit(SessionEvent.START, "s1", "meta")
    await asyncio.sleep(0)

    await bus.aclose()
    bus.emit(SessionEvent.UPDATE, "s1", "interaction", "meta")

    assert cancelled.is_set()
    assert bus.closed
    assert bus.pending == 0
    assert seen == []


def test_an_async_subscriber_without_a_running_loop_is_skipped_and_logged(caplog):
    bus = EventBus()

    async def on_start(session, meta):
        pass

    bus.subscribe(SessionEvent.START, on_start)

    with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
        bus.emit(SessionEvent.START, "s1", "meta")

    assert "needs a running event loop" in caplog.text
    assert bus.pending == 0
