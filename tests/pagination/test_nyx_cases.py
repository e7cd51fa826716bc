"""The nyx pagination cases (spec §7.7, items 87-96), ported; the [Q] quirks are flipped to the fixes.

Each case injects the interaction nyx describes, forged custom ids included, into a real session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
import pytest
from pagination_helpers import controls, wire_manual_clock

from nyx_sessions.pagination import (
    ListPaginationSession,
    PaginationSession,
    SessionStage,
    SessionStartStage,
    StagePaginationSession,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from discord.ext import commands

    from nyx_sessions.sessions.state import SessionExecutionMeta
    from nyx_sessions.storage import ManualClock
    from nyx_sessions.testing import Injected, InteractionHarness

S, M = "\u109e", "\u0b75"
PAGE = f"SSN{M}abc123{M}"  # + page + S: a page id of session "abc123"
BUTTON, STRING_SELECT, USER_SELECT = 2, 3, 5


@pytest.fixture
def bot_extensions() -> Sequence[str]:
    return ()


@pytest.fixture
async def clock(bot: commands.Bot) -> ManualClock:
    return await wire_manual_clock(bot)


async def press(
    harness: InteractionHarness,
    message: discord.Message,
    custom_id: str,
    *,
    kind: int = BUTTON,
    values: list[str] | None = None,
) -> Injected:
    """Inject a component interaction with any custom id, as a forged or stale client would send it."""
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
    if values is not None:
        data.update(values=values, resolved={})
    return await harness.inject(harness.build_payload(3, data, message=message))


async def submit(
    harness: InteractionHarness, message: discord.Message, custom_id: str, inputs: dict[str, str]
) -> Injected:
    """Inject a modal submit from ``message`` with text inputs ``{custom_id: value}``."""
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
        for key, value in inputs.items()
    ]
    data = {"custom_id": custom_id, "components": rows}
    return await harness.inject(harness.build_payload(5, data, message=message))


class Recorder(PaginationSession[None]):
    """A bare PaginationSession (page count unknown) that records which hook handled what."""

    def __init__(self, bot: discord.Client, ctx: commands.Context[Any]) -> None:
        super().__init__(bot, ctx, session_id="abc123")
        self.calls: list[Any] = []
        self.refresh_ttl = True

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("page 1", view=self.view(*self.build_default_page_row()))

    async def update_page(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> bool:
        self.calls.append(("update_page", self.current_page))
        await self.edit(interaction, content=f"page {self.current_page + 1}")
        return self.refresh_ttl

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.calls.append("handle_button")

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        self.calls.append("handle_select_menu")

    async def handle_modal(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.calls.append("handle_modal")


async def start(bot: commands.Bot, harness: InteractionHarness, factory: Any) -> tuple[Any, discord.Message]:
    started: list[Any] = []

    @bot.command(name="go")
    async def go(ctx: commands.Context[Any]) -> None:
        session = factory(bot, ctx)
        started.append(session)
        await session.start()

    await harness.message("!go")
    message = harness.last_message()
    assert message is not None
    return started[0], message


# -- 87: buttons --------------------------------------------------------------------------------------


@pytest.mark.parametrize("refresh", [True, False])
async def test_87_a_button_with_page_2_moves_there_and_update_page_decides_the_ttl(
    bot, harness, clock, refresh
):
    session, message = await start(bot, harness, Recorder)
    session.refresh_ttl = refresh
    before = await session.manager.repository.expires_at("abc123")
    clock.advance(10)

    await press(harness, message, f"{PAGE}2{S}")

    assert (session.calls, session.current_page) == ([("update_page", 2)], 2)
    after = await session.manager.repository.expires_at("abc123")
    assert after == (clock.time() + 180 if refresh else before)


async def test_87_a_button_without_a_page_goes_to_handle_button(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)

    await press(harness, message, f"SSN{M}abc123{S}refresh")

    assert (session.calls, session.current_page) == (["handle_button"], 0)


async def test_87_page_0_is_a_page(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)
    await press(harness, message, f"{PAGE}3{S}")

    await press(harness, message, f"{PAGE}0{S}")

    assert session.calls == [("update_page", 3), ("update_page", 0)]


# -- 88: selects --------------------------------------------------------------------------------------


async def test_88_a_single_selected_value_that_is_a_page_id_moves_to_that_page(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)

    await press(harness, message, f"SSN{M}abc123{S}menu", kind=STRING_SELECT, values=[f"{PAGE}4{S}"])

    assert session.calls == [("update_page", 4)]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (STRING_SELECT, [f"{PAGE}4{S}", f"{PAGE}5{S}"]),
        (STRING_SELECT, ["option1"]),
        (STRING_SELECT, [f"SSN{M}someoneelse{M}4{S}"]),  # fixed: another session's page id is no page
        (USER_SELECT, ["1234567890"]),
    ],
)
async def test_88_other_selections_go_to_handle_select_menu(bot, harness, clock, kind, values):
    session, message = await start(bot, harness, Recorder)

    await press(harness, message, f"SSN{M}abc123{S}menu", kind=kind, values=values)

    assert session.calls == ["handle_select_menu"]


async def test_88_a_select_whose_custom_id_has_a_page_moves_there_whatever_is_selected(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)

    await press(harness, message, f"{PAGE}1{S}menu", kind=STRING_SELECT, values=["option1", "option2"])

    assert session.calls == [("update_page", 1)]


# -- 89: modals ---------------------------------------------------------------------------------------


async def test_89_a_modal_whose_custom_id_has_page_3_moves_there(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)

    await submit(harness, message, f"{PAGE}3{S}form", {"note": "hello"})

    assert session.calls == [("update_page", 3)]


@pytest.mark.parametrize(("typed", "page"), [("5", 5), (" 5 ", 5), ("-5", 0)])
async def test_89_a_session_text_input_holds_a_0_based_page_clamped_into_range(
    bot, harness, clock, typed, page
):
    session, message = await start(bot, harness, Recorder)

    await submit(harness, message, f"SSN{M}abc123{S}form", {f"SSN{M}abc123{S}": typed})

    assert session.calls == [("update_page", page)]


async def test_89_a_session_text_input_inside_a_label_is_read_too(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)
    label = {"type": 18, "id": 1, "component": {"type": 4, "custom_id": f"SSN{M}abc123{S}", "value": "2"}}
    data = {"custom_id": f"SSN{M}abc123{S}form", "components": [label]}

    await harness.inject(harness.build_payload(5, data, message=message))

    assert session.calls == [("update_page", 2)]


@pytest.mark.parametrize(
    "inputs",
    [
        {f"SSN{M}abc123{S}": "abc"},
        {f"SSN{M}abc123{S}": "3abc"},  # fixed: nyx's parseInt read 3
        {f"SSN{M}abc123{S}": "1.9"},  # fixed: nyx's parseInt read 1
        {f"SSN{M}someoneelse{S}": "5"},  # fixed: only this session's inputs carry its pages
        {"note": "5"},
    ],
)
async def test_89_other_modal_submits_go_to_handle_modal(bot, harness, clock, inputs):
    session, message = await start(bot, harness, Recorder)

    await submit(harness, message, f"SSN{M}abc123{S}form", inputs)

    assert session.calls == ["handle_modal"]


# -- 90: the base default row (flipped: no "-1" page, no "NaN" id) ------------------------------------


async def test_90_the_base_row_on_page_0_disables_previous_and_points_next_at_page_1(bot, harness, clock):
    session, message = await start(bot, harness, Recorder)

    shown = controls(harness, message)
    assert (shown["prev"].disabled, shown["prev"].page) == (True, None)
    assert (shown["next"].disabled, shown["next"].page) == (False, 1)
    assert all(control.custom_id.startswith(f"SSN{M}abc123") for control in shown.values())
    assert "first" not in shown
    assert "last" not in shown
    row = session.build_default_page_row()
    arrows = [button for button in row if button.emoji is not None]
    assert [str(button.emoji) for button in arrows] == ["\u25c0", "\u25b6"]
    assert all(button.style is discord.ButtonStyle.secondary and button.label is None for button in arrows)


async def test_90_with_a_known_single_page_no_control_can_move(bot, harness, clock):
    class OnePage(Recorder):
        @property
        def page_count(self) -> int:
            return 1

    _, message = await start(bot, harness, OnePage)

    assert all(control.disabled and control.page is None for control in controls(harness, message).values())


# -- 91: list slicing and bounds (flipped: pages are clamped) ------------------------------------------


def list_of(count: int) -> Any:
    return lambda bot, ctx: ListPaginationSession(bot, ctx, list(range(1, count + 1)), session_id="abc123")


@pytest.mark.parametrize(
    ("page", "shown_page", "items", "prev_disabled", "next_disabled"),
    [
        (0, 0, list(range(1, 11)), True, False),
        (1, 1, list(range(11, 21)), False, False),
        (2, 2, list(range(21, 26)), False, True),
        (3, 2, list(range(21, 26)), False, True),  # [Q] flipped: nyx showed an empty page 3
    ],
)
async def test_91_25_items_10_per_page(
    bot, harness, clock, page, shown_page, items, prev_disabled, next_disabled
):
    session, message = await start(bot, harness, list_of(25))

    await press(harness, message, f"{PAGE}{page}{S}")

    assert (session.current_page, list(session.current_page_items)) == (shown_page, items)
    shown = controls(harness, message)
    assert (shown["prev"].disabled, shown["next"].disabled) == (prev_disabled, next_disabled)


@pytest.mark.parametrize("page", [-1, -2])
async def test_91_negative_pages_are_clamped_to_0(bot, harness, clock, page):
    # [Q] flipped: nyx sliced items[-10:0] ([]) and items[-20:-10] (6..15).
    session, _ = await start(bot, harness, list_of(25))

    session.current_page = page

    assert (session.current_page, list(session.current_page_items)) == (0, list(range(1, 11)))


@pytest.mark.parametrize(("count", "next_disabled"), [(10, True), (11, False), (0, True)])
async def test_91_the_next_bound(bot, harness, clock, count, next_disabled):
    session, message = await start(bot, harness, list_of(count))

    assert session.per_page == 10
    assert list(session.current_page_items) == list(range(1, min(count, 10) + 1))
    assert controls(harness, message)["next"].disabled is next_disabled


# -- 92: previous / next page ---------------------------------------------------------------------------


async def test_92_previous_and_next_page(bot, harness, clock):
    recorder, message = await start(bot, harness, Recorder)
    assert (recorder.previous_page, recorder.next_page) == (None, 1)
    await press(harness, message, f"{PAGE}3{S}")
    assert (recorder.previous_page, recorder.next_page) == (2, 4)  # unknown count: always one more


async def test_92_next_page_is_none_on_the_last_page_of_a_list(bot, harness, clock):
    # [Q] flipped: nyx's getNextPage() was always current + 1.
    session, message = await start(bot, harness, list_of(25))
    await press(harness, message, f"{PAGE}2{S}")

    assert (session.previous_page, session.next_page) == (1, None)


# -- 93-96: stages ------------------------------------------------------------------------------------


class Traced:
    """Records every stage hook call on the session's shared log."""

    log: list[Any]


