"""Durable parents and children: the store keeps the pair, either comes back alone, each ends once.

A durable case list opens a durable case review as its child (``tests/durable/durable_sessions.py``).
Each story runs once on SQLite and once on a real Redis server, with a manual clock shared by the
bot and the fake Discord; the stories across processes are in ``test_redis_processes.py``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import durable_records as ext
import pytest
from discord.ext import commands

from nyx_sessions import SessionEndCode, get_session_manager
from nyx_sessions.execution import CHILD_OPEN_NOTICE
from nyx_sessions.storage import ManualClock, SessionStore
from nyx_sessions.testing import InteractionHarness, RedisServer

END_CLAIM = 0.5
"""Seconds a Redis claim on an end lasts here: how long a process that died mid-end holds it."""


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def redis_store_options() -> dict[str, Any]:
    return {"end_claim": END_CLAIM}


def text(harness: InteractionHarness, message: Any) -> str:
    return str(harness.message_payload(message)["content"])


def labels(harness: InteractionHarness, message: Any) -> list[str]:
    rows = harness.message_payload(message)["components"]
    return [str(c.get("label")) for row in rows for c in row["components"]]


def ids_of(bot: commands.Bot, message: Any, harness: InteractionHarness) -> set[str]:
    codec = get_session_manager(bot).codec
    rows = harness.message_payload(message)["components"]
    return {str(codec.deserialize_to_object_id(c["custom_id"])) for row in rows for c in row["components"]}


async def opened(harness: InteractionHarness, bot: commands.Bot) -> tuple[Any, str, str, dict[str, Any]]:
    """/cases, then Open: the message, the list's id, the case's id, and the list's message before."""
    started = await harness.slash("cases")
    (parent_id,) = ids_of(bot, started, harness)
    before = dict(harness.message_payload(started))
    await harness.click(started, label="Open")
    assert text(harness, started) == "reviewing warn #1" and labels(harness, started) == ["Approve", "Reject"]
    (child_id,) = ids_of(bot, started, harness)
    return started, parent_id, child_id, before


