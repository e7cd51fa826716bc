"""A bot author pages a list with ListPaginationSession and no subclass; a user clicks through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
import pytest
from discord.ext import commands
from pagination_helpers import all_controls, controls, shown_page, tokens

from nyx_sessions import SessionEndCode, spawns_session
from nyx_sessions.pagination import ListPaginationSession, PageNavigation

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from nyx_sessions.testing import InteractionHarness

FORTY_FIVE = [f"item {n}" for n in range(1, 46)]  # five pages of ten


async def open_paginator(
    bot: commands.Bot, harness: InteractionHarness, items: Any, **options: Any
) -> tuple[ListPaginationSession[Any, Any], discord.Message]:
    """Run a ``!list`` prefix command that pages ``items``; return the session and its message."""
    started: list[ListPaginationSession[Any, Any]] = []

    @bot.command(name="list")
    async def list_command(ctx: commands.Context[Any]) -> None:
        session: ListPaginationSession[Any, Any] = ListPaginationSession(bot, ctx, items, **options)
        started.append(session)
        await session.start()

    await harness.message("!list")
    message = harness.last_message()
    assert message is not None
    return started[0], message


async def test_a_list_is_shown_as_an_embed_page_with_a_navigation_row(bot, harness):
    await open_paginator(bot, harness, FORTY_FIVE)

    message = harness.last_message()
    footer, lines = shown_page(harness, message)
    assert footer == "Page 1/5"
    assert lines == [f"item {n}" for n in range(1, 11)]
    assert tokens(harness, message) == ["first", "prev", "jump", "next", "last"]
    assert controls(harness, message)["jump"].label == "1/5"


async def test_a_hybrid_command_returns_a_paginator_and_spawns_session_starts_it(bot, harness):
    @bot.hybrid_command(name="inventory")
    @spawns_session
    async def inventory(ctx: commands.Context[Any], per_page: int = 10) -> ListPaginationSession[str, None]:
        return ListPaginationSession(bot, ctx, FORTY_FIVE, per_page=per_page)

    started = await harness.slash("inventory", {"per_page": 15})
    assert shown_page(harness, started)[0] == "Page 1/3"
    await harness.click(started, controls(harness, started)["next"].custom_id)
    assert shown_page(harness, started)[1] == [f"item {n}" for n in range(16, 31)]

    await harness.message("!inventory")
    assert shown_page(harness, harness.last_message())[0] == "Page 1/5"


async def test_every_button_is_disabled_exactly_at_its_bound_and_moves_where_it_says(bot, harness):
    _, message = await open_paginator(bot, harness, FORTY_FIVE)

    for page in range(5):
        nav = controls(harness, message)
        assert shown_page(harness, message)[0] == f"Page {page + 1}/5"
        at_start, at_end = page == 0, page == 4
        assert (nav["first"].disabled, nav["prev"].disabled) == (at_start, at_start)
        assert (nav["next"].disabled, nav["last"].disabled) == (at_end, at_end)
        expected = {
            "first": None if at_start else 0,
            "prev": None if at_start else page - 1,
            "jump": None,
            "next": None if at_end else page + 1,
            "last": None if at_end else 4,
        }
        assert {token: control.page for token, control in nav.items()} == expected
        if not at_end:
            await harness.click(message, nav["next"].custom_id)

    await harness.click(message, controls(harness, message)["prev"].custom_id)
    assert shown_page(harness, message)[0] == "Page 4/5"
    await harness.click(message, controls(harness, message)["first"].custom_id)
    assert shown_page(harness, message) == ("Page 1/5", [f"item {n}" for n in range(1, 11)])
    await harness.click(message, controls(harness, message)["last"].custom_id)
    assert shown_page(harness, message) == ("Page 5/5", [f"item {n}" for n in range(41, 46)])


async def test_a_page_turn_answers_by_editing_the_message_in_place(bot, harness):
    _, message = await open_paginator(bot, harness, FORTY_FIVE)

    clicked = await harness.click(message, controls(harness, message)["next"].custom_id)

    assert clicked.response.type == 7  # UPDATE_MESSAGE: no new message, no "interaction failed"
    assert len(harness.history()) == 2  # the user's "!list" and the paginator


async def test_with_two_pages_first_and_last_are_left_out(bot, harness):
    _, message = await open_paginator(bot, harness, FORTY_FIVE[:15])

    assert tokens(harness, message) == ["prev", "jump", "next"]
    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert shown_page(harness, message) == ("Page 2/2", [f"item {n}" for n in range(11, 16)])


async def test_a_single_page_disables_every_page_control_and_keeps_stop_usable(bot, harness):
    navigation = PageNavigation(page_select=True, stop=True)
    session, message = await open_paginator(bot, harness, ["only"], navigation=navigation)

    found = all_controls(harness, message)
    assert [control.token for control in found] == ["prev", "jump", "next", "stop"]
    assert [control.token for control in found if not control.disabled] == ["stop"]
    assert all(control.page is None for control in found if not control.disabled)
    assert shown_page(harness, message) == ("Page 1/1", ["only"])

    await harness.click(message, controls(harness, message)["stop"].custom_id)
    assert (await session.wait()).code is SessionEndCode.SELF_ENDED


async def test_every_control_has_a_distinct_custom_id_and_the_indicator_carries_no_page(bot, harness):
    navigation = PageNavigation(page_select=True, stop=True)
    _, message = await open_paginator(bot, harness, FORTY_FIVE, navigation=navigation)
    await harness.click(message, controls(harness, message)["next"].custom_id)

    found = all_controls(harness, message)
    assert [control.token for control in found] == ["first", "prev", "jump", "next", "last", "pages", "stop"]
    assert len({control.custom_id for control in found}) == len(found)
    assert controls(harness, message)["jump"].page is None
    assert all(len(control.custom_id) <= 100 for control in found)


async def test_an_empty_list_shows_one_empty_page(bot, harness):
    _, message = await open_paginator(bot, harness, [])

    assert shown_page(harness, message) == ("Page 1/1", ["Nothing to show."])
    assert all(control.disabled for control in all_controls(harness, message))


async def test_per_page_sets_the_page_size(bot, harness):
    session, message = await open_paginator(bot, harness, FORTY_FIVE, per_page=20)

    assert session.per_page == 20
    assert shown_page(harness, message)[0] == "Page 1/3"
    await harness.click(message, controls(harness, message)["last"].custom_id)
    assert shown_page(harness, message)[1] == [f"item {n}" for n in range(41, 46)]


@pytest.mark.parametrize("per_page", [0, -1, 2.5, True])
async def test_a_page_size_below_one_is_refused(bot, harness, per_page):
    with pytest.raises(commands.CommandInvokeError) as raised:
        await open_paginator(bot, harness, FORTY_FIVE, per_page=per_page)

    assert isinstance(raised.value.original, ValueError)
    assert "per_page must be a whole number of at least 1" in str(raised.value.original)


async def test_any_iterable_of_items_works(bot, harness):
    _, message = await open_paginator(bot, harness, (f"row {n}" for n in range(1, 13)))

    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert shown_page(harness, message) == ("Page 2/2", ["row 11", "row 12"])


async def test_wrap_around_joins_the_last_page_to_the_first(bot, harness):
    navigation = PageNavigation(wrap_around=True)
    _, message = await open_paginator(bot, harness, FORTY_FIVE[:30], navigation=navigation)

    nav = controls(harness, message)
    assert (nav["prev"].disabled, nav["prev"].page) == (False, 2)
    await harness.click(message, nav["prev"].custom_id)
    assert shown_page(harness, message)[0] == "Page 3/3"
    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert shown_page(harness, message)[0] == "Page 1/3"


@pytest.mark.parametrize(
    ("first_last", "items", "expected"),
    [
        ("always", FORTY_FIVE[:15], ["first", "prev", "jump", "next", "last"]),
        ("never", FORTY_FIVE, ["prev", "jump", "next"]),
    ],
)
async def test_first_and_last_can_be_always_shown_or_never(bot, harness, first_last, items, expected):
    navigation = PageNavigation(first_last=first_last)
    _, message = await open_paginator(bot, harness, items, navigation=navigation)

    assert tokens(harness, message) == expected


def test_an_unknown_first_last_choice_is_refused():
    with pytest.raises(ValueError, match='first_last must be "auto", "always" or "never"'):
        PageNavigation(first_last="sometimes")  # type: ignore[arg-type]


# -- the page select ---------------------------------------------------------------------------------


async def test_the_page_select_offers_all_25_pages_when_there_are_25(bot, harness):
    navigation = PageNavigation(page_select=True)
    _, message = await open_paginator(bot, harness, list(range(250)), navigation=navigation)

    pages = controls(harness, message)["pages"]
    assert pages.option_pages == list(range(25))
    assert pages.default_option == "Page 1"
    await harness.select(message, pages.custom_id, [pages.option("Page 25")])
    assert shown_page(harness, message)[0] == "Page 25/25"


async def test_with_26_pages_the_select_offers_the_25_around_the_current_page(bot, harness):
    navigation = PageNavigation(page_select=True)
    _, message = await open_paginator(bot, harness, list(range(260)), navigation=navigation)

    assert controls(harness, message)["pages"].option_pages == list(range(25))
    await harness.click(message, controls(harness, message)["last"].custom_id)
    pages = controls(harness, message)["pages"]
    assert (pages.option_pages, pages.default_option) == (list(range(1, 26)), "Page 26")

    await harness.select(message, pages.custom_id, [pages.option("Page 13")])
    pages = controls(harness, message)["pages"]
    assert (pages.option_pages, pages.default_option) == (list(range(25)), "Page 13")
    await harness.select(message, pages.custom_id, [pages.option("Page 14")])
    pages = controls(harness, message)["pages"]
    assert (pages.option_pages, pages.default_option) == (list(range(1, 26)), "Page 14")
    assert shown_page(harness, message) == ("Page 14/26", [str(n) for n in range(130, 140)])


# -- jump to page ------------------------------------------------------------------------------------


async def test_the_indicator_opens_a_jump_modal_and_a_typed_page_is_shown(bot, harness):
    _, message = await open_paginator(bot, harness, FORTY_FIVE)

    opened = await harness.click(message, controls(harness, message)["jump"].custom_id)
    assert opened.modal is not None
    assert opened.modal["title"] == "Go to page"
    (label,) = opened.modal["components"]
    assert (label["type"], label["label"], label["component"]["type"]) == (18, "Page number", 4), (
        "a label around the text input, not the deprecated TextInput(label=...)"
    )
    assert not label["component"].get("label")
    submitted = await harness.submit_modal(opened, {"page": " 4 "})

    assert submitted.response.type == 7
    assert shown_page(harness, message) == ("Page 4/5", [f"item {n}" for n in range(31, 41)])


@pytest.mark.parametrize("typed", ["abc", "0", "-3", "999", "6", "2.5", "3abc", "0x2", "\uff13"])
async def test_a_page_that_does_not_exist_gets_a_notice_naming_the_range(bot, harness, typed):
    _, message = await open_paginator(bot, harness, FORTY_FIVE)
    await harness.click(message, controls(harness, message)["next"].custom_id)
    before = harness.message_payload(message)

    opened = await harness.click(message, controls(harness, message)["jump"].custom_id)
    submitted = await harness.submit_modal(opened, {"page": typed})

    assert submitted.response.ephemeral
    assert submitted.response.content == "Enter a whole page number from 1 to 5."
    assert harness.message_payload(message) == before


async def test_with_jumping_off_the_indicator_is_a_plain_label(bot, harness):
    _, message = await open_paginator(bot, harness, FORTY_FIVE, navigation=PageNavigation(jump=False))

    indicator = controls(harness, message)["jump"]
    assert (indicator.label, indicator.disabled) == ("1/5", True)


# -- the items change --------------------------------------------------------------------------------


async def test_a_stale_button_after_the_list_shrank_lands_on_the_last_page(bot, harness):
    session, message = await open_paginator(bot, harness, FORTY_FIVE)
    stale_last = controls(harness, message)["last"]
    assert stale_last.page == 4

    session.items = FORTY_FIVE[:15]
    await harness.click(message, stale_last.custom_id)

    assert session.current_page == 1
    assert shown_page(harness, message) == ("Page 2/2", [f"item {n}" for n in range(11, 16)])
    assert tokens(harness, message) == ["prev", "jump", "next"]


async def test_refresh_shows_changed_items_and_clamps_the_page(bot, harness):
    session, message = await open_paginator(bot, harness, FORTY_FIVE)
    await harness.click(message, controls(harness, message)["last"].custom_id)

    session.items = ["a", "b", "c"]
    await session.refresh()

    assert session.current_page == 0
    assert shown_page(harness, message) == ("Page 1/1", ["a", "b", "c"])


async def test_a_list_mutated_in_place_is_seen_on_the_next_page_turn(bot, harness):
    items = FORTY_FIVE[:20]
    session, message = await open_paginator(bot, harness, items)

    items.extend(["item 21", "item 22"])
    assert session.page_count == 3
    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert shown_page(harness, message)[0] == "Page 2/3"


# -- formatting --------------------------------------------------------------------------------------


async def test_format_page_may_return_text_an_embed_or_message_arguments(bot, harness):
    def render(session: ListPaginationSession[str, None], items: Sequence[str]) -> Any:
        if session.current_page == 0:
            return ", ".join(items)
        if session.current_page == 1:
            return discord.Embed(title=session.page_label, description=" ".join(items))
        return {"content": "last page", "embed": discord.Embed(title="tail")}

    _, message = await open_paginator(bot, harness, FORTY_FIVE[:25], format_page=render)
    payload = harness.message_payload(message)
    assert (payload["content"], payload["embeds"]) == (", ".join(FORTY_FIVE[:10]), [])

    await harness.click(message, controls(harness, message)["next"].custom_id)
    payload = harness.message_payload(message)
    assert not payload["content"]
    assert [embed["title"] for embed in payload["embeds"]] == ["Page 2/3"]

    await harness.click(message, controls(harness, message)["next"].custom_id)
    payload = harness.message_payload(message)
    assert (payload["content"], [embed["title"] for embed in payload["embeds"]]) == ("last page", ["tail"])

    await harness.click(message, controls(harness, message)["first"].custom_id)
    assert harness.message_payload(message)["embeds"] == []  # the text page does not keep the old embed


async def test_a_subclass_can_format_pages_asynchronously(bot, harness):
    class Leaderboard(ListPaginationSession[tuple[str, int], None]):
        async def format_page(self, items: Sequence[tuple[str, int]]) -> discord.Embed:
            start = self.current_page * self.per_page
            lines = [f"{rank}. {name}: {score}" for rank, (name, score) in enumerate(items, start + 1)]
            return discord.Embed(title="Leaderboard", description="\n".join(lines)).set_footer(
                text=self.page_label
            )

    scores = [(f"player{n}", 100 - n) for n in range(12)]

    @bot.command()
    async def top(ctx: commands.Context[Any]) -> None:
        await Leaderboard(bot, ctx, scores, per_page=5).start()

    await harness.message("!top")
    message = harness.last_message()
    await harness.click(message, controls(harness, message)["last"].custom_id)

    assert shown_page(harness, message) == ("Page 3/3", ["11. player10: 90", "12. player11: 89"])


async def test_a_message_with_its_own_view_is_sent_as_given(bot, harness):
    def render(session: ListPaginationSession[str, None], items: Sequence[str]) -> Any:
        extra = session.button("refresh", label="Refresh", row=0)
        return {"content": " ".join(items), "view": session.view(extra, *session.build_navigation(row=1))}

    _, message = await open_paginator(bot, harness, FORTY_FIVE, format_page=render)

    assert tokens(harness, message) == [
        "refresh",
        "first",
        "prev",
        "jump",
        "next",
        "last",
    ]


# -- an async source ---------------------------------------------------------------------------------


class CountingSource:
    """An async source of ``size`` rows that counts how many were read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read = 0
        self.closed = False

    async def rows(self) -> AsyncIterator[str]:
        try:
            for n in range(1, self.size + 1):
                self.read += 1
                yield f"row {n}"
        finally:
            self.closed = True


