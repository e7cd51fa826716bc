"""Routing clicks: middlewares, filters, error handlers, acknowledgements (nyx §4.2, §6 items 7-11)."""

from __future__ import annotations

from typing import Any

from support_b import ProbeSession, StartProbe, bot, button_id, clock, manager, start_probe

from nyx_sessions import (
    MiddlewareResponse,
    OwnerOnly,
    Priority,
    SessionEvent,
    SessionExecutionMeta,
    SessionManager,
    SessionUpdateMiddlewareError,
)
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness

DEFERRED_UPDATE, UPDATE_MESSAGE = 6, 7


async def test_the_owner_clicks_and_the_message_updates(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe()
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "inc"))

    assert clicked.response is not None and clicked.response.type == UPDATE_MESSAGE
    assert harness.message_payload(message)["content"] == "count: 1"
    assert session.calls == ["inc"]


async def test_a_stranger_gets_an_ephemeral_notice_and_changes_nothing(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    updates: list[Any] = []
    manager.bus.subscribe(SessionEvent.UPDATE, lambda *args: updates.append(args))
    session = await start_probe(user=0)
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "inc"), user=1)

    assert clicked.response is not None and clicked.response.ephemeral
    assert harness.initial_responses(clicked) == 1
    assert session.calls == [] and session.count == 0
    assert harness.message_payload(message)["content"] == "count: 0"
    assert updates == [], "a denied update fires no session_update"


async def test_a_session_without_update_filter_is_open_to_everyone(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe(user=0, update_filter=None)
    message = harness.last_message()
    await harness.click(message, button_id(message, "inc"), user=1)
    assert session.count == 1


async def test_a_filter_can_say_why_it_denied(start_probe: StartProbe, harness: InteractionHarness) -> None:
    await start_probe(
        user=0, update_filter=OwnerOnly(denied_message="Only the moderator who ran this can page.")
    )
    message = harness.last_message()
    clicked = await harness.click(message, button_id(message, "inc"), user=1)
    assert clicked.response is not None
    assert clicked.response.content == "Only the moderator who ran this can page."


async def test_update_middlewares_run_high_to_low_and_deny_stops_the_chain(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    order: list[str] = []

    class Step:
        def __init__(self, name: str, priority: Priority, answer: MiddlewareResponse) -> None:
            self.name, self.priority, self.answer = name, priority, answer

        def check(self, session: Any, interaction: Any, meta: SessionExecutionMeta) -> MiddlewareResponse:
            order.append(self.name)
            return self.answer

    manager.executor.update_middleware.add(Step("monitor", Priority.LOW_MONITOR, MiddlewareResponse.ALLOW))
    manager.executor.update_middleware.add(Step("gate", Priority.LOW, MiddlewareResponse.DENY))
    manager.executor.update_middleware.add(Step("first", Priority.HIGH, MiddlewareResponse.ALLOW))
    session = await start_probe()
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "inc"))

    assert order == ["first", "gate"], "the monitor after the denying middleware never ran"
    assert session.calls == []
    assert clicked.response is not None and clicked.response.ephemeral


async def test_force_allow_lets_a_stranger_past_the_owner_filter(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    class Moderators:
        priority = Priority.HIGH

        def check(self, session: Any, interaction: Any, meta: SessionExecutionMeta) -> MiddlewareResponse:
            meta["moderator"] = True
            return MiddlewareResponse.FORCE_ALLOW

    manager.executor.update_middleware.add(Moderators())
    session = await start_probe(user=0)
    message = harness.last_message()
    await harness.click(message, button_id(message, "inc"), user=1)
    assert session.count == 1
    assert session.metas[-1]["moderator"] is True


async def test_a_raising_update_middleware_reaches_the_error_handler_with_the_middleware(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    class Broken:
        def check(self, session: Any, interaction: Any, meta: SessionExecutionMeta) -> MiddlewareResponse:
            raise ConnectionError("cache offline")

    broken = Broken()
    manager.executor.update_middleware.add(broken)
    seen: list[tuple[BaseException, Any, Any, Any]] = []
    manager.executor.update_error_handler.set_consumer(
        SessionUpdateMiddlewareError,
        lambda error, session, interaction, meta: seen.append((error, session, interaction, meta)),
    )
    session = await start_probe()
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "inc"))

    ((error, errored, interaction, _meta),) = seen
    assert isinstance(error, SessionUpdateMiddlewareError) and error.middleware is broken
    assert errored is session and interaction.id == clicked.id
    assert clicked.response is not None and clicked.response.ephemeral
    assert session.calls == []


async def test_error_handlers_are_chosen_by_the_exception_mro(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager
) -> None:
    handled: list[str] = []
    handler = manager.executor.update_error_handler
    handler.set_consumer(Exception, lambda *a: handled.append("Exception"))
    handler.set_consumer(LookupError, lambda *a: handled.append("LookupError"))
    await start_probe()
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "boom"))  # raises KeyError
    assert handled == ["LookupError"]
    assert clicked.response is not None and clicked.response.ephemeral, "the user hears something went wrong"

    async def specific(error: BaseException, *args: Any) -> None:
        handled.append("KeyError")

    handler.set_consumer(KeyError, specific)
    await harness.click(message, button_id(message, "boom"))
    assert handled == ["LookupError", "KeyError"]


async def test_a_handler_that_does_not_answer_is_acknowledged_for_it(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    session = await start_probe()
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "quiet"))

    assert session.calls == ["quiet"]
    assert clicked.response is not None and clicked.response.type == DEFERRED_UPDATE
    assert harness.initial_responses(clicked) == 1


async def test_updates_emit_events_and_handlers_read_their_meta(
    start_probe: StartProbe, harness: InteractionHarness, manager: SessionManager, clock: ManualClock
) -> None:
    seen: list[tuple[Any, ...]] = []
    manager.bus.subscribe(SessionEvent.UPDATE, lambda *args: seen.append(args))
    session = await start_probe()
    message = harness.last_message()

    clicked = await harness.click(message, button_id(message, "inc"))

    ((emitted, interaction, meta),) = seen
    assert emitted is session and interaction.id == clicked.id
    assert meta is session.metas[-1] and meta.id.startswith(session.id)