class StageA(SessionStartStage[str]):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        self.session.log.append(("A.on_start", type(meta).__name__))  # type: ignore[attr-defined]
        await self.session.respond("A", view=self.session.view(*self.build_default_page_row()))

    async def on_leave(self, interaction: Any, next: SessionStage[Any], meta: SessionExecutionMeta) -> None:
        self.session.log.append(("A.on_leave", next, meta))  # type: ignore[attr-defined]

    async def on_switch(
        self, interaction: Any, previous: SessionStage[Any], meta: SessionExecutionMeta
    ) -> None:
        await self.refresh(interaction)

    def build_message(self) -> str:
        return "A"

    async def handle_button(self, interaction: Any, meta: SessionExecutionMeta) -> None:
        self.session.log.append("A.handle_button")  # type: ignore[attr-defined]

    async def handle_select_menu(self, interaction: Any, meta: SessionExecutionMeta) -> None:
        self.session.log.append("A.handle_select_menu")  # type: ignore[attr-defined]

    async def handle_modal(self, interaction: Any, meta: SessionExecutionMeta) -> None:
        self.session.log.append("A.handle_modal")  # type: ignore[attr-defined]


class StageB(SessionStage[str]):
    async def on_switch(
        self, interaction: Any, previous: SessionStage[Any], meta: SessionExecutionMeta
    ) -> bool:
        self.session.log.append(("B.on_switch", previous, meta, self.session.current_page))  # type: ignore[attr-defined]
        await self.refresh(interaction)
        return False

    def build_message(self) -> str:
        return "B"

    async def handle_button(self, interaction: Any, meta: SessionExecutionMeta) -> None:
        self.session.log.append("B.handle_button")  # type: ignore[attr-defined]


