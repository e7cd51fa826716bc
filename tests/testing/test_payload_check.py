"""The fake Discord refuses what Discord refuses: each payload mistake fails the way it fails in production.

Every test sends through discord.py's own calls (``interaction.response.send_message``, ``send_modal``,
``followup.send``, ``channel.send``, ``message.edit``), and expects the exception discord.py raises
for Discord's answer: ``discord.HTTPException``, status 400, code 50035 "Invalid Form Body" with the
``errors`` tree (discord.py keeps it in ``_errors`` and prints it, flattened, in ``text``), or 50006
for an empty message. Payloads discord.py itself would never build are sent through a view or modal
whose components are written by hand, as a bot with hand-made components does.
"""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions.testing import InteractionHarness
from nyx_sessions.testing.discord_api import SPEC_COMMIT, check_request

Json = dict[str, Any]
Answer = Callable[[discord.Interaction], Awaitable[Any]]

V2 = 1 << 15


class RawView(discord.ui.View):
    """A view whose components are written by hand (discord.py would refuse to build some of them)."""

    def __init__(self, components: list[Json], *, v2: bool = False) -> None:
        super().__init__(timeout=None)
        self.raw = components
        self.v2 = v2

    def to_components(self) -> list[Json]:  # type: ignore[override]
        return self.raw

    def has_components_v2(self) -> bool:
        return self.v2


class RawModal(discord.ui.Modal):
    """A modal whose components are written by hand."""

    def __init__(self, components: list[Json]) -> None:
        super().__init__(title="Rename", custom_id="check:modal")
        self.raw = components

    def to_components(self) -> list[Json]:  # type: ignore[override]
        return self.raw


class Answers(commands.Cog):
    """Answers the ``check:go`` button with whatever the test put in ``answer``."""

    def __init__(self) -> None:
        self.answer: Answer | None = None

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if (interaction.data or {}).get("custom_id") == "check:go" and self.answer is not None:
            await self.answer(interaction)


@pytest.fixture
async def answers(bot: commands.Bot) -> Answers:
    cog = Answers()
    await bot.add_cog(cog)
    return cog


@pytest.fixture
async def start(harness: InteractionHarness) -> discord.Message:
    """The message users click to make the bot answer."""
    return await harness.channel.send("start", view=RawView([row(button("check:go"))]))


def row(*components: Json) -> Json:
    return {"type": 1, "components": list(components)}


def button(custom_id: str, **fields: Any) -> Json:
    return {"type": 2, "style": 1, "label": "Go", "custom_id": custom_id, **fields}


def select(custom_id: str, options: int = 2) -> Json:
    choices = [{"label": f"option {n}", "value": str(n)} for n in range(options)]
    return {"type": 3, "custom_id": custom_id, "options": choices}


def text(content: str) -> Json:
    return {"type": 10, "content": content}


def errors_of(refused: pytest.ExceptionInfo[discord.HTTPException]) -> Json:
    """The ``errors`` tree of Discord's answer, as discord.py keeps it."""
    assert refused.value.status == 400
    assert refused.value.code == 50035
    tree: Json = refused.value._errors  # type: ignore[assignment]
    return tree


def leaf(code: str, message: str) -> Json:
    return {"_errors": [{"code": code, "message": message}]}


async def refused_answer(
    harness: InteractionHarness, answers: Answers, start: discord.Message, answer: Answer
) -> pytest.ExceptionInfo[discord.HTTPException]:
    """Click ``start`` and have the bot answer with ``answer``; return what discord.py raised."""
    answers.answer = answer
    with pytest.raises(discord.HTTPException) as refused:
        await harness.click(start, "check:go")
    return refused


# ---------------------------------------------------------------------- what the specification says


