"""The session base class: one open conversation with one Discord user."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload

import discord
from discord.ext import commands

from nyx_sessions._utils import MISSING
from nyx_sessions.errors import IllegalSessionStateError
from nyx_sessions.execution.deferral import AUTO_DEFER, token_alive, unanswered
from nyx_sessions.execution.disabling import disabled_view_of
from nyx_sessions.execution.filters import OwnerOnly
from nyx_sessions.sessions.handler import ComponentHandler
from nyx_sessions.sessions.state import (
    EndCode,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionRecord,
    SessionState,
)

if TYPE_CHECKING:
    from nyx_sessions.codec import MetadatableCustomIdBuilder, SessionCustomIdCodec
    from nyx_sessions.execution.filters import SessionStartFilter, SessionUpdateFilter
    from nyx_sessions.manager import SessionManager

__all__ = ("AbstractSession",)

_log = logging.getLogger("nyx_sessions")

ResultT = TypeVar("ResultT")

_UPDATING_RESPONSES = frozenset(
    {discord.InteractionResponseType.message_update, discord.InteractionResponseType.deferred_message_update}
)


_DISCORD_DEADLINE = 3.0


def _check_auto_defer(value: object, owner: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < _DISCORD_DEADLINE:
        raise ValueError(
            f"{owner}: auto_defer must be a number of seconds from 0 up to (not including) Discord's "
            f"{_DISCORD_DEADLINE:g}-second deadline, or None to answer in time yourself; got {value!r}"
        )
    return float(value)


def _check_ttl(ttl: float | None, owner: str) -> float | None:
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or math.isnan(ttl) or ttl <= 0:
        raise ValueError(
            f"{owner}: ttl must be a positive number of seconds or None (never expires), got {ttl!r}"
        )
    return None if math.isinf(ttl) else float(ttl)


class _ClassTTL:
    """The ``ttl`` attribute: the class default, overridable per instance through the constructor.

    Subclasses write ``ttl = 60`` in their body as they would for any class attribute;
    :meth:`AbstractSession.__init_subclass__` turns that value back into this descriptor so that
    instances can still carry their own TTL in a slot.
    """

    __slots__ = ("default",)

    def __init__(self, default: float | None) -> None:
        self.default = default

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> float | None: ...
    @overload
    def __get__(self, instance: AbstractSession[Any], owner: type[Any]) -> float | None: ...
    def __get__(self, instance: AbstractSession[Any] | None, owner: type[Any]) -> float | None:
        if instance is None or instance._ttl is MISSING:
            return self.default
        ttl: float | None = instance._ttl
        return ttl


class AbstractSession(ComponentHandler, Generic[ResultT]):
    """An open conversation with the Discord user who started it.

    Subclass it, answer the start in :meth:`on_start`, and handle the user's clicks, selections and
    modal submits in :meth:`handle_button`, :meth:`handle_select_menu` and :meth:`handle_modal` (or
    override :meth:`on_update`). Start it with :meth:`start` (or return it from a command decorated
    with :func:`~nyx_sessions.spawns_session`) and await :meth:`wait` for how it ended.

    A handler's return value decides whether the session's TTL is refreshed: ``None`` (no return)
    and ``True`` refresh it, ``False`` does not.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot, with the nyx_sessions extension loaded.
    start: Union[:class:`discord.Interaction`, :class:`discord.ext.commands.Context`]
        What started the session: a slash command or component interaction, or a prefix or hybrid
        command's context.
    session_id: Optional[:class:`str`]
        The session's id; random and unguessable (72 bits) when not given.
    ttl: Optional[:class:`float`]
        Seconds of inactivity before the session expires; ``None`` never expires. Defaults to the
        class attribute :attr:`ttl`.

    Attributes
    ----------
    ttl: Optional[:class:`float`]
        Class default 180 seconds; ``None`` means the session never expires.
    start_filter: Optional[SessionStartFilter]
        Checked before the session starts; ``None`` allows every start.
    update_filter: Optional[SessionUpdateFilter]
        Checked before each update; the default :class:`OwnerOnly` lets only the starting user
        drive the session. ``None`` opens the session to everyone.
    disable_on_expire: :class:`bool`
        Whether the manager disables the message's components when the session expires.
    auto_defer: Optional[:class:`float`]
        Seconds after an interaction of this session arrived (a click, a modal submit, or the start
        itself) at which the manager defers it if nothing answered it yet: Discord drops an
        interaction left unanswered for 3 seconds. 2.0 by default; ``None`` turns it off. Answers
        through ``interaction.response`` and the session's helpers keep working after a deferral
        (as followups and edits of the original response); only a modal cannot follow one, so open
        modals first, before slow work.
    result: Optional[ResultT]
        What the session hands to :meth:`wait` when it ends.
    """

    __slots__ = (
        "_bot",
        "_custom_id",
        "_edit_interaction",
        "_edits_original",
        "_end_data",
        "_id",
        "_manager",
        "_message",
        "_start_context",
        "_start_interaction",
        "_state",
        "_ttl",
        "_user",
        "result",
    )

    if TYPE_CHECKING:
        ttl: ClassVar[float | None]
    else:
        ttl = _ClassTTL(180.0)
    start_filter: ClassVar[SessionStartFilter | None] = None
    update_filter: ClassVar[SessionUpdateFilter | None] = OwnerOnly()
    disable_on_expire: ClassVar[bool] = True
    auto_defer: ClassVar[float | None] = AUTO_DEFER

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("ttl", MISSING)
        if declared is not MISSING and not isinstance(declared, _ClassTTL):
            cls.ttl = _ClassTTL(_check_ttl(declared, f"{cls.__qualname__}.ttl"))  # type: ignore[assignment]
        if "auto_defer" in cls.__dict__:
            cls.auto_defer = _check_auto_defer(cls.__dict__["auto_defer"], f"{cls.__qualname__}.auto_defer")

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any],
        *,
        session_id: str | None = None,
        ttl: float | None = MISSING,
    ) -> None:
        from nyx_sessions.cog import get_session_manager  # the cog imports this module's package

        self._bot = bot
        self._manager: SessionManager = get_session_manager(bot)
        self._id = secrets.token_urlsafe(9) if session_id is None else session_id
        if isinstance(start, commands.Context):
            self._start_context: commands.Context[Any] | None = start
            self._start_interaction: discord.Interaction[Any] | None = start.interaction
            self._user: discord.User | discord.Member = start.author
        else:
            self._start_context = None
            self._start_interaction = start
            self._user = start.user
        self._ttl = MISSING if ttl is MISSING else _check_ttl(ttl, f"session {self._id!r}")
        self._state = SessionState.UNINITIALIZED
        self._end_data: SessionEndData[ResultT] | None = None
        self._message: discord.Message | None = None
        self._edit_interaction: discord.Interaction[Any] | None = self._start_interaction
        self._edits_original = True  # whether the token edits the message as its @original, else by id
        self.result: ResultT | None = None
        self._custom_id = self._create_custom_id(self._manager.codec)

    def _create_custom_id(self, codec: SessionCustomIdCodec) -> MetadatableCustomIdBuilder:
        """Build this session's custom-id builder; pagination sessions make a page builder."""
        return codec.create_custom_id_builder(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self._id!r} state={self._state.name} user={self._user.id}>"

    # -- read-only state ---------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """:class:`str`: The session's id, carried in every custom id it builds."""
        return self._id

    @property
    def bot(self) -> discord.Client:
        """:class:`discord.Client`: The bot the session runs on."""
        return self._bot

    @property
    def manager(self) -> SessionManager:
        """:class:`SessionManager`: The manager that runs this session."""
        return self._manager

    @property
    def user(self) -> discord.User | discord.Member:
        """Union[:class:`discord.User`, :class:`discord.Member`]: The user who started the session."""
        return self._user

    @property
    def start_interaction(self) -> discord.Interaction[Any] | None:
        """Optional[:class:`discord.Interaction`]: The starting interaction.

        Also set for a hybrid command run as ``/x``.
        """
        return self._start_interaction

    @property
    def start_context(self) -> commands.Context[Any] | None:
        """Optional[:class:`commands.Context`]: The starting context, for prefix and hybrid commands."""
        return self._start_context

    @property
    def state(self) -> SessionState:
        """:class:`SessionState`: ``UNINITIALIZED``, then ``RUNNING``, then ``ENDED``."""
        return self._state

    @property
    def _codec(self) -> SessionCustomIdCodec:
        return self._manager.codec

    @property
    def custom_id(self) -> MetadatableCustomIdBuilder:
        """The builder of this session's custom ids. Clone it before pushing tokens (``clone_push``)."""
        return self._custom_id

    @property
    def message(self) -> discord.Message | None:
        """Optional[:class:`discord.Message`]: The session's message, recorded by the manager."""
        return self._message

    @property
    def record(self) -> SessionRecord:
        """:class:`SessionRecord`: What identifies this session, without discord.py objects."""
        cls = type(self)
        message = self._message
        start = self._start_context or self._start_interaction
        channel: discord.abc.Snowflake | None = (
            message.channel if message is not None else start.channel if start is not None else None
        )
        return SessionRecord(
            kind=f"{cls.__module__}:{cls.__qualname__}",
            id=self._id,
            owner_id=self._user.id,
            channel_id=None if channel is None else channel.id,
            message_id=None if message is None else message.id,
            page=self._record_page,
            ttl=self.ttl,
        )

    @property
    def _record_page(self) -> int | None:
        """The page to record; pagination sessions report their current page."""
        return None

    @property
    def _start_ephemeral(self) -> bool:
        """Whether the start is answered ephemerally, so an automatic deferral of it is too."""
        return False

    @property
    def end_data(self) -> SessionEndData[ResultT] | None:
        """Optional[:class:`SessionEndData`]: How the session ended, once it has."""
        return self._end_data

    # -- lifecycle ---------------------------------------------------------------------------------

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Answer the start: send the session's first message (see :meth:`respond`).

        Must be overridden. Raising here ends the session with
        :attr:`SessionEndCode.START_FAILED`.
        """
        raise NotImplementedError(f"{type(self).__qualname__} must override on_start to answer the start")

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        """Called once when the session ends (expiry and bot stop included); may set :attr:`result`."""

    async def on_error(self, error: BaseException, interaction: discord.Interaction[Any]) -> bool:
        """Called when handling ``interaction`` raised (a handler, a middleware), before the manager.

        Return ``True`` when the error is dealt with: the manager's ``update_error_handler`` is
        then skipped. Either way, a user left without an answer gets the ephemeral error notice
        afterwards; answer ``interaction`` here to tell them more. An ``on_error`` that raises is
        logged, and the original error goes on to the manager. The default returns ``False``.
        """
        return False

    async def start(self) -> bool:
        """Start the session through its manager.

        Returns
        -------
        :class:`bool`
            ``False`` when a filter denied the start or :meth:`on_start` failed.
        """
        return await self._manager.start(self)

    async def end(
        self, reason: str | None = None, code: EndCode = SessionEndCode.SELF_ENDED
    ) -> SessionEndData[ResultT]:
        """End the session; safe to call from inside a handler and more than once.

        Returns
        -------
        :class:`SessionEndData`
            How the session ended (the first end's data when it had already ended).
        """
        return await self._manager.end(self, reason or "the session ended itself", code)

    async def wait(self) -> SessionEndData[ResultT]:
        """Wait until the session ends and return how it ended; works before, during and after the end."""
        if self._end_data is not None:
            return self._end_data
        future: asyncio.Future[SessionEndData[ResultT]] = self._manager.promise_repository.get_future(self)
        # shield: a cancelled waiter must not cancel the future other waiters share.
        return await asyncio.shield(future)

    # -- answering and editing -----------------------------------------------------------------------

    async def respond(self, content: str | None = None, **kwargs: Any) -> discord.Message | None:
        """Answer the start, from an interaction or a command context alike, and record the message.

        Takes what :meth:`discord.abc.Messageable.send` takes (``embed``, ``view``, ``ephemeral``, ...).
        Works after the manager deferred the start automatically: the message then takes the
        "thinking" message's place.

        Returns
        -------
        Optional[:class:`discord.Message`]
            The sent message, also stored as :attr:`message`.
        """
        interaction = self._start_interaction
        if self._start_context is not None:
            message: discord.Message | None = await self._start_context.send(content, **kwargs)
        elif interaction is None:
            raise IllegalSessionStateError(f"session {self._id!r} has nothing to respond to")
        elif unanswered(interaction):
            callback = await interaction.response.send_message(content, **kwargs)
            resource = callback.resource
            message = resource if isinstance(resource, discord.Message) else None
            # An InteractionMessage is the token's @original; a followup is reached by its id.
            self._edits_original = isinstance(resource, discord.InteractionMessage)
        else:
            message = await interaction.followup.send(content or discord.utils.MISSING, wait=True, **kwargs)
            self._edits_original = False
        self._message = message
        return message

    async def edit(self, interaction: discord.Interaction[Any] | None = None, **kwargs: Any) -> None:
        """Edit the session's message: through ``interaction`` when it is still unanswered, else directly.

        Takes what :meth:`discord.Message.edit` takes (``content``, ``embed``, ``view``, ...). An
        interaction the manager deferred automatically counts as unanswered: the edit goes through
        its original response.
        """
        if interaction is not None and unanswered(interaction):
            if interaction.message is not None:
                await interaction.response.edit_message(**kwargs)
                return
            await interaction.response.defer()
        await self._edit_message(**kwargs)

    def _live_token(self) -> discord.Interaction[Any] | None:
        """The interaction whose token still reaches :attr:`message` (Discord keeps it 15 minutes)."""
        target = self._edit_interaction
        return target if target is not None and token_alive(target, self._manager.clock) else None

    def _by_id(self, message: discord.Message) -> discord.PartialMessage:
        """``message`` reached by channel and message id with the bot's authorization, at any age."""
        return self._bot.get_partial_messageable(message.channel.id).get_partial_message(message.id)

    async def _edit_message(self, **kwargs: Any) -> None:
        """Edit :attr:`message` through a still-valid interaction token, else by id as the bot.

        The message objects discord.py returns from interaction responses and followups edit through
        their token, which dies after 15 minutes; a non-ephemeral message is then edited by channel
        and message id instead. An ephemeral one can only be reached through a live token.
        """
        target = self._live_token()
        message = self._message
        if target is not None and (self._edits_original or message is not None):
            if self._edits_original:
                self._message = await target.edit_original_response(**kwargs)
            else:
                assert message is not None  # for mypy: checked above
                self._message = await target.followup.edit_message(message.id, **kwargs)
        elif message is not None and not message.flags.ephemeral:
            self._message = await self._by_id(message).edit(**kwargs)
        else:
            raise IllegalSessionStateError(f"session {self._id!r} has no message that can still be edited")

    async def _read_message(self, message: discord.Message) -> discord.Message | None:
        """Read :attr:`message` back as Discord has it now; ``None`` when it cannot be reached."""
        target = self._live_token()
        if target is not None:
            if self._edits_original:
                return await target.original_response()
            return await target.followup.fetch_message(message.id)
        if not message.flags.ephemeral:
            return await self._by_id(message).fetch()
        return None

    async def _disable_components(self) -> None:
        """Disable every component of :attr:`message` (after expiry); skipped when it cannot work.

        The message is read back first: handlers that answered with ``response.edit_message`` changed
        it since it was recorded.
        """
        message = self._message
        if message is None:
            return
        try:
            current = await self._read_message(message)
            if current is None:
                _log.debug("session %s: ephemeral message past its 15-minute token; not disabled", self._id)
                return
            view = disabled_view_of(current)
            if view is not None:
                await self._edit_message(view=view)
        except (discord.HTTPException, IllegalSessionStateError) as error:
            _log.info("could not disable the components of session %s: %s", self._id, error)
        except Exception:
            # A dropped connection raises aiohttp's or the OS's errors, not HTTPException. The
            # session has ended already; this best-effort edit must not fail its expiry task.
            _log.warning("could not disable the components of session %s", self._id, exc_info=True)

    def _track_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Remember an answered update on the session's message: its token edits the message later."""
        message = interaction.message
        if message is None or (self._message is not None and message.id != self._message.id):
            return
        self._message = message
        if interaction.response.type in _UPDATING_RESPONSES:
            self._edit_interaction = interaction
            self._edits_original = True
