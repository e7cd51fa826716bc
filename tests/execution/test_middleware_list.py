"""Middleware lists run high to low priority; equal priorities keep insertion order (nyx §7.6 item 75)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import pytest

from nyx_sessions.errors import SessionStartMiddlewareError, SessionUpdateMiddlewareError
from nyx_sessions.execution import (
    AllowAll,
    FilterCheckMiddleware,
    MiddlewareResponse,
    Priority,
    StartMiddlewareList,
    UpdateMiddlewareList,
)
from nyx_sessions.sessions.state import SessionExecutionMeta

ALLOW, FORCE_ALLOW, DENY = MiddlewareResponse.ALLOW, MiddlewareResponse.FORCE_ALLOW, MiddlewareResponse.DENY


@dataclass(eq=False)
class Recorder:
    """A middleware that notes its name in a shared log and answers as told."""

    name: str
    log: list[str]
    priority: Priority = Priority.NORMAL
    response: MiddlewareResponse = ALLOW
    error: Exception | None = None

    def check(self, session: object, *args: object) -> MiddlewareResponse:
        self.log.append(self.name)
        if self.error is not None:
            raise self.error
        return self.response


@dataclass(eq=False)
class AsyncRecorder(Recorder):
    async def check(self, session: object, *args: object) -> MiddlewareResponse:  # type: ignore[override]
        return super().check(session, *args)


@dataclass
class Session:
    id: str = "s1"
    start_filter: object = None
    update_filter: object = None
    checked_with: list[tuple[object, ...]] = field(default_factory=list)


def names(middlewares) -> list[str]:
    return ["F" if isinstance(mw, FilterCheckMiddleware) else mw.name for mw in middlewares]


@pytest.fixture
def update_list_with_everyone():
    """nyx §7.6 item 75: [F] + M1(NORMAL) + M2(NORMAL) + H(HIGH) + L(LOW)."""
    log: list[str] = []
    middlewares = UpdateMiddlewareList.default()
    added = {
        "M1": Recorder("M1", log),
        "M2": Recorder("M2", log),
        "H": Recorder("H", log, priority=Priority.HIGH),
        "L": Recorder("L", log, priority=Priority.LOW),
    }
    for middleware in added.values():
        middlewares.add(middleware)
    return middlewares, added, log


def test_the_order_grows_as_nyx_describes_with_equal_priorities_in_insertion_order():
    log: list[str] = []
    middlewares = UpdateMiddlewareList.default()
    assert names(middlewares) == ["F"]

    middlewares.add(Recorder("M1", log))
    assert names(middlewares) == ["F", "M1"]
    middlewares.add(Recorder("M2", log))
    assert names(middlewares) == ["F", "M1", "M2"]
    middlewares.add(Recorder("H", log, priority=Priority.HIGH))
    assert names(middlewares) == ["H", "F", "M1", "M2"]
    middlewares.add(Recorder("L", log, priority=Priority.LOW))
    assert names(middlewares) == ["H", "F", "M1", "M2", "L"]
    assert len(middlewares) == 5


def test_monitors_run_first_and_last_of_all():
    log: list[str] = []
    middlewares = StartMiddlewareList()
    for name, priority in [
        ("low", Priority.LOW_MONITOR),
        ("mid", Priority.NORMAL),
        ("high", Priority.HIGH_MONITOR),
    ]:
        middlewares.add(Recorder(name, log, priority=priority))

    assert names(middlewares) == ["high", "mid", "low"]


def test_a_middleware_without_a_priority_runs_at_normal():
    class Bare:
        name = "bare"

        def check(self, session, meta):
            return ALLOW

    middlewares = StartMiddlewareList([Recorder("high", [], priority=Priority.HIGH), Bare()])
    middlewares.add(Recorder("normal", []))

    assert names(middlewares) == ["high", "bare", "normal"]


async def test_every_middleware_runs_in_order_when_all_allow(update_list_with_everyone):
    middlewares, _, log = update_list_with_everyone

    assert await middlewares.check(Session(), object(), SessionExecutionMeta("s1")) is True
    assert log == ["H", "M1", "M2", "L"]


async def test_force_allow_allows_and_skips_the_rest(update_list_with_everyone):
    middlewares, added, log = update_list_with_everyone
    added["H"].response = FORCE_ALLOW
    # The filter check would deny, but it never runs.
    session = Session(update_filter=type("Never", (), {"check": lambda self, *a: False})())

    assert await middlewares.check(session, object(), SessionExecutionMeta("s1")) is True
    assert log == ["H"]


async def test_deny_refuses_and_skips_the_rest(update_list_with_everyone):
    middlewares, added, log = update_list_with_everyone
    added["M2"].response = DENY

    assert await middlewares.check(Session(), object(), SessionExecutionMeta("s1")) is False
    assert log == ["H", "M1", "M2"]


async def test_a_raising_middleware_is_wrapped_with_the_middleware_attached(update_list_with_everyone):
    middlewares, added, log = update_list_with_everyone
    boom = KeyError("cooldowns")
    added["M1"].error = boom
    session = Session()

    with pytest.raises(SessionUpdateMiddlewareError) as caught:
        await middlewares.check(session, object(), SessionExecutionMeta("s1"))

    assert caught.value.middleware is added["M1"]
    assert caught.value.original is boom
    assert caught.value.__cause__ is boom
    assert caught.value.session is session
    assert log == ["H", "M1"]


async def test_a_start_list_wraps_in_the_start_error():
    boom = ValueError("no")
    middleware = AsyncRecorder("M", [], error=boom)

    with pytest.raises(SessionStartMiddlewareError) as caught:
        await StartMiddlewareList([middleware]).check(Session(), SessionExecutionMeta("s1"))

    assert caught.value.middleware is middleware
    assert caught.value.__cause__ is boom


async def test_an_answer_that_is_not_a_response_is_reported_as_a_middleware_error():
    middleware = Recorder("M", [], response=True)  # type: ignore[arg-type]

    with pytest.raises(SessionStartMiddlewareError) as caught:
        await StartMiddlewareList([middleware]).check(Session(), SessionExecutionMeta("s1"))

    assert isinstance(caught.value.__cause__, TypeError)
    assert "return a MiddlewareResponse" in str(caught.value.__cause__)


async def test_sync_and_async_middlewares_mix():
    log: list[str] = []
    middlewares = StartMiddlewareList([Recorder("sync", log), AsyncRecorder("async", log, response=DENY)])

    assert await middlewares.check(Session(), SessionExecutionMeta("s1")) is False
    assert log == ["sync", "async"]


async def test_an_empty_list_allows():
    assert await UpdateMiddlewareList().check(Session(), object(), SessionExecutionMeta("s1")) is True


def test_remove_and_clear():
    first, second = Recorder("a", []), Recorder("b", [])
    middlewares = StartMiddlewareList([first, second])

    assert middlewares.remove(first) is True
    assert middlewares.remove(first) is False
    assert names(middlewares) == ["b"]
    middlewares.clear()
    assert list(middlewares) == []


def test_adding_the_same_middleware_twice_is_refused():
    middleware = Recorder("a", [])
    middlewares = StartMiddlewareList([middleware])

    with pytest.raises(ValueError, match="already in this middleware list"):
        middlewares.add(middleware)


class TestTheBuiltInFilterCheck:
    async def test_no_filter_passes(self):
        assert await StartMiddlewareList.default().check(Session(), SessionExecutionMeta("s1")) is True

    async def test_the_start_list_reads_the_start_filter_with_session_and_meta(self):
        calls = []

        class Recording:
            def check(self, session, *args):
                calls.append((session, args))
                return False

        session, meta = (
            Session(start_filter=Recording(), update_filter=AllowAll()),
            SessionExecutionMeta("s1"),
        )

        assert await StartMiddlewareList.default().check(session, meta) is False
        assert calls == [(session, (meta,))]

    async def test_the_update_list_reads_the_update_filter_with_interaction_and_meta(self):
        calls = []

        class Recording:
            async def check(self, session, *args):
                calls.append((session, args))
                return True

        session, interaction, meta = Session(update_filter=Recording()), object(), SessionExecutionMeta("s1")

        assert await UpdateMiddlewareList.default().check(session, interaction, meta) is True
        assert calls == [(session, (interaction, meta))]

    async def test_a_raising_filter_is_wrapped_like_any_middleware(self):
        class Broken:
            def check(self, session, *args):
                raise LookupError("who?")

        middlewares = UpdateMiddlewareList.default()
        with pytest.raises(SessionUpdateMiddlewareError) as caught:
            await middlewares.check(Session(update_filter=Broken()), object(), SessionExecutionMeta("s1"))

        assert isinstance(caught.value.middleware, FilterCheckMiddleware)
        assert isinstance(caught.value.__cause__, LookupError)


async def test_a_middleware_written_before_a_reload_still_decides():
    # reload_extension("nyx_sessions") builds a new MiddlewareResponse; a user's middleware keeps the old one.
    class OldMiddlewareResponse(str, Enum):
        ALLOW = "allow"
        FORCE_ALLOW = "force_allow"
        DENY = "deny"

    log: list[str] = []
    stale = Recorder("stale", log, response=OldMiddlewareResponse.DENY)  # type: ignore[arg-type]
    middlewares = StartMiddlewareList([stale, Recorder("after", log)])

    assert await middlewares.check(Session(), SessionExecutionMeta("s1")) is False
    assert log == ["stale"]