async def test_a_custom_id_over_100_characters_is_refused_with_discords_error(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    too_long = discord.ui.View().add_item(discord.ui.Button(label="Save", custom_id="x" * 101))

    refused = await refused_answer(
        harness, answers, start, lambda i: i.response.send_message("saved?", view=too_long)
    )

    assert errors_of(refused) == {
        "data": {
            "components": {
                "0": {
                    "components": {
                        "0": {"custom_id": leaf("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")}
                    }
                }
            }
        }
    }
    assert (
        "In data.components.0.components.0.custom_id: Must be 100 or fewer in length." in refused.value.text
    )


async def test_a_refused_response_leaves_the_interaction_unanswered(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    async def answer(interaction: discord.Interaction) -> None:
        too_long = discord.ui.View().add_item(discord.ui.Button(label="Save", custom_id="x" * 101))
        try:
            await interaction.response.send_message("saved?", view=too_long)
        except discord.HTTPException:
            await interaction.response.send_message("could not show the form", ephemeral=True)

    answers.answer = answer
    clicked = await harness.click(start, "check:go")

    assert [reply.error for reply in clicked.replies] == [50035, None]
    assert clicked.ephemeral_texts == ["could not show the form"]


async def test_26_select_options_are_refused(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    options = [discord.SelectOption(label=f"colour {n}") for n in range(26)]
    view = discord.ui.View().add_item(discord.ui.Select(custom_id="check:colour", options=options))

    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.followup.send("pick one", view=view)

    refused = await refused_answer(harness, answers, start, answer)

    assert errors_of(refused) == {
        "components": {
            "0": {
                "components": {
                    "0": {"options": leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")}
                }
            }
        }
    }


async def test_six_buttons_in_a_row_are_refused_on_edit(harness: InteractionHarness) -> None:
    message = await harness.channel.send("panel", view=RawView([row(button("check:a"))]))

    with pytest.raises(discord.HTTPException) as refused:
        await message.edit(view=RawView([row(*(button(f"check:{n}") for n in range(6)))]))

    assert errors_of(refused) == {
        "components": {
            "0": {"components": leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")}
        }
    }
    assert harness.message_payload(message)["components"] == [row(button("check:a"))]


async def test_an_embed_field_over_its_limit_is_refused(harness: InteractionHarness) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send(embed=discord.Embed(title="t" * 257))

    assert errors_of(refused) == {
        "embeds": {"0": {"title": leaf("BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")}}
    }


async def test_a_modal_without_components_is_refused(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    refused = await refused_answer(harness, answers, start, lambda i: i.response.send_modal(RawModal([])))

    assert errors_of(refused) == {
        "data": {"components": leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 40 in length.")}
    }


async def test_a_component_of_an_unknown_type_is_refused(harness: InteractionHarness) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send("odd", view=RawView([{"type": 99}]))

    assert errors_of(refused) == {
        "components": {
            "0": leaf(
                "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1, 9, 10, 12, 13, 14, 17).'
            )
        }
    }


# ---------------------------------------------------------------------- the documented rules


async def test_six_action_rows_are_refused(harness: InteractionHarness) -> None:
    rows = [row(button(f"check:{n}")) for n in range(6)]

    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send("too tall", view=RawView(rows))

    assert errors_of(refused) == {"components": leaf("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")}
    assert harness.history() == []


async def test_a_select_shares_its_row_with_nothing(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    crowded = RawView([row(button("check:a")), row(select("check:pick"), button("check:b"))])

    refused = await refused_answer(
        harness, answers, start, lambda i: i.response.send_message("pick", view=crowded)
    )

    width = leaf("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
    assert errors_of(refused) == {"data": {"components": {"1": {"components": {"1": width}}}}}


async def test_two_selects_in_one_row_are_refused(harness: InteractionHarness) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send("pick", view=RawView([row(select("check:a"), select("check:b"))]))

    width = leaf("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
    assert errors_of(refused) == {"components": {"0": {"components": {"1": width}}}}


async def test_custom_ids_are_unique_in_a_message(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    twice = discord.ui.View()
    twice.add_item(discord.ui.Button(label="Yes", custom_id="check:same"))
    twice.add_item(discord.ui.Button(label="No", custom_id="check:same", row=1))

    refused = await refused_answer(harness, answers, start, lambda i: i.response.edit_message(view=twice))

    duplicated = leaf("COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
    assert errors_of(refused) == {
        "data": {"components": {"1": {"components": {"0": {"custom_id": duplicated}}}}}
    }


@pytest.mark.parametrize(
    ("written", "field", "code", "message"),
    [
        (
            {"style": 1, "label": "Go"},
            "custom_id",
            "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
            "A custom id is required",
        ),
        ({"style": 5, "label": "Docs"}, "url", "BUTTON_COMPONENT_URL_REQUIRED", "A url is required"),
        (
            {"style": 5, "label": "Docs", "url": "https://example.com", "custom_id": "check:docs"},
            "custom_id",
            "BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE",
            "A custom id and url cannot both be specified",
        ),
        (
            {"style": 2, "label": "Go", "custom_id": "check:go2", "url": "https://example.com"},
            "url",
            "BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE",
            "A custom id and url cannot both be specified",
        ),
        ({"style": 6}, "sku_id", "BUTTON_COMPONENT_SKU_ID_REQUIRED", "A sku id is required"),
    ],
    ids=[
        "no-custom-id",
        "link-without-url",
        "link-with-custom-id",
        "url-on-a-plain-button",
        "premium-without-sku",
    ],
)
async def test_a_button_has_the_fields_its_style_needs(
    harness: InteractionHarness, written: Json, field: str, code: str, message: str
) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send("go", view=RawView([row({"type": 2, **written})]))

    assert errors_of(refused) == {"components": {"0": {"components": {"0": {field: leaf(code, message)}}}}}


async def test_an_empty_message_is_refused(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send()
    assert (refused.value.status, refused.value.code) == (400, 50006)
    assert refused.value.text == "Cannot send an empty message"

    refused = await refused_answer(harness, answers, start, lambda i: i.response.send_message())
    assert (refused.value.status, refused.value.code) == (400, 50006)


async def test_embeds_over_6000_characters_in_total_are_refused(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    embeds = [discord.Embed(title="Report", description="a" * 4000), discord.Embed(description="b" * 1995)]

    refused = await refused_answer(harness, answers, start, lambda i: i.response.send_message(embeds=embeds))

    assert errors_of(refused) == {
        "data": {"embeds": leaf("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")}
    }


async def test_a_modal_holds_one_to_five_components(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    labels = [
        {"type": 18, "label": f"Field {n}", "component": {"type": 4, "custom_id": f"check:f{n}", "style": 1}}
        for n in range(6)
    ]

    refused = await refused_answer(harness, answers, start, lambda i: i.response.send_modal(RawModal(labels)))

    assert errors_of(refused) == {
        "data": {"components": leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")}
    }


async def test_a_classic_message_holds_only_action_rows(harness: InteractionHarness) -> None:
    container = {"type": 17, "components": [text("hello")]}

    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send("classic", view=RawView([container]))

    assert errors_of(refused) == {
        "components": {"0": leaf("UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).')}
    }


# ---------------------------------------------------------------------- components v2


def layout(*texts: str) -> discord.ui.LayoutView:
    view = discord.ui.LayoutView()
    for content in texts:
        view.add_item(discord.ui.TextDisplay(content))
    return view


async def test_components_v2_messages_take_no_content(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    refused = await refused_answer(
        harness, answers, start, lambda i: i.response.send_message("hello", view=layout("card"))
    )

    assert errors_of(refused) == {
        "data": {
            "content": leaf(
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
        }
    }


async def test_content_cannot_be_added_to_a_components_v2_message(harness: InteractionHarness) -> None:
    card = await harness.channel.send(view=layout("card"))

    with pytest.raises(discord.HTTPException) as refused:
        await card.edit(content="and some text")

    assert "content" in errors_of(refused)
    assert harness.message_payload(card)["content"] == ""


async def test_components_v2_messages_hold_at_most_40_components(harness: InteractionHarness) -> None:
    crowded = [{"type": 17, "components": [text(f"line {n}") for n in range(40)]}]

    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send(view=RawView(crowded, v2=True))

    assert errors_of(refused) == {
        "components": leaf(
            "MAX_COMPONENTS_EXCEEDED", "A message can hold at most 40 components, nested ones included"
        )
    }


async def test_components_v2_text_displays_hold_4000_characters_in_total(harness: InteractionHarness) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await harness.channel.send(view=layout("a" * 2000, "b" * 2001))

    assert errors_of(refused) == {
        "components": leaf(
            "MAX_TEXT_DISPLAY_LENGTH_EXCEEDED", "Text displays can hold at most 4000 characters in total"
        )
    }


async def test_the_components_v2_flag_cannot_be_removed(harness: InteractionHarness) -> None:
    card = await harness.channel.send(view=layout("card"))
    classic = discord.http.handle_message_parameters(
        content="plain again", view=RawView([row(button("check:a"))]), flags=discord.MessageFlags()
    )

    with pytest.raises(discord.HTTPException) as refused:
        await harness.bot.http.edit_message(card.channel.id, card.id, params=classic)

    assert errors_of(refused)["flags"] == leaf(
        "MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG",
        "The IS_COMPONENTS_V2 flag cannot be removed from a message",
    )
    assert harness.message_payload(card)["flags"] & V2


# ---------------------------------------------------------------------- what Discord accepts


class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        for n in range(5):
            self.add_item(discord.ui.Button(label=f"Page {n}", custom_id=f"check:page{n}"))
        self.add_item(discord.ui.Button(label="Docs", url="https://example.com/docs", row=1))
        self.add_item(
            discord.ui.Select(custom_id="check:sort", options=[discord.SelectOption(label="new")], row=2)
        )
        self.add_item(discord.ui.UserSelect(custom_id="check:who", row=3))


class Card(discord.ui.LayoutView):
    def __init__(self, title: str) -> None:
        super().__init__(timeout=None)
        section = discord.ui.Section(
            discord.ui.TextDisplay(f"## {title}"),
            accessory=discord.ui.Button(label="Open", custom_id="check:open"),
        )
        actions = discord.ui.ActionRow(discord.ui.Button(label="Close", custom_id="check:close"))
        self.add_item(discord.ui.Container(section, discord.ui.Separator(), actions, accent_colour=0x5865F2))


class Form(discord.ui.Modal, title="Profile"):
    name = discord.ui.TextInput(label="Name", custom_id="check:name", max_length=32)
    about = discord.ui.TextInput(label="About", style=discord.TextStyle.long, required=False)


async def test_valid_payloads_of_every_shape_are_accepted(
    harness: InteractionHarness, answers: Answers, start: discord.Message
) -> None:
    embeds = [
        discord.Embed(title=f"Part {n}", description="x" * 500).add_field(name="n", value=str(n))
        for n in range(10)
    ]

    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("panel", view=Panel(), embeds=embeds)
        await interaction.followup.send(view=Card("Settings"))
        await interaction.followup.send(file=discord.File(__file__, filename="notes.py"))
        await interaction.edit_original_response(content="panel, edited", view=None)

    answers.answer = answer
    clicked = await harness.click(start, "check:go")
    assert [reply.error for reply in clicked.replies] == [None, None, None, None]

    card = harness.last_message()
    assert card is not None
    await card.edit(view=Card("Settings, saved"))
    plain = await harness.channel.send("plain")
    await plain.edit(content="plain, edited", embed=discord.Embed(title="now with an embed"))

    answers.answer = lambda i: i.response.send_modal(Form())
    opened = await harness.click(start, "check:go")
    assert opened.modal is not None
    assert opened.replies[0].error is None


async def test_the_check_can_be_turned_off(harness: InteractionHarness) -> None:
    harness.fake.check_payloads = False

    message = await harness.channel.send("loose", view=RawView([row(button("x" * 101))]))

    assert harness.message_payload(message)["components"] == [row(button("x" * 101))]


def test_the_vendored_specification_is_recorded() -> None:
    from nyx_sessions.testing import discord_api

    assert SPEC_COMMIT == "74fda0fad044407ea280043a03ffc9bc64c4e49e"
    assert discord_api.SPEC_FILE.is_file()
    assert (discord_api.SPEC_FILE.parent / "LICENSE").read_text().startswith("MIT License")
    assert check_request("create_message", {"content": "hello"}) is None


def test_the_update_command_reads_a_discord_api_spec_clone(tmp_path: Path) -> None:
    from nyx_sessions.testing import discord_api
    from nyx_sessions.testing.discord_api.__main__ import main, read_source

    clone = tmp_path / "discord-api-spec"
    (clone / "specs").mkdir(parents=True)
    (clone / "specs" / "openapi.json").write_bytes(discord_api.SPEC_FILE.read_bytes())
    (clone / "LICENSE").write_text("MIT License\n")
    git = ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "spec"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()

    document, license_text, provenance = read_source(str(clone), rev="HEAD", commit=None, date=None)

    assert document.encode() == discord_api.SPEC_FILE.read_bytes()
    assert license_text == "MIT License\n"
    assert provenance["commit"] == commit

    # A document without the operations the fake checks is refused before anything is written.
    (tmp_path / "other.json").write_text('{"paths": {}}')
    with pytest.raises(SystemExit, match="lacks operations the fake Discord checks"):
        main(["update", str(tmp_path / "other.json"), "--commit", "0" * 40, "--date", "2026-01-01"])
    assert discord_api.SPEC_FILE.read_bytes() == (clone / "specs" / "openapi.json").read_bytes()
