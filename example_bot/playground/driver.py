"""The playground: use the example bot offline, step by step, and see what Discord would show.

Each step is what a person does in Discord (a slash command, a prefix command, a click, a
selection, a filled-in form) or something only a playground can do (be someone else, move the
clock, restart the bot). The step goes through the testing kit's fake Discord as a real
interaction; then every message the bot created or edited is drawn.
"""

from __future__ import annotations

import copy
import logging
import math
import shlex
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from prometheus_client import CollectorRegistry
from rich.table import Table
from rich.text import Text

from example_bot.cogs.session_log import owner_name
from example_bot.playground.render import (
    EXPIRED,
    SELECTS,
    FormField,
    form_fields,
    interactive_components,
    render_message,
    render_modal,
)
from example_bot.playground.world import create_offline_bot
from nyx_sessions import get_session_manager
from nyx_sessions.metrics import PrometheusObserver
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness, close_test_bot

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path
    from types import TracebackType

    from rich.console import Console
    from typing_extensions import Self

    from example_bot.bot import ExampleBot
    from nyx_sessions.testing import Injected

__all__ = ("HELP", "Playground", "PlaygroundError")

Json = dict[str, Any]

HELP = """\
Do what a person does in Discord:
  /command [option:value …]  a slash command, e.g. /moderations type:warn
  !command [args …]          a prefix command, e.g. !settings
  click N | click LABEL      press button N of the current message
  select N VALUE …           pick in select N: options, a #channel, an @member
  fill FIELD=VALUE …         send the open form (FIELD: number, label or id)
  cancel                     close the open form without sending it
Or what only the playground can do:
  user NAME                  act as someone else: alice, bob or carol
  locale LOCALE              their Discord language, e.g. locale fr (or en-US)
  advance SECONDS            move the clock (idle sessions expire)
  show [mN]                  draw message mN again and make it current
  sessions                   list the running sessions
  metrics                    the bot's Prometheus metrics now (what --metrics-port serves)
  restart                    restart the bot (a deploy): same server and messages, sessions come back
  help · quit"""

_LOGGERS = ("example_bot", "nyx_sessions")
_ENTITY_OPTIONS = frozenset(
    {
        discord.AppCommandOptionType.user,
        discord.AppCommandOptionType.channel,
        discord.AppCommandOptionType.role,
        discord.AppCommandOptionType.mentionable,
    }
)


class PlaygroundError(Exception):
    """A step the playground cannot carry out, with what to do instead."""


