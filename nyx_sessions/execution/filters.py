"""Session filters: yes/no checks a session declares for its start and its updates.

A filter is any object with ``check(session, *args) -> bool`` (a function or a coroutine function).
Start filters are called ``check(session, meta)``, update filters ``check(session, interaction, meta)``.
A filter may also carry a ``denied_message`` attribute: the text of the ephemeral notice a user gets
when the filter turns an interaction down (a :class:`~discord.app_commands.locale_str` is translated
into the clicking user's locale through the bot's translator). Filters keep no per-session state, so
one instance can be shared by every session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from nyx_sessions._utils import maybe_await

if TYPE_CHECKING:
    from collections.abc import Awaitable

    import discord
    from discord.app_commands import locale_str

    from nyx_sessions.state import SessionExecutionMeta

__all__ = (
    "AllowAll",
    "AndFilter",
    "AnyFilter",
    "NotFilter",
    "OrFilter",
    "OwnerOnly",
    "SessionStartFilter",
    "SessionUpdateFilter",
)


class SessionStartFilter(Protocol):
    """Decides whether a session may start."""

    def check(self, session: Any, meta: SessionExecutionMeta, /) -> bool | Awaitable[bool]:
        """Return whether ``session`` may start (directly or from a coroutine).

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session being started.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this start.
        """
        ...


class SessionUpdateFilter(Protocol):
    """Decides whether a session may handle an interaction."""

    def check(
        self, session: Any, interaction: discord.Interaction[Any], meta: SessionExecutionMeta, /
    ) -> bool | Awaitable[bool]:
        """Return whether ``session`` may handle ``interaction`` (directly or from a coroutine).

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session the interaction is routed to.
        interaction: :class:`discord.Interaction`
            The component or modal interaction.
        meta: :class:`~nyx_sessions.SessionExecutionMeta`
            The metadata of this update.
        """
        ...


AnyFilter = SessionStartFilter | SessionUpdateFilter
"""A start filter or an update filter; the combinators accept either."""


class _Filter:
    """Shared base of the built-in filters: the optional ``denied_message``."""

    __slots__ = ("denied_message",)

    def __init__(self, *, denied_message: str | locale_str | None = None) -> None:
        self.denied_message = denied_message


class AllowAll(_Filter):
    """A filter that always passes.

    Parameters
    ----------
    denied_message: Optional[Union[:class:`str`, :class:`~discord.app_commands.locale_str`]]
        Never shown; accepted so every built-in filter is built the same way.
    """

    __slots__ = ()

    def check(self, session: Any, *args: Any) -> bool:
        """Return ``True``."""
        return True

    def __repr__(self) -> str:
        return "AllowAll()"


class OwnerOnly(_Filter):
    """Only the user who started the session may use it.

    As an update filter it passes when ``interaction.user.id == session.owner_id`` (ids, so a
    session restored from a store needs no member object). As a start filter it always passes:
    starting a session is its owner's own act; a session that belongs to nobody (started from a
    channel without ``owner=``) cannot use it, and its start says so.

    Parameters
    ----------
    denied_message: Optional[Union[:class:`str`, :class:`~discord.app_commands.locale_str`]]
        The notice a turned-down user sees; ``None`` uses the package's default text.

    Attributes
    ----------
    denied_message: Optional[Union[:class:`str`, :class:`~discord.app_commands.locale_str`]]
        As given.
    """

    __slots__ = ()

    def check(self, session: Any, *args: Any) -> bool:
        """Compare the interacting user with the session's owner.

        Parameters
        ----------
        session: :class:`~nyx_sessions.AbstractSession`
            The session.
        *args
            ``(meta)`` for a start, ``(interaction, meta)`` for an update.

        Returns
        -------
        :class:`bool`
            Whether the user may go on.
        """
        if len(args) < 2:
            return True
        interaction: discord.Interaction[Any] = args[0]
        return bool(interaction.user.id == session.owner_id)

    def __repr__(self) -> str:
        return "OwnerOnly()"


class _Combinator(_Filter):
    __slots__ = ("_filters",)

    def __init__(
        self, first: AnyFilter, /, *rest: AnyFilter, denied_message: str | locale_str | None = None
    ) -> None:
        super().__init__(denied_message=denied_message)
        self._filters: tuple[AnyFilter, ...] = (first, *rest)

    @property
    def filters(self) -> tuple[AnyFilter, ...]:
        """Tuple[filter, ...]: The combined filters, in checking order."""
        return self._filters

    async def _first_with(self, outcome: bool, session: Any, args: tuple[Any, ...]) -> bool:
        """Check the filters in order; return whether one of them gave ``outcome``."""
        for session_filter in self._filters:
            passed: bool | Awaitable[bool] = session_filter.check(session, *args)
            if bool(await maybe_await(passed)) is outcome:
                return True
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self._filters))})"


class AndFilter(_Combinator):
    """Passes when every filter passes; stops at the first that does not.

    Parameters
    ----------
    first, *rest
        The filters, sync or async, in checking order.
    denied_message: Optional[Union[:class:`str`, :class:`~discord.app_commands.locale_str`]]
        The notice a turned-down user sees; ``None`` uses the package's default text.
    """

    __slots__ = ()

    async def check(self, session: Any, *args: Any) -> bool:
        """Return whether every filter passes for ``(session, *args)``."""
        return not await self._first_with(False, session, args)


class OrFilter(_Combinator):
    """Passes when any filter passes; stops at the first that does.

    Parameters
    ----------
    first, *rest
        The filters, sync or async, in checking order.
    denied_message: Optional[Union[:class:`str`, :class:`~discord.app_commands.locale_str`]]
        The notice a turned-down user sees; ``None`` uses the package's default text.
    """

    __slots__ = ()

    async def check(self, session: Any, *args: Any) -> bool:
        """Return whether any filter passes for ``(session, *args)``."""
        return await self._first_with(True, session, args)


class NotFilter(_Filter):
    """Passes when the wrapped filter does not.

    Parameters
    ----------
    inner
        The filter to invert, sync or async.
    denied_message: Optional[Union[:class:`str`, :class:`~discord.app_commands.locale_str`]]
        The notice a turned-down user sees; ``None`` uses the package's default text.
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: AnyFilter, /, *, denied_message: str | locale_str | None = None) -> None:
        super().__init__(denied_message=denied_message)
        self._inner = inner

    @property
    def inner(self) -> AnyFilter:
        """The inverted filter."""
        return self._inner

    async def check(self, session: Any, *args: Any) -> bool:
        """Return whether the wrapped filter fails for ``(session, *args)``."""
        passed: bool | Awaitable[bool] = self._inner.check(session, *args)
        return not await maybe_await(passed)

    def __repr__(self) -> str:
        return f"NotFilter({self._inner!r})"
