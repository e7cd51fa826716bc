"""!settings and /settings: a settings panel with buttons, two select menus and a modal, saved to SQLite.

``!panel`` posts a message whose "Open panel" button starts the same panel: a durable session the
bot starts in the channel, which replaces a discord.py persistent view and keeps state.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import discord
import msgspec
from discord.ext import commands

from example_bot.db import GuildSettings
from nyx_sessions import (
    AbstractSession,
    AllowAll,
    modal_values,
    on_button,
    on_modal,
    on_select,
    select_values,
    spawns_session,
)

if TYPE_CHECKING:
    from example_bot.bot import ExampleBot
    from example_bot.db import Database
    from nyx_sessions import SessionExecutionMeta, SessionModal

__all__ = ("LANGUAGES", "Settings", "SettingsDraft", "SettingsEntry", "SettingsSession", "setup")

LANGUAGES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch"}


class SettingsDraft(msgspec.Struct):
    """What a settings panel stores to survive a restart: the server, what is saved, the unsaved draft."""

    guild_id: int
    saved: GuildSettings = msgspec.field(default_factory=GuildSettings)
    draft: GuildSettings = msgspec.field(default_factory=GuildSettings)


class SettingsSession(AbstractSession[GuildSettings], kind="example.settings", data=SettingsDraft):
    """The settings panel: changes are a draft until Save writes them to the database.

    Answers privately when started from an interaction (a slash command or a button); a prefix
    command gets a normal message, which only its author can use (the default owner-only filter).
    The session's result is the settings last saved. Durable: an unsaved draft survives a restart.

    Parameters
    ----------
    bot: :class:`ExampleBot`
        The bot.
    start: Union[:class:`discord.Interaction`, :class:`commands.Context`]
        What started the session; it must come from a server.
    """

    ttl = 300  # seconds without a click before the panel expires (the default is 180)
    max_per_user = 1  # one open panel per member: a new one replaces the old ("replace", the default)

    def __init__(self, bot: ExampleBot, start: discord.Interaction[Any] | commands.Context[Any]) -> None:
        assert start.guild is not None  # the commands are guild_only
        super().__init__(bot, start, data=SettingsDraft(start.guild.id))

    @property
    def db(self) -> Database:
        """:class:`Database`: The bot's data."""
        return cast("ExampleBot", self.bot).db

    @property
    def guild_id(self) -> int:
        """:class:`int`: The server whose settings these are."""
        return int(self.data.guild_id)

    @property
    def saved(self) -> GuildSettings:
        """:class:`GuildSettings`: The settings as the database has them."""
        saved: GuildSettings = self.data.saved
        return saved

    @saved.setter
    def saved(self, settings: GuildSettings) -> None:
        self.data.saved = settings

    @property
    def draft(self) -> GuildSettings:
        """:class:`GuildSettings`: The settings as the panel shows them, saved or not."""
        draft: GuildSettings = self.data.draft
        return draft

    @draft.setter
    def draft(self, settings: GuildSettings) -> None:
        self.data.draft = settings

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        self.saved = self.draft = await self.db.settings(self.guild_id)
        await self.respond(embed=self._embed(), view=self._view(), ephemeral=True)

    def _embed(self) -> discord.Embed:
        draft = self.draft
        embed = discord.Embed(title="Server settings", colour=discord.Colour.blurple())
        embed.add_field(name="Welcome messages", value="on" if draft.welcome_enabled else "off")
        embed.add_field(name="Auto-moderation", value="on" if draft.automod_enabled else "off")
        embed.add_field(
            name="Log channel", value=f"<#{draft.log_channel_id}>" if draft.log_channel_id else "not set"
        )
        embed.add_field(name="Language", value=LANGUAGES[draft.language])
        embed.add_field(name="Welcome message", value=draft.welcome_message, inline=False)
        embed.set_footer(text="All changes saved." if draft == self.saved else "Unsaved changes: press Save.")
        return embed

    def _view(self) -> discord.ui.View:
        draft = self.draft
        return self.view(
            self._toggle("welcome", "Welcome messages", on=draft.welcome_enabled),
            self._toggle("automod", "Auto-moderation", on=draft.automod_enabled),
            self.button("message", label="Edit welcome message", style=discord.ButtonStyle.primary),
            self.select(
                "log",
                cls=discord.ui.ChannelSelect,
                channel_types=[discord.ChannelType.text],
                placeholder="Pick a log channel",
                row=1,
            ),
            self.select(
                "language",
                options=[
                    discord.SelectOption(label=name, value=code, default=code == draft.language)
                    for code, name in LANGUAGES.items()
                ],
                row=2,
            ),
            self.button(
                "save", label="Save", style=discord.ButtonStyle.success, disabled=draft == self.saved, row=3
            ),
            self.button("close", label="Close", row=3),
        )

    def _toggle(self, token: str, name: str, *, on: bool) -> discord.ui.Button[Any]:
        style = discord.ButtonStyle.success if on else discord.ButtonStyle.secondary
        return self.button(token, label=f"{name}: {'on' if on else 'off'}", style=style)

    def _welcome_modal(self) -> SessionModal:
        message: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="message",
            style=discord.TextStyle.paragraph,
            default=self.draft.welcome_message,
            max_length=300,
        )
        label = discord.ui.Label(
            text="Welcome message", description="{user} is the new member", component=message
        )
        return self.modal("Welcome message", label)

    async def _show(self, interaction: discord.Interaction[Any]) -> None:
        await self.edit(interaction, embed=self._embed(), view=self._view())

    @on_button("welcome")
    async def toggle_welcome(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.draft = replace(self.draft, welcome_enabled=not self.draft.welcome_enabled)
        await self._show(interaction)

    @on_button("automod")
    async def toggle_automod(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.draft = replace(self.draft, automod_enabled=not self.draft.automod_enabled)
        await self._show(interaction)

    @on_button("message")
    async def open_message_editor(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        await interaction.response.send_modal(self._welcome_modal())  # modals first, before slow work

    @on_modal("modal")
    async def message_written(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        self.draft = replace(self.draft, welcome_message=str(modal_values(interaction)["message"]))
        await self._show(interaction)

    @on_select("log")
    async def pick_log_channel(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        (channel_id,) = select_values(interaction)  # a channel select sends the picked channel's id
        self.draft = replace(self.draft, log_channel_id=int(channel_id))
        await self._show(interaction)

    @on_select("language")
    async def pick_language(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        (language,) = select_values(interaction)
        self.draft = replace(self.draft, language=language)
        await self._show(interaction)

    @on_button("save")
    async def save(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.db.save_settings(self.guild_id, self.draft)
        self.saved = self.result = self.draft
        await self._show(interaction)

    @on_button("close")
    async def close(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.edit(interaction, embed=self._embed(), view=None)
        await self.end("closed by its user")


class SettingsEntry(AbstractSession[None], kind="example.settings-entry"):
    """The message ``!panel`` posts: an "Open panel" button anyone can press, for as long as it exists.

    A session the bot starts by itself, in a channel, with no owner and no expiry: the durable
    equivalent of a discord.py persistent view. It survives restarts like one, and it keeps state
    (how many panels it opened), which a persistent view cannot.
    """

    ttl = None  # never expires
    update_filter = AllowAll()  # anyone in the channel may press it

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        self.data = {"opened": 0}
        await self.respond("**Server settings** are one click away.", view=self._view())

    def _view(self) -> discord.ui.View:
        label = f"Open panel ({self.data['opened']} opened)"
        return self.view(self.button("open", label=label, emoji="⚙️", style=discord.ButtonStyle.primary))

    @on_button("open")
    async def open_panel(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data["opened"] += 1
        # The click starts the presser's own private panel; its answer is the panel, not an edit here.
        await SettingsSession(cast("ExampleBot", self.bot), interaction).start()
        await self.edit(content="**Server settings** are one click away.", view=self._view())


class Settings(commands.Cog):
    """The settings panel, from a command or from a button."""

    def __init__(self, bot: ExampleBot) -> None:
        self.bot = bot

    @commands.hybrid_command()  # type: ignore[arg-type]  # discord.py#9788
    @commands.guild_only()
    @spawns_session
    async def settings(self, ctx: commands.Context[ExampleBot]) -> SettingsSession:
        """Change this server's settings (only you can use the panel you open)."""
        return SettingsSession(self.bot, ctx)

    @commands.hybrid_command()  # type: ignore[arg-type]  # discord.py#9788
    @commands.guild_only()
    async def panel(self, ctx: commands.Context[ExampleBot]) -> None:
        """Post a message with an "Open panel" button anyone can press."""
        await SettingsEntry(self.bot, ctx.channel).start()
        if ctx.interaction is not None:  # as /panel: the slash command gets a quiet answer
            await ctx.send("Posted.", ephemeral=True)


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Settings(bot))
