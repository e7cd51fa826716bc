"""A user presses buttons and picks from selects; the kit checks they could, and shows the result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
import discord.ext.test as dpytest
import pytest
from discord import app_commands

if TYPE_CHECKING:
    import re

    from discord.ext import commands

    from nyx_sessions.testing import InteractionHarness


class Counter(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=180)
        self.count = 0

    @discord.ui.button(label="+1", custom_id="counter:inc")
    async def increment(self, interaction: discord.Interaction, button: discord.ui.Button[Counter]) -> None:
        self.count += 1
        self.reset.disabled = False
        await interaction.response.edit_message(content=f"count: {self.count}", view=self)

    @discord.ui.button(label="reset", custom_id="counter:reset", disabled=True)
    async def reset(self, interaction: discord.Interaction, button: discord.ui.Button[Counter]) -> None:
        self.count = 0
        await interaction.response.edit_message(content="count: 0", view=self)

    @discord.ui.select(custom_id="counter:step", options=[discord.SelectOption(label="one", value="1")])
    async def step(self, interaction: discord.Interaction, select: discord.ui.Select[Counter]) -> None:
        await interaction.response.defer()


async def send_counter(harness: InteractionHarness) -> discord.Message:
    return await harness.channel.send("count: 0", view=Counter())


async def test_clicking_a_button_edits_the_message_everywhere_a_user_looks(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    edits: list[tuple[str, str]] = []

    async def on_message_edit(before: discord.Message, after: discord.Message) -> None:
        edits.append((before.content, after.content))

    bot.add_listener(on_message_edit)
    message = await send_counter(harness)

    clicked = await harness.click(message, "counter:inc")

    assert clicked.response is not None
    assert clicked.response.type == 7
    assert clicked.response.content == "count: 1"
    assert clicked.original_id == message.id
    assert harness.message_payload(message)["content"] == "count: 1"
    assert [m["content"] for m in harness.history()] == ["count: 1"]
    assert (await harness.channel.fetch_message(message.id)).content == "count: 1"
    assert harness.last_message() is not None
    assert harness.last_message().content == "count: 1"
    assert edits == [("count: 0", "count: 1")]


async def test_the_clicked_interaction_is_the_one_discord_py_built(harness: InteractionHarness) -> None:
    message = await send_counter(harness)
    clicker = harness.members[1]

    clicked = await harness.click(message, "counter:inc", user=1)

    assert isinstance(clicked.interaction, discord.Interaction)
    assert clicked.interaction.id == clicked.id
    assert clicked.interaction.user == clicker
    assert clicked.user_id == clicker.id
    assert clicked.interaction.message is not None
    assert clicked.interaction.message.id == message.id


async def test_a_button_enabled_by_an_edit_can_be_clicked(harness: InteractionHarness) -> None:
    message = await send_counter(harness)
    await harness.click(message, "counter:inc")

    reset = await harness.click(message, "counter:reset")

    assert reset.response is not None
    assert reset.response.content == "count: 0"


async def test_a_disabled_button_cannot_be_clicked(harness: InteractionHarness) -> None:
    message = await send_counter(harness)

    with pytest.raises(AssertionError, match=r"'counter:reset' \(button, disabled\) .* is disabled"):
        await harness.click(message, "counter:reset")


async def test_a_button_that_is_not_there_cannot_be_clicked(harness: InteractionHarness) -> None:
    message = await send_counter(harness)

    with pytest.raises(AssertionError) as refused:
        await harness.click(message, "counter:dec")

    assert "no button or select with custom id 'counter:dec'" in str(refused.value)
    assert "'counter:inc' (button)" in str(refused.value)
    assert "'counter:step' (string select)" in str(refused.value)


async def test_buttons_are_clicked_and_selects_are_picked(harness: InteractionHarness) -> None:
    message = await send_counter(harness)

    with pytest.raises(AssertionError, match=r"is not a button: use harness\.select"):
        await harness.click(message, "counter:step")
    with pytest.raises(AssertionError, match=r"is a button: use harness\.click"):
        await harness.select(message, "counter:inc", ["1"])


async def test_a_deleted_message_cannot_be_clicked(harness: InteractionHarness) -> None:
    message = await send_counter(harness)
    await message.delete()

    with pytest.raises(AssertionError, match="does not exist on the fake Discord"):
        await harness.click(message, "counter:inc")
    assert harness.history() == []


class Pickers(discord.ui.View):
    """One select of every kind; each callback stores what discord.py parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.picked: dict[str, list[Any]] = {}

    async def _store(self, interaction: discord.Interaction, select: Any) -> None:
        self.picked[select.custom_id] = list(select.values)
        await interaction.response.defer()

    @discord.ui.select(
        custom_id="pick:fruit",
        max_values=2,
        options=[
            discord.SelectOption(label="Apple", value="apple"),
            discord.SelectOption(label="Pear", value="pear"),
            discord.SelectOption(label="Plum", value="plum"),
        ],
    )
    async def fruit(self, interaction: discord.Interaction, select: discord.ui.Select[Pickers]) -> None:
        await self._store(interaction, select)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="pick:user")
    async def user(self, interaction: discord.Interaction, select: discord.ui.UserSelect[Pickers]) -> None:
        await self._store(interaction, select)

    @discord.ui.select(cls=discord.ui.RoleSelect, custom_id="pick:role")
    async def role(self, interaction: discord.Interaction, select: discord.ui.RoleSelect[Pickers]) -> None:
        await self._store(interaction, select)

    @discord.ui.select(cls=discord.ui.MentionableSelect, custom_id="pick:mentionable", max_values=2)
    async def mentionable(
        self, interaction: discord.Interaction, select: discord.ui.MentionableSelect[Pickers]
    ) -> None:
        await self._store(interaction, select)

    @discord.ui.select(
        cls=discord.ui.ChannelSelect, custom_id="pick:channel", channel_types=[discord.ChannelType.text]
    )
    async def channel(
        self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[Pickers]
    ) -> None:
        await self._store(interaction, select)