async def test_an_async_source_is_read_a_page_at_a_time_until_it_ends(bot, harness):
    source = CountingSource(23)
    session, message = await open_paginator(bot, harness, source.rows())

    assert source.read == 11  # page 1 and one row ahead, so "next" knows more follows
    assert shown_page(harness, message) == ("Page 1", [f"row {n}" for n in range(1, 11)])
    assert session.page_count is None
    nav = controls(harness, message)
    assert tokens(harness, message) == ["prev", "jump", "next"]
    assert (nav["jump"].label, nav["next"].page) == ("1/?", 1)

    await harness.click(message, nav["next"].custom_id)
    assert source.read == 21
    await harness.click(message, controls(harness, message)["next"].custom_id)

    assert shown_page(harness, message) == ("Page 3/3", ["row 21", "row 22", "row 23"])
    assert session.page_count == 3
    nav = controls(harness, message)
    assert tokens(harness, message) == ["first", "prev", "jump", "next", "last"]
    assert nav["next"].disabled
    assert nav["last"].disabled


async def test_an_async_source_that_ends_on_a_page_boundary_has_no_empty_last_page(bot, harness):
    _, message = await open_paginator(bot, harness, CountingSource(20).rows())
    await harness.click(message, controls(harness, message)["next"].custom_id)

    assert shown_page(harness, message)[0] == "Page 2/2"
    assert controls(harness, message)["next"].disabled


