"""Kinds, stores named by URL, and the clear errors of durable set-ups."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands

import nyx_sessions
from nyx_sessions import (
    AbstractSession,
    DuplicateSessionKindError,
    IllegalSessionStateError,
    SessionDataError,
    SessionExecutionMeta,
    SessionStartStage,
    SessionStoreError,
    StagePaginationSession,
    get_session_manager,
    on_button,
)
from nyx_sessions.storage import MemorySessionStore, RedisSessionStore, SQLiteSessionStore, store_from_url
from nyx_sessions.testing import InteractionHarness, close_test_bot, create_test_bot


@dataclasses.dataclass
class Note:
    text: str = ""
    extra: Any = None


class Noted(AbstractSession[None], kind="test.noted", data=Note):
    """Defined in this module, outside any extension: a reload of nyx_sessions must still find it."""

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(self.data.text, view=self.view(self.button("more", label="More")))

    @on_button("more")
    async def more(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data.text += "!"
        await self.edit(interaction, content=self.data.text)


@pytest.fixture
def session_store() -> MemorySessionStore:
    return MemorySessionStore()


@pytest.fixture
def noted(bot: commands.Bot) -> None:
    @bot.tree.command(name="note", description="A note")
    async def note(interaction: discord.Interaction[Any], text: str) -> None:
        await Noted(interaction.client, interaction, data=Note(text)).start()


async def test_the_kind_registry_survives_reloading_the_extension(
    bot: commands.Bot, harness: InteractionHarness, noted: None
) -> None:
    started = await harness.slash("note", {"text": "hi"})
    await bot.reload_extension("nyx_sessions")  # purges nyx_sessions.* from sys.modules
    await harness.click(started, label="More")
    assert harness.message_payload(started)["content"] == "hi!", "restored as the class defined before"


def test_a_second_class_cannot_take_a_kind_but_a_redefinition_of_the_same_one_may() -> None:
    with pytest.raises(
        DuplicateSessionKindError,
        match=r"'test\.noted' is taken: it is the kind of .*Noted; .*needs another kind",
    ):

        class Other(AbstractSession[None], kind="test.noted"):
            pass

    source = "class Reloaded(AbstractSession[None], kind='test.reloaded'):\n    pass"
    for _ in range(2):  # the same module imported again (a reload of the user's extension)
        exec(source, {"AbstractSession": AbstractSession, "__name__": __name__})


def test_two_classes_claiming_one_alias_are_told_about_aliases_not_kinds() -> None:
    class Renamed(AbstractSession[None], kind="test.renamed", aliases=("test.old-name",)):
        pass

    with pytest.raises(
        DuplicateSessionKindError,
        match=r"'test\.old-name' is taken: .*Renamed lists it in aliases=; .*Twin lists it in "
        r"aliases= too; the sessions stored under an old kind can come back as one class only",
    ):

        class Twin(AbstractSession[None], kind="test.twin", aliases=("test.old-name",)):
            pass

    with pytest.raises(
        DuplicateSessionKindError, match=r"Renamed lists it in aliases=; .*declares it as its kind"
    ):

        class Squatter(AbstractSession[None], kind="test.old-name"):
            pass


def test_durable_keywords_are_checked_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="add kind="):

        class NoKind(AbstractSession[None], data=Note):
            pass

    with pytest.raises(TypeError, match="give it a kind of its own"):

        class Child(Noted):
            pass

    with pytest.raises(TypeError, match="aliases must be a tuple"):

        class BadAliases(AbstractSession[None], kind="test.bad", aliases="old"):  # type: ignore[arg-type]
            pass

    with pytest.raises(TypeError, match="declares its stages twice"):

        class Twice(StagePaginationSession[None], stages=(SessionStartStage,)):
            stages = (SessionStartStage,)  # type: ignore[assignment]

    with pytest.raises(TypeError, match="declare its stages on the class"):

        class NoStages(StagePaginationSession[None], kind="test.no-stages"):
            pass


async def test_data_that_cannot_be_stored_fails_the_start_and_names_the_field(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    failures: list[BaseException] = []

    @bot.tree.command(name="bad", description="Bad data")
    async def bad(interaction: discord.Interaction[Any]) -> None:
        try:
            await Noted(interaction.client, interaction, data=Note("x", extra=object())).start()
        except SessionDataError as error:
            failures.append(error)
            await interaction.response.send_message("refused", ephemeral=True)

    ran = await harness.slash("bad")
    assert [error.field for error in failures] == ["extra"]  # type: ignore[attr-defined]
    assert "field 'extra'" in str(failures[0]) and ran.ephemeral_texts == ["refused"]
    assert not get_session_manager(bot).sessions, "nothing was sent, nothing kept"


async def test_a_session_of_nobody_cannot_keep_the_owner_only_filter(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    with pytest.raises(IllegalSessionStateError, match=r"belongs to nobody.*AllowAll"):
        await Noted(bot, harness.channel, data=Note("x")).start()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:///sessions.db", SQLiteSessionStore),
        ("sqlite:////tmp/abs.db", SQLiteSessionStore),
        ("memory://", MemorySessionStore),
        ("redis://localhost:6379/0?namespace=mybot", RedisSessionStore),
        ("unix:///run/redis.sock?db=1", RedisSessionStore),
    ],
)
async def test_a_store_can_be_named_by_url(url: str, kind: type) -> None:
    store = store_from_url(url)
    assert isinstance(store, kind)
    if isinstance(store, SQLiteSessionStore):
        assert str(store.path) == url.removeprefix("sqlite:///")
    if isinstance(store, RedisSessionStore):
        # The namespace is the store's; the client sees the rest of the URL.
        assert store.namespace == ("mybot" if "namespace" in url else "nyx")
        kwargs = store.client.connection_pool.connection_kwargs
        assert kwargs.get("db") == (0 if url.startswith("redis") else 1)
        assert "namespace" not in kwargs
        await store.client.aclose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///", "names no file"),
        ("postgres://x", "names no session store"),
        (
            "redis://bot:s3cret@localhost/0?namspace=mybot",
            r"^redis://bot:\*\*\*@localhost/0: unknown option 'namspace' \(did you mean 'namespace'\?\)",
        ),
    ],
)
def test_a_url_naming_no_store_says_what_would(url: str, message: str) -> None:
    with pytest.raises(SessionStoreError, match=message):
        store_from_url(url)


async def test_configure_takes_a_url_and_refuses_a_loaded_bot(bot: commands.Bot, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="already loaded"):
        nyx_sessions.configure(bot, store=f"sqlite:///{tmp_path / 'late.db'}")
    await bot.unload_extension("nyx_sessions")
    nyx_sessions.configure(bot, store=f"sqlite:///{tmp_path / 'url.db'}")
    await bot.load_extension("nyx_sessions")
    store = get_session_manager(bot).store
    assert isinstance(store, SQLiteSessionStore) and store.path == tmp_path / "url.db"
    assert (tmp_path / "url.db").exists(), "opened when the cog loaded"


class Unstored(AbstractSession[None], kind="test.unstored", data=Note):
    update_filter = None

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("kept in memory only")


async def test_a_durable_class_without_a_store_is_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="nyx_sessions.manager")
    async with contextlib.AsyncExitStack() as stack:
        plain = await create_test_bot(extensions=("nyx_sessions",))
        stack.push_async_callback(close_test_bot, plain)
        for _ in range(2):
            assert await Unstored(plain, plain.guilds[0].text_channels[0], data=Note()).start()
    warnings = [record.getMessage() for record in caplog.records if "no session store" in record.getMessage()]
    assert warnings == [
        "Unstored is durable (kind 'test.unstored') but no session store is configured: its sessions live "
        "in memory and end at a restart. Configure one before loading the extension: "
        'nyx_sessions.configure(bot, store="sqlite:///sessions.db")'
    ]


class Untyped(AbstractSession[None], kind="test.untyped"):
    """Plain data, no declared type: it must come back from JSON as it went in."""

    update_filter = None

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("untyped")


@pytest.mark.parametrize(
    ("cls", "data", "field", "says"),
    [
        (Noted, Note(text=5), "text", "Expected `str`, got `int` - at `$.text`: Note says otherwise"),  # type: ignore[arg-type]
        (Untyped, {"tags": ("a", "b")}, "tags", "('a', 'b') (tuple) would come back as ['a', 'b'] (list)"),
        (Untyped, {"seen": {1, 2}}, "seen", "{1, 2} (set) would come back as [1, 2] (list)"),
        (Untyped, {"by_id": {7: "x"}}, "by_id.7", "7 (int) would come back as '7' (str)"),
    ],
)
async def test_data_that_would_not_come_back_as_it_is_is_refused_when_written(
    harness: InteractionHarness,
    cls: type[AbstractSession[Any]],
    data: Any,
    field: str | None,
    says: str | None,
) -> None:
    """Checked at the start (and at each commit, by the same call): a wrong type for a typed class,
    a value an untyped one would get back changed after a restart."""
    with pytest.raises(SessionDataError) as refused:
        await cls(harness.bot, harness.channel, owner=harness.members[0], data=data).start()
    assert refused.value.field == field
    if says is not None:
        assert says in str(refused.value)
    assert not get_session_manager(harness.bot).sessions


async def test_plain_json_data_and_typed_data_of_the_right_shape_start(harness: InteractionHarness) -> None:
    assert await Untyped(harness.bot, harness.channel, data={"tags": ["a"], "n": 1.5, "ok": True}).start()
    assert await Noted(harness.bot, harness.channel, owner=harness.members[0], data=Note("fine")).start()
