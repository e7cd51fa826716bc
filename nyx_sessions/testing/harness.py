"""The interaction harness: drive a dpytest bot with real interactions and see what it answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext.test import backend, runner
from discord.webhook.async_ import AsyncWebhookAdapter

from ._components import BUTTON, describe, find_pressable
from .compat import apply, new_snowflake
from .error_capture import ErrorRecorder, ExpectedErrors
from .fake_discord import FakeDiscord
from .inputs import ModalValue, OptionValue, command_data, modal_data, select_values
from .payloads import Resolver, SnowflakeLike, build_interaction, user_json
from .records import Injected, Reply
from .tasks import TaskTracker, describe_tasks

if TYPE_CHECKING:
    import contextlib
    from types import TracebackType

    from discord.ext import commands
    from typing_extensions import Self

    from nyx_sessions.storage import Clock

__all__ = ("InteractionHarness", "MessageRef", "ModalRef", "UserRef")

Json = dict[str, Any]
MessageRef = discord.Message | Reply | Injected | int | Mapping[str, Any]
"""A message: a :class:`discord.Message`, a reply or injection that made it, its id, or its payload."""
UserRef = discord.abc.User | int | None
"""A user: a :class:`discord.Member` / :class:`discord.User`, an index into the configured members,
or ``None`` for the default (the first member; in a DM, its recipient)."""
ModalRef = str | Mapping[str, Any] | Injected | Reply | discord.ui.Modal
"""A modal: its custom id, the injection or reply that opened it, its payload, or the Modal itself."""

_APPLICATION_COMMAND, _COMPONENT, _AUTOCOMPLETE, _MODAL_SUBMIT = 2, 3, 4, 5
# Lives on discord.py's class, not here: a re-imported copy of this module must see it too.
_ACTIVE_MARK = "_nyx_sessions_active_harness"


class InteractionHarness:
    """Injects real interactions into a dpytest bot and fakes Discord's side of the conversation.

    discord.py builds real :class:`discord.Interaction` objects from the injected gateway payloads
    and runs its real machinery (``on_interaction`` listeners, views, modals, the command tree,
    hybrid commands). Only the network edge is fake (:class:`FakeDiscord`). Every injection returns
    an :class:`Injected` record of what the bot answered, once everything it started has finished.

    Parameters
    ----------
    bot: commands.Bot
        A bot configured with ``dpytest.configure`` (see :func:`create_test_bot`); also
        available as the ``bot`` attribute.
    raise_errors: bool
        Record errors discord.py would only log (listeners, views, modals, app, hybrid and prefix
        commands) and raise the first one from :meth:`settle`. ``False`` keeps the default logging.
    ignore_task_prefixes: Sequence[str]
        :meth:`settle` never waits for tasks whose name starts with one of these (long-lived
        work such as expiry timers); without a prefix such a task makes it time out.
    clock: Clock | None
        What the fake Discord measures its deadlines on (an initial response within 3 seconds of
        the injection, a token that works for 15 minutes); the system clock by default. Give it
        the :class:`~nyx_sessions.storage.ManualClock` the session manager runs on to move both.
    check_payloads: bool
        Refuse request bodies Discord would refuse, with Discord's 400 answer (50035 "Invalid Form
        Body" and its ``errors`` tree): see :mod:`nyx_sessions.testing.discord_api`. On by default.

    Examples
    --------
    ::

        harness = InteractionHarness(bot).install()
        started = await harness.slash("counter")
        clicked = await harness.click(started, "counter:inc")
        assert clicked.response.content == "count: 1"
        harness.uninstall()
    """

    __slots__ = (
        "_captured",
        "_check_payloads",
        "_clock",
        "_errors",
        "_fake",
        "_raise_errors",
        "_tasks",
        "_undo",
        "bot",
    )

    def __init__(
        self,
        bot: commands.Bot,
        *,
        raise_errors: bool = True,
        ignore_task_prefixes: Sequence[str] = ("nyx-sessions:background:",),
        clock: Clock | None = None,
        check_payloads: bool = True,
    ) -> None:
        self.bot = bot
        self._clock = clock
        self._check_payloads = check_payloads
        self._raise_errors = raise_errors
        self._tasks = TaskTracker(tuple(ignore_task_prefixes))
        self._errors = ErrorRecorder()
        self._fake: FakeDiscord | None = None
        self._undo: list[Callable[[], None]] = []
        self._captured: discord.Interaction | None = None

    # ------------------------------------------------------------------ installation

    def install(self) -> Self:
        """Wire the harness into the bot; call it inside the running event loop.

        Links the command tree to the connection state, sets the application id, fakes the
        interaction and webhook endpoints (:class:`discord.webhook.async_.AsyncWebhookAdapter`,
        patched at class level) and dpytest's message send/edit/delete, hooks the error handlers and
        starts tracking tasks.

        Raises
        ------
        RuntimeError
            No event loop is running, the harness is installed already, or another one is.
        """
        loop = asyncio.get_running_loop()
        if self._fake is not None:
            raise RuntimeError("this InteractionHarness is installed already")
        if getattr(AsyncWebhookAdapter, _ACTIVE_MARK, None) is not None:
            raise RuntimeError("another InteractionHarness is installed: uninstall it first")
        apply()
        try:
            self._wire(loop)
        except BaseException:
            self.uninstall()
            raise
        return self

    def _wire(self, loop: asyncio.AbstractEventLoop) -> None:
        state: Any = self.bot._connection
        self._swap(state, "_command_tree", self.bot.tree)
        if state.application_id is None:
            self._swap(state, "application_id", state.user.id)
        fake = FakeDiscord(self.bot, self._clock, check_payloads=self._check_payloads)
        self._fake = fake
        self._undo.append(fake.close)

        async def request(
            adapter: AsyncWebhookAdapter,
            route: Any,
            session: Any,
            *,
            payload: Json | None = None,
            multipart: list[Json] | None = None,
            files: Sequence[discord.File] | None = None,
            **_: Any,
        ) -> Any:
            return await fake.webhook_request(route, payload, multipart, files)

        self._swap(AsyncWebhookAdapter, "request", request)
        self._swap(AsyncWebhookAdapter, _ACTIVE_MARK, self)
        for endpoint in ("send_message", "edit_message", "get_message", "delete_message"):
            self._swap(self.bot.http, endpoint, getattr(fake, endpoint))
        self._swap(state, "dispatch", self._capturing(state.dispatch))
        if self._raise_errors:
            self._errors.install(self.bot)
            self._undo.append(self._errors.uninstall)
        self._tasks.install(loop)
        self._undo.append(self._tasks.uninstall)

    def uninstall(self) -> None:
        """Restore everything :meth:`install` changed. Safe to call twice."""
        while self._undo:
            self._undo.pop()()
        self._fake = None

    def expect_errors(self, *types: type[BaseException]) -> contextlib.AbstractContextManager[ExpectedErrors]:
        """Expect an error of ``types`` from a handler in the block: it does not fail the test.

        Errors that reach nyx_sessions' default handling (no error consumer of the bot's took them:
        a handler, ``on_start``, ``on_end``, data that cannot be stored) fail the test, raised by
        the injection that caused them or at teardown, with their traceback. A test of the error
        path says so::

            with harness.expect_errors(ValueError) as caught:
                await harness.click(message, label="Boom")
            assert "bad input" in str(caught.error)

        Raises
        ------
        AssertionError
            When the block ends without such an error.
        """
        return self._errors.expect(*types)

    async def __aenter__(self) -> Self:
        return self.install()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                await self.settle()
        finally:
            self.uninstall()

    def _swap(self, owner: Any, name: str, value: Any) -> None:
        missing = name not in vars(owner)
        previous = vars(owner).get(name)
        setattr(owner, name, value)
        self._undo.append(lambda: delattr(owner, name) if missing else setattr(owner, name, previous))

    def _capturing(self, dispatch: Callable[..., Any]) -> Callable[..., Any]:
        def capture(event: str, /, *args: Any, **kwargs: Any) -> Any:
            if event == "interaction":
                self._captured = args[0]
            return dispatch(event, *args, **kwargs)

        return capture

    @property
    def installed(self) -> bool:
        """Whether :meth:`install` is in effect."""
        return self._fake is not None

    @property
    def fake(self) -> FakeDiscord:
        """The fake Discord server behind the bot (only while installed)."""
        if self._fake is None:
            raise RuntimeError("the InteractionHarness is not installed: call install() first")
        return self._fake

    # ------------------------------------------------------------------ the configured world

    @property
    def members(self) -> list[discord.Member]:
        """The members dpytest configured (the bot not included)."""
        return list(_config().members)

    @property
    def guild(self) -> discord.Guild:
        """The first configured guild."""
        guild: discord.Guild = _config().guilds[0]
        return guild

    @property
    def channel(self) -> discord.TextChannel:
        """The first configured text channel: the default place for commands and messages."""
        channel: discord.TextChannel = _config().channels[0]
        return channel

    def user(self, user: UserRef = None) -> discord.abc.User:
        """Resolve a :data:`UserRef`: an index picks a configured member, ``None`` the first one.

        Raises
        ------
        AssertionError
            No configured member has that index.
        """
        if user is None:
            user = 0
        if isinstance(user, int):
            members = self.members
            if not 0 <= user < len(members):
                raise AssertionError(
                    f"user={user}: the test guild has {len(members)} members (indexes 0 to "
                    f"{len(members) - 1}); ask for more with create_test_bot(members=...) or by "
                    "overriding the bot_members fixture"
                )
            return members[user]
        return user

    def dm_channel(self, user: UserRef = None) -> discord.DMChannel:
        """The DM channel between the bot and ``user`` (created on first use)."""
        target = self.user(user)
        state: Any = self.bot._connection
        found: discord.DMChannel | None = state._get_private_channel_by_user(target.id)
        if found is not None:
            return found
        created: discord.DMChannel = state.add_dm_channel(
            {"id": new_snowflake(), "type": 1, "recipients": [user_json(target)]}
        )
        return created

    # ------------------------------------------------------------------ injecting

    async def click(
        self,
        message: MessageRef,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        user: UserRef = None,
        locale: str | discord.Locale = "en-US",
        settle: bool = True,
    ) -> Injected:
        """Press a button, as ``user`` would.

        Parameters
        ----------
        message: MessageRef
            The message carrying the button; its *current* state is used.
        custom_id: str | None
            The button's custom id.
        label: str | None
            Instead of ``custom_id``: the button's label, or its emoji for an emoji-only button
            (``"▶"``), as the user sees it. Session custom ids carry a random session id; labels don't.
        user: UserRef
            Who clicks.
        locale: Union[str, discord.Locale]
            The clicking user's language (``interaction.locale``): notices are shown in it.
        settle: bool
            Wait for everything the click started (see :meth:`settle`) before returning.

        Raises
        ------
        AssertionError
            The message has no enabled button with that custom id or label, or several with that
            label (the error lists what it offers).
        """
        target = self._message_json(message)
        component = find_pressable(target, custom_id, label=label)
        custom_id = component["custom_id"]
        if component["type"] != BUTTON:
            raise AssertionError(f"{describe(component)} is not a button: use harness.select()")
        channel, who = self._where(target, user)
        data = {"custom_id": custom_id, "component_type": BUTTON}
        return await self._send(_COMPONENT, data, who, channel, dict(target), settle, locale)

    async def select(
        self,
        message: MessageRef,
        custom_id: str | None = None,
        values: Sequence[SnowflakeLike] = (),
        *,
        placeholder: str | None = None,
        user: UserRef = None,
        locale: str | discord.Locale = "en-US",
        settle: bool = True,
    ) -> Injected:
        """Pick ``values`` in a select menu of any kind, as ``user`` would.

        The kind (string 3, user 5, role 6, mentionable 7, channel 8) is read from the component.
        String selects take option values; the others take objects or ids, resolved from the
        guild cache into the payload's ``resolved`` data. Name the select by ``custom_id`` or by
        its ``placeholder``. ``locale`` is the user's language (``interaction.locale``, default
        ``en-US``).

        Raises
        ------
        AssertionError
            No such enabled select, a value it does not offer, or too few / too many values.
        """
        target = self._message_json(message)
        component = find_pressable(target, custom_id, label=placeholder)
        custom_id = component["custom_id"]
        if component["type"] == BUTTON:
            raise AssertionError(f"{describe(component)} is a button: use harness.click()")
        channel, who = self._where(target, user)
        resolver = Resolver(self.bot, channel, who)
        data: Json = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "values": select_values(component, values, resolver),
        }
        if resolver.data:
            # Only entity selects carry it: discord.py reads a string select's values from
            # ``resolved`` whenever the key is present.
            data["resolved"] = resolver.data
        return await self._send(_COMPONENT, data, who, channel, dict(target), settle, locale)

    async def submit_modal(
        self,
        modal: ModalRef,
        values: Mapping[str, ModalValue],
        *,
        message: MessageRef | None = None,
        user: UserRef = None,
        locale: str | discord.Locale | None = None,
        channel: discord.abc.Messageable | None = None,
        settle: bool = True,
    ) -> Injected:
        """Fill in and submit a modal.

        Parameters
        ----------
        modal: ModalRef
            Best: the :class:`Injected` that opened it. Its user, channel and message are then the
            defaults, as when a user answers the modal they were shown. A custom id alone uses the
            last modal the bot opened with it.
        values: Mapping[str, ModalValue]
            By input custom id: ``str`` for text inputs and radio groups, ``bool`` for
            checkboxes, sequences for selects, a sequence of :class:`discord.File` for file
            uploads (each becomes a resolved attachment). Left-out inputs keep their defaults.
        message: MessageRef | None
            The message whose component opened the modal; ``None`` for a modal opened by a
            command.
        user: UserRef
            Who submits.
        locale: Union[str, discord.Locale, None]
            The submitting user's language; by default the opener's (else ``en-US``).
        channel: discord.abc.Messageable | None
            Where, when neither ``message`` nor the opener tells.

        Raises
        ------
        AssertionError
            A value for an input the modal does not have, or a required input left empty.
        """
        custom_id, layout, opener = self._modal(modal)
        if message is None and opener is not None and opener.message_id is not None:
            message = opener.message_id
        if user is None and opener is not None:
            user = self._known_user(opener.user_id)
        target = None if message is None else self._message_json(message)
        where: Any = channel
        if target is not None:
            where, who = self._where(target, user)
        else:
            who = self.user(user)
            if where is None and opener is not None:
                where = self.bot.get_channel(opener.channel_id)
            where = where or self.channel
        data = modal_data(custom_id, layout, values, Resolver(self.bot, where, who))
        if locale is None:  # the user who was shown the modal answers it, in their language
            locale = "en-US" if opener is None else str(opener.payload.get("locale", "en-US"))
        return await self._send(
            _MODAL_SUBMIT, data, who, where, None if target is None else dict(target), settle, locale
        )

    async def slash(
        self,
        name: str,
        options: Mapping[str, OptionValue] | Sequence[Mapping[str, Any]] | None = None,
        *,
        user: UserRef = None,
        locale: str | discord.Locale = "en-US",
        channel: discord.abc.Messageable | None = None,
        dm: bool = False,
        settle: bool = True,
    ) -> Injected:
        """Use a slash command (an ``app_commands`` command or a hybrid command) as ``user``.

        Parameters
        ----------
        name: str
            The full name, subcommands included: ``"echo"``, ``"settings set"``.
        options: Mapping | Sequence | None
            By option name (``{"text": "hi", "member": member}``), typed by the command's
            parameters; or raw option payloads (``[{"name", "type", "value"}]``).
        user: UserRef
            Who uses it.
        locale: Union[str, discord.Locale]
            The user's language: a session the command starts takes it as its ``locale``.
        channel: discord.abc.Messageable | None
            Where; the default channel when ``None``. A :class:`discord.DMChannel` means a DM.
        dm: bool
            Use it in the user's DM with the bot.

        Raises
        ------
        AssertionError
            An option the command does not have, a required option missing, a value not among
            an option's choices.
        """
        who, where = self._command_place(user, channel, dm)
        resolver = Resolver(self.bot, where, who)
        data = command_data(self.bot.tree, name, options, resolver, getattr(where, "guild", None))
        return await self._send(_APPLICATION_COMMAND, data, who, where, None, settle, locale)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, OptionValue],
        *,
        focused: str,
        user: UserRef = None,
        locale: str | discord.Locale = "en-US",
        channel: discord.abc.Messageable | None = None,
        dm: bool = False,
        settle: bool = True,
    ) -> Injected:
        """Type into option ``focused`` of a slash command; the response's ``choices`` are the offers.

        ``locale`` is the user's language (``interaction.locale``, default ``en-US``).
        """
        who, where = self._command_place(user, channel, dm)
        resolver = Resolver(self.bot, where, who)
        guild = getattr(where, "guild", None)
        data = command_data(self.bot.tree, name, options, resolver, guild, focused=focused)
        return await self._send(_AUTOCOMPLETE, data, who, where, None, settle, locale)

    def build_payload(
        self,
        interaction_type: int,
        data: Json,
        *,
        user: UserRef = None,
        locale: str | discord.Locale = "en-US",
        channel: discord.abc.Messageable | None = None,
        message: MessageRef | None = None,
        dm: bool = False,
    ) -> Json:
        """Build an ``INTERACTION_CREATE`` payload for :meth:`inject` (any type, any data).

        Without ``channel``, the interaction happens where ``message`` is, else in the default
        channel (or the user's DM with ``dm=True``). ``locale`` is the user's language.
        """
        target = None if message is None else self._message_json(message)
        if target is not None and channel is None:
            where, who = self._where(target, user)
        else:
            who, where = self._command_place(user, channel, dm)
        return build_interaction(
            self.bot,
            interaction_type,
            data,
            user=who,
            channel=where,
            message=None if target is None else dict(target),
            locale=locale,
        )

    async def inject(self, payload: Json, *, settle: bool = True) -> Injected:
        """Deliver a raw ``INTERACTION_CREATE`` payload, exactly as the gateway would.

        Injecting the same payload twice is a duplicate delivery of the same interaction: its
        second initial response is refused with error 40060, like Discord does.
        """
        channel_id = int(payload.get("channel", {}).get("id") or payload["channel_id"])
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            raise AssertionError(f"channel {channel_id} of the payload is unknown to the bot")
        exchange = self.fake.exchange(int(payload["id"])) or self.fake.open(payload, channel)
        self._captured = None
        state: Any = self.bot._connection
        state.parse_interaction_create(payload)
        injected = Injected(exchange, payload, self._captured)
        if settle:
            await self.settle()
        return injected

    async def message(
        self,
        content: str,
        *,
        user: UserRef = None,
        channel: discord.abc.Messageable | None = None,
        dm: bool = False,
        settle: bool = True,
        timeout: float = 10.0,
    ) -> discord.Message:
        """Send ``content`` as ``user``, as a message in ``channel``: a prefix command, for example.

        Parameters
        ----------
        settle: bool
            Wait, at most ``timeout`` seconds, for everything the message started (see
            :meth:`settle`). ``False`` returns as soon as the message is dispatched: use it for a
            command that waits for its session to end (``await session.wait()``), then press what
            the bot sent and :meth:`settle` at the end.

        Returns
        -------
        discord.Message
            The user's message. What the bot answered: :meth:`last_message`, or :meth:`history`.

        Raises
        ------
        TimeoutError
            With ``settle``, what the message started was still running after ``timeout`` seconds.
        """
        who, where = self._command_place(user, channel, dm)
        if isinstance(where, discord.DMChannel):
            who = self._known_user(who.id, in_guild=False)
        # Not dpytest.message(): it waits for every running event handler, without a time limit.
        sent: discord.Message = backend.make_message(content, who, where)
        await asyncio.sleep(0)  # the command starts
        if settle:
            await self.settle(timeout)
        return sent

    async def _send(
        self,
        interaction_type: int,
        data: Json,
        user: discord.abc.User,
        channel: Any,
        message: Json | None,
        settle: bool,
        locale: str | discord.Locale,
    ) -> Injected:
        payload = build_interaction(
            self.bot, interaction_type, data, user=user, channel=channel, message=message, locale=locale
        )
        return await self.inject(payload, settle=settle)

    # ------------------------------------------------------------------ waiting

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every task started since install is done, then raise the first recorded error.

        Loops while tasks start new ones. Never waits for tasks named with an ignored prefix, nor
        for discord.py's long sleepers (view timeouts, ``delete_after`` timers, ``ext.tasks``
        loops).

        Raises
        ------
        Exception
            The first error discord.py would only have logged (with ``raise_errors=True``).
        TimeoutError
            Some tasks were still running after ``timeout`` seconds (they are listed).
        """
        if self._fake is None:
            raise RuntimeError("the InteractionHarness is not installed: call install() first")
        pending = await self._tasks.settle(timeout)
        if self._raise_errors:
            self._errors.collect_command_errors()
            self._errors.raise_first()
        if pending:
            raise TimeoutError(
                f"settle() gave up after {timeout} s; still running:\n{describe_tasks(pending)}\n"
                "Name long-lived tasks with a prefix passed as ignore_task_prefixes."
            )

    async def restart(self, *, downtime: float = 0.0) -> None:
        """Restart the bot as a new process would: every extension unloaded, then loaded again.

        The fake Discord stays, with every message and its components, so a test clicks what users
        still see after a deploy. The session manager is new: sessions of classes with a ``kind``
        come back from the store on their next click (give the ``session_store`` fixture one store
        object); the others ended with the old manager.

        Parameters
        ----------
        downtime: float
            Seconds that pass while no bot runs, on the harness's :class:`~nyx_sessions.storage.ManualClock`
            (deadlines pass unseen; the new manager ends those sessions when it starts).

        Raises
        ------
        TypeError
            ``downtime`` was given but the harness has no manual clock to move.
        """
        names = list(self.bot.extensions)
        for name in reversed(names):
            await self.bot.unload_extension(name)
        await self.settle()
        if downtime:
            advance = getattr(self._clock, "advance", None)
            if advance is None:
                raise TypeError("restart(downtime=...) moves a ManualClock: give the harness one (clock=)")
            advance(downtime)
        for name in names:
            await self.bot.load_extension(name)
        advance = getattr(self._clock, "advance", None)
        if advance is not None:
            advance(0)  # what came due during the downtime runs now, as it would on a real start
        await self.settle()

    async def wait_until(
        self, condition: Callable[[], object], *, timeout: float = 10.0, what: str = ""
    ) -> None:
        """Let the bot run until ``condition()`` is true, at most ``timeout`` seconds.

        For what :meth:`settle` cannot wait for: a command that waits on its session's end keeps
        running until a user acts, so ``harness.message("!ask", settle=False)`` is followed by
        ``await harness.wait_until(lambda: harness.last_message() is not None)`` before the click.

        Raises
        ------
        TimeoutError
            ``condition()`` was still false after ``timeout`` seconds (``what`` names it).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"wait_until() gave up after {timeout} s: {what or condition!r} never held"
                )
            await asyncio.sleep(0.001)

    # ------------------------------------------------------------------ reading the server side

    def message_payload(self, message: MessageRef) -> Json:
        """A copy of the message's current payload on the fake Discord (edits included)."""
        return dict(self._message_json(message))

    def history(self, channel: discord.abc.Snowflake | None = None) -> list[Json]:
        """Copies of the visible messages in ``channel`` (default: :attr:`channel`), oldest first.

        Oldest first like dpytest's ``channel.history()`` (Discord itself lists newest first).
        """
        return self.fake.history((channel or self.channel).id)

    def last_message(self, channel: discord.abc.Snowflake | None = None) -> discord.Message | None:
        """The bot's newest visible message, in ``channel`` or anywhere; ``None`` if it sent none."""
        me = self.bot.user
        if me is None:
            return None
        found = self.fake.last_message_by(me.id, None if channel is None else channel.id)
        if found is None:
            return None
        state: Any = self.bot._connection
        cached: discord.Message | None = state._get_message(found["id"])
        if cached is not None:
            return cached
        where: Any = self.bot.get_channel(found["channel_id"])
        return discord.Message(state=state, channel=where, data=cast("Any", found))

    def initial_responses(self, interaction: Injected | int) -> int:
        """How many initial responses the bot attempted for an interaction (refused ones included)."""
        interaction_id = interaction.id if isinstance(interaction, Injected) else interaction
        exchange = self.fake.exchange(interaction_id)
        return 0 if exchange is None else exchange.initial_attempts

    def forget(self) -> None:
        """Drop interaction records, recorded modals and ephemeral messages, to keep memory flat.

        Call it only after :meth:`settle`: a late reply to a forgotten interaction is refused
        with "Unknown Webhook", as for an expired token.
        """
        self.fake.forget()

    # ------------------------------------------------------------------ resolution helpers

    def _message_json(self, message: MessageRef) -> Json:
        channel_id: int | None = None
        if isinstance(message, discord.Message):
            message_id, channel_id = message.id, message.channel.id
        elif isinstance(message, Reply):
            if message.message_id is None:
                raise AssertionError(f"{message!r} concerns no message")
            message_id = message.message_id
        elif isinstance(message, Injected):
            if message.original_id is None:
                raise AssertionError(f"{message!r} has no original response message")
            message_id = message.original_id
        elif isinstance(message, int):
            message_id = message
        else:
            message_id = int(message["id"])
        found = self.fake.message(message_id, channel_id)
        if found is None:
            raise AssertionError(
                f"message {message_id} does not exist on the fake Discord: never sent, deleted, "
                "or sent before the harness was installed"
            )
        return found

    def _where(self, message: Json, user: UserRef) -> tuple[Any, discord.abc.User]:
        """The channel a message is in, and who uses it (by default: a DM's recipient)."""
        channel = self.bot.get_channel(int(message["channel_id"]))
        if channel is None:
            raise AssertionError(f"the channel of message {message['id']} is unknown to the bot")
        if user is None and isinstance(channel, discord.DMChannel) and channel.recipient is not None:
            return channel, channel.recipient
        return channel, self.user(user)

    def _command_place(
        self, user: UserRef, channel: discord.abc.Messageable | None, dm: bool
    ) -> tuple[discord.abc.User, Any]:
        if user is None and isinstance(channel, discord.DMChannel) and channel.recipient is not None:
            return channel.recipient, channel
        who = self.user(user)
        if dm and channel is None:
            return who, self.dm_channel(who)
        return who, channel or self.channel

    def _known_user(self, user_id: int, *, in_guild: bool = True) -> discord.abc.User:
        member = self.guild.get_member(user_id) if in_guild else None
        found = member or self.bot.get_user(user_id)
        if found is None:
            raise AssertionError(f"user {user_id} is unknown to the bot")
        return found

    def _modal(self, modal: ModalRef) -> tuple[str, list[Json] | None, Injected | None]:
        if isinstance(modal, str):
            known = self.fake.modal(modal)
            return modal, None if known is None else known["components"], None
        opener = modal if isinstance(modal, Injected) else None
        if isinstance(modal, discord.ui.Modal):
            shown: Mapping[str, Any] | None = modal.to_dict()
        elif isinstance(modal, (Injected, Reply)):
            shown = modal.modal
        else:
            shown = modal
        if shown is None:
            raise AssertionError(f"{modal!r} opened no modal")
        return shown["custom_id"], list(shown.get("components", ())), opener


def _config() -> Any:
    config = runner.get_config()
    if config is None:
        raise RuntimeError("dpytest is not configured: call dpytest.configure(bot) first")
    return config
