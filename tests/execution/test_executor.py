"""SessionExecutor: middleware, hooks and error routing for start, update and end."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from discord_fakes import OWNER_ID, STRANGER_ID

from nyx_sessions.errors import SessionStartMiddlewareError, SessionUpdateMiddlewareError
from nyx_sessions.execution import (
    DENIED_NOTICE,
    ERROR_NOTICE,
    ErrorHandler,
    ExecutionOutcome,
    MiddlewareResponse,
    OwnerOnly,
    SessionExecutor,
)
from nyx_sessions.sessions.state import SessionEndCode, SessionEndData, SessionExecutionMeta, SessionState


@dataclass
class User:
    id: int


@dataclass
class CounterSession:
    """A small session: counts clicks, and can be told to fail or to skip the TTL refresh."""

    id: str = "counter"
    state: SessionState = SessionState.UNINITIALIZED
    user: User = field(default_factory=lambda: User(OWNER_ID))
    start_filter: Any = None
    update_filter: Any = field(default_factory=OwnerOnly)
    result: int | None = None
    clicks: int = 0
    fail_in: str | None = None
    refresh: bool | None = None
    answer_before_failing: bool = False
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def owner_id(self) -> int:
        return self.user.id

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        self.calls.append(("on_start", meta))
        if self.fail_in == "on_start":
            raise RuntimeError("could not load the counter")

    async def on_update(self, interaction: Any, meta: SessionExecutionMeta) -> bool | None:
        self.calls.append(("on_update", interaction, meta))
        if self.fail_in == "on_update":
            if self.answer_before_failing:
                await interaction.response.send_message("Saving…")
            raise RuntimeError("could not save the counter")
        self.clicks += 1
        return self.refresh

    async def on_end(self, reason: str, code: Any, meta: SessionExecutionMeta) -> None:
        self.calls.append(("on_end", reason, code, meta))
        self.result = self.clicks
        if self.fail_in == "on_end":
            raise RuntimeError("could not archive the counter")


class Deny:
    def check(self, session: Any, *args: Any) -> MiddlewareResponse:
        return MiddlewareResponse.DENY


class Explode:
    async def check(self, session: Any, *args: Any) -> MiddlewareResponse:
        raise ConnectionError("rate-limit store down")


class Recorded:
    """An error handler that records what it was given."""

    def __init__(self) -> None:
        self.handler = ErrorHandler()
        self.calls: list[tuple[Any, ...]] = []
        self.handler.fallback = lambda *args: self.calls.append(args)


@pytest.fixture
def errors() -> dict[str, Recorded]:
    return {"start": Recorded(), "update": Recorded(), "end": Recorded()}


@pytest.fixture
def executor(errors: dict[str, Recorded]) -> SessionExecutor:
    return SessionExecutor(
        start_error_handler=errors["start"].handler,
        update_error_handler=errors["update"].handler,
        end_error_handler=errors["end"].handler,
    )


class TestStart:
    async def test_a_plain_start_runs_on_start_and_leaves_the_state_to_the_manager(self, executor):
        session, meta = CounterSession(), SessionExecutionMeta("counter")

        assert await executor.start(session, meta) is ExecutionOutcome.OK
        assert session.calls == [("on_start", meta)]
        assert session.state is SessionState.UNINITIALIZED

    async def test_a_denying_start_filter_keeps_on_start_from_running(self, executor, errors):
        session = CounterSession(start_filter=type("Closed", (), {"check": lambda self, s, meta: False})())

        assert await executor.start(session, SessionExecutionMeta("counter")) is ExecutionOutcome.DENIED
        assert session.calls == []
        assert errors["start"].calls == []

    async def test_a_denying_middleware_denies(self, executor):
        executor.start_middleware.add(Deny())
        session = CounterSession()

        assert await executor.start(session, SessionExecutionMeta("counter")) is ExecutionOutcome.DENIED
        assert session.calls == []

    async def test_a_raising_middleware_fails_the_start_with_a_wrapped_error(self, executor, errors):
        middleware = Explode()
        executor.start_middleware.add(middleware)
        session, meta = CounterSession(), SessionExecutionMeta("counter")

        assert await executor.start(session, meta) is ExecutionOutcome.FAILED
        [(error, got_session, got_meta)] = errors["start"].calls
        assert isinstance(error, SessionStartMiddlewareError)
        assert error.middleware is middleware
        assert isinstance(error.__cause__, ConnectionError)
        assert (got_session, got_meta) == (session, meta)
        assert session.calls == []

    async def test_a_raising_on_start_sends_the_raw_error_to_the_start_handler(self, executor, errors):
        session, meta = CounterSession(fail_in="on_start"), SessionExecutionMeta("counter")

        assert await executor.start(session, meta) is ExecutionOutcome.FAILED
        [(error, got_session, got_meta)] = errors["start"].calls
        assert type(error) is RuntimeError
        assert (got_session, got_meta) == (session, meta)


class TestUpdate:
    async def test_a_click_runs_on_update_and_refreshes_when_it_returns_nothing(
        self, executor, make_interaction
    ):
        session, interaction = CounterSession(), make_interaction()

        outcome = await executor.update(session, interaction, SessionExecutionMeta("counter"))

        assert outcome
        assert (outcome.status, outcome.ran, outcome.refresh) == (ExecutionOutcome.OK, True, True)
        assert session.clicks == 1

    @pytest.mark.parametrize(("returned", "refresh"), [(True, True), (False, False), (None, True)])
    async def test_the_handlers_answer_decides_the_refresh(
        self, executor, make_interaction, returned, refresh
    ):
        session = CounterSession(refresh=returned)

        outcome = await executor.update(session, make_interaction(), SessionExecutionMeta("counter"))

        assert outcome.ran
        assert bool(outcome) is refresh

    async def test_a_stranger_is_turned_down_with_an_ephemeral_notice(
        self, executor, discord_api, make_interaction
    ):
        session = CounterSession()

        outcome = await executor.update(
            session, make_interaction(user_id=STRANGER_ID), SessionExecutionMeta("counter")
        )

        assert not outcome
        assert (outcome.status, outcome.ran) == (ExecutionOutcome.DENIED, False)
        assert session.clicks == 0
        [notice] = discord_api.answers
        assert (notice.content, notice.ephemeral) == (DENIED_NOTICE, True)

    async def test_the_filters_denied_message_is_what_the_stranger_reads(
        self, executor, discord_api, make_interaction
    ):
        session = CounterSession(update_filter=OwnerOnly(denied_message="Only the host can count."))

        await executor.update(session, make_interaction(user_id=STRANGER_ID), SessionExecutionMeta("counter"))

        assert [a.content for a in discord_api.answers] == ["Only the host can count."]

    async def test_a_custom_denied_handler_replaces_the_notice(self, executor, discord_api, make_interaction):
        seen = []
        executor.denied_handler = lambda session, interaction, meta: seen.append(interaction.user.id)

        await executor.update(
            CounterSession(), make_interaction(user_id=STRANGER_ID), SessionExecutionMeta("counter")
        )

        assert seen == [STRANGER_ID]
        assert discord_api.answers == []

    async def test_a_failing_denied_handler_is_logged_and_the_default_notice_sent(
        self, executor, discord_api, make_interaction, caplog
    ):
        def broken(session, interaction, meta):
            raise RuntimeError("translation missing")

        executor.denied_handler = broken

        with caplog.at_level(logging.ERROR, logger="nyx_sessions"):
            await executor.update(
                CounterSession(), make_interaction(user_id=STRANGER_ID), SessionExecutionMeta("counter")
            )

        assert "translation missing" in caplog.text
        assert [a.content for a in discord_api.answers] == [DENIED_NOTICE]

    async def test_a_raising_middleware_is_handled_and_the_user_told(
        self, executor, errors, discord_api, make_interaction
    ):
        middleware = Explode()
        executor.update_middleware.add(middleware)
        session, interaction, meta = CounterSession(), make_interaction(), SessionExecutionMeta("counter")

        outcome = await executor.update(session, interaction, meta)

        assert (outcome.status, outcome.ran, outcome.refresh) == (ExecutionOutcome.FAILED, False, False)
        [(error, got_session, got_interaction, got_meta)] = errors["update"].calls
        assert isinstance(error, SessionUpdateMiddlewareError)
        assert error.middleware is middleware
        assert (got_session, got_interaction, got_meta) == (session, interaction, meta)
        [notice] = discord_api.answers
        assert (notice.content, notice.ephemeral) == (ERROR_NOTICE, True)

    async def test_a_raising_handler_sends_the_raw_error_and_tells_the_user(
        self, executor, errors, discord_api, make_interaction
    ):
        session, interaction, meta = (
            CounterSession(fail_in="on_update"),
            make_interaction(),
            SessionExecutionMeta("c"),
        )

        outcome = await executor.update(session, interaction, meta)

        assert (outcome.status, outcome.ran, outcome.refresh) == (ExecutionOutcome.FAILED, True, False)
        [(error, *_)] = errors["update"].calls
        assert type(error) is RuntimeError
        assert [a.content for a in discord_api.answers] == [ERROR_NOTICE]

    async def test_no_error_notice_when_the_handler_already_answered(
        self, executor, discord_api, make_interaction
    ):
        session = CounterSession(fail_in="on_update", answer_before_failing=True)

        await executor.update(session, make_interaction(), SessionExecutionMeta("counter"))

        assert [a.content for a in discord_api.answers] == ["Saving…"]

    async def test_an_error_consumer_that_answers_suppresses_the_notice(
        self, executor, errors, discord_api, make_interaction
    ):
        async def apologise(error, session, interaction, meta):
            await interaction.response.send_message("Sorry, try again in a minute.", ephemeral=True)

        executor.update_error_handler.set_consumer(RuntimeError, apologise)

        await executor.update(
            CounterSession(fail_in="on_update"), make_interaction(), SessionExecutionMeta("c")
        )

        assert [a.content for a in discord_api.answers] == ["Sorry, try again in a minute."]


class TestEnd:
    async def test_the_end_data_carries_the_result_on_end_set(self, executor, errors):
        session, meta = CounterSession(clicks=3), SessionExecutionMeta("counter")

        data = await executor.end(session, "done", SessionEndCode.SELF_ENDED, meta)

        assert data == SessionEndData("done", SessionEndCode.SELF_ENDED, 3)
        assert session.calls == [("on_end", "done", SessionEndCode.SELF_ENDED, meta)]
        assert errors["end"].calls == []

    async def test_a_raising_on_end_keeps_the_result_and_reports_data_and_meta(self, executor, errors):
        session, meta = CounterSession(clicks=2, fail_in="on_end"), SessionExecutionMeta("counter")

        data = await executor.end(session, "timeout", "custom-code", meta)

        assert data == SessionEndData("timeout", "custom-code", 2)
        [(error, got_session, got_data, got_meta)] = errors["end"].calls
        assert type(error) is RuntimeError
        assert (got_session, got_data, got_meta) == (session, data, meta)


def test_the_defaults_check_the_sessions_own_filters():
    executor = SessionExecutor()

    assert [mw.attribute for mw in executor.start_middleware] == ["start_filter"]
    assert [mw.attribute for mw in executor.update_middleware] == ["update_filter"]