async def test_jumping_into_an_async_source_reads_up_to_that_page(bot, harness):
    source = CountingSource(1000)
    _, message = await open_paginator(bot, harness, source.rows())

    opened = await harness.click(message, controls(harness, message)["jump"].custom_id)
    await harness.submit_modal(opened, {"page": "7"})

    assert shown_page(harness, message) == ("Page 7", [f"row {n}" for n in range(61, 71)])
    assert source.read == 71


async def test_jumping_past_the_end_of_an_async_source_names_the_range_it_found(bot, harness):
    session, message = await open_paginator(bot, harness, CountingSource(35).rows())

    opened = await harness.click(message, controls(harness, message)["jump"].custom_id)
    submitted = await harness.submit_modal(opened, {"page": "9"})

    assert submitted.response.content == "Enter a whole page number from 1 to 4."
    assert (session.current_page, shown_page(harness, message)[0]) == (0, "Page 1")
    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert shown_page(harness, message)[0] == "Page 2/4"


async def test_an_unfinished_async_source_is_closed_when_the_session_ends(bot, harness):
    source = CountingSource(100)
    navigation = PageNavigation(stop=True)
    session, message = await open_paginator(bot, harness, source.rows(), navigation=navigation)

    await harness.click(message, controls(harness, message)["stop"].custom_id)

    assert (await session.wait()).code is SessionEndCode.SELF_ENDED
    assert source.closed


# -- stopping ----------------------------------------------------------------------------------------


async def test_the_stop_button_ends_the_session_and_disables_the_controls(bot, harness):
    navigation = PageNavigation(stop=True)
    session, message = await open_paginator(bot, harness, FORTY_FIVE[:15], navigation=navigation)
    assert tokens(harness, message) == ["prev", "jump", "next", "stop"]

    stopped = await harness.click(message, controls(harness, message)["stop"].custom_id)

    assert stopped.response.type == 7
    assert all(control.disabled for control in all_controls(harness, message))
    assert shown_page(harness, message)[0] == "Page 1/2"  # the page stays readable
    ended = await session.wait()
    assert (ended.code, ended.reason) == (SessionEndCode.SELF_ENDED, "stopped with the stop button")


async def test_only_the_user_who_opened_the_paginator_turns_its_pages(bot, harness):
    _, message = await open_paginator(bot, harness, FORTY_FIVE)

    other = await harness.click(message, controls(harness, message)["next"].custom_id, user=1)

    assert other.response.ephemeral
    assert shown_page(harness, message)[0] == "Page 1/5"