async def test_every_kind_of_select_delivers_what_the_user_picked(harness: InteractionHarness) -> None:
    view = Pickers()
    message = await harness.channel.send("pick", view=view)
    member = harness.members[1]
    role = await harness.guild.create_role(name="Helpers")

    await harness.select(message, "pick:fruit", ["pear", "apple"])
    await harness.select(message, "pick:user", [member])
    await harness.select(message, "pick:role", [role.id])
    await harness.select(message, "pick:mentionable", [member, role])
    await harness.select(message, "pick:channel", [harness.channel])

    assert view.picked["pick:fruit"] == ["pear", "apple"]
    assert [(type(user), user.id) for user in view.picked["pick:user"]] == [(discord.Member, member.id)]
    assert [(type(r), r.name) for r in view.picked["pick:role"]] == [(discord.Role, "Helpers")]
    assert {m.id for m in view.picked["pick:mentionable"]} == {member.id, role.id}
    assert [c.id for c in view.picked["pick:channel"]] == [harness.channel.id]
    assert isinstance(view.picked["pick:channel"][0], app_commands.AppCommandChannel)


async def test_a_select_only_takes_what_it_offers(harness: InteractionHarness) -> None:
    message = await harness.channel.send("pick", view=Pickers())
    voice = harness.guild.voice_channels[0]

    with pytest.raises(AssertionError, match="has no \\['banana'\\]"):
        await harness.select(message, "pick:fruit", ["banana"])
    with pytest.raises(AssertionError, match="takes 1 to 2 values, not 3"):
        await harness.select(message, "pick:fruit", ["apple", "pear", "plum"])
    with pytest.raises(AssertionError, match="takes 1 to 1 values, not 0"):
        await harness.select(message, "pick:user", [])
    with pytest.raises(AssertionError, match="no user with id 12345"):
        await harness.select(message, "pick:user", [12345])
    with pytest.raises(AssertionError, match="only offers channel types"):
        await harness.select(message, "pick:channel", [voice])


