"""The session base class: one open conversation with one Discord user."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar, overload

import discord
from discord.ext import commands

from nyx_sessions._registry import get_session_manager
from nyx_sessions._utils import MISSING
from nyx_sessions.durable.kinds import SessionKind, declare_kind
from nyx_sessions.errors import IllegalSessionStateError
from nyx_sessions.execution.deferral import AUTO_DEFER, token_alive, token_deadline, unanswered
from nyx_sessions.execution.disabling import disabled_view_of
from nyx_sessions.execution.filters import OwnerOnly
from nyx_sessions.lifecycle.limits import LimitPolicy, SessionLimits
from nyx_sessions.messages import translate
from nyx_sessions.sessions.handler import ComponentHandler
from nyx_sessions.sessions.limits import check_message, is_components_v2
from nyx_sessions.state import (
    EndCode,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionRecord,
    SessionState,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from discord.app_commands import locale_str
    from typing_extensions import Self

    from nyx_sessions.codec import MetadatableCustomIdBuilder, SessionCustomIdCodec
    from nyx_sessions.execution.filters import SessionStartFilter, SessionUpdateFilter
    from nyx_sessions.manager import SessionManager
    from nyx_sessions.storage.store import DurableRecord

__all__ = ("AbstractSession",)

_log = logging.getLogger(__name__)

ResultT = TypeVar("ResultT")

_OVER = 1e-3
"""The TTL of a session whose :attr:`~AbstractSession.max_lifetime` is over: it expires at once."""

_UPDATING_RESPONSES = frozenset(
    {discord.InteractionResponseType.message_update, discord.InteractionResponseType.deferred_message_update}
)


_DISCORD_DEADLINE = 3.0


def _locale_of(stored: str | None) -> discord.Locale:
    """The locale a record keeps; ``en-US`` for a record without one (written before locales were
    kept) or one this discord.py does not know."""
    if stored is None:
        return discord.Locale.american_english
    try:
        return discord.Locale(stored)
    except ValueError:
        return discord.Locale.american_english


def _check_auto_defer(value: object, owner: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < _DISCORD_DEADLINE:
        raise ValueError(
            f"{owner}: auto_defer must be a number of seconds from 0 up to (not including) Discord's "
            f"{_DISCORD_DEADLINE:g}-second deadline, or None to answer in time yourself; got {value!r}"
        )
    return float(value)


def _check_ttl(ttl: float | None, owner: str, name: str = "ttl") -> float | None:
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or math.isnan(ttl) or ttl <= 0:
        raise ValueError(
            f"{owner}: {name} must be a positive number of seconds or None (never expires), got {ttl!r}"
        )
    return None if math.isinf(ttl) else float(ttl)


_LIMIT_NAMES = ("max_per_user", "max_per_channel", "max_per_guild", "limit_group", "limit_policy")
"""The class attributes (and constructor keywords) that make a :class:`SessionLimits`, in its order."""


def _limits_of(cls: type[Any], owner: str, own: Mapping[str, Any] | None = None) -> SessionLimits | None:
    """The limits ``cls`` declares, with ``own`` (constructor keywords) over them; ``None``: none."""
    own = own or {}
    limits = SessionLimits(*(own.get(name, getattr(cls, name)) for name in _LIMIT_NAMES), owner=owner)
    return limits if limits.any else None


class _Reach(NamedTuple):
    """The two ways to a session's message that :meth:`AbstractSession._reach` found."""

    edit: Callable[..., Awaitable[discord.Message]]
    fetch: Callable[[], Awaitable[discord.Message]]


class StoredMessage(NamedTuple):
    """Where a restored session's message is, before a click brings a :class:`discord.Message`."""

    channel_id: int | None
    message_id: int | None
    ephemeral: bool
    token: str | None
    token_expires_at: float | None
    token_edits_original: bool


class _PerInstance:
    """A duration attribute (``ttl``, ``max_lifetime``): the class default, overridable per instance
    through the constructor.

    Subclasses write ``ttl = 60`` in their body as they would for any class attribute;
    :meth:`AbstractSession.__init_subclass__` turns that value back into this descriptor so that
    instances can still carry their own value in a slot (``_ttl``, ``_lifetime``).
    """

    __slots__ = ("default", "slot")

    def __init__(self, default: float | None, slot: str) -> None:
        self.default = default
        self.slot = slot

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> float | None: ...
    @overload
    def __get__(self, instance: AbstractSession[Any], owner: type[Any]) -> float | None: ...
    def __get__(self, instance: AbstractSession[Any] | None, owner: type[Any]) -> float | None:
        if instance is None:
            return self.default
        value: float | None = getattr(instance, self.slot)
        return self.default if value is MISSING else value