async def test_a_restored_child_returns_its_decision_to_its_restored_parent(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    started, parent_id, child_id, _ = await opened(harness, bot)
    await harness.restart()

    decided = await harness.click(started, label="Approve")
    assert decided.response is not None and decided.response.type == 7, "the click answered by the parent"
    assert text(harness, started).endswith("last: warn #1 approved"), "the list rendered with the result"
    assert list(ext.ENDS) == [(child_id, SessionEndCode.SELF_ENDED)], "the child ended once; the list runs on"
    parent = await session_store.load(parent_id)
    assert parent is not None and parent.child is None and parent.deadline is not None, "waits no more"
    assert await session_store.load(child_id) is None

    await harness.click(started, label="Open")  # the list takes clicks again: a second child
    assert text(harness, started) == "reviewing warn #1"


async def click_stale(harness: InteractionHarness, before: dict[str, Any], label: str) -> Any:
    """Press a button of the list's message as it was before the child took it over (an old client)."""
    (button,) = [c for row in before["components"] for c in row["components"] if c.get("label") == label]
    data = {"custom_id": button["custom_id"], "component_type": 2}
    return await harness.inject(harness.build_payload(3, data, message=int(before["id"])))


async def test_the_parent_waits_in_the_store_without_a_deadline_and_refuses_clicks(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    started, parent_id, child_id, before = await opened(harness, bot)
    parent, child = await session_store.load(parent_id), await session_store.load(child_id)
    assert parent is not None and (parent.child, parent.deadline) == (child_id, None)
    assert child is not None and child.parent == parent_id and child.deadline is not None
    await harness.restart(downtime=200)  # under the child's TTL (300 s)

    refused = await click_stale(harness, before, "Open")
    assert refused.ephemeral_texts == [CHILD_OPEN_NOTICE], "the restored parent takes no clicks"
    assert text(harness, started) == "reviewing warn #1" and ext.ENDS == []


async def test_a_parent_whose_handler_raised_after_opening_its_child_still_waits_for_it(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    """A failed handler commits nothing of its own, but the child it opened runs: the stored parent
    waits for it, and gets its decision after a restart."""
    started = await harness.slash("cases")
    (parent_id,) = ids_of(bot, started, harness)
    with harness.expect_errors(RuntimeError):
        await harness.click(started, label="Open, then fail")
    (child_id,) = ids_of(bot, started, harness)
    parent = await session_store.load(parent_id)
    assert parent is not None and (parent.child, parent.deadline) == (child_id, None)

    await harness.restart()
    await harness.click(started, label="Approve")
    assert text(harness, started).endswith("last: warn #1 approved")


async def test_a_child_that_expires_after_a_restart_hands_its_parent_back(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore, session_clock: ManualClock
) -> None:
    started, parent_id, child_id, _ = await opened(harness, bot)
    await harness.restart(downtime=301)  # the child's TTL ran out while no bot ran; the list waited

    assert list(ext.ENDS) == [(child_id, SessionEndCode.EXPIRED)]
    assert "Open" in labels(harness, started), "the list shows its page again"
    parent = await session_store.load(parent_id)
    assert parent is not None and parent.child is None and parent.deadline is not None
    session_clock.advance(601)  # and the list expires in its turn, a full TTL later, once
    await harness.settle()
    assert list(ext.ENDS) == [(child_id, SessionEndCode.EXPIRED), (parent_id, SessionEndCode.EXPIRED)]


async def test_ending_a_restored_parent_ends_its_child_first(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore
) -> None:
    _, parent_id, child_id, before = await opened(harness, bot)
    await harness.restart()
    await click_stale(harness, before, "Open")  # brings the parent back into this process, not the child
    manager = get_session_manager(bot)
    parent = manager.get(parent_id)
    assert parent is not None and manager.get(child_id) is None

    await parent.end("closed by a moderator")
    assert list(ext.ENDS) == [(child_id, SessionEndCode.SELF_ENDED), (parent_id, SessionEndCode.SELF_ENDED)]
    assert await session_store.load(parent_id) is None and await session_store.load(child_id) is None


async def test_a_parent_whose_childs_end_a_crash_cut_off_expires_instead_of_waiting_for_ever(
    harness: InteractionHarness, bot: commands.Bot, session_store: SessionStore, session_clock: ManualClock
) -> None:
    """The process ending the child died after claiming the end and before the parent heard of it."""
    _, parent_id, child_id, _ = await opened(harness, bot)
    assert await session_store.claim_end(child_id) is not None  # the claim the dead process made
    await harness.restart()  # SQLite finishes such ends at open; Redis once their claim runs out
    await asyncio.sleep(END_CLAIM + 0.2)
    for _ in range(2):  # Redis: one look of the sweep finishes the child's end, the next one ends the parent
        session_clock.advance(1)
        await harness.settle()

    assert list(ext.ENDS) == [(parent_id, SessionEndCode.EXPIRED)], (
        "the parent ended once; the child's on_end never"
    )
    assert await session_store.load(parent_id) is None and await session_store.load(child_id) is None


@pytest.mark.parametrize("session_store", ["redis"], indirect=True)
async def test_redis_frozen_as_the_child_ends_leaves_its_parent_to_expire_once(
    harness: InteractionHarness,
    bot: commands.Bot,
    session_clock: ManualClock,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGSTOP between the child's on_end and its parent's write: the store cannot record that the
    parent waits no more, so the child's end stays claimed; after SIGCONT the write Redis runs late
    changes nothing (it was given up), the claim runs out, and the parent expires, once."""
    started, parent_id, child_id, _ = await opened(harness, bot)
    review = sys.modules["durable_sessions"].CaseReview
    on_end = review.on_end

    async def freezes_redis(self: Any, *args: Any) -> None:
        await on_end(self, *args)
        redis_server.pause()

    monkeypatch.setattr(review, "on_end", freezes_redis)
    try:
        decided = await harness.click(started, label="Approve")
    finally:
        redis_server.resume()
    assert decided.response is not None, "the click was answered (deferred) in time"
    # The list was at hand here (this process serves it): it showed the decision, but the store
    # could not record that it waits no more.
    assert text(harness, started).endswith("last: warn #1 approved")

    await asyncio.sleep(END_CLAIM + 0.3)
    for _ in range(2):
        session_clock.advance(1)
        await harness.settle()
    assert list(ext.ENDS) == [(child_id, SessionEndCode.SELF_ENDED), (parent_id, SessionEndCode.EXPIRED)]
