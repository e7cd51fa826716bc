"""Every answer of a modal submit reads back: ModalSubmission and modal_values, from real payloads.

The modals are sent by a session through discord.py and answered through the testing kit, which
builds each submit as Discord does (labels around inputs, a checkbox's ``bool``, an unanswered
radio group's ``null``, entity picks with their ``resolved`` data). A file upload, which the kit
does not model, is injected as Discord documents it.
"""

from __future__ import annotations

import io
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    ModalSubmission,
    SessionExecutionMeta,
    modal_values,
    on_button,
    on_modal,
)
from nyx_sessions.testing import InteractionHarness


def labelled(text: str, component: discord.ui.Item[Any]) -> discord.ui.Label[Any]:
    return discord.ui.Label(text=text, component=component)


class Profile(AbstractSession[None]):
    """Opens one modal of every kind of input and keeps what the submit read back."""

    def __init__(self, bot: discord.Client, start: Any) -> None:
        super().__init__(bot, start)
        self.read: ModalSubmission | None = None
        self.values: dict[str, Any] = {}

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            "profile",
            view=self.view(
                self.button("about", label="About"),
                self.button("people", label="People"),
                self.button("proof", label="Proof"),
            ),
        )

    @on_button("about")
    async def about(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        modal = self.modal(
            "About you",
            labelled("Name", discord.ui.TextInput(custom_id="name")),
            labelled("Bio", discord.ui.TextInput(custom_id="bio", required=False)),
            labelled(
                "Colour",
                discord.ui.RadioGroup(
                    custom_id="colour",
                    options=[
                        discord.RadioGroupOption(label="Red", value="red"),
                        discord.RadioGroupOption(label="Blue", value="blue"),
                    ],
                ),
            ),
            labelled("I agree", discord.ui.Checkbox(custom_id="agree")),
            labelled(
                "Topics",
                discord.ui.CheckboxGroup(
                    custom_id="topics",
                    required=False,
                    min_values=0,
                    max_values=2,
                    options=[
                        discord.CheckboxGroupOption(label=name, value=name) for name in ("dpy", "nyx", "art")
                    ],
                ),
            ),
            tokens=("answered",),
        )
        await interaction.response.send_modal(modal)

    @on_button("people")
    async def people(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        modal = self.modal(
            "People",
            labelled("Who", discord.ui.UserSelect(custom_id="who", max_values=2)),
            labelled("Role", discord.ui.RoleSelect(custom_id="role")),
            labelled("Where", discord.ui.ChannelSelect(custom_id="where")),
            labelled(
                "Size",
                discord.ui.RadioGroup(
                    custom_id="size",
                    required=False,
                    options=[
                        discord.RadioGroupOption(label="S", value="s"),
                        discord.RadioGroupOption(label="L", value="l"),
                    ],
                ),
            ),
            labelled(
                "Pick", discord.ui.Select(custom_id="pick", options=[discord.SelectOption(label="one")])
            ),
            tokens=("answered",),
        )
        await interaction.response.send_modal(modal)

    @on_button("proof")
    async def proof(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        upload = discord.ui.FileUpload(custom_id="files", max_values=2)
        await interaction.response.send_modal(
            self.modal("Proof", labelled("Files", upload), tokens=("answered",))
        )

    @on_modal("answered")
    async def answered(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.read = ModalSubmission(interaction)
        self.values = modal_values(interaction)
        await interaction.response.defer()


@pytest.fixture
async def profile(bot: commands.Bot, harness: InteractionHarness) -> Profile:
    made: list[Profile] = []

    @bot.command(name="profile")
    async def start(ctx: commands.Context[Any]) -> None:
        made.append(Profile(bot, ctx))
        await made[-1].start()

    await harness.message("!profile")
    return made[0]


async def test_text_radio_checkbox_and_checkbox_group_read_back_typed(
    profile: Profile, harness: InteractionHarness
) -> None:
    assert profile.message is not None
    opened = await harness.click(profile.message, label="About")
    answers = {"name": "Ada", "colour": "blue", "agree": True, "topics": ["dpy", "art"]}
    await harness.submit_modal(opened, answers)  # "bio" left empty
    read = profile.read
    assert read is not None
    assert read.ids == ["name", "bio", "colour", "agree", "topics"]
    assert (read.text("name"), read.text("bio"), read.choice("colour")) == ("Ada", "", "blue")
    assert read.boolean("agree") is True and read.choices("topics") == ["dpy", "art"]
    assert profile.values == {
        "name": "Ada",
        "bio": "",
        "colour": "blue",
        "agree": True,
        "topics": ["dpy", "art"],
    }, "modal_values keeps a checkbox's bool"


async def test_an_unticked_checkbox_and_an_unanswered_radio_group_read_as_empty(
    profile: Profile, harness: InteractionHarness
) -> None:
    assert profile.message is not None
    opened = await harness.click(profile.message, label="About")
    await harness.submit_modal(opened, {"name": "Ada", "colour": "red", "agree": False})
    read = profile.read
    assert read is not None and read.boolean("agree") is False and read.choices("topics") == []
    assert profile.values["agree"] is False, "a False checkbox is an answer, not a missing one"

    opened = await harness.click(profile.message, label="People")
    member = harness.members[0]
    role = harness.guild.roles[0]
    await harness.submit_modal(
        opened, {"who": [member.id], "role": [role.id], "where": [harness.channel.id], "pick": ["one"]}
    )
    read = profile.read
    assert read is not None and read.choice("size") is None
    assert "size" in profile.values and profile.values["size"] is None, "an unanswered radio group is kept"


async def test_entity_selects_read_back_as_the_objects_picked(
    profile: Profile, harness: InteractionHarness
) -> None:
    assert profile.message is not None
    opened = await harness.click(profile.message, label="People")
    member, role = harness.members[0], harness.guild.roles[0]
    await harness.submit_modal(
        opened,
        {"who": [member.id], "role": [role.id], "where": [harness.channel.id], "size": "l", "pick": ["one"]},
    )
    read = profile.read
    assert read is not None
    (who,) = read.users("who")
    assert isinstance(who, discord.Member) and who.id == member.id and who.guild.id == harness.guild.id
    (picked_role,) = read.roles("role")
    assert isinstance(picked_role, discord.Role) and picked_role.id == role.id
    assert read.channels("where") == [harness.channel]
    assert (read.choice("size"), read.choices("pick")) == ("l", ["one"])
    assert read.choices("who") == [str(member.id)], "the ids, as Discord sent them"


async def test_reading_an_id_the_submit_lacks_or_of_another_kind_says_what_is_there(
    profile: Profile, harness: InteractionHarness
) -> None:
    assert profile.message is not None
    opened = await harness.click(profile.message, label="About")
    await harness.submit_modal(opened, {"name": "Ada", "colour": "red"})
    read = profile.read
    assert read is not None
    with pytest.raises(KeyError, match=r"no input 'nmae'; it has \['name', 'bio'"):
        read.text("nmae")
    with pytest.raises(TypeError, match=r"'agree' is a checkbox: text\(\) cannot read"):
        read.text("agree")
    with pytest.raises(TypeError, match=r"'topics' is a checkbox group: choice\(\) cannot read"):
        read.choice("topics")


async def test_a_file_upload_reads_back_as_its_attachments(
    profile: Profile, harness: InteractionHarness
) -> None:
    """The payload Discord documents for a file upload in a label: attachment ids in ``values``,
    the attachments in ``resolved``."""
    assert profile.message is not None
    attachment = {
        "id": "990000000000000001",
        "filename": "proof.png",
        "size": 2048,
        "url": "https://cdn.discordapp.com/attachments/1/2/proof.png",
        "proxy_url": "https://media.discordapp.net/attachments/1/2/proof.png",
        "content_type": "image/png",
    }
    data = {
        "custom_id": profile.component_id("answered"),
        "components": [
            {"type": 18, "id": 1, "component": {"type": 19, "id": 2, "custom_id": "proof", "values": [attachment["id"]]}},
            {"type": 18, "id": 3, "component": {"type": 4, "id": 4, "custom_id": "note", "value": "see file"}},
        ],
        "resolved": {"attachments": {attachment["id"]: attachment}},
    }  # fmt: skip
    await harness.inject(harness.build_payload(5, data))
    read = profile.read
    assert read is not None
    (proof,) = read.attachments("proof")
    assert isinstance(proof, discord.Attachment) and (proof.filename, proof.size) == ("proof.png", 2048)
    assert read.text("note") == "see file"
    assert profile.values["proof"] == [attachment["id"]]


async def test_files_the_kit_uploads_read_back_as_attachments(
    profile: Profile, harness: InteractionHarness
) -> None:
    assert profile.message is not None
    opened = await harness.click(profile.message, label="Proof")
    files = [
        discord.File(io.BytesIO(b"png bytes"), filename="a.png"),
        discord.File(io.BytesIO(b"0123"), "b.txt"),
    ]
    await harness.submit_modal(opened, {"files": files})
    read = profile.read
    assert read is not None
    assert [(file.filename, file.size) for file in read.attachments("files")] == [("a.png", 9), ("b.txt", 4)]
    with pytest.raises(AssertionError, match="takes 1 to 2 files, not 3"):
        await harness.submit_modal(opened, {"files": [*files, discord.File(io.BytesIO(b"x"), "c.txt")]})