class AbstractSession(ComponentHandler, Generic[ResultT]):
    """An open conversation with the Discord user who started it.

    Subclass it, answer the start in :meth:`on_start`, and handle the user's clicks, selections and
    modal submits in :meth:`handle_button`, :meth:`handle_select_menu` and :meth:`handle_modal` (or
    override :meth:`on_update`). Start it with :meth:`start` (or return it from a command decorated
    with :func:`~nyx_sessions.spawns_session`) and await :meth:`wait` for how it ended.

    A handler's return value decides whether the session's TTL is refreshed: ``None`` (no return)
    and ``True`` refresh it, ``False`` does not.

    A class becomes **durable** with class keywords: ``kind`` (a stable name, chosen once),
    ``data`` (the type of :attr:`data`: a ``msgspec.Struct`` or a dataclass; a plain dict works
    untyped), ``data_version`` and ``aliases``. With a store configured, a durable session is written
    to it after its start and after each handler, survives restarts, and is restored on the next
    click (see :meth:`on_restore`). A subclass of a durable class declares its own kind.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot, with the nyx_sessions extension loaded.
    start: Union[:class:`discord.Interaction`, :class:`~.commands.Context`, :class:`~discord.abc.Messageable`]
        What started the session: a slash command or component interaction, a prefix or hybrid
        command's context, or a channel the bot sends the session's message to (a session the bot
        starts by itself).
    session_id: Optional[:class:`str`]
        The session's id; random and unguessable (72 bits) when not given.
    ttl: Optional[:class:`float`]
        Seconds of inactivity before the session expires; ``None`` never expires. Defaults to the
        class attribute :attr:`ttl`.
    data: Any
        The session's :attr:`data` (what a durable session stores); ``None`` when not given.
    owner: Optional[:class:`discord.abc.User`]
        For a session started from a channel: the user it belongs to. Without one, the session
        belongs to nobody and its ``update_filter`` must not be :class:`OwnerOnly`.
    max_lifetime: Optional[:class:`float`]
        Seconds from the start after which the session ends whatever its clicks; defaults to the
        class attribute :attr:`max_lifetime`.

    Attributes
    ----------
    ttl: Optional[:class:`float`]
        Class default 180 seconds; ``None`` means the session never expires.
    max_lifetime: Optional[:class:`float`]
        A hard end counted from the start, which clicks do not move (``ttl`` is the inactivity
        timeout): the session expires (``EXPIRED``) at whichever comes first. ``None`` (the
        default): no hard end. A durable session keeps it across restarts and processes.
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
        "_channel",
        "_child",
        "_components_v2",
        "_custom_id",
        "_data",
        "_edit_interaction",
        "_edits_original",
        "_end_data",
        "_ends_by",
        "_id",
        "_lifetime",
        "_limits",
        "_locale",
        "_manager",
        "_message",
        "_parent",
        "_restored",
        "_start_context",
        "_start_interaction",
        "_state",
        "_stored_message",
        "_ttl",
        "_user",
        "result",
    )

    if TYPE_CHECKING:
        ttl: ClassVar[float | None]
        max_lifetime: ClassVar[float | None]
    else:
        ttl = _PerInstance(180.0, "_ttl")
        max_lifetime = _PerInstance(None, "_lifetime")
    start_filter: ClassVar[SessionStartFilter | None] = None
    update_filter: ClassVar[SessionUpdateFilter | None] = OwnerOnly()
    disable_on_expire: ClassVar[bool] = True
    auto_defer: ClassVar[float | None] = AUTO_DEFER
    kind: ClassVar[str | None] = None
    """The class's durable kind (``kind=`` class keyword); ``None`` for a session that is not stored."""
    max_per_user: ClassVar[int | None] = None
    max_per_channel: ClassVar[int | None] = None
    max_per_guild: ClassVar[int | None] = None
    limit_group: ClassVar[str | None] = None
    limit_policy: ClassVar[LimitPolicy] = "replace"
    _class_limits: ClassVar[SessionLimits | None] = None
    _kind: ClassVar[SessionKind | None] = None

    def __init_subclass__(
        cls,
        *,
        kind: str | None = None,
        data: Any = None,
        data_version: int = 1,
        aliases: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if kind is not None:
            cls._kind = declare_kind(cls, kind, data, data_version, aliases)
            cls.kind = kind
        elif data is not None or data_version != 1 or aliases:
            raise TypeError(
                f"{cls.__qualname__}: data=, data_version= and aliases= describe a kind; add kind="
            )
        elif cls._kind is not None:
            raise TypeError(
                f"{cls.__qualname__} subclasses the durable {cls._kind.name!r} session: give it a kind of "
                "its own (records are restored as the class their kind names)"
            )
        for name, slot in (("ttl", "_ttl"), ("max_lifetime", "_lifetime")):
            declared = cls.__dict__.get(name, MISSING)
            if declared is not MISSING and not isinstance(declared, _PerInstance):
                checked = _check_ttl(declared, f"{cls.__qualname__}.{name}", name)
                setattr(cls, name, _PerInstance(checked, slot))
        cls._class_limits = _limits_of(cls, f"{cls.__qualname__}")
        if "auto_defer" in cls.__dict__:
            cls.auto_defer = _check_auto_defer(cls.__dict__["auto_defer"], f"{cls.__qualname__}.auto_defer")

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any] | discord.abc.Messageable,
        *,
        session_id: str | None = None,
        ttl: float | None = MISSING,
        data: Any = None,
        owner: discord.abc.User | None = None,
        max_lifetime: float | None = MISSING,
        max_per_user: int | None = MISSING,
        max_per_channel: int | None = MISSING,
        max_per_guild: int | None = MISSING,
        limit_group: str | None = MISSING,
        limit_policy: LimitPolicy = MISSING,
    ) -> None:
        self._bot = bot
        self._manager: SessionManager = get_session_manager(bot)
        self._id = secrets.token_urlsafe(9) if session_id is None else session_id
        self._channel: discord.abc.Messageable | None = None
        self._start_context: commands.Context[Any] | None = None
        self._start_interaction: discord.Interaction[Any] | None = None
        if isinstance(start, commands.Context):
            self._start_context = start
            self._start_interaction = start.interaction
            self._user: discord.abc.User | discord.Object | None = start.author
        elif isinstance(start, discord.Interaction):
            self._start_interaction = start
            self._user = start.user
        elif isinstance(start, discord.abc.Messageable):
            self._channel = start
            self._user = owner
        else:
            raise TypeError(
                "a session starts from an interaction, a command context or a channel, "
                f"not {type(start).__name__}"
            )
        # The user's language when an interaction started it; else the guild's (a prefix command or
        # a channel carries no user locale).
        if self._start_interaction is not None:
            self._locale = self._start_interaction.locale
        else:
            guild = getattr(start, "guild", None)
            self._locale = discord.Locale.american_english if guild is None else guild.preferred_locale
        self._data = data
        self._restored = False
        self._stored_message: StoredMessage | None = None
        self._ttl = MISSING if ttl is MISSING else _check_ttl(ttl, f"session {self._id!r}")
        self._lifetime = (
            MISSING
            if max_lifetime is MISSING
            else _check_ttl(max_lifetime, f"session {self._id!r}", "max_lifetime")
        )
        self._ends_by: float | None = None  # set at start from max_lifetime: the hard end
        # Ids, not objects: a durable pair may be served by two processes, and each restores alone.
        self._parent: str | None = None  # the session that opened this one as its child
        self._child: str | None = None  # the child this session waits for
        given = (max_per_user, max_per_channel, max_per_guild, limit_group, limit_policy)
        own = {name: value for name, value in zip(_LIMIT_NAMES, given, strict=True) if value is not MISSING}
        self._limits = (
            _limits_of(type(self), f"session {self._id!r}", own) if own else type(self)._class_limits
        )
        self._state = SessionState.UNINITIALIZED
        self._end_data: SessionEndData[ResultT] | None = None
        self._message: discord.Message | None = None
        self._edit_interaction: discord.Interaction[Any] | None = self._start_interaction
        self._edits_original = True  # whether the token edits the message as its @original, else by id
        self._components_v2 = False  # whether this session sent its message as components v2
        self.result: ResultT | None = None
        self._custom_id = self._create_custom_id(self._manager.codec)

    def _create_custom_id(self, codec: SessionCustomIdCodec) -> MetadatableCustomIdBuilder:
        """Build this session's custom-id builder; pagination sessions make a page builder."""
        return codec.create_custom_id_builder(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self._id!r} state={self._state.name} owner={self.owner_id}>"

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
    def user(self) -> discord.abc.User | discord.Object | None:
        """The user the session belongs to: who started it, or the ``owner=`` of a channel start.

        A :class:`discord.User` or :class:`discord.Member`; for a restored session, a
        :class:`discord.Object` with the owner's id until the owner clicks; ``None`` for a session
        that belongs to nobody. :attr:`owner_id` is the id in every case.
        """
        return self._user

    @property
    def owner_id(self) -> int | None:
        """Optional[:class:`int`]: The id of the user the session belongs to; ``None``: nobody's."""
        return None if self._user is None else self._user.id

    @property
    def data(self) -> Any:
        """What the session keeps as plain data; a durable session stores it (settable).

        Its type is the class's ``data=`` keyword (a ``msgspec.Struct``, a dataclass), or a plain
        ``dict`` / ``None``. Change it in handlers; the manager writes it after each one.
        """
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    @property
    def locale(self) -> discord.Locale:
        """:class:`discord.Locale`: The language of the session's own text (navigation, forms).

        The starting interaction's locale (the user's language); for a session started from a
        prefix command or a channel, the guild's preferred locale (``en-US`` outside a guild).
        Settable, for a session that lets its user pick a language; kept in durable records (a
        record from before locales were kept reads as ``en-US``).
        """
        return self._locale

    @locale.setter
    def locale(self, locale: discord.Locale) -> None:
        self._locale = locale

    async def translate(self, string: str | locale_str, /, **fields: Any) -> str:
        """``string`` in :attr:`locale`, through the bot's translator, its ``{name}`` fields filled.

        The package's own text goes this way; use it for yours too:
        ``await self.translate(locale_str("Saved", key="mybot.saved"))``.

        Parameters
        ----------
        string: Union[:class:`str`, :class:`~discord.app_commands.locale_str`]
            What to show; a plain :class:`str` is returned as it is.
        **fields:
            The values of its placeholders.
        """
        return await translate(self._bot, string, self._locale, **fields)

    @property
    def restored(self) -> bool:
        """:class:`bool`: Whether this object was rebuilt from a store (``__init__`` did not run)."""
        return self._restored

    @property
    def channel_id(self) -> int | None:
        """Optional[:class:`int`]: The channel of the session's message (or where it started)."""
        message = self._message
        if message is not None:
            return message.channel.id
        if self._stored_message is not None:
            return self._stored_message.channel_id
        start = self._start_context or self._start_interaction or self._channel
        channel = getattr(start, "channel", start)
        return getattr(channel, "id", None)

    @property
    def message_id(self) -> int | None:
        """Optional[:class:`int`]: The session's message, once sent."""
        if self._message is not None:
            return self._message.id
        return None if self._stored_message is None else self._stored_message.message_id

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
        """:class:`SessionRecord`: What identifies this session, without discord.py objects.

        Its ``kind`` is the class's durable kind, or ``"module:QualifiedName"`` for a class with none.
        """
        cls = type(self)
        return SessionRecord(
            kind=cls.kind or f"{cls.__module__}:{cls.__qualname__}",
            id=self._id,
            owner_id=self.owner_id,  # type: ignore[arg-type]  # None for a session of nobody's
            channel_id=self.channel_id,
            message_id=self.message_id,
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

    def _durable_state(self) -> object:
        """The built-in class's own state to store besides :attr:`data` (JSON-able); ``None``: none."""
        return None

    def _restore_state(self, page: int | None, state: Any) -> None:
        """Set the built-in class's own slots from a record, in place of ``__init__``."""

    async def _reload(self) -> None:
        """Reload, after a restore, what the class does not store (a list's items)."""

    def _to_record(self, deadline: float | None, created_at: float) -> DurableRecord:
        """This session as a store keeps it: plain data only.

        Raises
        ------
        SessionDataError
            :attr:`data`, :attr:`result` (or the class's own state) cannot be encoded as JSON.
        """
        from nyx_sessions.durable.data import encode_data, encode_json
        from nyx_sessions.errors import SessionDataError
        from nyx_sessions.storage.store import DurableRecord

        kind = type(self)._kind
        assert kind is not None, "only durable sessions are stored"
        channel_id, message_id, ephemeral = self._where()
        token: str | None = None
        token_expires_at: float | None = None
        live = self._live_token()
        if live is not None:
            token, token_expires_at = live.token, token_deadline(live)
        elif self._stored_message is not None and self._stored_token() is not None:
            token, token_expires_at = self._stored_message.token, self._stored_message.token_expires_at
        state = self._durable_state()
        result: bytes | None = None
        if self.result is not None:
            # Stored with the data (on_end after a restart sees it), by the same rules; the error
            # names the field under "result" so it is not taken for one of data.
            try:
                result = encode_data(self.result, self._id, checked=False)
            except SessionDataError as error:
                detail = str(error.__cause__ or error)
                field = "result" if error.field is None else f"result.{error.field}"
                raise SessionDataError(self._id, detail, field, owner=type(self).__qualname__) from error
        return DurableRecord(
            id=self._id,
            kind=kind.name,
            data_version=kind.data_version,
            data=encode_data(self._data, self._id, kind.data, owner=type(self).__qualname__),
            owner_id=self.owner_id,
            channel_id=channel_id,
            message_id=message_id,
            ephemeral=ephemeral,
            token=token,
            token_expires_at=token_expires_at if token is not None else None,
            token_edits_original=self._edits_original,
            page=self._record_page,
            state=None if state is None else encode_json(state),
            ttl=self.ttl,
            deadline=deadline,
            created_at=created_at,
            result=result,
            lifetime=self.max_lifetime,
            parent=self._parent,
            child=self._child,
            locale=self._locale.value,
        )

    @classmethod
    def _from_record(cls, manager: SessionManager, record: DurableRecord, data: Any) -> Self:
        """Rebuild a session from its record without running ``__init__`` (see :meth:`on_restore`)."""
        session = cls.__new__(cls)
        session._bot = manager.bot
        session._manager = manager
        session._id = record.id
        session._channel = None
        session._start_context = None
        session._start_interaction = None
        session._user = None if record.owner_id is None else discord.Object(record.owner_id)
        session._restored = True
        session._stored_message = StoredMessage(
            record.channel_id,
            record.message_id,
            record.ephemeral,
            record.token,
            record.token_expires_at,
            record.token_edits_original,
        )
        session._state = SessionState.UNINITIALIZED
        session._end_data = None
        session._message = None
        session._edit_interaction = None
        session._edits_original = record.token_edits_original
        session._components_v2 = False  # not stored: Discord itself refuses a v2 message gone classic
        session._limits = cls._class_limits
        session._parent = record.parent
        session._child = record.child
        session._custom_id = session._create_custom_id(manager.codec)
        session._take_stored_state(record, data)
        return session

    def _take_stored_state(self, record: DurableRecord, data: Any) -> None:
        """Set what the store keeps of a session's state (data, TTL, result, the class's own state)
        from ``record``: on a restore, and in place after a handler that raised (it commits nothing)."""
        from nyx_sessions.durable.data import decode_json

        self._data = data
        self._ttl = record.ttl
        self._lifetime = record.lifetime
        self._locale = _locale_of(record.locale)
        self._ends_by = None if record.lifetime is None else record.created_at + record.lifetime
        self.result = None if record.result is None else decode_json(record.result)
        self._restore_state(record.page, None if record.state is None else decode_json(record.state))

    @property
    def limits(self) -> SessionLimits | None:
        """Optional[:class:`~nyx_sessions.SessionLimits`]: How many sessions like
        this one may run at once per user, channel and guild (the class attributes
        ``max_per_user``, ``max_per_channel``, ``max_per_guild``, ``limit_group``, ``limit_policy``,
        or the constructor keywords of the same names); ``None`` without any limit."""
        return self._limits

    @property
    def _place(self) -> tuple[int | None, int | None]:
        """The guild and channel the session was started in (``None`` where there is none)."""
        interaction = self._start_interaction
        if interaction is not None:
            return interaction.guild_id, interaction.channel_id
        start = self._start_context or self._channel
        if start is not None:
            channel = getattr(start, "channel", start)
            guild = getattr(channel, "guild", None)
            return (None if guild is None else guild.id), getattr(channel, "id", None)
        channel_id = None if self._stored_message is None else self._stored_message.channel_id
        return None, channel_id

    @property
    def ends_by(self) -> float | None:
        """Optional[:class:`float`]: When :attr:`max_lifetime` ends the session, in epoch seconds on
        the manager's clock; ``None`` without one, or before the start."""
        return self._ends_by

    def _ttl_at(self, now: float) -> float | None:
        """The TTL to arm at ``now``: :attr:`ttl`, cut short where :attr:`max_lifetime` ends first."""
        ttl = self.ttl
        ends_by = self._ends_by
        if ends_by is None:
            return ttl
        left = max(ends_by - now, _OVER)
        return left if ttl is None else min(ttl, left)

    def _begin_lifetime(self, now: float) -> None:
        """Count :attr:`max_lifetime` from ``now``, the start."""
        lifetime = self.max_lifetime
        self._ends_by = None if lifetime is None else now + lifetime

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

    async def on_child_end(
        self, child_end: SessionEndData[Any], interaction: discord.Interaction[Any] | None
    ) -> None:
        """Called when the child session :meth:`open_child` opened ends, in this session's turn.

        Render the message again here: the child had it. ``interaction`` is the child's last click
        when it ended in a handler and left it unanswered (answer it, with :meth:`edit`), else
        ``None`` (edit the message directly). List and stage sessions render their current page
        again by themselves; here, nothing happens by default.
        """

    async def open_child(self, child: AbstractSession[Any], interaction: discord.Interaction[Any]) -> bool:
        """Open ``child`` in place of this session, from one of this session's handlers.

        The child takes over this session's message (its :meth:`respond` edits it, answering
        ``interaction``) and owner. Until it ends, this session takes no clicks (its controls,
        if still shown, answer "Finish the step in progress first.") and does not expire; then
        :meth:`on_child_end` runs with how the child ended. Ending this session ends the child
        first.

        Durable sessions open durable children: the store keeps the pair (each record names the
        other), so either may be restored, by any process, and each ends once. Should a crash lose
        the child's end, the parent expires rather than wait for ever.

        Returns
        -------
        :class:`bool`
            Whether the child started (``False``: it was refused or failed, see its :meth:`wait`).

        Raises
        ------
        IllegalSessionStateError
            This session is not running, already has a child open, or ``child`` was started.
        TypeError
            One of the two is durable (has a ``kind``) and the other is not: a pair is kept
            in one place, the store or this process.
        """
        if self._state is not SessionState.RUNNING:
            raise IllegalSessionStateError(f"session {self._id!r} is not running: it cannot open a child")
        if self._child is not None:
            raise IllegalSessionStateError(
                f"session {self._id!r} has a child open already ({self._child!r}): wait for it to end"
            )
        if (self.kind is None) != (child.kind is None):
            durable, other = (self, child) if self.kind is not None else (child, self)
            raise TypeError(
                f"{type(durable).__qualname__} is durable (kind={durable.kind!r}) and "
                f"{type(other).__qualname__} is not: give both a kind, or neither, so the pair is "
                "kept in one place"
            )
        child._parent = self._id
        child._user = self._user
        child._message = self._message if self._message is not None else interaction.message
        child._edit_interaction = self._edit_interaction
        child._edits_original = self._edits_original
        child._components_v2 = self._components_v2
        self._child = child._id
        await self._manager._pause(self)
        started = await self._manager.start(child)
        if not started and self._child == child._id:
            self._child = None
            await self._manager._resume(self)
        return started

    async def on_restore(self) -> None:
        """Rebuild what ``__init__`` built besides :attr:`data`, after a restore from the store.

        A restore makes the object with ``cls.__new__`` and sets the base state and :attr:`data`
        from the record (list sessions then run ``load_items``); ``__init__`` does not run again.
        Raising here answers the click like an expired session.
        """

    @classmethod
    def migrate_data(cls, raw: dict[str, Any], version: int) -> dict[str, Any]:
        """Turn stored data written under an older ``data_version`` into the current shape.

        Parameters
        ----------
        raw: :class:`dict`
            The stored data as plain JSON values.
        version: :class:`int`
            The ``data_version`` it was written with (older than the class's).

        Returns
        -------
        :class:`dict`
            Data of the current shape, converted to the declared type afterwards. By default
            ``raw`` unchanged, which suits fields added with defaults.
        """
        return raw

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
        """Wait until the session ends and return how it ended; works during and after the end, and
        from the moment :meth:`start` is called (or scheduled, as a task).

        Raises
        ------
        IllegalSessionStateError
            The session was never started: it would never end.
        """
        if self._end_data is not None:
            return self._end_data
        if self._state is SessionState.UNINITIALIZED and not self._manager._started(self):
            await asyncio.sleep(0)  # a start scheduled just before (asyncio.create_task) runs first
            if self._state is SessionState.UNINITIALIZED and not self._manager._started(self):
                raise IllegalSessionStateError(
                    f"session {self._id!r} was never started, so wait() would never return: call "
                    "`await session.start()` (or return it from a @spawns_session command) first"
                )
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

        Raises
        ------
        IllegalSessionStateError
            The session was never started (nothing is sent).
        """
        self._check_outgoing(content, kwargs)
        interaction = self._start_interaction
        if self._parent is not None and self._message is not None:
            # A child answers its start by taking over its parent's message.
            kwargs.pop("ephemeral", None)
            await self.edit(interaction, content=content, **kwargs)
            return self._message
        if self._start_context is not None:
            message: discord.Message | None = await self._start_context.send(content, **kwargs)
        elif self._channel is not None:
            kwargs.pop("ephemeral", None)  # a channel message is seen by the channel
            message = await self._channel.send(content, **kwargs)
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
        self._components_v2 = is_components_v2(kwargs.get("view"))
        return message

    async def edit(self, interaction: discord.Interaction[Any] | None = None, **kwargs: Any) -> None:
        """Edit the session's message: through ``interaction`` when it is still unanswered, else directly.

        Takes what :meth:`discord.Message.edit` takes (``content``, ``embed``, ``view``, ...). An
        interaction the manager deferred automatically counts as unanswered: the edit goes through
        its original response.

        Raises
        ------
        IllegalSessionStateError
            The session was never started, or has no message that can still be edited.
        ComponentLimitError
            The edit breaks one of Discord's component limits (nothing is sent).
        ValueError
            Classic content (``content``, embeds, a classic view) for a components v2 message,
            which never goes back (nothing is sent).
        """
        self._check_outgoing(kwargs.get("content"), kwargs)
        if interaction is not None and unanswered(interaction) and interaction.message is not None:
            await interaction.response.edit_message(**kwargs)
        else:
            if interaction is not None and unanswered(interaction):
                await interaction.response.defer()
            await self._edit_message(**kwargs)
        # Discord lets a classic message become components v2 by an edit, never back.
        self._components_v2 = self._components_v2 or is_components_v2(kwargs.get("view"))

    async def update_message(self, **edit: Any) -> None:
        """Edit the session's message from outside a click: a background task, another command.

        It takes the session's turn like a handler (a running handler finishes first; clicks that
        arrive meanwhile wait), and works on a durable session in any process (see
        :meth:`SessionManager.update_message`). Takes the keywords of :meth:`discord.Message.edit`.

        Raises
        ------
        IllegalSessionStateError
            The session is not running (never started, or ended), or its message can no longer be
            edited.
        SessionStoreError
            The session is durable and its store did not answer.
        ComponentLimitError, ValueError
            As for :meth:`edit`.
        """
        if not await self._manager.update_message(self._id, **edit):
            raise IllegalSessionStateError(
                f"session {self._id!r} is not running: its message was left as it is"
            )

    @property
    def _message_place(self) -> str:
        """Names the session's message in the errors of the limits checked before sending it."""
        return f"the message of session {self._id!r}"

    def _check_outgoing(self, content: str | None, kwargs: Mapping[str, Any]) -> None:
        """Refuse, before any request, a send or edit of a session that was never started, or one
        that Discord would refuse: a broken component limit, or a components v2 message going back
        to classic content."""
        if self._state is SessionState.UNINITIALIZED and not self._manager._started(self):
            raise IllegalSessionStateError(
                f"session {self._id!r} ({type(self).__qualname__}) was never started, so it has "
                "nothing to answer or edit: start it (await session.start(), or return it from a "
                "@spawns_session command), then respond from on_start"
            )
        where = self._message_place
        view = kwargs.get("view")
        classic = content is not None or bool(kwargs.get("embed")) or bool(kwargs.get("embeds"))
        classic_view = isinstance(view, (discord.ui.View, discord.ui.LayoutView)) and not is_components_v2(
            view
        )
        if self._components_v2 and (classic or classic_view):
            raise ValueError(
                f"{where} is a components v2 message, and one never goes back: edit it with a "
                "discord.ui.LayoutView (self.layout(...)) and no content or embeds (Discord refuses "
                "classic content there)"
            )
        check_message(where, view=view, classic_content=classic)

    def _live_token(self) -> discord.Interaction[Any] | None:
        """The interaction whose token still reaches :attr:`message` (Discord keeps it 15 minutes)."""
        target = self._edit_interaction
        return target if target is not None and token_alive(target, self._manager.clock) else None

    def _stored_token(self) -> discord.Webhook | None:
        """A restored session's last token while it is valid, as a webhook that edits by message id."""
        stored = self._stored_message
        if stored is None or stored.token is None or stored.token_expires_at is None:
            return None
        if self._manager.clock.time() >= stored.token_expires_at or self._bot.application_id is None:
            return None
        # The same webhook discord.py builds for Interaction.followup: the token's own messages.
        payload: Any = {"id": self._bot.application_id, "type": 3, "token": stored.token}
        return discord.Webhook.from_state(data=payload, state=self._bot._connection)

    def _by_id(self, channel_id: int, message_id: int) -> discord.PartialMessage:
        """The message reached by channel and message id with the bot's authorization, at any age."""
        return self._bot.get_partial_messageable(channel_id).get_partial_message(message_id)

    def _where(self) -> tuple[int | None, int | None, bool]:
        """The session message's channel id, id, and whether it is ephemeral."""
        message = self._message
        if message is not None:
            return message.channel.id, message.id, message.flags.ephemeral
        stored = self._stored_message
        if stored is not None:
            return stored.channel_id, stored.message_id, stored.ephemeral
        return None, None, False

    def _reach(self) -> _Reach | None:
        """How :attr:`message` can be edited and read now; ``None`` when nothing reaches it.

        The message objects discord.py returns from interaction responses and followups go through
        their token, which dies after 15 minutes; a non-ephemeral message is then reached by channel
        and message id as the bot instead. An ephemeral one can only be reached through a live token
        (a restored session's stored one included).
        """
        target = self._live_token()
        channel_id, message_id, ephemeral = self._where()
        if target is not None and self._edits_original:
            return _Reach(target.edit_original_response, target.original_response)
        if target is not None and message_id is not None:
            followup = target.followup
            return _Reach(
                partial(followup.edit_message, message_id), partial(followup.fetch_message, message_id)
            )
        if channel_id is not None and message_id is not None and not ephemeral:
            message = self._by_id(channel_id, message_id)
            return _Reach(message.edit, message.fetch)
        stored = self._stored_token()
        if stored is not None and message_id is not None:
            return _Reach(partial(stored.edit_message, message_id), partial(stored.fetch_message, message_id))
        return None

    async def _edit_message(self, **kwargs: Any) -> None:
        """Edit :attr:`message` by the way :meth:`_reach` finds."""
        reach = self._reach()
        if reach is None:
            raise IllegalSessionStateError(f"session {self._id!r} has no message that can still be edited")
        self._message = await reach.edit(**kwargs)

    async def _read_message(self) -> discord.Message | None:
        """Read :attr:`message` back as Discord has it now; ``None`` when it cannot be reached."""
        reach = self._reach()
        return None if reach is None else await reach.fetch()

    async def _disable_components(self) -> None:
        """Disable every component of :attr:`message` (after expiry); skipped when it cannot work.

        The message is read back first: handlers that answered with ``response.edit_message`` changed
        it since it was recorded.
        """
        if self._message is None and self._stored_message is None:
            return
        try:
            current = await self._read_message()
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
        user = self._user
        if isinstance(user, discord.Object) and interaction.user.id == user.id:
            self._user = interaction.user  # a restored session meets its owner again
        known = self.message_id
        if message is None or (known is not None and message.id != known):
            return
        self._message = message
        if interaction.response.type in _UPDATING_RESPONSES:
            self._edit_interaction = interaction
            self._edits_original = True
