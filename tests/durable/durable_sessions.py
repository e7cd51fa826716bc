"""An extension with durable sessions of every shape, for the restart stories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
import msgspec
from discord import app_commands
from discord.ext import commands

from nyx_sessions import (
    AbstractSession,
    AllowAll,
    EndCode,
    Form,
    FormSession,
    ListPaginationSession,
    SessionExecutionMeta,
    SessionStage,
    SessionStartStage,
    StagePaginationSession,
    modal_values,
    on_button,
    on_modal,
    select_values,
    spawns_session,
)
from nyx_sessions._utils import MISSING as MISSING_LIFETIME
from nyx_sessions.forms import channel, checkbox, files, role, text, user

MODERATIONS = {
    "warn": [f"warn #{n}" for n in range(1, 31)],
    "ban": [f"ban #{n}" for n in range(1, 6)],
}
# Outside this module: a restart (harness.restart) reloads it, as a new process would.
from durable_records import ENDS, FORMS, LOADS, RESTORES  # noqa: E402


class CounterData(msgspec.Struct):
    count: int = 0
    label: str = "count"


class Counter(
    AbstractSession[int], kind="test.counter", data=CounterData, data_version=2, aliases=("test.tally",)
):
    ttl = 600

    def render(self) -> dict[str, Any]:
        data: CounterData = self.data
        return {
            "content": f"{data.label}: {data.count}",
            "view": self.view(
                self.button("inc", label="+1"),
                self.button("bad", label="Bad"),
                self.button("end", label="End"),
            ),
        }

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(**self.render())

    @on_button("inc")
    async def inc(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data.count += 1
        await self.edit(interaction, **self.render())

    @on_button("bad")
    async def bad(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data.label = object()  # type: ignore[assignment]  # JSON cannot carry it
        await interaction.response.defer()

    @on_button("end")
    async def finish(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.edit(interaction, content="done", view=None)
        await self.end("pressed end")

    async def on_restore(self) -> None:
        RESTORES.append(self.id)

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        self.result = self.data.count
        ENDS.append((self.id, code))

    @classmethod
    def migrate_data(cls, raw: dict[str, Any], version: int) -> dict[str, Any]:
        # version 1 stored the count as "n"
        return {"count": raw.get("n", 0), "label": raw.get("label", "count")}


class Filters(msgspec.Struct):
    kind: str = "warn"


class Moderations(ListPaginationSession[str, None], kind="test.mods", data=Filters):
    ttl = 600

    async def load_items(self) -> Sequence[str]:
        LOADS.append(self.data.kind)
        return MODERATIONS[self.data.kind]


class AskName(SessionStartStage[str]):
    def build_message(self) -> dict[str, Any]:
        return {
            "content": f"Step 1: name ({self.result or 'none'})",
            "view": self.session.view(
                self.button("ask", label="Enter name"), *self.session.build_navigation(row=1)
            ),
        }

    @on_button("ask")
    async def ask(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        field = discord.ui.TextInput(label="Name", custom_id="name")
        await interaction.response.send_modal(self.modal("Name", field, tokens=("named",)))

    @on_modal("named")
    async def named(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = str(modal_values(interaction)["name"])
        await self.session.switch_to(1, interaction)


class AskColour(SessionStage[str]):
    def build_message(self) -> dict[str, Any]:
        options = [discord.SelectOption(label=colour) for colour in ("red", "blue")]
        return {
            "content": f"Step 2: colour for {self.session.stages[0].result}",
            "view": self.session.view(
                self.select("colour", options=options, placeholder="Colour"),
                *self.session.build_navigation(row=1),
            ),
        }

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        (self.result,) = select_values(interaction)
        await self.session.switch_to(2, interaction)


class Confirm(SessionStage[bool]):
    def build_message(self) -> dict[str, Any]:
        name, colour = (stage.result for stage in self.session.stages[:2])
        return {
            "content": f"Step 3: {name} likes {colour}?",
            "view": self.session.view(self.button("yes", label="Yes")),
        }

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = True
        await self.session.edit(interaction, content="saved", view=None)
        await self.session.end("confirmed")


class Wizard(StagePaginationSession[tuple[Any, ...]], kind="test.wizard"):
    ttl = 600
    stages = (AskName, AskColour, Confirm)


class EntryPanel(AbstractSession[None], kind="test.panel"):
    """A panel anyone can press, started by the bot in a channel: a persistent view that keeps state."""

    ttl = None
    update_filter = AllowAll()

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        self.data = {"opened": 0}
        await self.respond("Open your counter", view=self.view(self.button("open", label="Open")))

    @on_button("open")
    async def open_counter(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.data["opened"] += 1
        await Counter(self.bot, interaction, data=CounterData(label=f"opened {self.data['opened']}")).start()


class Plain(AbstractSession[None]):
    ttl = 600

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond("plain", view=self.view(self.button("x", label="X")))

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append((self.id, code))

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await interaction.response.edit_message(content="pressed")


class Appeal(Form):
    """Six fields, so two modals: the first five are kept in the record across a restart."""

    moderator: discord.Member = user("Who moderated you?")
    reason: str = text("Why should it be lifted?")
    evidence: list[discord.Attachment] = files("Evidence")
    team: discord.Role = role("Which team should read it?")
    honest: bool = checkbox("All of this is true", required=True)
    where: Any = channel("Where did it happen?")


class AppealSession(FormSession[Appeal], kind="test.appeal"):
    ttl = 600

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append((self.id, code))
        FORMS.append(self.result)


class Commands(commands.Cog):
    @app_commands.command()
    async def appeal(self, interaction: discord.Interaction[Any]) -> None:
        await AppealSession(interaction.client, interaction, title="Appeal").start()

    @commands.hybrid_command()
    @spawns_session
    async def counter(self, ctx: commands.Context[Any]) -> Counter:
        return Counter(ctx.bot, ctx, data=CounterData())

    @commands.hybrid_command()
    @spawns_session
    async def mods(self, ctx: commands.Context[Any], kind: str = "warn") -> Moderations:
        return Moderations(ctx.bot, ctx, data=Filters(kind=kind), per_page=5)

    @commands.hybrid_command()
    @spawns_session
    async def lines(self, ctx: commands.Context[Any]) -> ListPaginationSession[Any, None]:
        return ListPaginationSession(
            ctx.bot, ctx, [f"line {n}" for n in range(1, 26)], per_page=5, durable=True
        )

    @commands.hybrid_command()
    @spawns_session
    async def wizard(self, ctx: commands.Context[Any]) -> Wizard:
        return Wizard(ctx.bot, ctx)

    @commands.hybrid_command()
    @spawns_session
    async def plain(self, ctx: commands.Context[Any]) -> Plain:
        return Plain(ctx.bot, ctx)

    @commands.command()
    async def panel(self, ctx: commands.Context[Any]) -> None:
        await EntryPanel(ctx.bot, ctx.channel).start()


class LongCounter(Counter, kind="test.long-counter", data=CounterData, data_version=2):
    ttl = 3600


class BriefCounter(Counter, kind="test.brief-counter", data=CounterData, data_version=2):
    """Idles out after 600 s, and ends 100 s after its start whatever its clicks."""

    max_lifetime = 100


class LimitedCounter(Counter, kind="test.limited-counter", data=CounterData, data_version=2):
    """One per user, in every process and across restarts."""

    max_per_user = 1


class Verdict(msgspec.Struct):
    case: str = ""


class CaseReview(AbstractSession[str], kind="test.case", data=Verdict):
    """A child session: Approve or Reject returns the decision to the case list that opened it."""

    ttl = 300

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(
            f"reviewing {self.data.case}",
            view=self.view(self.button("approve", label="Approve"), self.button("reject", label="Reject")),
        )

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        self.result = f"{self.data.case} {self.tokens(interaction).get()}d"
        await self.end("decided")

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append((self.id, code))


class Decisions(msgspec.Struct):
    made: list[str] = msgspec.field(default_factory=list)


class CaseList(ListPaginationSession[str, None], kind="test.cases", data=Decisions):
    """A durable list whose Open button reviews the page's first case as a durable child session."""

    ttl = 600

    async def load_items(self) -> Sequence[str]:
        return MODERATIONS["warn"][:10]

    def format_page(self, items: Sequence[str]) -> dict[str, Any]:
        made = self.data.made
        return {
            "content": "\n".join(items) + (f"\nlast: {made[-1]}" if made else ""),
            "view": self.view(
                *self.build_navigation(),
                self.button("open", label="Open", row=1),
                self.button("open-fail", label="Open, then fail", row=1),
            ),
        }

    @on_button("open")
    async def open_case(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        case = CaseReview(self.bot, interaction, data=Verdict(case=self.current_page_items[0]))
        await self.open_child(case, interaction)

    @on_button("open-fail")
    async def open_then_fail(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        await self.open_case(interaction, meta)
        raise RuntimeError("the handler failed after opening its child")

    async def on_child_end(self, child_end: Any, interaction: discord.Interaction[Any] | None) -> None:
        if child_end.result is not None:
            self.data.made.append(child_end.result)
        await super().on_child_end(child_end, interaction)

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        ENDS.append((self.id, code))


class LongCommands(commands.Cog):
    @commands.hybrid_command()
    @spawns_session
    async def long(self, ctx: commands.Context[Any]) -> LongCounter:
        return LongCounter(ctx.bot, ctx, data=CounterData())

    @commands.hybrid_command()
    @spawns_session
    async def limited(self, ctx: commands.Context[Any], policy: str = "reject") -> LimitedCounter:
        return LimitedCounter(ctx.bot, ctx, data=CounterData(), limit_policy=policy)  # type: ignore[arg-type]

    @commands.hybrid_command()
    @spawns_session
    async def cases(self, ctx: commands.Context[Any]) -> CaseList:
        return CaseList(ctx.bot, ctx, data=Decisions(), per_page=5)

    @commands.hybrid_command()
    @spawns_session
    async def brief(self, ctx: commands.Context[Any], lifetime: float = 0.0) -> BriefCounter:
        # 0: the class's max_lifetime; another number: this session's own
        return BriefCounter(ctx.bot, ctx, data=CounterData(), max_lifetime=lifetime or MISSING_LIFETIME)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Commands())
    await bot.add_cog(LongCommands())
