"""Sessions, fixtures and readers shared by the spawning, coexistence, events, lifecycle and v2 stories.

A module that imports ``fixture_bot_extensions``, ``fixture_clock`` and ``fixture_manager`` gets the
``clock`` and ``manager`` fixtures: ``manager`` wires the bot by hand (API §1 custom wiring) so the
repository runs on a :class:`ManualClock`, and ``bot_extensions`` keeps the ``bot`` fixture from
loading the extension itself.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
import pytest
import pytest_asyncio

from nyx_sessions import (
    AbstractSession,
    EndCode,
    MemorySessionRepository,
    SessionCog,
    SessionExecutionMeta,
    SessionManager,
)
from nyx_sessions.storage import ManualClock

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from discord.ext import commands

    from nyx_sessions.testing import InteractionHarness, MessageRef

__all__ = (
    "COMPONENTS_V2",
    "TTL",
    "CounterSession",
    "LayoutCounterSession",
    "action_of",
    "controls",
    "fixture_bot_extensions",
    "fixture_clock",
    "fixture_manager",
    "live_package_tasks",
    "stored_custom_ids",
    "text_displays",
)

Json = dict[str, Any]

TTL = 60.0
COMPONENTS_V2 = 1 << 15
_TEXT_DISPLAY = 10


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(name="clock")
def fixture_clock() -> ManualClock:
    """The time the session repository sees; tests move it with ``clock.advance``."""
    return ManualClock()


@pytest.fixture(name="bot_extensions")
def fixture_bot_extensions() -> Sequence[str]:
    """Load nothing: the ``manager`` fixture adds the session cog itself."""
    return ()


@pytest_asyncio.fixture(name="manager")
async def fixture_manager(bot: commands.Bot, clock: ManualClock) -> SessionManager:
    """The bot's session manager, wired by hand with a repository on ``clock``."""
    wired = SessionManager(bot, repository=MemorySessionRepository(clock=clock))
    await bot.add_cog(SessionCog(bot, manager=wired))
    return wired


# -- sessions -------------------------------------------------------------------------------------------


def action_of(session: AbstractSession[Any], interaction: discord.Interaction[Any]) -> str:
    """What the used component stands for: the first token of its session custom id."""
    data: Mapping[str, Any] = interaction.data or {}
    iterator = session.manager.codec.create_iterator_from_custom_id(data["custom_id"])
    assert iterator is not None, f"not a session custom id: {data['custom_id']!r}"
    return iterator.tokens[0]


class CounterSession(AbstractSession[int]):
    """A counter panel: ``+1`` counts, ``Done`` ends the session; however it ends, the count is its result.

    ``end_calls`` records the code of every ``on_end`` call, to prove it runs exactly once.
    """

    ttl = TTL

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any],
        *,
        label: str = "Counter",
        count: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(bot, start, **kwargs)
        self.label = label
        self.count = count
        self.end_calls: list[EndCode] = []

    def render(self) -> str:
        return f"{self.label}: {self.count}"

    def panel(self) -> dict[str, Any]:
        """What the session's message shows, as keyword arguments of ``send`` / ``edit``."""
        return {
            "content": self.render(),
            "view": self.view(self.button("inc", label="+1"), self.done_button()),
        }

    def done_button(self) -> discord.ui.Button[Any]:
        return self.button("done", label="Done", style=discord.ButtonStyle.success)

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        await self.respond(**self.panel())

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        if action_of(self, interaction) == "done":
            await interaction.response.send_message(f"{self.label} finished at {self.count}")
            await self.end("the user pressed Done")
            return
        self.count += 1
        await self.edit(interaction, **self.panel())

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        self.result = self.count
        self.end_calls.append(code)


class LayoutCounterSession(CounterSession):
    """The counter as a components-v2 layout.

    A container holds the count, a section whose accessory is ``Done``, a row with ``+1`` and a
    link button, and a row with an ``Add many`` select.
    """

    def panel(self) -> dict[str, Any]:
        return {
            "view": self.layout(
                discord.ui.Container(
                    discord.ui.TextDisplay(f"## {self.render()}"),
                    discord.ui.Section(
                        discord.ui.TextDisplay("Finished counting?"), accessory=self.done_button()
                    ),
                    discord.ui.ActionRow(
                        self.button("inc", label="+1"),
                        discord.ui.Button(label="Help", url="https://example.com/counter-help"),
                    ),
                    discord.ui.ActionRow(
                        self.select(
                            "many",
                            placeholder="Add many",
                            options=[discord.SelectOption(label=f"+{n}", value=str(n)) for n in (5, 10)],
                        )
                    ),
                    accent_colour=discord.Colour.blurple(),
                )
            )
        }

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        self.count += int(data["values"][0])
        await self.edit(interaction, **self.panel())


# -- reading what the user sees -------------------------------------------------------------------------


def _walk(components: Iterable[Json]) -> Iterator[Json]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or ())
        accessory = component.get("accessory")
        if accessory:
            yield from _walk((accessory,))


def controls(harness: InteractionHarness, message: MessageRef) -> dict[str, Json]:
    """The buttons and selects on ``message`` as the user sees them now, by label or placeholder."""
    payload = harness.message_payload(message)
    return {
        component.get("label") or component["placeholder"]: component
        for component in _walk(payload.get("components") or ())
        if component.get("type") in {2, 3, 5, 6, 7, 8}
    }


def text_displays(harness: InteractionHarness, message: MessageRef) -> list[str]:
    """The text displays of a components-v2 message, in reading order."""
    payload = harness.message_payload(message)
    return [c["content"] for c in _walk(payload.get("components") or ()) if c.get("type") == _TEXT_DISPLAY]


def stored_custom_ids(bot: discord.Client) -> set[str]:
    """Every custom id discord.py's ViewStore would dispatch: view items, synced views and modals."""
    store: Any = bot._connection._view_store
    ids = {custom_id for items in store._views.values() for (_, custom_id) in items}
    for view in store._synced_message_views.values():
        ids.update(item.custom_id for item in view.walk_children() if item.is_dispatchable())
    ids.update(store._modals)
    return ids


def live_package_tasks() -> list[asyncio.Task[Any]]:
    """The unfinished tasks nyx_sessions started (they are all named ``nyx-sessions:...``)."""
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith("nyx-sessions:") and not task.done()
    ]
