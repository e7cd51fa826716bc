"""Child sessions: open_child takes over the message and owner, the parent waits, then renders again."""

from __future__ import annotations

from typing import Any, ClassVar

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    EndCode,
    ListPaginationSession,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionState,
    get_session_manager,
    on_button,
)
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness

ENDS: list[tuple[str, EndCode]] = []


class Case(AbstractSession[str]):
    """A moderation case: Approve or Reject returns the decision to the list."""

    ttl = 60

    def __init__(self, bot: discord.Client, start: Any, number: str) -> None:
        super().__init__(bot, start)
        self.number = number

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            f"case {self.number}",
            embed=None,
            view=self.view(self.button("approve", label="Approve"), self.button("reject", label="Reject")),
        )

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = f"case {self.number}: {self.tokens(interaction).get()}d"
        await self.end("decided")

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append(("case", code))


class Cases(ListPaginationSession[str, None]):
    """The list: an Open button per page opens the page's first case as a child."""

    ttl = 60
    decisions: ClassVar[list[str]] = []

    def format_page(self, items: Any) -> dict[str, Any]:
        shown = "\n".join(items) + (f"\nlast: {self.decisions[-1]}" if self.decisions else "")
        return {
            "content": shown,
            "view": self.view(*self.build_navigation(), self.button("open", label="Open", row=1)),
        }

    @on_button("open")
    async def open_case(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.child = Case(self.bot, interaction, self.current_page_items[0])
        await self.open_child(self.child, interaction)

    async def on_child_end(
        self, child_end: SessionEndData[Any], interaction: discord.Interaction[Any] | None
    ) -> None:
        if child_end.result is not None:
            self.decisions.append(child_end.result)
        await super().on_child_end(child_end, interaction)  # the current page again

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append(("list", code))


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(autouse=True)
def _fresh() -> None:
    ENDS.clear()
    Cases.decisions.clear()


@pytest.fixture
async def cases(bot: commands.Bot, harness: InteractionHarness) -> Cases:
    made: list[Cases] = []

    @bot.command(name="cases")
    async def command(ctx: commands.Context[Any]) -> None:
        made.append(Cases(bot, ctx, [f"#{n}" for n in range(1, 7)], per_page=2))
        await made[-1].start()

    await harness.message("!cases")
    return made[0]


def content(harness: InteractionHarness, session: AbstractSession[Any]) -> str:
    assert session.message is not None
    return str(harness.message_payload(session.message)["content"])


async def test_a_child_takes_over_the_message_and_returns_its_result_to_the_list(
    cases: Cases, harness: InteractionHarness
) -> None:
    assert cases.message is not None
    await harness.click(cases.message, label="Open")
    assert content(harness, cases) == "case #1", "the child has the list's message"
    child: Case = cases.child  # type: ignore[attr-defined]
    assert child.owner_id == cases.owner_id and child.state is SessionState.RUNNING

    # The list's controls, as an old copy of its message still shows them:
    old_control = {"custom_id": cases.build_custom_id_for_page(1), "component_type": 2}
    blocked = await harness.inject(harness.build_payload(3, old_control, user=0, message=cases.message.id))
    assert blocked.ephemeral_texts == ["Finish the step in progress first."], "the list waits"

    decided = await harness.click(cases.message, label="Approve")
    assert decided.response.type == 7, "the list's page answered the child's last click"
    assert content(harness, cases) == "#1\n#2\nlast: case #1: approved"
    assert (await child.wait()).result == "case #1: approved"
    assert ENDS == [("case", SessionEndCode.SELF_ENDED)] and cases.state is SessionState.RUNNING
    await harness.click(cases.message, label="▶")
    assert content(harness, cases).startswith("#3\n#4"), "the list takes clicks again"


async def test_the_parent_does_not_expire_while_its_child_runs_and_the_childs_expiry_returns(
    cases: Cases, harness: InteractionHarness, session_clock: ManualClock
) -> None:
    assert cases.message is not None
    await harness.click(cases.message, label="Open")
    child: Case = cases.child  # type: ignore[attr-defined]
    session_clock.advance(59)
    await harness.settle()
    session_clock.advance(2)  # the child expires at 60 s after its start; the list would have too
    await harness.settle()
    assert (await child.wait()).code is SessionEndCode.EXPIRED
    assert cases.state is SessionState.RUNNING and content(harness, cases) == "#1\n#2", "the page again"
    rows = harness.message_payload(cases.message)["components"]
    (opener,) = (one for row in rows for one in row["components"] if one.get("label") == "Open")
    assert not opener.get("disabled"), "the child's expiry does not disable the list's page"
    session_clock.advance(61)
    await harness.settle()
    assert (await cases.wait()).code is SessionEndCode.EXPIRED, "its own TTL runs again from the return"


async def test_ending_the_parent_ends_its_child_first(cases: Cases, harness: InteractionHarness) -> None:
    assert cases.message is not None
    await harness.click(cases.message, label="Open")
    await cases.end("closed")
    assert ENDS == [("case", SessionEndCode.SELF_ENDED), ("list", SessionEndCode.SELF_ENDED)]


async def test_shutdown_ends_parent_and_child_once_each(
    bot: commands.Bot, cases: Cases, harness: InteractionHarness
) -> None:
    assert cases.message is not None
    await harness.click(cases.message, label="Open")
    await get_session_manager(bot).close()
    assert sorted(ENDS) == [("case", SessionEndCode.BOT_STOP), ("list", SessionEndCode.BOT_STOP)]


async def test_a_second_child_is_refused_clearly(cases: Cases, harness: InteractionHarness) -> None:
    assert cases.message is not None
    await harness.click(cases.message, label="Open")
    with pytest.raises(Exception, match="has a child open already"):
        await cases.open_child(Case(cases.bot, harness.channel, "#9"), None)  # type: ignore[arg-type]


class DurableCase(Case, kind="test.child.durable-case"):
    pass


async def test_a_memory_parent_refuses_a_durable_child_and_names_both(
    cases: Cases, harness: InteractionHarness
) -> None:
    """A pair is kept in one place: a durable child of a memory parent would outlive it at a restart."""
    assert cases.message is not None
    with pytest.raises(
        TypeError, match=r"DurableCase is durable \(kind='test.child.durable-case'\) and Cases"
    ):
        await cases.open_child(DurableCase(cases.bot, harness.channel, "#9"), None)  # type: ignore[arg-type]
    assert cases.state is SessionState.RUNNING
    assert cases._child is None
