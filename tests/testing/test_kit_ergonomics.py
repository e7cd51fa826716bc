"""The testing kit's rough edges, as a discord.py author porting real code met them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import AbstractSession, ListPaginationSession, SessionExecutionMeta, get_session_manager
from nyx_sessions.storage import ManualClock, SQLiteSessionStore
from nyx_sessions.testing import InteractionHarness, close_test_bot, create_test_bot


@pytest.fixture
def bot_extensions() -> tuple[str, ...]:
    return ("nyx_sessions",)


class Waiting(AbstractSession[str]):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            "pick", view=self.view(self.button("yes", label="Yes"), self.button("no", label="No"))
        )

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = self.tokens(interaction).get()
        await self.edit(interaction, content=f"picked {self.result}", view=None)
        await self.end("picked")


async def test_a_command_that_waits_on_its_session_is_driven_with_settle_false(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    answers: list[str | None] = []

    @bot.command()
    async def ask(ctx: commands.Context[Any]) -> None:
        session = Waiting(ctx.bot, ctx)
        await session.start()
        answers.append((await session.wait()).result)

    await harness.message("!ask", settle=False)  # returns at once: the command now waits on its session
    await harness.wait_until(lambda: harness.last_message() is not None, what="the question")
    question = harness.last_message()
    assert question is not None and question.content == "pick" and answers == []
    await harness.click(question, label="Yes")  # settles: the session ends, so the command does too
    assert answers == ["yes"]


async def test_a_message_whose_command_never_ends_gives_up_like_every_other_call(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    never = asyncio.Event()

    @bot.command()
    async def hang(ctx: commands.Context[Any]) -> None:
        await never.wait()

    with pytest.raises(TimeoutError, match=r"settle\(\) gave up after 0.2 s; still running:\n.*on_message"):
        await harness.message("!hang", timeout=0.2)
    never.set()
    await harness.settle()


async def test_closing_a_bot_gives_up_on_a_handler_that_never_returns_and_names_it() -> None:
    stuck_bot = await create_test_bot(extensions=())

    @stuck_bot.listen("on_message")
    async def never_returns(message: discord.Message) -> None:
        await asyncio.Event().wait()

    kit = InteractionHarness(stuck_bot).install()
    try:
        await kit.message("hello", settle=False)
    finally:
        kit.uninstall()
    with pytest.raises(TimeoutError, match=r"gave up after 0.2 s on event handlers that never returned"):
        await close_test_bot(stuck_bot, timeout=0.2)


async def test_label_finds_a_button_when_the_custom_id_carries_a_random_session_id(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="numbers", description="Numbers")
    async def numbers(interaction: discord.Interaction[Any]) -> None:
        await ListPaginationSession(interaction.client, interaction, range(30), per_page=10).start()

    started = await harness.slash("numbers")
    await harness.click(started, label="\u25b6")
    assert harness.message_payload(started)["embeds"][0]["footer"]["text"] == "Page 2/3"
    with pytest.raises(AssertionError, match="no button or select with label 'Next'; it offers: '\u23ee'"):
        await harness.click(started, label="Next")
    with pytest.raises(TypeError, match="custom_id or by its label"):
        await harness.click(started, "x", label="y")


async def test_a_label_shown_twice_asks_for_the_custom_id(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    class Twice(AbstractSession[None]):
        async def on_start(self, meta: SessionExecutionMeta) -> None:
            await self.respond(
                "two", view=self.view(self.button("a", label="Go"), self.button("b", label="Go"))
            )

    @bot.tree.command(name="twice", description="Twice")
    async def twice(interaction: discord.Interaction[Any]) -> None:
        await Twice(interaction.client, interaction).start()

    started = await harness.slash("twice")
    with pytest.raises(AssertionError, match=r"has 2 components with label 'Go'.*use the custom id"):
        await harness.click(started, label="Go")


async def test_a_select_is_found_by_its_placeholder(bot: commands.Bot, harness: InteractionHarness) -> None:
    picked: list[list[str]] = []

    class Colours(AbstractSession[None]):
        async def on_start(self, meta: SessionExecutionMeta) -> None:
            options = [discord.SelectOption(label=colour) for colour in ("red", "blue")]
            await self.respond(
                "colour?", view=self.view(self.select("colour", options=options, placeholder="Colour"))
            )

        async def handle_select_menu(
            self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
        ) -> None:
            from nyx_sessions import select_values

            picked.append(select_values(interaction))

    @bot.tree.command(name="colours", description="Colours")
    async def colours(interaction: discord.Interaction[Any]) -> None:
        await Colours(interaction.client, interaction).start()

    started = await harness.slash("colours")
    await harness.select(started, values=["blue"], placeholder="Colour")
    assert picked == [["blue"]]


async def test_a_button_on_an_ephemeral_reply_can_be_clicked(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="private", description="Private pages")
    async def private(interaction: discord.Interaction[Any]) -> None:
        await ListPaginationSession(interaction.client, interaction, range(30), ephemeral=True).start()

    started = await harness.slash("private")
    assert started.response.ephemeral and not harness.history(), "only its user sees it"
    clicked = await harness.click(started, label="\u25b6")
    assert clicked.response.type == 7
    assert harness.message_payload(started)["embeds"][0]["footer"]["text"] == "Page 2/3"


async def test_records_hold_payload_dicts_and_build_embeds_on_request(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(name="card", description="A card")
    async def card(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(embed=discord.Embed(title="Card"))

    ran = await harness.slash("card")
    assert ran.response.embeds[0]["title"] == "Card"
    assert ran.response.embeds == ran.response.data["embeds"] == harness.message_payload(ran)["embeds"]
    assert ran.response.embed_objects()[0].title == "Card"


async def test_a_user_index_past_the_members_says_how_many_there_are(harness: InteractionHarness) -> None:
    with pytest.raises(AssertionError, match=r"user=2: the test guild has 2 members \(indexes 0 to 1\)"):
        harness.user(2)


class TestMoreMembers:
    @pytest.fixture
    def bot_members(self) -> int:
        return 5

    async def test_the_member_count_is_a_fixture(self, harness: InteractionHarness) -> None:
        assert len(harness.members) == 5
        assert harness.user(4) is harness.members[4]


class TestAClockBeforeExtensionsLoad:
    """An extension that reads the session manager in setup() sees the test's clock."""

    @pytest.fixture
    def session_clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def bot_extensions(self) -> list[str]:
        return ["nyx_sessions", "clock_reading_extension"]

    async def test_the_extension_found_the_manual_clock(
        self, bot: commands.Bot, session_clock: ManualClock
    ) -> None:
        assert bot.get_cog("ClockReader").clock is session_clock  # type: ignore[union-attr]
        assert get_session_manager(bot).clock is session_clock