class TwoStages(StagePaginationSession[tuple[Any, ...]]):
    def __init__(self, bot: discord.Client, ctx: commands.Context[Any]) -> None:
        super().__init__(bot, ctx, session_id="abc123")
        self.log: list[Any] = []
        self.stages = [StageA, StageB]


async def test_93_start_goes_to_stage_0(bot, harness, clock):
    session, _ = await start(bot, harness, TwoStages)

    assert session.log == [("A.on_start", "SessionExecutionMeta")]


async def test_93_a_page_1_id_on_stage_0_leaves_a_then_switches_to_b(bot, harness, clock):
    session, message = await start(bot, harness, TwoStages)
    a, b = session.stages
    before = await session.manager.repository.expires_at("abc123")
    clock.advance(10)

    await press(harness, message, f"{PAGE}1{S}")

    (_, left_for, leave_meta), (_, came_from, switch_meta, page_during_switch) = session.log[1:]
    assert (left_for, came_from, page_during_switch) == (b, a, 1)
    assert leave_meta is switch_meta
    assert await session.manager.repository.expires_at("abc123") == before  # B.on_switch returned False


@pytest.mark.parametrize("custom_id", [f"{PAGE}0{S}", f"{PAGE}5{S}", f"SSN{M}abc123{S}ok"])
async def test_93_the_current_page_a_missing_page_or_no_page_go_to_the_current_stage(
    bot, harness, clock, custom_id
):
    session, message = await start(bot, harness, TwoStages)

    await press(harness, message, custom_id)

    assert session.log[1:] == ["A.handle_button"]


