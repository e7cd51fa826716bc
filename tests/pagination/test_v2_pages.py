"""Components v2 pages: list and stage sessions send layouts with their navigation inside them."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import discord
import pytest
from discord.ext import commands
from pagination_helpers import controls, tokens

from nyx_sessions import (
    ComponentLimitError,
    ListPaginationSession,
    PageNavigation,
    SessionExecutionMeta,
    SessionStartStage,
    StagePaginationSession,
    on_button,
)
from nyx_sessions.testing import InteractionHarness

COMPONENTS_V2 = 1 << 15
CONTAINER, SEPARATOR, ACTION_ROW, TEXT_DISPLAY, MEDIA_GALLERY = 17, 14, 1, 10, 12


def walk(components: Any) -> Iterator[Mapping[str, Any]]:
    for component in components:
        yield component
        yield from walk(component.get("components", ()))
        if "accessory" in component:
            yield from walk([component["accessory"]])


def texts(payload: Mapping[str, Any]) -> list[str]:
    return [part["content"] for part in walk(payload["components"]) if part["type"] == TEXT_DISPLAY]


class Cards(ListPaginationSession[str, None]):
    """Each page a container of its items; the navigation goes inside it."""

    def format_page(self, items: Any) -> discord.ui.Container[Any]:
        return discord.ui.Container(*(discord.ui.TextDisplay(item) for item in items))


class Plain(ListPaginationSession[str, None]):
    components_v2: ClassVar[bool] = True


async def start_list(bot: commands.Bot, harness: InteractionHarness, cls: type[Any]) -> discord.Message:
    made: list[Any] = []

    @bot.command(name="cards")
    async def cards(ctx: commands.Context[Any]) -> None:
        made.append(cls(bot, ctx, [f"card {n}" for n in range(1, 7)], per_page=2))
        await made[-1].start()

    await harness.message("!cards")
    assert made[0].message is not None
    return made[0].message


async def test_a_container_page_is_sent_as_components_v2_with_the_navigation_inside_it(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    message = await start_list(bot, harness, Cards)
    payload = harness.message_payload(message)
    assert payload["flags"] & COMPONENTS_V2 and not payload.get("content") and not payload.get("embeds")
    (container,) = payload["components"]
    assert container["type"] == CONTAINER
    inside = [part["type"] for part in container["components"]]
    assert inside == [TEXT_DISPLAY, TEXT_DISPLAY, SEPARATOR, ACTION_ROW], (
        "the items, a separator, the controls"
    )
    assert tokens(harness, message) == ["first", "prev", "jump", "next", "last"]

    await harness.click(message, controls(harness, message)["next"].custom_id)
    payload = harness.message_payload(message)
    assert texts(payload) == ["card 3", "card 4"] and payload["flags"] & COMPONENTS_V2
    assert controls(harness, message)["jump"].label == "2/3"


async def test_components_v2_makes_the_default_rendering_a_layout(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    message = await start_list(bot, harness, Plain)
    payload = harness.message_payload(message)
    assert payload["flags"] & COMPONENTS_V2
    assert texts(payload) == ["card 1\ncard 2", "-# Page 1/3"]
    await harness.click(message, controls(harness, message)["last"].custom_id)
    assert texts(harness.message_payload(message)) == ["card 5\ncard 6", "-# Page 3/3"]


class Welcome(SessionStartStage[None]):
    """A stage whose page is top-level v2 items without a container: the controls come after them."""

    def build_message(self) -> list[discord.ui.Item[Any]]:
        return [discord.ui.TextDisplay("Welcome"), discord.ui.Separator(), discord.ui.TextDisplay("Step 1")]


class Wizard(StagePaginationSession[None]):
    stages = (Welcome,)


async def test_a_stage_page_of_items_gets_its_controls_after_them(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    made: list[Wizard] = []

    @bot.command(name="wizard")
    async def wizard(ctx: commands.Context[Any]) -> None:
        made.append(Wizard(bot, ctx))
        await made[-1].start()

    await harness.message("!wizard")
    assert made[0].message is not None
    payload = harness.message_payload(made[0].message)
    assert payload["flags"] & COMPONENTS_V2
    assert [part["type"] for part in payload["components"]] == [
        TEXT_DISPLAY,
        SEPARATOR,
        TEXT_DISPLAY,
        ACTION_ROW,
    ]


class Cases(ListPaginationSession[str, None]):
    """One action per item: each case in a section whose accessory button opens it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[str] = []

    def format_page(self, items: Any) -> discord.ui.Container[Any]:
        return discord.ui.Container(
            *(
                discord.ui.Section(
                    discord.ui.TextDisplay(item), accessory=self.button("open", item, label="Open")
                )
                for item in items
            )
        )

    @on_button("open")
    async def open_case(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.opened.append(self.tokens(interaction).get_at(1))
        await interaction.response.defer()


async def test_a_button_the_session_built_works_as_a_sections_accessory(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    made: list[Cases] = []

    @bot.command(name="cases")
    async def cases(ctx: commands.Context[Any]) -> None:
        made.append(Cases(bot, ctx, ["case-1", "case-2", "case-3"], per_page=2, ttl=60))
        await made[-1].start()

    await harness.message("!cases")
    session = made[0]
    assert session.message is not None
    payload = harness.message_payload(session.message)
    accessories = [part["accessory"] for part in walk(payload["components"]) if "accessory" in part]
    assert len(accessories) == 2
    assert [button["label"] for button in accessories] == ["Open", "Open"]
    await harness.click(session.message, accessories[1]["custom_id"])
    assert session.opened == ["case-2"], "the second item's action, routed by its custom id"

    await session.end("done")
    # Its message is left as it was (an end by code); a click on an old accessory is answered.
    clicked = await harness.click(session.message, accessories[0]["custom_id"])
    assert clicked.ephemeral_texts == ["This session has expired. Run the command again to start a new one."]


async def test_the_component_budget_of_a_v2_page_is_checked_with_its_navigation(
    bot: commands.Bot, harness: InteractionHarness, caplog: Any
) -> None:
    """A container (1), a separator (1) and a row of prev, jump and next (4) leave 34 of 40: eleven
    sections of a text and a button (3 each). A twelfth is refused before anything is sent."""
    made: list[Cases] = []

    @bot.command(name="budget")
    async def budget(ctx: commands.Context[Any], per_page: int) -> None:
        made.append(Cases(bot, ctx, [f"case-{n}" for n in range(2 * per_page)], per_page=per_page))
        await made[-1].start()

    await harness.message("!budget 11")
    assert made[0].message is not None
    assert len([part for part in walk(harness.message_payload(made[0].message)["components"])]) == 39

    with harness.expect_errors(ComponentLimitError):
        await harness.message("!budget 12")
    assert made[1].message is None, "nothing was sent"
    assert (
        "page 1 of session" in caplog.text
        and "42 components in a components v2 message, Discord allows 40" in caplog.text
    )


class Charts(ListPaginationSession[str, None]):
    """A v2 page that shows a chart: a layout that names its file, which travels beside it."""

    def format_page(self, items: Any) -> Mapping[str, Any]:
        name = "other.png" if self.current_page == 2 else "chart.png"
        gallery = discord.ui.MediaGallery(discord.MediaGalleryItem(f"attachment://{name}"))
        layout = discord.ui.Container(gallery, *(discord.ui.TextDisplay(item) for item in items))
        if self.current_page == 1:
            return {"layout": layout}  # no files: the message keeps what it has
        return {"layout": layout, "files": [discord.File(io.BytesIO(name.encode()), name)]}


def attachments(harness: InteractionHarness, message: discord.Message) -> list[tuple[str, int]]:
    return [(one["filename"], int(one["id"])) for one in harness.message_payload(message)["attachments"]]


async def test_files_of_a_v2_page_stay_attached_across_page_turns_without_uploading_them_again(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    message = await start_list(bot, harness, Charts)
    payload = harness.message_payload(message)
    assert payload["flags"] & COMPONENTS_V2
    galleries = [part for part in walk(payload["components"]) if part["type"] == MEDIA_GALLERY]
    assert galleries[0]["items"][0]["media"]["url"] == "attachment://chart.png"
    (first,) = attachments(harness, message)
    assert first[0] == "chart.png"

    await harness.click(message, controls(harness, message)["next"].custom_id)
    assert attachments(harness, message) == [first], "a page without files keeps the message's"
    assert texts(harness.message_payload(message)) == ["card 3", "card 4"]

    await harness.click(message, controls(harness, message)["prev"].custom_id)
    assert attachments(harness, message) == [first], "the same file by name is kept, not uploaded again"

    await harness.click(message, controls(harness, message)["last"].custom_id)
    (other,) = attachments(harness, message)
    assert other[0] == "other.png", "a page that names other files replaces them"
    assert texts(harness.message_payload(message)) == ["card 5", "card 6"]


DISCORD_V2 = {"components": 40, "text": 4000, "custom_id": 100, "row": 5, "options": 25, "label": 80}
"""Discord's limits on a components v2 message, as its documentation states them."""


def within_discords_limits(payload: Mapping[str, Any]) -> list[str]:
    """Every limit a components v2 message breaks, checked from the payload Discord received."""
    parts = list(walk(payload["components"]))
    broken = []
    if len(parts) > DISCORD_V2["components"]:
        broken.append(f"{len(parts)} components")
    text = sum(len(part["content"]) for part in parts if part["type"] == TEXT_DISPLAY)
    if text > DISCORD_V2["text"]:
        broken.append(f"{text} characters of text")
    custom_ids = [part["custom_id"] for part in parts if "custom_id" in part]
    if len(set(custom_ids)) != len(custom_ids):
        broken.append("repeated custom ids")
    broken += [f"custom id {one!r} too long" for one in custom_ids if len(one) > DISCORD_V2["custom_id"]]
    for part in parts:
        if part["type"] == ACTION_ROW:
            inner = part["components"]
            if len(inner) > DISCORD_V2["row"] or (len(inner) > 1 and any(one["type"] != 2 for one in inner)):
                broken.append(f"an action row of {[one['type'] for one in inner]}")
        if len(part.get("options", ())) > DISCORD_V2["options"]:
            broken.append(f"{len(part['options'])} options")
        if len(part.get("label") or "") > DISCORD_V2["label"]:
            broken.append(f"label {part['label']!r} too long")
    return broken


class Docket(ListPaginationSession[str, None]):
    """Long cases, each in a section whose button carries the case's index on the list: eleven fit
    beside prev, jump and next (1 + 1 + 4 + 11 × 3 = 39 components)."""

    default_navigation = PageNavigation(first_last="never")

    def format_page(self, items: Any) -> discord.ui.Container[Any]:
        first = self.current_page * self.per_page
        return discord.ui.Container(
            *(
                discord.ui.Section(
                    discord.ui.TextDisplay(item), accessory=self.button("open", str(first + n), label="Open")
                )
                for n, item in enumerate(items)
            )
        )


class Everything(ListPaginationSession[str, None]):
    components_v2: ClassVar[bool] = True
    default_navigation = PageNavigation(page_select=True, stop=True, first_last="always")


@pytest.mark.parametrize(("cls", "per_page"), [(Docket, 11), (Everything, 10)], ids=["sections", "default"])
async def test_a_thousand_items_render_within_discords_limits_on_every_page(
    bot: commands.Bot, harness: InteractionHarness, cls: type[ListPaginationSession[str, None]], per_page: int
) -> None:
    """Eleven sections with a button each and the navigation row; or the default v2 rendering of ten
    long items with every control (first/last, jump, page select, stop): all 1,000 items, every page,
    checked against Discord's limits from the payloads the fake Discord received."""
    made: list[ListPaginationSession[str, None]] = []
    items = [f"case {n:04d}: " + "spam in #general " * 12 for n in range(1000)]

    @bot.command(name="thousand")
    async def thousand(ctx: commands.Context[Any]) -> None:
        made.append(cls(bot, ctx, items, per_page=per_page))
        await made[-1].start()

    await harness.message("!thousand")
    message = made[0].message
    assert message is not None
    seen: list[str] = []
    for page in range(made[0].page_count or 0):
        payload = harness.message_payload(message)
        assert payload["flags"] & COMPONENTS_V2
        assert within_discords_limits(payload) == [], f"page {page + 1}"
        seen += [text for text in texts(payload) if text.startswith("case")]
        if page + 1 < (made[0].page_count or 0):
            await harness.click(message, controls(harness, message)["next"].custom_id)
    assert len(seen) == (1000 if cls is Docket else 100), "a text display per item, or per page"
    shown = "\n".join(seen)
    assert all(item in shown for item in items), "every item was shown on a page"
