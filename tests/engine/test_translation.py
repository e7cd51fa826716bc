"""Notices and controls in the user's language: every string the package shows goes through the
bot's real ``app_commands.Translator`` with a stable key, and nothing bypasses :data:`MESSAGES`.

The translator here answers French with a marker that names the key (and keeps the placeholders),
so a test can see, in what the fake Discord received, which key each text came from, and that no
English text of the package was left.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from string import Formatter
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

import nyx_sessions
from nyx_sessions import (
    MESSAGES,
    AbstractSession,
    AllowAll,
    EndCode,
    Form,
    FormSession,
    ListPaginationSession,
    NotFilter,
    OwnerOnly,
    PageNavigation,
    PaginationSession,
    SessionEndData,
    SessionExecutionMeta,
    SessionStoreError,
    on_button,
)
from nyx_sessions.forms import checkbox, choices, text
from nyx_sessions.testing import Injected, InteractionHarness

FRENCH = discord.Locale.french
MARKER = re.compile(r"\u2039(nyx_sessions\.[a-z_.]+)\u203a")


def placeholders(english: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(english) if name]


class MarkerTranslator(app_commands.Translator):
    """French is ``‹key› {field} …``: the key shown, the placeholders kept; other languages: None."""

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, discord.Locale, app_commands.TranslationContextTypes]] = []

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: Any
    ) -> str | None:
        key = string.extras.get("key")
        self.asked.append((key, locale, context))
        if locale is not FRENCH or key is None:
            return None
        return f"\u2039{key}\u203a" + "".join(f" {{{name}}}" for name in placeholders(string.message))


def marker(key: str, **fields: Any) -> str:
    return f"\u2039{key}\u203a" + "".join(f" {fields[name]}" for name in placeholders(MESSAGES[key]))


class Recorder:
    """Every injection of a test, to read back everything the bot sent."""

    def __init__(self, harness: InteractionHarness) -> None:
        self.harness = harness
        self.injected: list[Injected] = []

    def __call__(self, injected: Injected) -> Injected:
        self.injected.append(injected)
        return injected

    def everything(self) -> str:
        """Every body the bot sent to answer an interaction, and every message in the channel."""
        sent: list[Any] = [reply.body for one in self.injected for reply in one.replies]
        sent += [reply.message for one in self.injected for reply in one.replies]
        sent += self.harness.history()
        return json.dumps(sent, ensure_ascii=False, default=str)

    def keys_shown(self) -> set[str]:
        return set(MARKER.findall(self.everything()))

    def english_left(self) -> list[str]:
        """Every piece of the package's English text (4 characters or more) found in what was sent."""
        everything = MARKER.sub("", self.everything())  # keys name English words: not text shown
        found = []
        for key, english in MESSAGES.items():
            for literal, *_ in Formatter().parse(english):
                piece = literal.strip()
                if len(piece) >= 4 and piece in everything:
                    found.append(f"{key}: {piece!r}")
        return found


# -- the sessions a French user meets ------------------------------------------------------------------


