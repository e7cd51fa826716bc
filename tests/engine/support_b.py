"""Fixtures and a probe session for the start/update/expiry/concurrency tests.

The bot is wired by hand (API §1 custom wiring) so the repository runs on a ManualClock: tests move
time forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    EndCode,
    MemorySessionRepository,
    SessionCog,
    SessionExecutionMeta,
    SessionManager,
    get_session_manager,
)
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness, close_test_bot, create_test_bot

TTL = 60.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def bot(clock: ManualClock) -> AsyncIterator[commands.Bot]:
    test_bot = await create_test_bot(extensions=())
    manager = SessionManager(test_bot, repository=MemorySessionRepository(clock=clock))
    await test_bot.add_cog(SessionCog(test_bot, manager=manager))
    try:
        yield test_bot
    finally:
        await close_test_bot(test_bot)


@pytest.fixture
def manager(bot: commands.Bot) -> SessionManager:
    return get_session_manager(bot)


class ProbeSession(AbstractSession[int]):
    """A counter with one button per behaviour the tests need.

    ``inc`` edits the message; ``slow`` waits for ``gate`` first (and returns ``slow_result``);
    ``keep`` answers but asks for no
    TTL refresh; ``end`` ends the session from inside the handler; ``boom`` raises; ``quiet`` does
    not answer at all.
    """

    ttl = TTL

    def __init__(self, bot: commands.Bot, start: Any, **kwargs: Any) -> None:
        super().__init__(bot, start, **kwargs)
        self.count = 0
        self.calls: list[str] = []
        self.ends: list[tuple[str, EndCode]] = []
        self.metas: list[SessionExecutionMeta] = []
        self.gate = asyncio.Event()
        self.start_gate: asyncio.Event | None = None
        self.in_handler = asyncio.Event()
        self.slow_result = True

    def panel(self) -> discord.ui.View:
        return self.view(
            *(self.button(action, label=action) for action in ("inc", "slow", "keep", "end", "boom", "quiet"))
        )

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        self.metas.append(meta)
        await self.respond(f"count: {self.count}", view=self.panel())
        if self.start_gate is not None:  # a slow start: more work after the first answer
            await self.start_gate.wait()

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> bool:
        action = self.tokens(interaction).get()
        self.calls.append(action)
        self.metas.append(meta)
        self.in_handler.set()
        if action == "slow":
            await self.gate.wait()
            self.count += 1
            await self.edit(interaction, content=f"count: {self.count}")
            return self.slow_result
        if action == "inc":
            self.count += 1
            await self.edit(interaction, content=f"count: {self.count}")
        elif action == "keep":
            await interaction.response.send_message("not refreshing", ephemeral=True)
            return False
        elif action == "end":
            await self.end("the user pressed end")
            await self.edit(interaction, content="bye", view=None)
        elif action == "boom":
            raise KeyError("boom")
        return True

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        self.ends.append((reason, code))
        self.result = self.count


StartProbe = Callable[..., Awaitable[ProbeSession]]


@pytest.fixture
def start_probe(bot: commands.Bot, harness: InteractionHarness, manager: SessionManager) -> StartProbe:
    """Start a ProbeSession from a prefix command, as a user would; returns the live session."""
    pending: list[ProbeSession] = []
    background: list[asyncio.Future[Any]] = []
    options: dict[str, Any] = {}

    @bot.command(name="probe")
    async def probe(ctx: commands.Context[Any]) -> None:
        session = ProbeSession(ctx.bot, ctx, **options.get("kwargs", {}))
        for name, value in options.get("attributes", {}).items():
            setattr(session, name, value)
        pending.append(session)
        await session.start()

    async def start(*, user: int | None = None, settle: bool = True, **attributes: Any) -> ProbeSession:
        kwargs = {
            key: attributes.pop(key) for key in ("ttl", "session_id", "max_lifetime") if key in attributes
        }
        options["kwargs"], options["attributes"] = kwargs, attributes
        sending = harness.message("!probe", user=user, settle=settle)
        if settle:
            await sending
        else:
            # dpytest.message() waits for the command itself; a gated on_start would block it.
            background.append(asyncio.ensure_future(sending))
        while not pending:
            await asyncio.sleep(0)
        return pending.pop()

    return start


def button_id(message: discord.Message, label: str) -> str:
    """The custom id of the button labelled ``label`` on ``message``."""
    for row in message.components:
        for child in getattr(row, "children", ()):
            if getattr(child, "label", None) == label:
                return str(child.custom_id)
    raise AssertionError(f"no button labelled {label!r} on the message")


def disabled_states(payload: dict[str, Any]) -> list[bool]:
    """The ``disabled`` flag of every interactive component of a message payload, in order."""
    found: list[bool] = []

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            if component.get("type") in (2, 3, 5, 6, 7, 8):
                found.append(bool(component.get("disabled", False)))
            walk(component.get("components", []))
            if "accessory" in component:
                walk([component["accessory"]])

    walk(payload.get("components", []))
    return found
