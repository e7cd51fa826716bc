"""Middleware: ordered checks that run before a session starts or handles an interaction.

A middleware is any object with a ``check`` method (a function or a coroutine function) that returns a
:class:`MiddlewareResponse`, and optionally a ``priority`` attribute. Start middlewares are called
``check(session, meta)``, update middlewares ``check(session, interaction, meta)``. They are kept in a
:class:`MiddlewareList` that runs them from the highest priority to the lowest.
"""

from __future__ import annotations

import bisect
import inspect
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from nyx_sessions.errors import (
    SessionMiddlewareError,
    SessionStartMiddlewareError,
    SessionUpdateMiddlewareError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterable, Iterator

    import discord
    from typing_extensions import Self

    from nyx_sessions.state import SessionExecutionMeta

__all__ = (
    "FilterCheckMiddleware",
    "MiddlewareList",
    "MiddlewareResponse",
    "Priority",
    "StartMiddleware",
    "StartMiddlewareList",
    "UpdateMiddleware",
    "UpdateMiddlewareList",
)


class MiddlewareResponse(str, Enum):
    """What a middleware decides.

    The members are strings so that a middleware written against the package before
    ``reload_extension("nyx_sessions")`` still answers in a way the reloaded package understands.
    """

    ALLOW = "allow"
    """Pass, and let the next middleware decide."""
    FORCE_ALLOW = "force_allow"
    """Pass, and skip every middleware after this one."""
    DENY = "deny"
    """Refuse, and skip every middleware after this one."""


class Priority(IntEnum):
    """Where a middleware runs in its list: higher values run first.

    The monitor levels are meant for middlewares that only observe (logging, metrics): they run
    first and last of all.
    """

    LOW_MONITOR = 0
    LOWEST = 1
    LOW = 2
    NORMAL = 3
    HIGH = 4
    HIGHEST = 5
    HIGH_MONITOR = 6


class StartMiddleware(Protocol):
    """A middleware run before a session starts.

    It may also have a ``priority`` attribute (a :class:`Priority` or an :class:`int`); without one it
    runs at :attr:`Priority.NORMAL`.
    """

    def check(
        self, session: Any, meta: SessionExecutionMeta, /
    ) -> MiddlewareResponse | Awaitable[MiddlewareResponse]:
        """Decide whether ``session`` may start.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session being started.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this start; the middleware may write into it.

        Returns
        -------
        :class:`MiddlewareResponse`
            The decision, directly or from a coroutine.
        """
        ...


class UpdateMiddleware(Protocol):
    """A middleware run before a session handles an interaction.

    It may also have a ``priority`` attribute (a :class:`Priority` or an :class:`int`); without one it
    runs at :attr:`Priority.NORMAL`.
    """

    def check(
        self, session: Any, interaction: discord.Interaction[Any], meta: SessionExecutionMeta, /
    ) -> MiddlewareResponse | Awaitable[MiddlewareResponse]:
        """Decide whether ``session`` may handle ``interaction``.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session the interaction is routed to.
        interaction: :class:`discord.Interaction`
            The component or modal interaction.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this update; the middleware may write into it.

        Returns
        -------
        :class:`MiddlewareResponse`
            The decision, directly or from a coroutine.
        """
        ...


MiddlewareT = TypeVar("MiddlewareT", StartMiddleware, UpdateMiddleware)


class FilterCheckMiddleware:
    """The built-in middleware that applies a session's own filter.

    It reads the filter from an attribute of the session (``start_filter`` or ``update_filter``): no
    filter passes, a filter returning a falsy value denies. It keeps no per-session state, so one
    instance serves every session.

    Parameters
    ----------
    attribute: :class:`str`
        The name of the session attribute that holds the filter.

    Attributes
    ----------
    priority: :class:`Priority`
        Always :attr:`Priority.NORMAL`.
    """

    __slots__ = ("_attribute",)

    priority: ClassVar[Priority] = Priority.NORMAL

    def __init__(self, attribute: str) -> None:
        self._attribute = attribute

    @property
    def attribute(self) -> str:
        """:class:`str`: The session attribute that holds the filter."""
        return self._attribute

    def check(self, session: Any, *args: Any) -> MiddlewareResponse | Awaitable[MiddlewareResponse]:
        """Run the session's filter with ``(session, *args)``.

        Returns
        -------
        :class:`MiddlewareResponse`
            :attr:`~MiddlewareResponse.ALLOW` when there is no filter or it passes,
            :attr:`~MiddlewareResponse.DENY` otherwise.
        """
        session_filter = getattr(session, self._attribute, None)
        if session_filter is None:
            return MiddlewareResponse.ALLOW
        passed = session_filter.check(session, *args)
        # Answer synchronously when the filter did: this runs on every click of every session, and
        # a bool (what filters mostly return) needs no awaitable test.
        if passed.__class__ is not bool and inspect.isawaitable(passed):
            return _response_of(passed)
        return MiddlewareResponse.ALLOW if passed else MiddlewareResponse.DENY

    def __repr__(self) -> str:
        return f"<FilterCheckMiddleware attribute={self._attribute!r}>"


class MiddlewareList(Generic[MiddlewareT]):
    """An ordered list of middlewares, checked one after another.

    Middlewares run from the highest :class:`Priority` to the lowest; middlewares of equal priority
    run in the order they were added. Use :class:`StartMiddlewareList` or
    :class:`UpdateMiddlewareList`: they differ only in the error that wraps a raising middleware.

    Parameters
    ----------
    middlewares: Iterable[Middleware]
        Middlewares to add, in order.
    """

    __slots__ = ("_chain", "_entries")

    _error_type: ClassVar[type[SessionMiddlewareError]] = SessionMiddlewareError
    _filter_attribute: ClassVar[str]

    def __init__(self, middlewares: Iterable[MiddlewareT] = ()) -> None:
        # Entries keep the priority read when the middleware was added, paired with the middleware.
        self._entries: list[tuple[int, MiddlewareT]] = []
        # The middlewares in calling order, rebuilt on each change: check() iterates it as it is,
        # and a middleware that edits the list meanwhile replaces it instead of disturbing the run.
        self._chain: tuple[MiddlewareT, ...] = ()
        for middleware in middlewares:
            self.add(middleware)

    @classmethod
    def default(cls) -> Self:
        """Create the list nyx_sessions uses when none is given.

        Returns
        -------
        :class:`MiddlewareList`
            A list holding one :class:`FilterCheckMiddleware` for the session's own filter.
        """
        return cls([FilterCheckMiddleware(cls._filter_attribute)])

    def add(self, middleware: MiddlewareT) -> None:
        """Add a middleware after every middleware of higher or equal priority.

        Parameters
        ----------
        middleware: Middleware
            The middleware. Its ``priority`` is read now; changing it later does not move it.

        Raises
        ------
        ValueError
            The middleware is already in this list.
        """
        if any(existing is middleware for _, existing in self._entries):
            raise ValueError(f"{middleware!r} is already in this middleware list; remove it first")
        priority = int(getattr(middleware, "priority", Priority.NORMAL))
        # The entries are sorted by descending priority; insert after the last one that is >= priority.
        index = bisect.bisect_right(self._entries, -priority, key=lambda entry: -entry[0])
        self._entries.insert(index, (priority, middleware))
        self._rebuild()

    def remove(self, middleware: MiddlewareT) -> bool:
        """Remove a middleware (compared by identity).

        Returns
        -------
        :class:`bool`
            Whether it was in the list.
        """
        for index, (_, existing) in enumerate(self._entries):
            if existing is middleware:
                del self._entries[index]
                self._rebuild()
                return True
        return False

    def clear(self) -> None:
        """Remove every middleware, the built-in filter check included."""
        self._entries.clear()
        self._rebuild()

    def __iter__(self) -> Iterator[MiddlewareT]:
        return iter(self._chain)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {list(self)!r}>"

    def _rebuild(self) -> None:
        self._chain = tuple(middleware for _, middleware in self._entries)

    async def check(self, session: Any, *args: Any) -> bool:
        """Run the middlewares in order until one decides.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session being started or updated.
        *args
            ``(meta)`` for a start list, ``(interaction, meta)`` for an update list.

        Returns
        -------
        :class:`bool`
            ``True`` when every middleware allowed or one force-allowed; ``False`` on a denial.

        Raises
        ------
        SessionStartMiddlewareError, SessionUpdateMiddlewareError
            A middleware raised (or answered something other than a :class:`MiddlewareResponse`); the
            error names the middleware and has the original error as ``__cause__``.
        """
        for middleware in self._chain:
            try:
                response = middleware.check(session, *args)
                if response.__class__ is not MiddlewareResponse:
                    answer = await response if inspect.isawaitable(response) else response
                    response = _as_response(middleware, answer)
            except self._error_type:
                raise
            except Exception as error:
                raise self._error_type(error, middleware, session) from error
            if response is MiddlewareResponse.FORCE_ALLOW:
                return True
            if response is MiddlewareResponse.DENY:
                return False
        return True


class StartMiddlewareList(MiddlewareList[StartMiddleware]):
    """The middlewares checked before a session starts, called ``check(session, meta)``.

    A raising middleware is reported as :class:`~nyx_sessions.errors.SessionStartMiddlewareError`.
    """

    __slots__ = ()

    _error_type = SessionStartMiddlewareError
    _filter_attribute = "start_filter"


class UpdateMiddlewareList(MiddlewareList[UpdateMiddleware]):
    """The middlewares checked before a session handles an interaction, called
    ``check(session, interaction, meta)``.

    A raising middleware is reported as :class:`~nyx_sessions.errors.SessionUpdateMiddlewareError`.
    """

    __slots__ = ()

    _error_type = SessionUpdateMiddlewareError
    _filter_attribute = "update_filter"


async def _response_of(passed: Awaitable[object]) -> MiddlewareResponse:
    """The response for an async filter's verdict."""
    return MiddlewareResponse.ALLOW if await passed else MiddlewareResponse.DENY


def _as_response(middleware: object, value: object) -> MiddlewareResponse:
    if isinstance(value, MiddlewareResponse):
        return value
    try:
        # By value, so members of a MiddlewareResponse from before a reload are accepted too.
        return MiddlewareResponse(value)
    except ValueError:
        raise TypeError(
            f"middleware {middleware!r} returned {value!r}; return a MiddlewareResponse "
            "(ALLOW, FORCE_ALLOW or DENY)"
        ) from None
