"""Slash, hybrid and prefix commands, in a guild and in DMs, with modals and autocomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
import discord.ext.test as dpytest
import pytest
from discord import app_commands
from discord.ext import commands

if TYPE_CHECKING:
    from nyx_sessions.testing import InteractionHarness


async def test_a_slash_command_receives_typed_options(bot: commands.Bot, harness: InteractionHarness) -> None:
    @bot.tree.command()
    async def echo(interaction: discord.Interaction, text: str, times: int = 1) -> None:
        await interaction.response.send_message(" ".join([text] * times))

    used = await harness.slash("echo", {"text": "hi", "times": 3})

    assert used.response is not None
    assert used.response.type == 4
    assert used.response.content == "hi hi hi"
    assert [m["content"] for m in harness.history()] == ["hi hi hi"]
    assert dpytest.verify().message().content("hi hi hi")


async def test_thinking_then_followup_then_edit_reads_like_discord(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("working on it")
        await interaction.edit_original_response(content="done", embed=discord.Embed(title="report"))

    used = await harness.slash("report")

    assert [reply.kind for reply in used.replies] == ["callback", "followup", "edit_original"]
    assert used.response is not None
    assert used.response.type == 5
    assert used.replies[2].embeds[0]["title"] == "report"
    assert [m["content"] for m in harness.history()] == ["done"]
    assert used.original_id == harness.history()[0]["id"]
    assert dpytest.verify().message().content("working on it")


async def test_a_followup_message_can_be_edited_and_deleted(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def notes(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("notes:")
        first = await interaction.followup.send("draft", wait=True)
        await first.edit(content="final")
        second = await interaction.followup.send("scratch", wait=True)
        await second.delete()

    used = await harness.slash("notes")

    assert [reply.kind for reply in used.replies] == [
        "callback",
        "followup",
        "edit_followup",
        "followup",
        "delete_followup",
    ]
    assert [m["content"] for m in harness.history()] == ["notes:", "final"]


async def test_subcommands_are_reached_by_their_full_name(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    settings = app_commands.Group(name="settings", description="Settings")
    colours = app_commands.Group(name="colour", description="Colours", parent=settings)

    @settings.command(name="set")
    async def set_(interaction: discord.Interaction, key: str, value: str) -> None:
        await interaction.response.send_message(f"{key} = {value}", ephemeral=True)

    @colours.command(name="pick")
    async def pick(interaction: discord.Interaction, colour: str) -> None:
        await interaction.response.send_message(f"colour = {colour}", ephemeral=True)

    bot.tree.add_command(settings)

    assert (await harness.slash("settings set", {"key": "lang", "value": "en"})).ephemeral_texts == [
        "lang = en"
    ]
    assert (await harness.slash("settings colour pick", {"colour": "red"})).ephemeral_texts == [
        "colour = red"
    ]


async def test_user_role_and_channel_options_arrive_resolved(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    seen: dict[str, Any] = {}

    @bot.tree.command()
    async def inspect(
        interaction: discord.Interaction,
        member: discord.Member,
        role: discord.Role,
        channel: discord.TextChannel,
        target: discord.User | discord.Role,
    ) -> None:
        seen.update(member=member, role=role, channel=channel, target=target)
        await interaction.response.send_message("ok", ephemeral=True)

    role = await harness.guild.create_role(name="Moderators")
    member = harness.members[1]

    await harness.slash(
        "inspect", {"member": member, "role": role, "channel": harness.channel, "target": role.id}
    )

    assert isinstance(seen["member"], discord.Member)
    assert seen["member"].id == member.id
    assert seen["role"] == role
    assert seen["channel"].id == harness.channel.id
    assert seen["target"] == role


async def test_options_a_user_could_not_send_are_refused(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    @app_commands.choices(
        size=[app_commands.Choice(name="S", value="s"), app_commands.Choice(name="L", value="l")]
    )
    async def order(interaction: discord.Interaction, item: str, size: str) -> None:
        await interaction.response.send_message("ordered")

    with pytest.raises(AssertionError, match=r"/order has no options \['colour'\]"):
        await harness.slash("order", {"item": "tea", "size": "s", "colour": "red"})
    with pytest.raises(AssertionError, match=r"/order requires the options \['size'\]"):
        await harness.slash("order", {"item": "tea"})
    with pytest.raises(AssertionError, match=r"offers \['s', 'l'\], not 'xl'"):
        await harness.slash("order", {"item": "tea", "size": "xl"})


async def test_an_unknown_command_fails_the_test(harness: InteractionHarness) -> None:
    with pytest.raises(app_commands.CommandNotFound):
        await harness.slash("nope")


async def test_guild_commands_are_found_in_their_guild(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command(guild=harness.guild)
    async def local(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only here")

    used = await harness.slash("local")

    assert used.payload["data"]["guild_id"] == str(harness.guild.id)
    assert used.response is not None
    assert used.response.content == "only here"


async def test_autocomplete_offers_choices_for_what_the_user_types(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    fruits = ["apple", "apricot", "banana"]

    @bot.tree.command()
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @fruit.autocomplete("name")
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in fruits if f.startswith(current)]

    typed = await harness.autocomplete("fruit", {"name": "ap"}, focused="name")

    assert typed.response is not None
    assert typed.response.type == 8
    assert typed.response.choices == [
        {"name": "apple", "value": "apple"},
        {"name": "apricot", "value": "apricot"},
    ]


class Ping(commands.Cog):
    @commands.hybrid_command()
    async def ping(self, ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send(f"pong {ctx.author.name}", ephemeral=True)


async def test_a_hybrid_command_answers_as_prefix_and_as_slash(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    await bot.add_cog(Ping())

    await harness.message("!ping")
    assert harness.last_message() is not None
    assert harness.last_message().content == "pong TestUser0"

    used = await harness.slash("ping", user=1)
    assert used.response is not None
    assert used.response.ephemeral
    assert used.ephemeral_texts == ["pong TestUser1"]


async def test_an_error_in_a_hybrid_slash_command_fails_the_test(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.hybrid_command()
    async def crash(ctx: commands.Context[commands.Bot]) -> None:
        raise LookupError("hybrid broke")

    with pytest.raises(commands.HybridCommandError, match="hybrid broke"):
        await harness.slash("crash")
    with pytest.raises(commands.CommandInvokeError, match="hybrid broke"):
        await harness.message("!crash")


async def test_commands_work_in_direct_messages(bot: commands.Bot, harness: InteractionHarness) -> None:
    @bot.hybrid_command()
    async def whereami(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("in a DM" if ctx.guild is None else "in a guild")

    used = await harness.slash("whereami", dm=True, user=1)
    await harness.message("!whereami", dm=True, user=1)

    dm = harness.dm_channel(1)
    assert used.interaction is not None
    assert used.interaction.guild is None
    assert used.channel_id == dm.id
    assert [m["content"] for m in harness.history(dm)] == ["in a DM", "!whereami", "in a DM"]
    assert harness.last_message(dm) is not None
    assert harness.last_message(dm).content == "in a DM"
    assert harness.history() == []


class Rename(discord.ui.Modal, title="Rename"):
    name: discord.ui.TextInput[Rename] = discord.ui.TextInput(label="New name", custom_id="rename:name")
    reason: discord.ui.TextInput[Rename] = discord.ui.TextInput(
        label="Reason", custom_id="rename:reason", required=False, default="no reason"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"renamed to {self.name.value} ({self.reason.value})")


async def test_a_modal_opened_by_a_command_is_submitted_without_a_message(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def rename(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Rename())

    opened = await harness.slash("rename")
    assert opened.modal is not None
    assert opened.modal["title"] == "Rename"

    submitted = await harness.submit_modal(opened, {"rename:name": "apples"})

    assert submitted.payload["type"] == 5
    assert "message" not in submitted.payload
    assert submitted.response is not None
    assert submitted.response.content == "renamed to apples (no reason)"


async def test_a_modal_can_be_answered_by_its_custom_id(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def rename(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Rename(custom_id="rename-modal"))

    await harness.slash("rename")
    submitted = await harness.submit_modal("rename-modal", {"rename:name": "pears", "rename:reason": "taste"})

    assert submitted.response is not None
    assert submitted.response.content == "renamed to pears (taste)"


async def test_a_modal_only_takes_what_a_user_could_type(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def rename(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Rename())

    opened = await harness.slash("rename")

    with pytest.raises(AssertionError, match=r"has no inputs \['rename:colour'\]"):
        await harness.submit_modal(opened, {"rename:name": "x", "rename:colour": "red"})
    with pytest.raises(AssertionError, match="'rename:name' \\(text input\\) is required"):
        await harness.submit_modal(opened, {"rename:reason": "none"})


class Profile(discord.ui.Modal, title="Profile"):
    def __init__(self) -> None:
        super().__init__()
        self.nickname: discord.ui.TextInput[Profile] = discord.ui.TextInput(
            label="x", custom_id="profile:nick"
        )
        self.colour: discord.ui.Select[Profile] = discord.ui.Select(
            custom_id="profile:colour",
            options=[
                discord.SelectOption(label="Red", value="red"),
                discord.SelectOption(label="Blue", value="blue"),
            ],
        )
        self.friend: discord.ui.UserSelect[Profile] = discord.ui.UserSelect(custom_id="profile:friend")
        self.add_item(discord.ui.Label(text="Nickname", component=self.nickname))
        self.add_item(discord.ui.Label(text="Colour", component=self.colour))
        self.add_item(discord.ui.Label(text="Friend", component=self.friend))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        friend = self.friend.values[0]
        await interaction.response.edit_message(
            content=f"{self.nickname.value} likes {self.colour.values[0]} and {friend.name}", view=None
        )


class ProfileButton(discord.ui.View):
    @discord.ui.button(label="Edit profile", custom_id="profile:edit")
    async def edit(self, interaction: discord.Interaction, button: discord.ui.Button[ProfileButton]) -> None:
        await interaction.response.send_modal(Profile())


async def test_a_modal_with_labels_edits_the_message_it_was_opened_from(harness: InteractionHarness) -> None:
    message = await harness.channel.send("profile", view=ProfileButton())
    friend = harness.members[1]

    opened = await harness.click(message, "profile:edit")
    submitted = await harness.submit_modal(
        opened, {"profile:nick": "Ann", "profile:colour": ["blue"], "profile:friend": [friend]}
    )

    assert [component["type"] for component in submitted.payload["data"]["components"]] == [18, 18, 18]
    assert submitted.message_id == message.id
    assert submitted.response is not None
    assert submitted.response.type == 7
    assert harness.message_payload(message)["content"] == f"Ann likes blue and {friend.name}"