async def test_93_a_stage_routes_by_kind(bot, harness, clock):
    session, message = await start(bot, harness, TwoStages)

    await press(harness, message, f"SSN{M}abc123{S}menu", kind=STRING_SELECT, values=["x"])
    await submit(harness, message, f"SSN{M}abc123{S}form", {"note": "hi"})

    assert session.log[1:] == ["A.handle_select_menu", "A.handle_modal"]


async def test_94_stage_navigation_and_stage_0_is_a_real_stage(bot, harness, clock):
    session, message = await start(bot, harness, TwoStages)
    a, b = session.stages
    assert (session.next_stage, session.previous_stage, session.current_stage) == (b, None, a)

    await press(harness, message, f"{PAGE}1{S}")

    assert (session.next_stage, session.previous_stage, session.current_stage) == (None, a, b)  # [Q] flipped
    assert (session.next_page, session.previous_page) == (None, 0)


async def test_95_the_stage_row_and_custom_ids_for_stages(bot, harness, clock):
    session, message = await start(bot, harness, TwoStages)
    a, b = session.stages
    shown = controls(harness, message)
    assert (shown["prev"].disabled, shown["prev"].page) == (True, None)  # flipped: nyx encoded page -1
    assert (shown["next"].disabled, shown["next"].page) == (False, 1)

    await harness.click(message, shown["next"].custom_id)

    shown = controls(harness, message)
    assert (shown["prev"].disabled, shown["prev"].page) == (False, 0)
    assert (shown["next"].disabled, shown["next"].page) == (True, None)
    assert a.build_custom_id_for_stage(b) == f"{PAGE}1{S}"
    foreign = StageB(session)
    with pytest.raises(ValueError, match="is not a stage of session 'abc123'"):
        a.build_custom_id_for_stage(foreign)


async def test_96_a_stage_custom_id_is_its_own_copy(bot, harness, clock):
    session, _ = await start(bot, harness, TwoStages)
    a, b = session.stages

    a.custom_id.push("mine")

    assert a.custom_id.tokens == ("mine",)
    assert session.custom_id.tokens == ()
    assert b.custom_id.tokens == ()
    assert a.custom_id is not session.custom_id