class Boom(AbstractSession[None]):
    def panel(self) -> discord.ui.View:
        return self.view(
            *(self.button(name, label=name.title()) for name in ("boom", "store", "open", "done"))
        )

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("a panel", view=self.panel())

    @on_button("boom")
    async def boom(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        raise RuntimeError("the handler broke")

    @on_button("store")
    async def store(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        raise SessionStoreError("the store did not answer")

    @on_button("open")
    async def open(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.open_child(Child(self.bot, interaction), interaction)

    @on_button("done")
    async def done(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.end("done")

    async def on_child_end(
        self, child_end: SessionEndData[Any], interaction: discord.Interaction[Any] | None
    ) -> None:
        await self.edit(interaction, content="a panel", view=self.panel())


class Child(AbstractSession[None]):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("a step", view=self.view(self.button("back", label="Back")))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.end("back")


class Refused(AbstractSession[None]):
    start_filter = NotFilter(AllowAll())

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("never shown")


class Broken(AbstractSession[None]):
    async def on_start(self, meta: SessionExecutionMeta) -> None:
        raise RuntimeError("on_start broke")


class OnePerUser(ListPaginationSession[str, None]):
    max_per_user = 1
    limit_policy = "reject"


class OnePerChannel(ListPaginationSession[str, None]):
    max_per_channel = 1
    limit_policy = "reject"


class OnePerGuild(ListPaginationSession[str, None]):
    max_per_guild = 1
    limit_policy = "reject"


class Survey(Form):
    """Seven fields: two modals, with every rule a field can break."""

    name: str = text("Name", min_length=3)
    town: str = text("Town", max_length=5)
    q3: str = text("Three")
    q4: str = text("Four")
    q5: str = text("Five")
    letters: list[str] = choices("Letters", ["a", "b", "c"], min=2)
    agree: bool = checkbox("Agree", required=True)


class OneForm(FormSession[Survey]):
    """A form started by a modal has no message yet: the limit's notice has no link."""

    max_per_user = 1
    limit_policy = "reject"


class OneFormPerChannel(FormSession[Survey]):
    max_per_channel = 1
    limit_policy = "reject"


class OneFormPerGuild(FormSession[Survey]):
    max_per_guild = 1
    limit_policy = "reject"


class Endless(PaginationSession[None]):
    """A paginator of its own, of unknown length, that builds its navigation itself."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.load_texts()
        await self.respond("a page", view=self.view(*self.build_navigation()))

    async def update_page(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.edit(interaction, content="a page", view=self.view(*self.build_navigation()))


async def numbers() -> AsyncIterator[str]:
    for number in range(1, 10_000):
        yield f"line {number}"


@pytest.fixture
def translator() -> MarkerTranslator:
    return MarkerTranslator()


@pytest.fixture
async def french_bot(bot: commands.Bot, translator: MarkerTranslator) -> commands.Bot:
    """The bot with the extension loaded first and the translator set after: it is looked up when shown."""
    made: list[AbstractSession[Any]] = []
    bot.made = made  # type: ignore[attr-defined]

    def command(name: str, factory: Any) -> None:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            made.append(factory(interaction))
            await made[-1].start()

        bot.tree.add_command(app_commands.Command(name=name, description=name, callback=callback))

    command(
        "pages",
        lambda i: ListPaginationSession(
            bot,
            i,
            [f"item {n}" for n in range(1, 13)],
            per_page=5,
            navigation=PageNavigation(page_select=True),
        ),
    )
    command("stream", lambda i: ListPaginationSession(bot, i, numbers(), per_page=5))
    command("nothing", lambda i: ListPaginationSession(bot, i, []))
    command("boom", lambda i: Boom(bot, i))
    command("refused", lambda i: Refused(bot, i))
    command("broken", lambda i: Broken(bot, i))
    command("user", lambda i: OnePerUser(bot, i, ["x"]))
    command("channel", lambda i: OnePerChannel(bot, i, ["x"]))
    command("guild", lambda i: OnePerGuild(bot, i, ["x"]))
    command("survey", lambda i: OneForm(bot, i, title="Survey"))
    command("survey-channel", lambda i: OneFormPerChannel(bot, i, title="Survey"))
    command("survey-guild", lambda i: OneFormPerGuild(bot, i, title="Survey"))
    command("endless", lambda i: Endless(bot, i))

    @bot.command(name="survey")
    async def survey(ctx: commands.Context[Any]) -> None:
        made.append(FormSession(bot, ctx, Survey, title="Survey"))
        await made[-1].start()

    await bot.tree.set_translator(translator)
    return bot


async def forged(harness: InteractionHarness, opened: Injected, values: dict[str, Any]) -> Injected:
    """Submit ``opened``'s modal with ``values`` as they are, past the rules Discord's client keeps."""
    modal = opened.modal
    assert modal is not None
    answers = []
    for label in modal["components"]:
        component = label["component"]
        if component["custom_id"] in values:
            value = values[component["custom_id"]]
            answer = {"type": component["type"], "custom_id": component["custom_id"]}
            answer["values" if isinstance(value, list) else "value"] = value
            answers.append({"type": 18, "component": answer})
    data = {"custom_id": modal["custom_id"], "components": answers}
    return await harness.inject(harness.build_payload(5, data, locale="fr"))


def ephemeral(injected: Injected) -> str:
    (notice,) = injected.ephemeral_texts
    return notice


# -- end to end ----------------------------------------------------------------------------------------


async def test_every_notice_and_control_a_french_user_sees_comes_from_the_translator(
    french_bot: commands.Bot, harness: InteractionHarness, translator: MarkerTranslator
) -> None:
    sent = Recorder(harness)
    fr = {"locale": "fr"}

    # A list: the indicator, the page select, the page label; the jump modal; a page out of range.
    pages = sent(await harness.slash("pages", **fr))
    assert pages.response is not None
    shown = pages.response.data
    assert shown["embeds"][0]["footer"]["text"] == marker("nyx_sessions.nav.page_label", page=1, count=3)
    jump = sent(
        await harness.click(
            pages.original_id or 0, label=marker("nyx_sessions.nav.indicator", page=1, count=3), **fr
        )
    )
    assert jump.modal is not None and jump.modal["title"] == marker("nyx_sessions.nav.jump_title")
    (label,) = jump.modal["components"]
    assert label["label"] == marker("nyx_sessions.nav.jump_label")
    assert label["component"]["placeholder"] == marker("nyx_sessions.nav.jump_placeholder", count=3)
    too_far = sent(await harness.submit_modal(jump, {"page": "99"}))
    assert ephemeral(too_far) == marker("nyx_sessions.notice.page_out_of_range", count=3)
    # bob, in French too, is not the owner.
    bob = sent(await harness.click(pages.original_id or 0, label="\u25b6", user=1, **fr))
    assert ephemeral(bob) == marker("nyx_sessions.notice.not_owner")

    # A list of unknown length; an empty list.
    stream = sent(await harness.slash("stream", **fr))
    jump = sent(
        await harness.click(
            stream.original_id or 0, label=marker("nyx_sessions.nav.indicator_unknown", page=1), **fr
        )
    )
    sent(await harness.submit_modal(jump, {"page": "999"}))
    sent(await harness.slash("nothing", **fr))
    endless = sent(await harness.slash("endless", **fr))
    indicator = marker("nyx_sessions.nav.indicator_unknown", page=1)
    jump = sent(await harness.click(endless.original_id or 0, label=indicator, **fr))
    typed = sent(await harness.submit_modal(jump, {"page": "last"}))
    assert ephemeral(typed) == marker("nyx_sessions.notice.page_out_of_range_unknown")

    # A handler that breaks, a store that does not answer, a parent waiting for its child, an end.
    boom = sent(await harness.slash("boom", **fr))
    panel = boom.original_id or 0
    with harness.expect_errors(RuntimeError, SessionStoreError):
        assert ephemeral(sent(await harness.click(panel, label="Boom", **fr))) == marker(
            "nyx_sessions.notice.error"
        )
        stored = sent(await harness.click(panel, label="Store", **fr))
        assert ephemeral(stored) == marker("nyx_sessions.notice.try_again")
    parent = french_bot.made[-1]  # type: ignore[attr-defined]
    old_button = harness.message_payload(panel)["components"][0]["components"][0]["custom_id"]
    sent(await harness.click(panel, label="Open", **fr))
    blocked = sent(
        await harness.inject(
            harness.build_payload(
                3, {"custom_id": old_button, "component_type": 2}, message=panel, locale="fr"
            )
        )
    )
    assert ephemeral(blocked) == marker("nyx_sessions.notice.child_running")
    sent(await harness.click(panel, label="Back", **fr))
    sent(await harness.click(panel, label="Done", **fr))
    assert parent.end_data is not None
    gone = sent(await harness.click(panel, label="Boom", **fr))
    assert ephemeral(gone) == marker("nyx_sessions.notice.expired")

    # Starts refused by a filter, broken, or over a limit (with a link to the open one, or without).
    assert ephemeral(sent(await harness.slash("refused", **fr))) == marker("nyx_sessions.notice.start_denied")
    with harness.expect_errors(RuntimeError):
        assert ephemeral(sent(await harness.slash("broken", **fr))) == marker(
            "nyx_sessions.notice.start_failed"
        )
    for scope, suffix in (("user", ""), ("channel", "_channel"), ("guild", "_guild")):
        first = sent(await harness.slash(scope, **fr))
        refused = ephemeral(sent(await harness.slash(scope, **fr)))
        assert refused.startswith(f"\u2039nyx_sessions.notice.limit_reached{suffix}_link\u203a")
        assert f"/{first.original_id}" in refused, "the link to the open one"

    # A form: two modals, every rule broken once, Fix, Continue, done; the limit without a link.
    opened = sent(await harness.slash("survey", **fr))
    assert opened.modal is not None
    assert opened.modal["title"] == marker("nyx_sessions.form.modal_title", title="Survey", step=1, steps=2)
    refused = ephemeral(sent(await harness.slash("survey", **fr)))
    assert refused == marker("nyx_sessions.notice.limit_reached", label="one form")
    # Discord keeps lengths and required inputs itself; a forged submit breaks them anyway.
    wrong = sent(
        await forged(harness, opened, {"name": "Al", "town": "Paris-Nord", "q3": "", "q4": "x", "q5": "x"})
    )
    lines = ephemeral(wrong).split("\n")
    assert lines[0] == marker("nyx_sessions.form.fix_intro")
    assert (
        marker(
            "nyx_sessions.form.error_line", label="Name", problem=marker("nyx_sessions.form.too_short", min=3)
        )
        in lines
    )
    assert (
        marker(
            "nyx_sessions.form.error_line", label="Town", problem=marker("nyx_sessions.form.too_long", max=5)
        )
        in lines
    )
    fix = sent(await harness.click(wrong.original_id or 0, label=marker("nyx_sessions.form.fix"), **fr))
    step = sent(
        await harness.submit_modal(fix, {"name": "Ana", "town": "Paris", "q3": "x", "q4": "x", "q5": "x"})
    )
    assert ephemeral(step) == marker("nyx_sessions.form.step_done", step=1, steps=2)
    second = sent(
        await harness.click(step.original_id or 0, label=marker("nyx_sessions.form.continue"), **fr)
    )
    wrong = sent(await forged(harness, second, {"letters": ["a"], "agree": False}))
    assert marker("nyx_sessions.form.must_be_ticked") in ephemeral(wrong)
    assert marker("nyx_sessions.form.too_few_picks", min=2) in ephemeral(wrong)
    fix = sent(await harness.click(wrong.original_id or 0, label=marker("nyx_sessions.form.fix"), **fr))
    done = sent(await harness.submit_modal(fix, {"letters": ["a", "b"], "agree": True}))
    assert ephemeral(done) == marker("nyx_sessions.form.done")
    for scope, label in (("channel", "one form per channel"), ("guild", "one form per guild")):
        sent(await harness.slash(f"survey-{scope}", **fr))
        refused = ephemeral(sent(await harness.slash(f"survey-{scope}", **fr)))
        assert refused == marker(f"nyx_sessions.notice.limit_reached_{scope}", label=label)
    # From a prefix command there is no user locale: the guild's preferred one.
    harness.guild.preferred_locale = FRENCH
    await harness.message("!survey")
    posted = harness.last_message()
    assert posted is not None
    assert posted.components[0].children[0].label == marker("nyx_sessions.form.fill_in")  # type: ignore[attr-defined]

    shown = sent.keys_shown()
    assert {
        "nyx_sessions.notice.expired",
        "nyx_sessions.notice.not_owner",
        "nyx_sessions.notice.try_again",
        "nyx_sessions.notice.error",
        "nyx_sessions.notice.page_out_of_range",
        "nyx_sessions.notice.child_running",
        "nyx_sessions.notice.limit_reached",
        "nyx_sessions.notice.page_out_of_range_partial",
        "nyx_sessions.nav.select_option",
        "nyx_sessions.nav.select_placeholder",
        "nyx_sessions.nav.page_label_unknown",
        "nyx_sessions.nav.jump_placeholder_unknown",
        "nyx_sessions.nav.empty_page",
    } <= shown
    # Shown in the two tests below: a forged jump on one page; a jump queued past Discord's deadline.
    untested = {"nyx_sessions.notice.single_page", "nyx_sessions.notice.jump_too_late"}
    assert set(MESSAGES) - untested - shown == set(), "every other key was shown to the French user"
    assert sent.english_left() == [], "nothing the package showed bypassed the translator"
    contexts = {context.location for _, _, context in translator.asked}
    assert contexts == {app_commands.TranslationContextLocation.other}


async def test_without_a_translator_or_for_a_language_it_does_not_know_the_text_is_english(
    french_bot: commands.Bot, harness: InteractionHarness
) -> None:
    german = await harness.slash("pages", locale="de")
    assert german.response is not None
    assert german.response.data["embeds"][0]["footer"]["text"] == "Page 1/3", "the translator returned None"
    bob = await harness.click(german.original_id or 0, label="\u25b6", user=1, locale="de")
    assert ephemeral(bob) == MESSAGES["nyx_sessions.notice.not_owner"]

    await french_bot.tree.set_translator(None)
    french = await harness.slash("pages", locale="fr")
    assert french.response is not None
    assert french.response.data["embeds"][0]["footer"]["text"] == "Page 1/3", "no translator: English"
    bob = await harness.click(french.original_id or 0, label="\u25b6", user=1, locale="fr")
    assert ephemeral(bob) == "This isn't yours to use. Run the command yourself to get your own."


async def test_a_session_keeps_its_starting_locale_and_notices_follow_the_clicking_user(
    french_bot: commands.Bot, harness: InteractionHarness
) -> None:
    """alice started in French: her list stays French; bob clicks in German and is told in German."""
    pages = await harness.slash("pages", locale="fr")
    session = french_bot.made[-1]  # type: ignore[attr-defined]
    assert session.locale is FRENCH
    turned = await harness.click(pages.original_id or 0, label="\u25b6", locale="en-US")
    assert turned.response is not None
    assert turned.response.data["embeds"][0]["footer"]["text"] == marker(
        "nyx_sessions.nav.page_label", page=2, count=3
    ), "navigation is the session's text: its locale, not the click's"
    bob = await harness.click(pages.original_id or 0, label="\u25b6", user=1, locale="en-US")
    assert ephemeral(bob) == MESSAGES["nyx_sessions.notice.not_owner"], "a notice: the clicking user's locale"


async def test_a_translation_that_breaks_or_does_not_fit_shows_english(
    french_bot: commands.Bot, harness: InteractionHarness, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(app_commands.Translator):
        async def translate(
            self, string: app_commands.locale_str, locale: discord.Locale, context: Any
        ) -> str | None:
            if string.extras.get("key") == "nyx_sessions.nav.page_label":
                return "Seite {seite}/{von}"  # fields that are not the English ones
            raise LookupError("no such catalogue")

    await french_bot.tree.set_translator(Broken())
    pages = await harness.slash("pages", locale="de")
    assert pages.response is not None
    assert pages.response.data["embeds"][0]["footer"]["text"] == "Page 1/3"
    bob = await harness.click(pages.original_id or 0, label="\u25b6", user=1, locale="de")
    assert ephemeral(bob) == MESSAGES["nyx_sessions.notice.not_owner"]
    assert "does not fit its fields" in caplog.text and "the translator failed" in caplog.text


# -- nothing bypasses MESSAGES, read from the source -----------------------------------------------------

_PACKAGE = Path(nyx_sessions.__file__).parent
_USER_FACING = {"label", "placeholder", "title", "content", "description", "text"}
"""Keywords whose value Discord shows a user."""
_SENDERS = {"send_notice", "send_message", "respond", "reply", "modal", "edit_message"}
"""Calls whose first text argument Discord shows a user."""


def _is_text(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() != "") or (
        isinstance(node, ast.JoinedStr)
        and any(isinstance(part, ast.Constant) and part.value.strip(" *") for part in node.values)
    )


def test_no_text_a_user_sees_is_written_in_the_package_outside_messages() -> None:
    """Every literal the package hands Discord as text comes from MESSAGES; every key is used."""
    found: list[str] = []
    used: set[str] = set()
    for path in sorted(_PACKAGE.rglob("*.py")):
        relative = path.relative_to(_PACKAGE).as_posix()
        if relative.startswith("testing/") or relative == "messages.py":
            continue
        source = path.read_text()
        used.update(re.findall(r'"(nyx_sessions\.(?:notice|nav|form)\.[a-z_]+)"', source))
        used.update(f"nyx_sessions.form.{name}" for name in re.findall(r'_say\("([a-z_]+)"', source))
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            shown = [kw.value for kw in node.keywords if kw.arg in _USER_FACING]
            if name in _SENDERS:
                shown += node.args[1:2] if name == "send_notice" else node.args[:1]
            found += [f"{relative}:{value.lineno} {ast.unparse(value)}" for value in shown if _is_text(value)]
    assert found == [], "user-facing text written outside nyx_sessions.messages"
    notices = {f"nyx_sessions.notice.{scope}" for scope in ("try_again", "error")}  # keeper: by name
    limits = {key for key in MESSAGES if key.startswith("nyx_sessions.notice.limit_reached")}  # built
    assert set(MESSAGES) - used - notices - limits == set(), "keys nothing shows"
    assert used <= set(MESSAGES), "keys shown that MESSAGES does not list"


def test_the_guide_lists_every_key_with_its_english_text() -> None:
    guide = Path(__file__).parents[2] / "docs" / "guide" / "translating.md"
    rows = re.findall(r"^\| `(nyx_sessions\.[a-z_.]+)` \| (.*) \|$", guide.read_text(), re.MULTILINE)
    assert dict(rows) == dict(MESSAGES) and len(rows) == len(MESSAGES)


class Guarded(AbstractSession[None]):
    update_filter = OwnerOnly(denied_message=app_commands.locale_str("Hands off", key="mybot.hands_off"))

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            await self.translate(app_commands.locale_str("Hello", key="mybot.hello")),
            view=self.view(self.button("go", label="Go")),
        )


async def test_your_own_strings_go_the_same_way(
    french_bot: commands.Bot, harness: InteractionHarness, translator: MarkerTranslator
) -> None:
    @french_bot.tree.command(name="guarded")
    async def guarded(interaction: discord.Interaction[Any]) -> None:
        await Guarded(french_bot, interaction).start()

    started = await harness.slash("guarded", locale="fr")
    assert started.response is not None and started.response.data["content"] == "\u2039mybot.hello\u203a"
    refused = await harness.click(started.original_id or 0, label="Go", user=1, locale="fr")
    assert ephemeral(refused) == "\u2039mybot.hands_off\u203a", (
        "a filter's locale_str, in the clicker's locale"
    )
    english = await harness.click(started.original_id or 0, label="Go", user=1)
    assert ephemeral(english) == "Hands off"


async def test_a_forged_jump_on_a_single_page_is_told_so_in_french(
    french_bot: commands.Bot, harness: InteractionHarness
) -> None:
    """(jump_too_late, in French: tests/engine/test_answering_in_time.py.)"""
    sent = await harness.slash("nothing", locale="fr")
    session = french_bot.made[-1]  # type: ignore[attr-defined]
    typed = {"type": 18, "component": {"type": 4, "custom_id": "page", "value": "2"}}
    data = {"custom_id": session.custom_id.clone_push("jump").build(), "components": [typed]}
    forged = await harness.inject(harness.build_payload(5, data, message=sent.original_id, locale="fr"))
    assert ephemeral(forged) == marker("nyx_sessions.notice.single_page")
