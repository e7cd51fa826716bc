"""SessionExecutor: runs the middlewares and a session's hooks, and sends every error to its handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import discord

from nyx_sessions._utils import is_being_cancelled, maybe_await
from nyx_sessions.errors import SessionStoreError
from nyx_sessions.execution.deferral import unanswered
from nyx_sessions.execution.error_handler import ErrorHandler
from nyx_sessions.execution.middleware import StartMiddlewareList, UpdateMiddlewareList
from nyx_sessions.execution.notices import (
    default_denied_handler,
    default_missing_handler,
    send_notice,
)
from nyx_sessions.messages import message
from nyx_sessions.observers import NO_OBSERVERS
from nyx_sessions.state import SessionEndData, SessionExecutionMeta

if TYPE_CHECKING:
    from discord.app_commands import locale_str

    from nyx_sessions.execution.filters import SessionStartFilter, SessionUpdateFilter
    from nyx_sessions.state import EndCode, SessionState

__all__ = (
    "DeniedHandler",
    "ExecutableSession",
    "ExecutionOutcome",
    "MissingHandler",
    "SessionExecutor",
    "UpdateOutcome",
)

_log = logging.getLogger(__name__)

T = TypeVar("T")
ResultT_co = TypeVar("ResultT_co", covariant=True)

MissingHandler = Callable[[str, discord.Interaction[Any]], Awaitable[None] | None]
"""``handler(session_id, interaction)``, a function or a coroutine function."""

DeniedHandler = Callable[[Any, discord.Interaction[Any], SessionExecutionMeta], Awaitable[None] | None]
"""``handler(session, interaction, meta)``, a function or a coroutine function."""


class ExecutableSession(Protocol[ResultT_co]):
    """What the executor needs from a session.

    The executor relies on this shape only, never on a class: sessions defined before
    ``reload_extension("nyx_sessions")`` keep working with the reloaded package.
    """

    @property
    def id(self) -> str:
        """The session's id."""
        ...

    @property
    def state(self) -> SessionState:
        """Where the session is in its life."""
        ...

    @property
    def owner_id(self) -> int | None:
        """The id of the user the session belongs to; ``None``: nobody's."""
        ...

    @property
    def start_filter(self) -> SessionStartFilter | None:
        """The filter checked before the session starts."""
        ...

    @property
    def update_filter(self) -> SessionUpdateFilter | None:
        """The filter checked before the session handles an interaction."""
        ...

    @property
    def result(self) -> ResultT_co | None:
        """The session's result so far."""
        ...

    def on_start(self, meta: SessionExecutionMeta, /) -> Awaitable[None]:
        """Start the session and answer its start."""
        ...

    def on_update(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta, /
    ) -> Awaitable[bool | None]:
        """Handle an interaction; return ``False`` to skip the TTL refresh."""
        ...

    def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta, /) -> Awaitable[None]:
        """Clean up after the session ended."""
        ...


class ExecutionOutcome(Enum):
    """How :meth:`SessionExecutor.start` (or, as :attr:`UpdateOutcome.status`, an update) went."""

    OK = "ok"
    """The middlewares allowed it and the hook (``on_start`` / ``on_update``) returned."""
    DENIED = "denied"
    """A middleware (the session's filter included) turned it down; the hook did not run."""
    FAILED = "failed"
    """A middleware or the hook raised; the error went to the error handler."""


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    """How :meth:`SessionExecutor.update` went.

    Truthy exactly when the session's TTL should be refreshed, so it reads as the "refresh" boolean
    nyx returns; the other fields tell a denial apart from a handler that chose not to refresh.

    Attributes
    ----------
    status: :class:`ExecutionOutcome`
        ``OK`` when ``on_update`` returned, ``DENIED`` when a middleware turned the interaction down,
        ``FAILED`` when a middleware or ``on_update`` raised.
    ran: :class:`bool`
        Whether ``on_update`` was called (it may have raised).
    refresh: :class:`bool`
        Whether to refresh the TTL: ``on_update`` returned ``None`` or a truthy value.
    """

    status: ExecutionOutcome
    ran: bool
    refresh: bool

    def __bool__(self) -> bool:
        return self.refresh


_DENIED = UpdateOutcome(ExecutionOutcome.DENIED, ran=False, refresh=False)
_REFRESH = UpdateOutcome(ExecutionOutcome.OK, ran=True, refresh=True)
_KEEP = UpdateOutcome(ExecutionOutcome.OK, ran=True, refresh=False)