class _ConsoleLog(logging.Handler):
    """Shows the bot's log lines in the transcript, where they happen."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        style = "dim" if record.levelno < logging.WARNING else "yellow"
        self._console.print(Text(f"  log · {record.getMessage()}", style))


class Playground:
    """The example bot on a fake Discord, driven one step at a time.

    Use it as an async context manager (or call :meth:`start` and :meth:`close`), then hand each
    step to :meth:`run`, or a whole script to :meth:`play`.

    Parameters
    ----------
    db_path: Union[:class:`str`, :class:`pathlib.Path`]
        The example bot's database.
    console: :class:`rich.console.Console`
        Where the transcript goes.
    sessions: Optional[:class:`str`]
        The store URL for durable sessions (:class:`~example_bot.bot.ExampleBot`).
    metrics: Optional[:class:`nyx_sessions.metrics.PrometheusObserver`]
        What the bot's session manager reports to; one on a registry of its own when not given.
    """

    def __init__(
        self,
        db_path: str | Path,
        console: Console,
        *,
        sessions: str | None = None,
        metrics: PrometheusObserver | None = None,
    ) -> None:
        self.db_path = db_path
        self.sessions = sessions
        self.metrics = PrometheusObserver(CollectorRegistry()) if metrics is None else metrics
        self.console = console
        self.clock = ManualClock()
        self._bot: ExampleBot | None = None
        self._harness: InteractionHarness | None = None
        self._user_name = "alice"
        self._locales: dict[str, discord.Locale] = {}  # by user name; en-US when not set
        self._numbers: dict[int, int] = {}
        self._seen: dict[int, Json] = {}
        self._over: set[int] = set()  # messages shown as expired already
        self._current: int | None = None
        self._form: Injected | None = None
        self._log = _ConsoleLog(console)
        self._log_levels: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Connect the bot to a fresh fake Discord and show its log lines in the transcript."""
        for name in (*_LOGGERS, "discord"):
            logger = logging.getLogger(name)
            self._log_levels[name] = logger.level
            # discord.py logs the errors the harness reports itself (with a traceback): keep them out.
            logger.setLevel(logging.INFO if name in _LOGGERS else logging.CRITICAL)
        for name in _LOGGERS:
            logging.getLogger(name).addHandler(self._log)
        await self._boot()

    async def close(self) -> None:
        """Stop the bot (its sessions end) and put the logging back as it was."""
        await self._shut_down()
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(self._log)
        for name, level in self._log_levels.items():
            logging.getLogger(name).setLevel(level)

    async def _boot(self) -> None:
        bot = await create_offline_bot(
            self.db_path, clock=self.clock, sessions=self.sessions, observers=[self.metrics]
        )
        self._bot, self._harness = bot, InteractionHarness(bot, clock=self.clock).install()

    async def _shut_down(self) -> None:
        harness, bot = self._harness, self._bot
        self._harness = self._bot = None
        if harness is None or bot is None:
            return
        try:
            await close_test_bot(bot)
            await harness.settle()
        finally:
            harness.uninstall()

    @property
    def bot(self) -> ExampleBot:
        """The bot being driven."""
        if self._bot is None:
            raise RuntimeError("the playground is not running: call start() first")
        return self._bot

    @property
    def harness(self) -> InteractionHarness:
        """The testing kit's harness on :attr:`bot`."""
        if self._harness is None:
            raise RuntimeError("the playground is not running: call start() first")
        return self._harness

    @property
    def user(self) -> discord.Member:
        """Who the steps are done as."""
        member = self.harness.guild.get_member_named(self._user_name)
        assert member is not None  # only names of members are accepted
        return member

    @property
    def locale(self) -> discord.Locale:
        """The Discord language of who the steps are done as (``locale fr`` changes it)."""
        return self._locales.get(self._user_name, discord.Locale.american_english)

    @property
    def prompt(self) -> str:
        """The prompt of an interactive session: who is typing."""
        return f"{self._user_name} › "

    @property
    def form(self) -> list[FormField] | None:
        """The fields of the form (modal) the bot opened and nobody answered yet."""
        return None if self._form is None or self._form.modal is None else form_fields(self._form.modal)

    # -- steps -----------------------------------------------------------------------------------------

    async def play(self, steps: Iterable[str]) -> None:
        """Run a script: echo each step as a person would type it, then run it; ``quit`` stops early.

        Blank lines are skipped and lines starting with ``#`` are shown as notes.
        """
        for step in steps:
            step = step.strip()
            if step and not step.startswith("#"):
                self.console.print(Text.assemble((self.prompt, "bold green"), (step, "bold")))
            if not await self.run(step):
                return

    async def run(self, step: str) -> bool:
        """Run one step and draw what changed; a step that cannot work is explained, not raised.

        Returns
        -------
        :class:`bool`
            ``False`` for ``quit``.
        """
        step = step.strip()
        if not step:
            return True
        if step.startswith("#"):
            self.console.print(Text("\n" + step.lstrip("# "), "bold yellow"))
            return True
        try:
            return await self._run(step)
        except (PlaygroundError, AssertionError) as error:  # the harness refuses what no user could do
            self.console.print(Text(f"✗ {error}", "red"))
        except (discord.DiscordException, app_commands.AppCommandError) as error:
            self.console.print(Text(f"✗ the bot raised {type(error).__name__}: {error}", "red"))
        await self._draw_changes(())
        return True

    async def _run(self, step: str) -> bool:
        if step.startswith(("/", "!")):
            self._form = None  # doing something else dismisses an open form, as in Discord
        if step.startswith("/"):
            name, options = self._slash_options(_words(step[1:]))
            await self._draw_changes(
                [await self.harness.slash(name, options, user=self.user, locale=self.locale)]
            )
            return True
        if step.startswith("!"):
            await self.harness.message(step, user=self.user)
            await self._draw_changes(())
            return True
        verb, *words = _words(step)
        match verb.lower():
            case "click":
                await self._draw_changes([await self._click(" ".join(words))])
            case "select":
                await self._draw_changes([await self._select(words)])
            case "fill":
                await self._draw_changes([await self._fill(dict(_key_value(word) for word in words))])
            case "cancel":
                self._form = None
                self.console.print(Text("(form closed)", "dim"))
            case "user":
                self._switch_user(" ".join(words))
            case "locale":
                self._switch_locale(" ".join(words))
            case "advance":
                await self._advance(words)
            case "show":
                await self._show(words)
            case "sessions":
                await self._list_sessions()
            case "metrics":
                self._show_metrics()
            case "restart":
                await self._restart()
            case "help":
                self.console.print(Text(HELP))
            case "quit" | "exit":
                return False
            case _:
                raise PlaygroundError(f"unknown step {verb!r}; type help for the list")
        return True

    def _slash_options(self, words: list[str]) -> tuple[str, dict[str, Any]]:
        """Read ``name [sub …] [option:value | value …]``: bare values fill the options in order."""
        if not words:
            raise PlaygroundError("which command? e.g. /moderations")
        path = [words.pop(0)]
        command = self.bot.tree.get_command(path[0])
        while isinstance(command, app_commands.Group) and words:
            path.append(words.pop(0))
            command = command.get_command(path[-1])
        if not isinstance(command, app_commands.Command):
            known = ", ".join(sorted(f"/{c.name}" for c in self.bot.tree.get_commands()))
            raise PlaygroundError(f"/{' '.join(path)} is not a slash command; there are {known}")
        parameters = {parameter.display_name: parameter for parameter in command.parameters}
        options: dict[str, Any] = {}
        for word in words:
            key, colon, value = word.partition(":")
            if not (colon and key in parameters):
                key = next((name for name in parameters if name not in options), "")
                value = word
            if not key:
                raise PlaygroundError(f"/{' '.join(path)} takes no more options than {list(parameters)}")
            options[key] = self._entity(value) if parameters[key].type in _ENTITY_OPTIONS else value
        return " ".join(path), options

    async def _click(self, which: str) -> Injected:
        self._form = None
        message, component = self._component(which, select=False)
        return await self.harness.click(message, component["custom_id"], user=self.user, locale=self.locale)

    async def _select(self, words: list[str]) -> Injected:
        if len(words) < 2:
            raise PlaygroundError("select N VALUE …: which select, and what to pick in it")
        self._form = None
        message, component = self._component(words[0], select=True)
        if component["type"] == 3:
            values: list[Any] = [_option_value(component, word) for word in words[1:]]
        else:
            values = [self._entity(word) for word in words[1:]]
        return await self.harness.select(
            message, component["custom_id"], values, user=self.user, locale=self.locale
        )

    async def _fill(self, answers: Mapping[str, str]) -> Injected:
        """Send the open form with ``answers`` by field number, label or id; other fields keep their value."""
        fields = self.form
        if self._form is None or fields is None:
            raise PlaygroundError("no form is open: a button that opens one comes first")
        values: dict[str, Any] = {}
        for key, answer in answers.items():
            field = _field(fields, key)
            values[field.custom_id] = self._answer(field, answer)
        opened, self._form = self._form, None
        return await self.harness.submit_modal(opened, values, locale=self.locale)

    def _answer(self, field: FormField, answer: str) -> Any:
        """A typed answer as the kit takes it: text, a pick, a yes or no, several picks."""
        if field.kind == "checkbox":
            if answer.lower() not in _YES | _NO:
                raise PlaygroundError(f"{field.label} is a checkbox: answer yes or no")
            return answer.lower() in _YES
        if field.kind == "file upload":
            raise PlaygroundError(f"{field.label} asks for files, which the playground cannot upload")
        if field.kind in ("radio group", "checkbox group", "select"):
            modal = self._form.modal if self._form is not None else None
            component = _input_of(modal, field.custom_id)
            picks = [_option_value(component, word.strip()) for word in answer.split(",") if word.strip()]
            return picks[0] if field.kind == "radio group" and picks else picks
        if field.kind.endswith("select"):
            return [self._entity(word) for word in answer.split()]
        return answer

    def _component(self, which: str, *, select: bool) -> tuple[int, Json]:
        if self._current is None:
            raise PlaygroundError("there is no message with buttons or selects yet")
        message = self.harness.message_payload(self._current)
        components = interactive_components(message)
        chosen = None
        if which.isdigit() and 1 <= int(which) <= len(components):
            chosen = components[int(which) - 1]
        elif not select:
            chosen = _button_labelled(components, which)
        if chosen is None:
            raise PlaygroundError(
                f"m{self._numbers[self._current]} has no {'select' if select else 'button'} {which!r}"
            )
        if (chosen["type"] in SELECTS) != select:
            hint = "a button: click it" if select else f"a select: select {which} VALUE"
            raise PlaygroundError(f"{which} is {hint}")
        if chosen.get("disabled"):
            raise PlaygroundError(f"{which} is disabled: nobody can use it now")
        return self._current, chosen

    def _entity(self, name: str) -> discord.abc.Snowflake:
        """A ``#channel``, an ``@member`` or an ``@role`` of the guild, by name."""
        guild = self.harness.guild
        bare = name.lstrip("#@")
        found = (
            discord.utils.get(guild.text_channels, name=bare)
            if not name.startswith("@")
            else guild.get_member_named(bare) or discord.utils.get(guild.roles, name=bare)
        )
        if found is None:
            raise PlaygroundError(f"nothing named {name!r} here; channels: #general #support #mod-log")
        return found

    def _switch_user(self, name: str) -> None:
        if self.harness.guild.get_member_named(name) is None:
            names = ", ".join(member.name for member in self.harness.members)
            raise PlaygroundError(f"{name!r} is not a member; pick one of {names}")
        self._user_name = name
        self.console.print(Text(f"(now acting as {name})", "dim"))

    def _switch_locale(self, name: str) -> None:
        try:
            locale = discord.Locale(name)
        except ValueError:
            raise PlaygroundError(f"{name!r} is no Discord locale; e.g. fr, de, en-US, pt-BR") from None
        self._locales[self._user_name] = locale
        self.console.print(Text(f"({self._user_name}'s Discord is now in {locale.value})", "dim"))

    async def _advance(self, words: list[str]) -> None:
        try:
            seconds = float(words[0])
        except (IndexError, ValueError):
            raise PlaygroundError("advance SECONDS, e.g. advance 300") from None
        # float() reads "nan", "inf" and "-5" too: a clock moved by those would never read right again.
        if not math.isfinite(seconds):
            raise PlaygroundError(f"advance takes a number of seconds, e.g. advance 300, not {words[0]!r}")
        if seconds < 0:
            raise PlaygroundError(f"the clock only moves forward: advance 0 or more seconds, not {words[0]}")
        self.clock.advance(seconds)
        self.console.print(Text(f"(the clock moved {seconds:g} s forward)", "dim"))
        await self.harness.settle()
        await self._draw_changes(())

    async def _show(self, words: list[str]) -> None:
        numbers = {number: message_id for message_id, number in self._numbers.items()}
        wanted = words[0].lstrip("mM") if words else str(self._numbers.get(self._current or 0, ""))
        message_id = numbers.get(int(wanted)) if wanted.isdigit() else None
        payload = None if message_id is None else self.harness.fake.message(message_id)
        if message_id is None or payload is None:
            raise PlaygroundError(f"there is no message m{wanted}")
        await self._draw(message_id, payload, edited=False)

    async def _list_sessions(self) -> None:
        manager = get_session_manager(self.bot)
        if manager.sessions:
            table = Table("session", "started by", "expires in", box=None)
            for session in manager.sessions.values():
                expires_at = await manager.expires_at(session.id)
                left = "never" if expires_at is None else f"{expires_at - self.clock.time():g} s"
                table.add_row(type(session).__name__, owner_name(session), left)
            self.console.print(table)
        # After a restart the manager holds none: the durable ones wait in the store for a click.
        stored = await self._stored_elsewhere()
        if stored:
            count, back = (
                ("1 durable session", "it comes back on its")
                if len(stored) == 1
                else (f"{len(stored)} durable sessions", "they come back on their")
            )
            held = "no sessions held here; " if not manager.sessions else "and "
            messages = ", ".join(f"m{number}" for number in stored)
            self.console.print(Text(f"({held}{count} stored, {back} next click: {messages})", "dim"))
        elif not manager.sessions:
            self.console.print(Text("(no sessions are running)", "dim"))

    async def _stored_elsewhere(self) -> list[int]:
        """The numbers of the messages whose sessions are stored and not held by the manager.

        The playground sees every message the bot sent, so these are all the stored sessions.
        """
        return [
            self._numbers[message_id]
            for message_id, payload in self._seen.items()
            if await self._state_of(payload) == "stored"
        ]

    async def _state_of(self, payload: Mapping[str, Any]) -> Literal["held", "stored", "over"] | None:
        """Where the sessions behind a message's usable buttons and selects are, the liveliest first:
        ``"held"`` by the manager, ``"stored"`` only, or ``"over"``; ``None`` if it has none."""
        manager = get_session_manager(self.bot)
        session_ids = {
            session_id
            for component in interactive_components(payload)
            if not component.get("disabled")
            and (session_id := manager.codec.deserialize_to_object_id(component["custom_id"])) is not None
        }
        if not session_ids:
            return None
        if any(session_id in manager.sessions for session_id in session_ids):
            return "held"
        store = manager.store
        for session_id in session_ids:
            if store is not None and await store.load(session_id) is not None:
                return "stored"
        return "over"

    def _show_metrics(self) -> None:
        """Every sample of the bot's metrics that is not zero (histograms: their count and sum)."""
        table = Table("metric", "labels", "value", box=None)
        for family in self.metrics.registry.collect():
            for sample in family.samples:
                if sample.name.endswith(("_created", "_bucket")) or not sample.value:
                    continue
                labels = ", ".join(f"{key}={value!r}" for key, value in sorted(sample.labels.items()))
                table.add_row(sample.name, labels, f"{sample.value:g}")
        if table.row_count:
            self.console.print(table)
        else:
            self.console.print(Text("(nothing counted yet)", "dim"))

    async def _restart(self) -> None:
        self.console.print(Text("(restarting the bot: the server and its messages stay…)", "dim"))
        self._form = None
        await self.harness.restart()
        self.console.print(Text("(started again: durable sessions come back on their next click)", "dim"))

    # -- drawing ---------------------------------------------------------------------------------------

    async def _draw_changes(self, injected: Iterable[Injected]) -> None:
        """Draw the bot's new and edited messages, the forms it opened, and replies that never came."""
        candidates = set(self._seen)
        for channel in self.harness.guild.text_channels:
            candidates.update(
                int(message["id"]) for message in self.harness.history(channel) if self._by_bot(message)
            )
        for record in injected:
            candidates.update(reply.message_id for reply in record.replies if reply.message_id is not None)
            if record.modal is not None:
                self._form = record
            elif not record.acknowledged:
                self.console.print(Text("Discord would show: This interaction failed", "bold red"))
        for message_id in sorted(candidates):
            payload = self.harness.fake.message(message_id)
            before = self._seen.get(message_id)
            if payload is None:
                if before is not None:
                    del self._seen[message_id]
                    self.console.print(Text(f"(m{self._numbers[message_id]} was deleted)", "dim"))
            elif payload != before:
                await self._draw(message_id, payload, edited=before is not None)
            elif message_id not in self._over and await self._state_of(payload) == "over":
                # Unchanged, so not drawn again, yet its session is gone: one found long overdue
                # (see _draw), or one that ended and left its buttons as they were.
                self._over.add(message_id)
                number = self._numbers[message_id]
                self.console.print(
                    Text(f"(m{number}: {EXPIRED}; show m{number} draws it again)", "bold yellow")
                )
        if self._form is not None and self._form.modal is not None and any(r is self._form for r in injected):
            self.console.print(render_modal(self._form.modal))

    async def _draw(self, message_id: int, payload: Json, *, edited: bool) -> None:
        number = self._numbers.setdefault(message_id, len(self._numbers) + 1)
        self._seen[message_id] = copy.deepcopy(payload)
        # A durable session found long overdue (its deadline passed while the bot was down, or more
        # than a minute before the bot got to it) ends without touching its message, so that an
        # outage does not start a storm of edits: the next click disables it, and answers
        # "expired". Until then its buttons look live: the drawing says so.
        expired = await self._state_of(payload) == "over"
        if expired:
            self._over.add(message_id)
        else:
            self._over.discard(message_id)
        self.console.print(
            render_message(payload, number=number, edited=edited, names=self._name_of, expired=expired)
        )
        if interactive_components(payload):
            self._current = message_id

    def _by_bot(self, message: Mapping[str, Any]) -> bool:
        return self.bot.user is not None and int(message["author"]["id"]) == self.bot.user.id

    def _name_of(self, kind: str, ident: int) -> str:
        guild = self.harness.guild
        if kind == "channel":
            channel = guild.get_channel(ident)
            return f"#{channel.name}" if channel is not None else "#unknown"
        found = guild.get_member(ident) if kind == "user" else guild.get_role(ident)
        return (
            f"@{found.display_name if isinstance(found, discord.Member) else found.name}"
            if found
            else "@unknown"
        )


