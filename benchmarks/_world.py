"""What every benchmark shares: test bots, an instant Discord, and the sessions and views compared."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext import commands
from discord.ext.test import factories, runner
from discord.webhook.async_ import AsyncWebhookAdapter

from nyx_sessions import AbstractSession, ListPaginationSession, SessionExecutionMeta
from nyx_sessions.testing import close_test_bot, create_test_bot, new_snowflake
from nyx_sessions.testing.payloads import build_interaction

from ._measure import cpu_clock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from nyx_sessions.observers import SessionObserver
    from nyx_sessions.storage import SessionStore

__all__ = (
    "PROBE",
    "BenchDurableSession",
    "BenchItem",
    "BenchListener",
    "BenchPages",
    "BenchPagesV2",
    "BenchSession",
    "BenchView",
    "FiveButtonView",
    "LeastRouter",
    "LeastSession",
    "Probe",
    "TestBot",
    "TimeoutView",
    "fresh",
    "instant_webhooks",
    "observers_named",
)

Json = dict[str, Any]

_BUTTON, _ACTION_ROW, _COMPONENT = 2, 1, 3
_DEFERRED_UPDATE = 6
# What Discord answers to a deferred update; discord.py only reads it, so one dict serves every call.
_CALLBACK_ANSWER: Json = {
    "interaction": {
        "id": "0",
        "type": _COMPONENT,
        "response_message_id": None,
        "response_message_loading": False,
        "response_message_ephemeral": False,
    },
    "resource": {"type": _DEFERRED_UPDATE},
}


@contextlib.contextmanager
def instant_webhooks() -> Iterator[None]:
    """Answer every interaction-webhook request at once, so no HTTP cost counts on either side.

    It replaces :meth:`AsyncWebhookAdapter.request` for both the session bot and the discord.py
    bots, so both pay the same (nil) price for their response.
    """

    async def request(adapter: AsyncWebhookAdapter, *args: Any, **kwargs: Any) -> Json:
        return _CALLBACK_ANSWER

    previous = AsyncWebhookAdapter.__dict__["request"]
    AsyncWebhookAdapter.request = request  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        AsyncWebhookAdapter.request = previous  # type: ignore[method-assign]


class Probe:
    """Tells the benchmark that handlers ran: counts them and stamps the CPU clock as each returns."""

    __slots__ = ("_done", "_expected", "count", "mark", "stamp")

    def __init__(self) -> None:
        self.count = 0
        self.stamp = 0.0
        self.mark: Callable[[], object] | None = None
        """Called first thing as a handler reports, when set: the instruction count's marker."""
        self._expected = 0
        self._done: asyncio.Future[None] | None = None

    def expect(self, handlers: int) -> None:
        """Start counting afresh; :meth:`wait` returns once ``handlers`` handlers ran."""
        self.count = 0
        self._expected = handlers
        self._done = asyncio.get_running_loop().create_future()

    def handled(self) -> None:
        """Called by a handler as its last act."""
        if self.mark is not None:
            self.mark()
        self.count += 1
        self.stamp = cpu_clock()
        if self.count == self._expected and self._done is not None and not self._done.done():
            self._done.set_result(None)

    async def wait(self) -> None:
        """Wait until the expected number of handlers ran."""
        if self._done is None:
            raise RuntimeError("call expect() first")
        await self._done


PROBE = Probe()
"""The one probe every benchmark handler reports to."""