class SessionExecutor:
    """Runs the middleware lists and a session's hooks, and routes every error to its handler.

    The executor never changes a session's state: the manager owns it.

    Parameters
    ----------
    start_middleware: Optional[:class:`StartMiddlewareList`]
        Checked before ``on_start``; by default a list holding the start-filter check.
    update_middleware: Optional[:class:`UpdateMiddlewareList`]
        Checked before ``on_update``; by default a list holding the update-filter check.
    start_error_handler, update_error_handler, end_error_handler: Optional[:class:`ErrorHandler`]
        Receive errors of ``on_start`` (args ``(meta)``), ``on_update`` (``(interaction, meta)``) and
        ``on_end`` (``(data, meta)``), and of the middlewares. By default they log.
    missing_handler: Optional[MissingHandler]
        Answers interactions for sessions that no longer exist; by default
        :func:`~nyx_sessions.execution.notices.default_missing_handler`.
    denied_handler: Optional[DeniedHandler]
        Answers interactions the update middleware turned down; by default
        :func:`~nyx_sessions.execution.notices.default_denied_handler`.
    """

    __slots__ = (
        "_denied_handler",
        "_end_error_handler",
        "_missing_handler",
        "_observers",
        "_start_error_handler",
        "_start_middleware",
        "_update_error_handler",
        "_update_middleware",
    )

    def __init__(
        self,
        *,
        start_middleware: StartMiddlewareList | None = None,
        update_middleware: UpdateMiddlewareList | None = None,
        start_error_handler: ErrorHandler | None = None,
        update_error_handler: ErrorHandler | None = None,
        end_error_handler: ErrorHandler | None = None,
        missing_handler: MissingHandler | None = None,
        denied_handler: DeniedHandler | None = None,
    ) -> None:
        self._start_middleware = (
            StartMiddlewareList.default() if start_middleware is None else start_middleware
        )
        self._update_middleware = (
            UpdateMiddlewareList.default() if update_middleware is None else update_middleware
        )
        self._start_error_handler = ErrorHandler() if start_error_handler is None else start_error_handler
        self._update_error_handler = ErrorHandler() if update_error_handler is None else update_error_handler
        self._end_error_handler = ErrorHandler() if end_error_handler is None else end_error_handler
        self._missing_handler: MissingHandler = (
            default_missing_handler if missing_handler is None else missing_handler
        )
        self._denied_handler: DeniedHandler = (
            default_denied_handler if denied_handler is None else denied_handler
        )
        # Set by the manager that runs this executor with observers; told of every session error.
        self._observers = NO_OBSERVERS

    @property
    def start_middleware(self) -> StartMiddlewareList:
        """:class:`StartMiddlewareList`: The middlewares checked before a session starts."""
        return self._start_middleware

    @property
    def update_middleware(self) -> UpdateMiddlewareList:
        """:class:`UpdateMiddlewareList`: The middlewares checked before a session handles an interaction."""
        return self._update_middleware

    @property
    def start_error_handler(self) -> ErrorHandler:
        """:class:`ErrorHandler`: Receives start errors with args ``(meta)``."""
        return self._start_error_handler

    @property
    def update_error_handler(self) -> ErrorHandler:
        """:class:`ErrorHandler`: Receives update errors with args ``(interaction, meta)``."""
        return self._update_error_handler

    @property
    def end_error_handler(self) -> ErrorHandler:
        """:class:`ErrorHandler`: Receives ``on_end`` errors with args ``(data, meta)``."""
        return self._end_error_handler

    @property
    def missing_handler(self) -> MissingHandler:
        """MissingHandler: Answers interactions whose session no longer exists (settable)."""
        return self._missing_handler

    @missing_handler.setter
    def missing_handler(self, handler: MissingHandler) -> None:
        self._missing_handler = handler

    @property
    def denied_handler(self) -> DeniedHandler:
        """DeniedHandler: Answers interactions the update middleware turned down (settable)."""
        return self._denied_handler

    @denied_handler.setter
    def denied_handler(self, handler: DeniedHandler) -> None:
        self._denied_handler = handler

    async def start(self, session: ExecutableSession[Any], meta: SessionExecutionMeta) -> ExecutionOutcome:
        """Check the start middleware, then run ``session.on_start(meta)``.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session to start.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this start.

        Returns
        -------
        :class:`ExecutionOutcome`
            ``DENIED`` when a middleware turned the start down, ``FAILED`` when a middleware or
            ``on_start`` raised (the error went to :attr:`start_error_handler`), else ``OK``.
        """
        try:
            allowed = await self._start_middleware.check(session, meta)
            if not allowed:
                return ExecutionOutcome.DENIED
            await session.on_start(meta)
        except (Exception, asyncio.CancelledError) as error:
            _reraise_own_cancellation(error)
            if self._observers:
                self._observers.session_failed(session, error, "start")
            await self._start_error_handler.handle(error, session, meta)
            return ExecutionOutcome.FAILED
        return ExecutionOutcome.OK

    async def update(
        self,
        session: ExecutableSession[Any],
        interaction: discord.Interaction[Any],
        meta: SessionExecutionMeta,
    ) -> UpdateOutcome:
        """Check the update middleware, then run ``session.on_update(interaction, meta)``.

        A turned-down interaction goes to :attr:`denied_handler`. An error (a middleware's, wrapped,
        or the handler's own) goes to the session's ``on_error``, then, unless that dealt with it, to
        :attr:`update_error_handler`; if the user got no answer, they then get an ephemeral error
        notice.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The running session.
        interaction: :class:`discord.Interaction`
            The component or modal interaction.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this update.

        Returns
        -------
        :class:`UpdateOutcome`
            Truthy when the TTL should be refreshed: the handler returned ``None`` or a truthy value.
            Falsy when it returned a falsy one, was turned down or raised.
        """
        ran = False
        try:
            if not await self._update_middleware.check(session, interaction, meta):
                await self._answer_with(
                    self._denied_handler,
                    interaction,
                    message("nyx_sessions.notice.not_owner"),
                    session,
                    interaction,
                    meta,
                )
                return _DENIED
            ran = True
            refresh = await session.on_update(interaction, meta)
        except (Exception, asyncio.CancelledError) as error:
            _reraise_own_cancellation(error)
            if self._observers:
                self._observers.session_failed(session, error, "click")
            if not await _session_handles(session, error, interaction):
                await self._update_error_handler.handle(error, session, interaction, meta)
            if isinstance(error, SessionStoreError):
                # A store that did not answer (an end it could not record): whatever the handler
                # showed already, the user learns that the click did not take and may be tried again.
                await send_notice(interaction, message("nyx_sessions.notice.try_again"))
            elif unanswered(interaction):
                await send_notice(interaction, message("nyx_sessions.notice.error"))
            return UpdateOutcome(ExecutionOutcome.FAILED, ran=ran, refresh=False)
        return _REFRESH if refresh is None or refresh else _KEEP

    async def end(
        self, session: ExecutableSession[T], reason: str, code: EndCode, meta: SessionExecutionMeta
    ) -> SessionEndData[T]:
        """Run ``session.on_end(reason, code, meta)`` and describe how the session ended.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The ending session.
        reason: :class:`str`
            Why it ends, for people.
        code: Union[:class:`~nyx_sessions.SessionEndCode`, :class:`str`, :class:`int`]
            Why it ends, for code.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this end.

        Returns
        -------
        :class:`~nyx_sessions.SessionEndData`
            With the session's result as ``on_end`` left it, also when ``on_end`` raised (the error
            goes to :attr:`end_error_handler` with args ``(data, meta)``).
        """
        failure: BaseException | None = None
        try:
            await session.on_end(reason, code, meta)
        except (Exception, asyncio.CancelledError) as error:
            _reraise_own_cancellation(error)
            failure = error
        # Read after on_end, which may set the result; kept even when on_end failed halfway.
        data = SessionEndData(reason, code, session.result)
        if failure is not None:
            if self._observers:
                self._observers.session_failed(session, failure, "end")
            await self._end_error_handler.handle(failure, session, data, meta)
        return data

    async def handle_missing(self, session_id: str, interaction: discord.Interaction[Any]) -> None:
        """Answer an interaction whose session no longer exists, through :attr:`missing_handler`.

        The handler's errors are logged; if the user then got no answer, they get an ephemeral
        "expired" notice.

        Parameters
        ----------
        session_id: :class:`str`
            The id read from the interaction's custom id.
        interaction: :class:`discord.Interaction`
            The interaction.
        """
        await self._answer_with(
            self._missing_handler,
            interaction,
            message("nyx_sessions.notice.expired"),
            session_id,
            interaction,
        )

    async def _answer_with(
        self,
        handler: Callable[..., Awaitable[None] | None],
        interaction: discord.Interaction[Any],
        notice: locale_str,
        *args: Any,
    ) -> None:
        """Run a user-replaceable answering handler; if it raised and left the user unanswered, notify."""
        try:
            await maybe_await(handler(*args))
        except Exception:
            _log.exception("%r raised while answering interaction %s", handler, interaction.id)
            if unanswered(interaction):
                await send_notice(interaction, notice)

    def __repr__(self) -> str:
        return (
            f"<SessionExecutor start_middleware={self._start_middleware!r} "
            f"update_middleware={self._update_middleware!r}>"
        )


async def _session_handles(
    session: ExecutableSession[Any], error: BaseException, interaction: discord.Interaction[Any]
) -> bool:
    """Offer an update error to the session's own ``on_error``; whether it dealt with it."""
    hook = getattr(session, "on_error", None)  # sessions of classes made before a reload may lack it
    if hook is None:
        return False
    try:
        return bool(await hook(error, interaction))
    except Exception:
        _log.exception("on_error of session %s raised while handling %r", session.id, error)
        return False


def _reraise_own_cancellation(error: BaseException) -> None:
    """Let a cancellation of the running task through; a hook's own cancelled await is its error.

    A handler that awaited a task someone else cancelled gets :class:`asyncio.CancelledError`
    although nobody cancelled the handler: that is a failure of the handler, answered and reported
    like any other.
    """
    if isinstance(error, asyncio.CancelledError) and is_being_cancelled():
        raise error