class Stepper(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"stepper:(?P<count>\d+)"):
    def __init__(self, count: int) -> None:
        super().__init__(discord.ui.Button(label=str(count), custom_id=f"stepper:{count}"))
        self.count = count

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Stepper:
        return cls(int(match["count"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Stepper(self.count + 1))
        await interaction.response.edit_message(content=f"step {self.count + 1}", view=view)


async def test_dynamic_items_answer_from_their_custom_id(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    bot.add_dynamic_items(Stepper)
    view = discord.ui.View(timeout=None)
    view.add_item(Stepper(0))
    message = await harness.channel.send("step 0", view=view)

    await harness.click(message, "stepper:0")
    clicked = await harness.click(message, "stepper:1")

    assert clicked.response is not None
    assert clicked.response.custom_ids == ["stepper:2"]
    assert harness.message_payload(message)["content"] == "step 2"


class Panel(discord.ui.LayoutView):
    def __init__(self, clicks: int = 0) -> None:
        super().__init__(timeout=None)
        self.clicks = clicks
        button = discord.ui.Button(label="Ping", custom_id="panel:ping")
        button.callback = self.ping
        self.add_item(
            discord.ui.Container(
                discord.ui.TextDisplay("# Panel"),
                discord.ui.Section(f"clicked {clicks} times", accessory=button),
            )
        )

    async def ping(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(view=Panel(self.clicks + 1))


async def test_components_v2_layouts_are_clickable_and_keep_their_flag(harness: InteractionHarness) -> None:
    message = await harness.channel.send(view=Panel())
    assert harness.message_payload(message)["flags"] & 1 << 15

    clicked = await harness.click(message, "panel:ping")

    assert clicked.response is not None
    assert clicked.response.custom_ids == ["panel:ping"]
    assert clicked.response.flags & 1 << 15
    edited = harness.message_payload(message)
    assert edited["flags"] & 1 << 15
    assert "clicked 1 times" in str(edited["components"])


class Secret(discord.ui.View):
    @discord.ui.button(label="reveal", custom_id="secret:reveal")
    async def reveal(self, interaction: discord.Interaction, button: discord.ui.Button[Secret]) -> None:
        await interaction.response.edit_message(content="the secret is 42", view=None)


async def test_ephemeral_messages_stay_out_of_history_yet_can_be_clicked(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    @bot.tree.command()
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", view=Secret(), ephemeral=True)

    asked = await harness.slash("secret")
    revealed = await harness.click(asked, "secret:reveal")

    assert asked.response is not None
    assert asked.response.ephemeral
    assert asked.ephemeral_texts == ["psst"]
    assert revealed.ephemeral_texts == ["the secret is 42"]
    assert harness.message_payload(asked)["components"] == []
    assert harness.history() == []
    assert harness.last_message() is None
    assert dpytest.verify().message().nothing()


async def test_an_error_in_a_view_callback_fails_the_test(harness: InteractionHarness) -> None:
    class Broken(discord.ui.View):
        @discord.ui.button(label="boom", custom_id="broken:boom")
        async def boom(self, interaction: discord.Interaction, button: discord.ui.Button[Broken]) -> None:
            raise LookupError("the handler broke")

    message = await harness.channel.send("careful", view=Broken())

    with pytest.raises(LookupError, match="the handler broke"):
        await harness.click(message, "broken:boom")


async def test_a_view_with_its_own_error_handler_keeps_it(harness: InteractionHarness) -> None:
    class Forgiving(discord.ui.View):
        @discord.ui.button(label="boom", custom_id="forgiving:boom")
        async def boom(self, interaction: discord.Interaction, button: discord.ui.Button[Forgiving]) -> None:
            raise LookupError("the handler broke")

        async def on_error(
            self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
        ) -> None:
            await interaction.response.send_message(f"sorry: {error}", ephemeral=True)

    message = await harness.channel.send("careful", view=Forgiving())

    clicked = await harness.click(message, "forgiving:boom")

    assert clicked.ephemeral_texts == ["sorry: the handler broke"]


async def test_an_error_in_a_dynamic_item_fails_the_test(
    bot: commands.Bot, harness: InteractionHarness
) -> None:
    class Exploding(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"exploding:\d+"):
        def __init__(self) -> None:
            super().__init__(discord.ui.Button(label="boom", custom_id="exploding:1"))

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
        ) -> Exploding:
            return cls()

        async def callback(self, interaction: discord.Interaction) -> None:
            raise LookupError("dynamic item broke")

    bot.add_dynamic_items(Exploding)
    view = discord.ui.View(timeout=None)
    view.add_item(Exploding())
    message = await harness.channel.send("careful", view=view)

    with pytest.raises(LookupError, match="dynamic item broke"):
        await harness.click(message, "exploding:1")
