"""/report: a form that checks its answers; a mistake is answered with a "Fix" button."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from nyx_sessions import Form, FormSession, spawns_session
from nyx_sessions.forms import checkbox, choice, text, user

if TYPE_CHECKING:
    from example_bot.bot import ExampleBot
    from nyx_sessions import EndCode, SessionExecutionMeta

__all__ = ("Report", "ReportSession", "Reports", "setup")


class Report(Form):
    """What a member reports: who, what happened, what kind of problem, and that they read the rules."""

    who: discord.Member = user("Who are you reporting?")
    reason: str = text("What happened?", style="paragraph", max_length=500, placeholder="What, where, when")
    kind: str = choice("What kind of problem", ["spam", "abuse", "other"])
    rules: bool = checkbox("I read the server rules", required=True)

    def validate(self) -> dict[str, str]:
        """A reason of a few words cannot be acted on."""
        if len(self.reason.split()) < 3:
            return {"reason": "needs a few words: what, where and when"}
        return {}


class ReportSession(FormSession[Report]):
    """Asks the report; once it is filled in, posts it for the moderators."""

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        report = self.result
        interaction = self.start_interaction
        if (
            report is None
            or interaction is None
            or not isinstance(interaction.channel, discord.abc.Messageable)
        ):
            return
        filer = interaction.user.display_name
        await interaction.channel.send(
            f"📝 Report by {filer} against {report.who.mention} ({report.kind}): {report.reason}",
            allowed_mentions=discord.AllowedMentions.none(),
        )


class Reports(commands.Cog):
    """Reports to the moderators."""

    def __init__(self, bot: ExampleBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.guild_only()
    @spawns_session
    async def report(self, interaction: discord.Interaction[ExampleBot]) -> ReportSession:
        """Report a member to the moderators."""
        return ReportSession(self.bot, interaction, Report, title="Report a member")


async def setup(bot: ExampleBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Reports(bot))
