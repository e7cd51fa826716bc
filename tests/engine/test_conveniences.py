"""Conveniences discord.py authors expected: handlers by component, select_values, on_error, styled
navigation, and manager calls for the same session from inside its handler."""

from __future__ import annotations

from typing import Any, ClassVar

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    IllegalSessionStateError,
    ListPaginationSession,
    NavigationButton,
    PageNavigation,
    SessionEndCode,
    SessionExecutionMeta,
    get_session_manager,
    modal_values,
    on_button,
    on_modal,
    on_select,
    select_values,
)
from nyx_sessions.execution import ERROR_NOTICE
from nyx_sessions.testing import Injected, InteractionHarness


class Settings(AbstractSession[None]):
    """A settings panel written with handlers by component; ``other`` still reaches handle_button."""

    def __init__(self, bot: discord.Client, start: Any) -> None:
        super().__init__(bot, start)
        self.seen: list[str] = []

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            "settings",
            view=self.view(
                self.button("save", label="Save"),
                self.button("rename", label="Rename"),
                self.button("other", label="Other"),
                self.select("who", cls=discord.ui.UserSelect, placeholder="Who"),
                self.select("colour", placeholder="Colour", options=[discord.SelectOption(label="red")]),
            ),
        )

    @on_button("save")
    async def save(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.seen.append("save")
        await interaction.response.edit_message(content="saved")

    @on_button("rename")
    async def rename(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        field = discord.ui.TextInput(label="Name", custom_id="name")
        await interaction.response.send_modal(self.modal("Rename", field, tokens=("renamed",)))

    @on_modal("renamed")
    async def renamed(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.seen.append(f"renamed to {modal_values(interaction)['name']}")
        await self.edit(interaction, content=f"name: {modal_values(interaction)['name']}")

    @on_select("who")
    async def who(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.seen.append(f"who {select_values(interaction)}")

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.seen.append(f"handle_button {self.tokens(interaction).get()}")

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        self.seen.append(f"handle_select_menu {select_values(interaction)}")


@pytest.fixture
async def settings(bot: commands.Bot, harness: InteractionHarness) -> tuple[Settings, Injected]:
    made: list[Settings] = []

    @bot.tree.command(name="settings", description="Settings")
    async def open_settings(interaction: discord.Interaction[Any]) -> None:
        made.append(Settings(interaction.client, interaction))
        await made[-1].start()

    started = await harness.slash("settings")
    return made[0], started


async def test_handlers_by_component_route_buttons_selects_and_modals(
    harness: InteractionHarness, settings: tuple[Settings, Injected]
) -> None:
    session, started = settings
    await harness.click(started, label="Save")
    opened = await harness.click(started, label="Rename")
    await harness.submit_modal(opened, {"name": "Ann"})
    await harness.select(started, values=[harness.members[1]], placeholder="Who")
    await harness.click(started, label="Other")
    await harness.select(started, values=["red"], placeholder="Colour")
    assert session.seen == [
        "save",
        "renamed to Ann",
        f"who ['{harness.members[1].id}']",
        "handle_button other",
        "handle_select_menu ['red']",
    ]
    assert harness.message_payload(started)["content"] == "name: Ann"


def test_two_methods_claiming_one_token_are_refused_when_the_class_is_made() -> None:
    with pytest.raises(
        TypeError, match=r"\.one and \.two both handle the button token 'go'|\.two and \.one both"
    ):

        class Clash(AbstractSession[None]):
            @on_button("go")
            async def one(self, interaction: Any, meta: Any) -> None: ...

            @on_button("go")
            async def two(self, interaction: Any, meta: Any) -> None: ...


def test_a_subclass_inherits_and_overrides_routes() -> None:
    class Base(AbstractSession[None]):
        @on_button("a")
        async def first(self, interaction: Any, meta: Any) -> None: ...

        @on_button("b")
        async def second(self, interaction: Any, meta: Any) -> None: ...

    class Child(Base):
        @on_button("b")
        async def replaced(self, interaction: Any, meta: Any) -> None: ...

    assert dict(Child._routes) == {("button", "a"): "first", ("button", "b"): "replaced"}
    assert not AbstractSession._routes


def test_select_values_of_something_that_is_not_a_select_is_empty() -> None:
    class NotASelect:
        data: ClassVar[dict[str, Any]] = {"custom_id": "x", "component_type": 2}

    assert select_values(NotASelect()) == []  # type: ignore[arg-type]


# -- on_error ---------------------------------------------------------------------------------------------


class Fragile(AbstractSession[None]):
    handled = False
    answer = False
    explode = False

    def __init__(self, bot: discord.Client, start: Any) -> None:
        super().__init__(bot, start)
        self.errors: list[BaseException] = []

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("fragile", view=self.view(self.button("boom", label="Boom")))

    @on_button("boom")
    async def boom(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        raise LookupError("no such row")

    async def on_error(self, error: BaseException, interaction: discord.Interaction[Any]) -> bool:
        self.errors.append(error)
        if self.explode:
            raise RuntimeError("on_error itself failed")
        if self.answer:
            await interaction.response.send_message("That row is gone.", ephemeral=True)
        return self.handled


@pytest.fixture
def fragile(bot: commands.Bot, harness: InteractionHarness) -> Any:
    manager_errors: list[BaseException] = []
    get_session_manager(bot).executor.update_error_handler.set_consumer(
        Exception, lambda error, *args: manager_errors.append(error)
    )
    made: list[Fragile] = []

    @bot.tree.command(name="fragile", description="Fragile")
    async def open_fragile(interaction: discord.Interaction[Any]) -> None:
        made.append(options["cls"](interaction.client, interaction))
        await made[-1].start()

    options: dict[str, Any] = {}

    async def run(**attributes: Any) -> tuple[Fragile, Injected, list[BaseException]]:
        options["cls"] = type("Configured", (Fragile,), attributes)
        started = await harness.slash("fragile")
        clicked = await harness.click(started, label="Boom")
        return made[-1], clicked, manager_errors

    return run


async def test_on_error_that_handles_and_answers_keeps_the_error_from_the_manager(fragile: Any) -> None:
    session, clicked, manager_errors = await fragile(handled=True, answer=True)
    assert [type(error) for error in session.errors] == [LookupError] and manager_errors == []
    assert clicked.ephemeral_texts == ["That row is gone."]


async def test_on_error_that_declines_passes_the_error_on_and_the_user_gets_the_notice(fragile: Any) -> None:
    session, clicked, manager_errors = await fragile(handled=False)
    assert session.errors == manager_errors and isinstance(manager_errors[0], LookupError)
    assert clicked.ephemeral_texts == [ERROR_NOTICE]


async def test_on_error_that_raises_is_logged_and_the_original_error_goes_on(
    fragile: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _, clicked, manager_errors = await fragile(explode=True)
    assert isinstance(manager_errors[0], LookupError)
    assert "on_error of session" in caplog.text and "on_error itself failed" in caplog.text
    assert clicked.ephemeral_texts == [ERROR_NOTICE]


# -- styled navigation ------------------------------------------------------------------------------------


ROBO_PAGES = PageNavigation(
    first_last="always",
    first_button=NavigationButton(label="\u226a", style=discord.ButtonStyle.primary),
    previous_button=NavigationButton(label="Back", style=discord.ButtonStyle.primary),
    next_button=NavigationButton(label="Next", style=discord.ButtonStyle.primary),
    last_button=NavigationButton(label="\u226b", style=discord.ButtonStyle.primary),
    jump_button=NavigationButton(label="Skip to page\u2026"),
    stop=True,
    stop_button=NavigationButton(label="Quit", style=discord.ButtonStyle.danger),
    stop_deletes=True,
)


@pytest.fixture
def pages(bot: commands.Bot, harness: InteractionHarness) -> Any:
    made: list[ListPaginationSession[int, None]] = []

    async def run(navigation: PageNavigation, *, ephemeral: bool = False) -> tuple[Any, Injected]:
        @bot.tree.command(name="pages", description="Pages")
        async def pages_command(interaction: discord.Interaction[Any]) -> None:
            made.append(
                ListPaginationSession(
                    interaction.client,
                    interaction,
                    range(50),
                    per_page=5,
                    navigation=navigation,
                    ephemeral=ephemeral,
                )
            )
            await made[-1].start()

        return made, await harness.slash("pages")

    return run


def looks(harness: InteractionHarness, message: Any) -> list[list[tuple[Any, ...]]]:
    rows = harness.message_payload(message)["components"]
    return [
        [
            (c.get("label") or c.get("emoji", {}).get("name"), c.get("style"), bool(c.get("disabled")))
            for c in row["components"]
        ]
        for row in rows
    ]


async def test_robodanny_look_without_rewriting_the_navigation(
    harness: InteractionHarness, pages: Any
) -> None:
    _, started = await pages(ROBO_PAGES)
    primary, secondary, danger = 1, 2, 4
    assert looks(harness, started) == [
        [
            ("\u226a", primary, True),
            ("Back", primary, True),
            ("1/10", secondary, True),
            ("Next", primary, False),
            ("\u226b", primary, False),
        ],
        [("Skip to page\u2026", secondary, False), ("Quit", danger, False)],
    ]
    opened = await harness.click(started, label="Skip to page\u2026")
    await harness.submit_modal(opened, {"page": "4"})
    assert harness.message_payload(started)["embeds"][0]["footer"]["text"] == "Page 4/10"


async def test_stop_can_delete_the_message(harness: InteractionHarness, pages: Any) -> None:
    made, started = await pages(ROBO_PAGES)
    await harness.click(started, label="Quit")
    assert harness.history() == [], "the message is gone"
    assert (await made[0].wait()).code is SessionEndCode.SELF_ENDED


async def test_stop_deletes_an_ephemeral_message_too(harness: InteractionHarness, pages: Any) -> None:
    _, started = await pages(ROBO_PAGES, ephemeral=True)
    quitting = await harness.click(started, label="Quit")
    assert [reply.kind for reply in quitting.replies] == ["callback", "delete_original"]


async def test_the_indicator_can_be_left_out(harness: InteractionHarness, pages: Any) -> None:
    _, started = await pages(PageNavigation(indicator=False))
    assert [label for label, _, _ in looks(harness, started)[0]] == ["\u23ee", "\u25c0", "\u25b6", "\u23ed"]


def test_a_navigation_button_needs_something_to_show() -> None:
    with pytest.raises(ValueError, match="needs a label, an emoji, or both"):
        NavigationButton()


# -- the manager, called for the same session from inside its handler -----------------------------------


class Counter(AbstractSession[None]):
    def __init__(self, bot: discord.Client, start: Any, **kwargs: Any) -> None:
        super().__init__(bot, start, **kwargs)
        self.count = 0

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            f"count: {self.count}",
            view=self.view(self.button("inc", label="+1"), self.button("reset", label="Reset")),
        )

    @on_button("inc")
    async def inc(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.count += 1
        await self.edit(interaction, content=f"count: {self.count}")

    @on_button("reset")
    async def reset(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.end("reset")
        await Counter(self.bot, interaction, session_id=self.id).start()  # the same id, from its own handler


async def test_a_missing_session_handler_can_start_the_session_again_with_its_id(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    manager = get_session_manager(bot)

    async def resurrect(session_id: str, interaction: discord.Interaction[Any]) -> None:
        await Counter(interaction.client, interaction, session_id=session_id).start()

    manager.executor.missing_handler = resurrect
    payload = harness.build_payload(
        3,
        {
            "custom_id": manager.codec.serialize_to_custom_id(_Named("lost")) + "\u109einc",
            "component_type": 2,
        },
    )
    resurrected = await harness.inject(payload)  # settles: it would time out if the start waited on itself
    assert manager.get("lost") is not None
    assert resurrected.response.content == "count: 0"


async def test_a_reset_button_that_ends_and_restarts_with_the_same_id_works(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="counter", description="Counter")
    async def counter(interaction: discord.Interaction[Any]) -> None:
        await Counter(interaction.client, interaction, session_id="same").start()

    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    reset = await harness.click(started, label="Reset")
    fresh = get_session_manager(bot).get("same")
    assert isinstance(fresh, Counter) and fresh.count == 0
    assert reset.response.content == "count: 0"


async def test_updating_the_same_session_from_inside_its_handler_is_refused_clearly(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    errors: list[BaseException] = []

    class Nested(Counter):
        @on_button("inc")
        async def inc(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
            again = await harness.inject(
                harness.build_payload(3, {"custom_id": self.component_id("x"), "component_type": 2}),
                settle=False,
            )
            assert again.interaction is not None
            await self.manager.update(again.interaction)

    get_session_manager(bot).executor.update_error_handler.set_consumer(
        Exception, lambda e, *a: errors.append(e)
    )

    @bot.tree.command(name="nested", description="Nested")
    async def nested(interaction: discord.Interaction[Any]) -> None:
        await Nested(interaction.client, interaction).start()

    started = await harness.slash("nested")
    clicked = await harness.click(started, label="+1")
    assert isinstance(errors[0], IllegalSessionStateError)
    assert "called from inside that session's own handler" in str(errors[0])
    assert clicked.ephemeral_texts == [ERROR_NOTICE]


class _Named:
    def __init__(self, session_id: str) -> None:
        self.id = session_id