class BenchSession(AbstractSession[None]):
    """A session with one button: the click is deferred, as the discord.py baselines do.

    ``on_start`` sends nothing, so sessions can be started by the thousand without a Discord round
    trip; only the session layer is measured.
    """

    __slots__ = ()

    # Disabling reads the message back and edits it: two Discord requests per expiry, which the
    # instant webhook cannot answer and which no baseline makes either.
    disable_on_expire = False

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Start without a message: the benchmarks route clicks straight to the session."""

    async def handle_button(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """Defer the click and tell the probe."""
        await interaction.response.defer()
        PROBE.handled()


class BenchDurableSession(BenchSession, kind="bench.durable"):
    """:class:`BenchSession`, durable: kept in the store after its start and after each click."""

    __slots__ = ()


class BenchPages(ListPaginationSession[str, None]):
    """A list session whose page turn is the click: the default rendering, edited in place.

    Like :class:`BenchSession` it starts without a message; a click carries the message it edits.
    """

    __slots__ = ()

    disable_on_expire = False

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Start without a message: the clicks carry the one they edit."""

    async def update_page(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Show the page (an edit of the clicked message), then tell the probe."""
        refresh = await super().update_page(interaction, meta)
        PROBE.handled()
        return refresh


class BenchPagesV2(BenchPages):
    """:class:`BenchPages` with its default rendering a components v2 layout."""

    __slots__ = ()

    components_v2 = True


class BenchView(discord.ui.View):
    """The persistent-view baseline: one button, dispatched by discord.py's view store."""

    CUSTOM_ID = "bench:click"

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Click", custom_id=CUSTOM_ID)
    async def click(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        """Defer the click and tell the probe."""
        await interaction.response.defer()
        PROBE.handled()


class BenchItem(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bench:(?P<session>[\w-]+):(?P<action>\w+)",
):
    """The dynamic-item baseline: its custom id names a session and an action, like a session's."""

    def __init__(self, session: str, action: str) -> None:
        super().__init__(discord.ui.Button(label="Click", custom_id=f"bench:{session}:{action}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any
    ) -> BenchItem:
        """Rebuild the item from the matched custom id."""
        return cls(match["session"], match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Defer the click and tell the probe."""
        await interaction.response.defer()
        PROBE.handled()


class BenchListener(commands.Cog):
    """The floor of any listener-based router: an ``on_interaction`` listener that only defers.

    It is how the session cog receives clicks, minus the session layer: the difference between
    this listener and the persistent View is discord.py's own cost of dispatching to a listener.
    """

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Defer the benchmark's click and tell the probe."""
        data = cast("dict[str, Any]", interaction.data or {})
        if data.get("custom_id") == BenchView.CUSTOM_ID:
            await interaction.response.defer()
            PROBE.handled()


class LeastSession:
    """A session reduced to what :class:`LeastRouter` needs: its owner and a handler that defers."""

    __slots__ = ("owner_id",)

    def __init__(self, owner_id: int) -> None:
        self.owner_id = owner_id

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """Defer the click and tell the probe."""
        await interaction.response.defer()
        PROBE.handled()


class LeastRouter(commands.Cog):
    """The least a listener-based session router can do, for the instruction counts.

    Its ``on_interaction`` listener reads the session id out of a session custom id, finds the
    session in a dict, checks that the clicking user owns it and awaits its handler. Nothing else:
    no replay check, no per-session lock, no execution metadata, no middleware list, no routing by
    component kind, no answer for a click nobody handled, no TTL. Its distance to the persistent
    View is the room the routing target leaves for the guarantees API.md makes per click.
    """

    def __init__(self, prefix: str, separator: str, sessions: dict[str, LeastSession]) -> None:
        self._prefix = prefix
        self._separator = separator
        self._sessions = sessions

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Hand a click on a session's id to that session's owner-checked handler."""
        custom_id = cast("dict[str, Any]", interaction.data or {}).get("custom_id")
        if not isinstance(custom_id, str) or not custom_id.startswith(self._prefix):
            return
        start = len(self._prefix)
        session = self._sessions.get(custom_id[start : custom_id.find(self._separator, start)])
        if session is not None and interaction.user.id == session.owner_id:
            await session.handle(interaction)


class FiveButtonView(discord.ui.View):
    """The memory baseline: a view holding five buttons, as a small panel would."""

    def __init__(self, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        for label in ("First", "Previous", "Page", "Next", "Last"):
            self.add_item(discord.ui.Button(label=label))


class TimeoutView(discord.ui.View):
    """The expiry baseline: a one-button view whose timeout discord.py runs itself.

    discord.py gives each view with a timeout a task that sleeps until the deadline, and a click
    moves the deadline; :meth:`on_timeout` reports the view's custom id to ``timed_out``.

    Parameters
    ----------
    custom_id: :class:`str`
        The button's custom id, unique per view: clicks are routed by it.
    timeout: :class:`float`
        Seconds from the view's last click (or from when it was stored) to its timeout.
    timed_out: Callable[[:class:`str`], None]
        Called with ``custom_id`` when the view times out.
    """

    def __init__(self, custom_id: str, timeout: float, timed_out: Callable[[str], object]) -> None:
        super().__init__(timeout=timeout)
        self.custom_id = custom_id
        self.clicked_at: float | None = None
        """:func:`time.time` of the last click, stamped as the callback starts."""
        self._timed_out = timed_out
        button: discord.ui.Button[TimeoutView] = discord.ui.Button(label="Click", custom_id=custom_id)
        button.callback = self._click  # type: ignore[method-assign]
        self.add_item(button)

    @property
    def deadline(self) -> float | None:
        """When the view times out after its last click, in :func:`time.time` seconds.

        discord.py moves its private deadline just before it calls the callback, so this is at
        most microseconds later than discord.py's: lateness measured from it is not overstated.
        """
        return None if self.clicked_at is None or self.timeout is None else self.clicked_at + self.timeout

    async def _click(self, interaction: discord.Interaction[Any]) -> None:
        self.clicked_at = time.time()
        await interaction.response.defer()
        PROBE.handled()

    async def on_timeout(self) -> None:
        """Report the timeout."""
        self._timed_out(self.custom_id)


@dataclass(slots=True)
class TestBot:
    """A dpytest bot with the member who clicks and the channel where clicks happen.

    dpytest keeps one configuration at a time, so the member and channel are captured right after
    the bot is configured; several bots can then live side by side.
    """

    bot: commands.Bot
    member: discord.Member
    channel: discord.TextChannel

    @classmethod
    async def create(
        cls,
        *,
        sessions: bool,
        store: SessionStore | None = None,
        observers: Sequence[SessionObserver] | None = None,
    ) -> TestBot:
        """Create and configure a bot; with ``sessions``, nyx_sessions is loaded (on ``store``, if given,
        reporting to ``observers``, if given)."""
        bot = await create_test_bot(
            extensions=("nyx_sessions",) if sessions else (), store=store, observers=observers
        )
        config = runner.get_config()
        return cls(bot, config.members[0], cast("discord.TextChannel", config.channels[0]))

    @property
    def state(self) -> Any:
        """The bot's connection state, where gateway payloads are parsed."""
        return self.bot._connection

    def click_payload(self, custom_id: str) -> Json:
        """An ``INTERACTION_CREATE`` of :attr:`member` clicking ``custom_id`` on a bot message."""
        me = self.bot.user
        assert me is not None
        message: Json = factories.make_message_dict(self.channel, me, new_snowflake(), content="Benchmark")
        message["flags"] = 0
        message["components"] = [
            {
                "type": _ACTION_ROW,
                "components": [{"type": _BUTTON, "style": 1, "label": "Click", "custom_id": custom_id}],
            }
        ]
        data = {"custom_id": custom_id, "component_type": _BUTTON}
        return build_interaction(
            self.bot, _COMPONENT, data, user=self.member, channel=self.channel, message=message
        )

    def interaction(self, payload: Json) -> discord.Interaction[Any]:
        """Build the :class:`discord.Interaction` discord.py would for ``payload``."""
        return discord.Interaction(data=payload, state=self.state)  # type: ignore[arg-type]

    def start_interaction(self) -> discord.Interaction[Any]:
        """The click the benchmarks start their sessions from, already answered.

        The sessions send nothing at start (only the session layer is measured); a real command
        would have answered, so this click counts as answered with a deferred update whose original
        response is its message: the manager records that message and defers nothing.
        """
        start = self.interaction(self.click_payload("start"))
        start.response._response_type = discord.InteractionResponseType.deferred_message_update
        start._original_response = start.message  # type: ignore[assignment]
        return start

    async def close(self) -> None:
        """Close the bot (ending its sessions) and empty dpytest's queues."""
        await close_test_bot(self.bot)


def fresh(payload: Json) -> Json:
    """A copy of ``payload`` as a new interaction: a new id and token, the same click."""
    interaction_id = new_snowflake()
    return {**payload, "id": str(interaction_id), "token": f"bench-token-{interaction_id}"}


def observers_named(name: str) -> list[SessionObserver]:
    """The observers a routing side reports to: ``none`` (configured, empty), ``prometheus`` (on a
    registry of its own), ``otel-api`` (the API's no-op tracer, no SDK) or ``otel-sdk`` (the SDK's
    tracer, every span processed and handed to an exporter that drops it)."""
    if name == "none":
        return []
    if name == "prometheus":
        from prometheus_client import CollectorRegistry

        from nyx_sessions.metrics import PrometheusObserver

        return [PrometheusObserver(CollectorRegistry())]
    from nyx_sessions.tracing import OpenTelemetryObserver

    if name == "otel-api":
        return [OpenTelemetryObserver()]
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    class _Dropped(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_Dropped()))
    return [OpenTelemetryObserver(provider)]
