"""Built-in filters: only the owner drives a session; combinators mix sync and async and short-circuit."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from discord_fakes import OWNER_ID, STRANGER_ID

from nyx_sessions._utils import maybe_await
from nyx_sessions.execution import AllowAll, AndFilter, NotFilter, OrFilter, OwnerOnly
from nyx_sessions.sessions.state import SessionExecutionMeta

SESSION = SimpleNamespace(id="s1", owner_id=OWNER_ID)
META = SessionExecutionMeta("s1")


def click_by(user_id: int) -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(id=user_id))


@dataclass
class Fixed:
    """A filter with a fixed answer that records that it was asked."""

    answer: bool
    asked: list[str] = field(default_factory=list)
    name: str = ""

    def check(self, session, *args) -> bool:
        self.asked.append(self.name)
        return self.answer


@dataclass
class AsyncFixed(Fixed):
    async def check(self, session, *args) -> bool:  # type: ignore[override]
        return super().check(session, *args)


async def check(session_filter, *args) -> bool:
    return bool(await maybe_await(session_filter.check(SESSION, *args)))


class TestOwnerOnly:
    async def test_the_owner_may_click(self):
        assert await check(OwnerOnly(), click_by(OWNER_ID), META) is True

    async def test_someone_else_may_not(self):
        assert await check(OwnerOnly(), click_by(STRANGER_ID), META) is False

    async def test_as_a_start_filter_it_always_passes(self):
        assert await check(OwnerOnly(), META) is True

    def test_it_carries_an_optional_denied_message(self):
        assert OwnerOnly().denied_message is None
        assert OwnerOnly(denied_message="Hands off!").denied_message == "Hands off!"

    async def test_one_instance_serves_every_session(self):
        shared = OwnerOnly()
        other_session = SimpleNamespace(id="s2", owner_id=STRANGER_ID)

        assert await check(shared, click_by(OWNER_ID), META) is True
        assert await maybe_await(shared.check(other_session, click_by(STRANGER_ID), META)) is True


async def test_allow_all_passes_everyone():
    assert await check(AllowAll(), click_by(STRANGER_ID), META) is True


class TestAndFilter:
    async def test_passes_when_all_pass(self):
        assert await check(AndFilter(Fixed(True), AsyncFixed(True)), META) is True

    async def test_stops_at_the_first_failure(self):
        asked: list[str] = []
        combined = AndFilter(Fixed(True, asked, "a"), AsyncFixed(False, asked, "b"), Fixed(True, asked, "c"))

        assert await check(combined, META) is False
        assert asked == ["a", "b"]


class TestOrFilter:
    async def test_fails_when_all_fail(self):
        assert await check(OrFilter(Fixed(False), AsyncFixed(False)), META) is False

    async def test_stops_at_the_first_success(self):
        asked: list[str] = []
        combined = OrFilter(AsyncFixed(False, asked, "a"), Fixed(True, asked, "b"), Fixed(True, asked, "c"))

        assert await check(combined, META) is True
        assert asked == ["a", "b"]


@pytest.mark.parametrize("inner", [Fixed(True), AsyncFixed(True)])
async def test_not_filter_inverts_sync_and_async_filters(inner):
    assert await check(NotFilter(inner), META) is False
    inner.answer = False
    assert await check(NotFilter(inner), META) is True


async def test_combinators_nest_and_pass_the_update_arguments_through():
    # Staff (here: the stranger) or the owner, but never while a lock filter is set.
    staff = SimpleNamespace(check=lambda session, interaction, meta: interaction.user.id == STRANGER_ID)
    locked = Fixed(False)
    panel = AndFilter(OrFilter(OwnerOnly(), staff), NotFilter(locked), denied_message="Staff only.")

    assert await check(panel, click_by(OWNER_ID), META) is True
    assert await check(panel, click_by(STRANGER_ID), META) is True
    assert await check(panel, click_by(999), META) is False
    locked.answer = True
    assert await check(panel, click_by(OWNER_ID), META) is False
    assert panel.denied_message == "Staff only."
