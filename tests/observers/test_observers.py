"""Observers of one's own (API §14): every hook in pairs, in order, and a hook that raises breaks nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from discord.ext import commands
from observed_panel import Panel, panels

from nyx_sessions import SessionManager, get_session_manager
from nyx_sessions.observers import (
    ClickObservation,
    EndObservation,
    SessionObserver,
    StartObservation,
    code_label,
)
from nyx_sessions.testing import InteractionHarness


class Recorder(SessionObserver):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def attached(self, manager: SessionManager) -> None:
        self.seen.append(("attached", manager))

    def start_began(self, start: StartObservation) -> None:
        self.seen.append(("start_began", start.kind))

    def start_finished(self, start: StartObservation) -> None:
        assert start.finished_at is not None and start.finished_at >= start.began_at
        self.seen.append(("start_finished", start.outcome))

    def click_began(self, click: ClickObservation) -> None:
        self.seen.append(("click_began", click.session_id))

    def click_finished(self, click: ClickObservation) -> None:
        assert click.finished_at is not None and click.handler_returned_at is not None
        assert click.began_at <= click.handler_returned_at <= click.finished_at
        assert click.first_response_at is not None and click.first_response_at <= click.handler_returned_at
        self.seen.append(("click_finished", click.outcome))

    def end_began(self, end: EndObservation) -> None:
        self.seen.append(("end_began", code_label(end.code)))

    def end_finished(self, end: EndObservation) -> None:
        self.seen.append(("end_finished", end.ended_here))


class Broken(SessionObserver):
    def click_began(self, click: ClickObservation) -> None:
        raise RuntimeError("a broken observer")

    def click_finished(self, click: ClickObservation) -> None:
        raise RuntimeError("a broken observer")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def session_observers(recorder: Recorder) -> Sequence[SessionObserver]:
    return [Broken(), recorder]


async def test_each_step_reaches_the_observer_in_pairs_and_a_broken_observer_breaks_nothing(
    harness: InteractionHarness,
    bot: commands.Bot,
    panels: list[Panel],
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = get_session_manager(bot)
    assert manager.observers[1] is recorder
    started = await harness.slash("panel")
    clicked = await harness.click(started, label="ok")
    assert clicked.response is not None and clicked.response.type == 7, "the click was answered"
    assert harness.message_payload(started)["content"] == "ok"
    await harness.click(started, label="stop")

    session_id = panels[0].id
    assert recorder.seen == [
        ("attached", manager),
        ("start_began", "Panel"),
        ("start_finished", "started"),
        ("click_began", session_id),
        ("click_finished", "handled"),
        ("click_began", session_id),
        ("end_began", "SELF_ENDED"),  # the end runs inside the click's handler
        ("end_finished", True),
        ("click_finished", "handled"),
    ]
    logged = [record.getMessage() for record in caplog.records]
    assert sum("raised in click_began" in line for line in logged) == 2, "logged, once per click"