def test_a_conftest_may_import_from_the_kit_before_naming_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            from nyx_sessions.testing import ManualClock

            pytest_plugins = ["nyx_sessions.testing"]
            """
        )
    )
    (tmp_path / "test_it.py").write_text("def test_it():\n    assert True\n")
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest.PytestAssertRewriteWarning",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "PytestAssertRewriteWarning" not in ran.stdout + ran.stderr


async def test_an_extension_that_fails_to_load_leaves_nothing_running(tmp_path: Path) -> None:
    """create_test_bot closes what it loaded before the failing extension: here, the store's lock."""
    path = tmp_path / "sessions.db"
    with pytest.raises(commands.ExtensionNotFound):
        await create_test_bot(
            extensions=("nyx_sessions", "no_such_extension"), store=SQLiteSessionStore(path)
        )
    again = await create_test_bot(extensions=("nyx_sessions",), store=SQLiteSessionStore(path))
    try:
        assert get_session_manager(again).store is not None, "the file's lock was let go"
    finally:
        await close_test_bot(again)


class Breaks(AbstractSession[None]):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("fragile", view=self.view(self.button("break", label="Break")))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        raise ValueError("the handler is broken")


async def test_an_error_in_a_handler_fails_the_test_unless_it_is_expected(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    session = Breaks(bot, harness.channel, owner=harness.members[0])
    await session.start()
    assert session.message is not None
    with pytest.raises(ValueError, match="the handler is broken"):
        await harness.click(session.message, label="Break")  # the user still got the notice

    with harness.expect_errors(ValueError) as caught:
        clicked = await harness.click(session.message, label="Break")
    assert str(caught.error) == "the handler is broken"
    assert clicked.ephemeral_texts == ["Something went wrong while handling that. Please try again."]

    expecting = harness.expect_errors(KeyError)
    with pytest.raises(AssertionError, match="expected the block to raise KeyError in a handler"), expecting:
        pass


async def test_an_error_a_consumer_of_the_bots_takes_does_not_fail_the_test(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    taken: list[BaseException] = []
    get_session_manager(bot).executor.update_error_handler.set_consumer(
        ValueError, lambda error, *_: taken.append(error)
    )
    session = Breaks(bot, harness.channel, owner=harness.members[0])
    await session.start()
    assert session.message is not None
    await harness.click(session.message, label="Break")
    assert [str(error) for error in taken] == ["the handler is broken"]


class Strict(commands.Cog):
    """Answers a bad number itself; raises everything else again."""

    @commands.command()
    async def double(self, ctx: commands.Context[Any], number: int) -> None:
        if number < 0:
            raise RuntimeError("negative numbers are a bug here")
        await ctx.send(str(2 * number))

    async def cog_command_error(self, ctx: commands.Context[Any], error: Exception) -> None:
        if isinstance(error, commands.BadArgument):
            await ctx.send("That is not a number.")
            return
        raise error


async def test_a_command_error_its_cog_answers_does_not_fail_the_test(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    """As discord.py's default handler does: an error the command's or cog's handler took is theirs."""
    await bot.add_cog(Strict())

    await harness.message("!double two")
    answer = harness.last_message()
    assert answer is not None and answer.content == "That is not a number."

    with pytest.raises(commands.CommandInvokeError, match="negative numbers are a bug here"):
        await harness.message("!double -1")  # raised again by the handler: still a failure
