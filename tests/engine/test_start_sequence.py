"""Starting a session: filters, middlewares, failures, duplicates (nyx §4.1 with §6 items 1-4 fixed)."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from support_b import ProbeSession, StartProbe, bot, clock, manager, start_probe

from nyx_sessions import (
    DuplicateSessionError,
    IllegalSessionStateError,
    MiddlewareResponse,
    Priority,
    SessionEndCode,
    SessionEvent,
    SessionExecutionMeta,
    SessionManager,
    SessionStartMiddlewareError,
    SessionState,
)
from nyx_sessions.testing import InteractionHarness


class DenyEveryone:
    def check(self, session: Any, meta: SessionExecutionMeta) -> bool:
        return False


class Crashing(ProbeSession):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        raise RuntimeError("database is down")


async def test_a_denied_start_is_not_kept_and_its_wait_resolves(
    start_probe: StartProbe, manager: SessionManager, harness: InteractionHarness
) -> None:
    events: list[Any] = []
    manager.bus.subscribe(SessionEvent.START, lambda *args: events.append(args))
    manager.bus.subscribe(SessionEvent.END, lambda *args: events.append(args))

    session = await start_probe(start_filter=DenyEveryone())

    ended = await session.wait()
    assert ended.code is SessionEndCode.START_DENIED
    assert session.state is SessionState.ENDED
    assert session.id not in manager.sessions and len(manager.repository) == 0
    assert session.ends == [], "on_end is not called for a start that never ran"
    assert session.metas == [], "on_start did not run"
    assert events == [], "a denied start fires neither session_start nor session_end"


async def test_a_failing_on_start_ends_with_start_failed_and_reaches_the_error_handler(
    bot: commands.Bot, manager: SessionManager, harness: InteractionHarness
) -> None:
    seen: list[tuple[BaseException, Any, SessionExecutionMeta]] = []
    manager.executor.start_error_handler.set_consumer(
        RuntimeError, lambda err, s, meta: seen.append((err, s, meta))
    )

    @bot.tree.command(name="crash")
    async def crash(interaction: discord.Interaction[Any]) -> None:
        session = Crashing(interaction.client, interaction)
        assert not await session.start()
        ended = await session.wait()
        assert ended.code is SessionEndCode.START_FAILED

    ran = await harness.slash("crash")

    assert len(seen) == 1 and str(seen[0][0]) == "database is down"
    assert not manager.sessions
    # The slash command still got an answer: Discord never shows "This interaction failed".
    assert ran.response is not None and ran.response.ephemeral
    assert "went wrong" in (ran.response.content or "")


async def test_a_slash_command_whose_start_is_denied_tells_the_user(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="probe")
    async def probe(interaction: discord.Interaction[Any]) -> None:
        session = ProbeSession(interaction.client, interaction)
        session.start_filter = DenyEveryone()  # type: ignore[misc]
        assert not await session.start()

    ran = await harness.slash("probe")
    assert ran.response is not None and ran.response.ephemeral
    assert harness.initial_responses(ran) == 1


async def test_start_middlewares_run_by_priority_and_share_the_meta_with_on_start(
    start_probe: StartProbe, manager: SessionManager
) -> None:
    order: list[str] = []

    class Tagging:
        def __init__(self, name: str, priority: Priority) -> None:
            self.name, self.priority = name, priority

        async def check(self, session: Any, meta: SessionExecutionMeta) -> MiddlewareResponse:
            order.append(self.name)
            meta.setdefault("trail", []).append(self.name)
            return MiddlewareResponse.ALLOW

    manager.executor.start_middleware.add(Tagging("low", Priority.LOW))
    manager.executor.start_middleware.add(Tagging("high", Priority.HIGH))
    manager.executor.start_middleware.add(Tagging("normal", Priority.NORMAL))

    session = await start_probe()

    assert order == ["high", "normal", "low"]
    assert session.metas[0]["trail"] == ["high", "normal", "low"]
    assert session.state is SessionState.RUNNING


async def test_a_raising_start_middleware_is_wrapped_with_the_middleware_attached(
    start_probe: StartProbe, manager: SessionManager
) -> None:
    class Broken:
        def check(self, session: Any, meta: SessionExecutionMeta) -> MiddlewareResponse:
            raise LookupError("no such guild")

    broken = Broken()
    manager.executor.start_middleware.add(broken)
    seen: list[BaseException] = []
    manager.executor.start_error_handler.set_consumer(
        SessionStartMiddlewareError, lambda e, *a: seen.append(e)
    )

    session = await start_probe()

    assert (await session.wait()).code is SessionEndCode.START_FAILED
    (error,) = seen
    assert isinstance(error, SessionStartMiddlewareError)
    assert error.middleware is broken and isinstance(error.__cause__, LookupError)


async def test_force_allow_skips_the_start_filter(start_probe: StartProbe, manager: SessionManager) -> None:
    class Vip:
        priority = Priority.HIGHEST

        def check(self, session: Any, meta: SessionExecutionMeta) -> MiddlewareResponse:
            return MiddlewareResponse.FORCE_ALLOW

    manager.executor.start_middleware.add(Vip())
    session = await start_probe(start_filter=DenyEveryone())
    assert session.state is SessionState.RUNNING


async def test_a_live_session_id_cannot_be_started_twice(
    start_probe: StartProbe, bot: commands.Bot, manager: SessionManager, harness: InteractionHarness
) -> None:
    first = await start_probe(session_id="shared")
    with pytest.raises(DuplicateSessionError, match="shared"):
        await manager.start(ProbeSession(bot, first.start_context, session_id="shared"))
    with pytest.raises(IllegalSessionStateError):
        await first.start()
    assert manager.get("shared") is first


async def test_a_slash_command_session_records_its_original_response(
    bot: commands.Bot, manager: SessionManager, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="counter")
    @app_commands.describe()
    async def counter(interaction: discord.Interaction[Any]) -> None:
        await ProbeSession(interaction.client, interaction).start()

    ran = await harness.slash("counter")
    (session,) = manager.sessions.values()
    assert session.message is not None and session.message.id == ran.original_id
    assert session.start_interaction is not None and session.start_context is None


async def test_a_session_record_names_it_without_discord_objects(
    start_probe: StartProbe, harness: InteractionHarness
) -> None:
    """What a Redis repository would store: kind, id, owner, channel, message, page, ttl."""
    session = await start_probe(user=1)
    record = session.record
    assert record.kind == "support_b:ProbeSession"
    assert record.id == session.id and record.owner_id == harness.members[1].id
    assert record.channel_id == harness.channel.id
    assert session.message is not None and record.message_id == session.message.id
    assert record.page is None and record.ttl == session.ttl


async def test_a_pagination_record_carries_its_page(bot: commands.Bot, harness: InteractionHarness) -> None:
    from nyx_sessions import ListPaginationSession

    started: list[ListPaginationSession[int, None]] = []

    @bot.command(name="numbers")
    async def numbers(ctx: commands.Context[Any]) -> None:
        session: ListPaginationSession[int, None] = ListPaginationSession(
            ctx.bot, ctx, list(range(30)), per_page=10
        )
        started.append(session)
        await session.start()

    await harness.message("!numbers")
    (session,) = started
    assert session.record.page == 0
    message = harness.last_message()
    next_id = next(
        child.custom_id
        for row in message.components
        for child in row.children
        if "next" in (child.custom_id or "")
    )
    await harness.click(message, next_id)
    assert (
        session.record.page == 1
        and session.record.kind == "nyx_sessions.pagination.list:ListPaginationSession"
    )