def _words(step: str) -> list[str]:
    try:
        return shlex.split(step)
    except ValueError as error:  # an unclosed quote
        raise PlaygroundError(f"{error}: {step}") from None


def _key_value(word: str) -> tuple[str, str]:
    key, equals, value = word.partition("=")
    if not equals:
        raise PlaygroundError(f"fill takes FIELD=VALUE pairs, not {word!r}")
    return key, value


def _field(fields: list[FormField], key: str) -> FormField:
    if key.isdigit() and 1 <= int(key) <= len(fields):
        return fields[int(key) - 1]
    for field in fields:
        if key in (field.custom_id, field.label) or key.lower() == field.label.lower():
            return field
    labels = ", ".join(f"{n}. {field.label}" for n, field in enumerate(fields, start=1))
    raise PlaygroundError(f"the form has no field {key!r}; it has {labels}")


_YES, _NO = frozenset({"yes", "y", "true", "on", "x"}), frozenset({"no", "n", "false", "off", ""})


def _input_of(modal: Mapping[str, Any] | None, custom_id: str) -> Mapping[str, Any]:
    """The input with ``custom_id`` in a modal's payload, in a label or a row."""
    for component in (modal or {}).get("components") or ():
        items: list[Mapping[str, Any]] = [
            component.get("component") or {},
            *(component.get("components") or ()),
        ]
        for item in items:
            if item.get("custom_id") == custom_id:
                return item
    raise PlaygroundError(f"the form has no input {custom_id!r}")


def _option_value(select: Mapping[str, Any], word: str) -> str:
    options = select.get("options") or ()
    for option in options:
        if word.lower() in (option["value"].lower(), option["label"].lower()):
            return str(option["value"])
    offered = ", ".join(option["value"] for option in options)
    raise PlaygroundError(f"the select has no option {word!r}; it offers {offered}")


def _button_labelled(components: list[Json], label: str) -> Json | None:
    def face(button: Json) -> str:
        emoji = (button.get("emoji") or {}).get("name") or ""
        return (button.get("label") or emoji).lower()

    buttons = [component for component in components if component["type"] == 2]
    exact = [button for button in buttons if face(button) == label.lower()]
    starting = [button for button in buttons if face(button).startswith(label.lower())]
    matches = exact or starting
    return matches[0] if len(matches) == 1 else None
