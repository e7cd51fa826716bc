"""A property: any sequence of start / click / restart / expire / end over a few durable sessions
ends each session exactly once, and leaves the store empty once every session is over.

Hypothesis drives a real bot through the testing kit (a MemorySessionStore shared across restarts,
a manual clock shared with the fake Discord), and checks the ends after every step.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from typing import Any

import durable_records
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from property_sessions import TTL

from nyx_sessions import SessionEndCode
from nyx_sessions.storage import ManualClock, MemorySessionStore
from nyx_sessions.testing import Injected, InteractionHarness, close_test_bot, create_test_bot

IDS = ("alpha", "bravo", "charl")
_lives = itertools.count()


class DurableLifecycles(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = ManualClock()
        self.store = MemorySessionStore()
        self.live: dict[str, str] = {}  # session id -> its current life
        self.ended: list[str] = []  # lives that ended, in the model
        self.messages: dict[str, Injected] = {}
        durable_records.ENDS.clear()
        self.bot, self.harness = self.run(self._boot())

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def advance(self, seconds: float) -> None:
        """Move the clock inside the loop (its timers start tasks) and let what came due run."""

        async def advance() -> None:
            self.clock.advance(seconds)
            await self.harness.settle()

        self.run(advance())
        self._forget_expired()

    async def _boot(self) -> tuple[Any, InteractionHarness]:
        bot = await create_test_bot(
            extensions=("nyx_sessions", "property_sessions"), clock=self.clock, store=self.store
        )
        return bot, InteractionHarness(bot, clock=self.clock).install()

    @rule(session_id=st.sampled_from(IDS))
    def start(self, session_id: str) -> None:
        if session_id in self.live:
            return
        life = f"{session_id}#{next(_lives)}"
        self.messages[session_id] = self.run(
            self.harness.slash("prop", {"session_id": session_id, "life": life})
        )
        self.live[session_id] = life

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def click(self, data: st.DataObject) -> None:
        session_id = data.draw(st.sampled_from(sorted(self.live)))
        clicked = self.run(self.harness.click(self.messages[session_id], label="Click"))
        assert clicked.acknowledged

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def end(self, data: st.DataObject) -> None:
        session_id = data.draw(st.sampled_from(sorted(self.live)))
        self.run(self.harness.click(self.messages[session_id], label="End"))
        self.ended.append(self.live.pop(session_id))

    @rule(seconds=st.sampled_from([10.0, 60.0]))
    def wait_a_little(self, seconds: float) -> None:
        self.advance(seconds)

    @rule()
    def expire_all(self) -> None:
        self.advance(TTL + 1)
        assert not self.live

    @rule(downtime=st.sampled_from([0.0, 30.0, TTL + 1]))
    def restart(self, downtime: float) -> None:
        self.run(self.harness.restart(downtime=downtime))
        self._forget_expired()

    def _forget_expired(self) -> None:
        expired = {life for life, code in durable_records.ENDS if code is SessionEndCode.EXPIRED}
        for session_id, life in list(self.live.items()):
            if life in expired:
                self.ended.append(self.live.pop(session_id))

    @invariant()
    def every_session_ends_exactly_once(self) -> None:
        counts = Counter(life for life, _ in durable_records.ENDS)
        assert all(count == 1 for count in counts.values()), counts
        assert set(counts) == set(self.ended), (counts, self.ended)
        assert not set(counts) & set(self.live.values())

    def teardown(self) -> None:
        try:
            self.advance(TTL + 1)
            assert not self.live, self.live
            assert len(self.store) == 0, "every record is gone once every session ended"
            self.every_session_ends_exactly_once()
            self.run(close_test_bot(self.bot))
        finally:
            self.harness.uninstall()
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()


DurableLifecycles.TestCase.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_durable_lifecycles = DurableLifecycles.TestCase
