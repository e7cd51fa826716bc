"""Objects of nyx_sessions whose identity must survive ``reload_extension("nyx_sessions")``.

discord.py's ``unload_extension`` purges ``nyx_sessions`` and every ``nyx_sessions.*`` module from
:data:`sys.modules`. User code that imported :class:`SessionState`, :class:`SessionEndCode` or an
exception class before a reload keeps the old objects, while the reloaded package would build new
ones: ``session.state is SessionState.RUNNING`` and ``except DuplicateSessionError`` would silently
stop matching. These definitions therefore live in this top-level module, which the purge does not
touch, and the package re-exports them. Import them from :mod:`nyx_sessions`, not from here.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import discord

__all__ = (
    "SESSION_KINDS",
    "AutoDeferredError",
    "ComponentLimitError",
    "CustomIdTooLongError",
    "DuplicateSessionError",
    "DuplicateSessionKindError",
    "IllegalSessionStateError",
    "InvalidCustomIdError",
    "NyxSessionsError",
    "SessionDataError",
    "SessionEndCode",
    "SessionMiddlewareError",
    "SessionStartMiddlewareError",
    "SessionState",
    "SessionStoreError",
    "SessionUpdateMiddlewareError",
    "SessionsNotLoadedError",
)


SESSION_KINDS: dict[str, type] = {}
"""Durable session classes by kind (and by each alias), kept here so they survive a reload.

A class registers as it is defined (``class Panel(AbstractSession[None], kind="panel")``), which is
often before ``reload_extension("nyx_sessions")``; after the reload the package must still find it.
"""


class SessionState(Enum):
    """Where a session is in its life: ``UNINITIALIZED`` -> ``RUNNING`` -> ``ENDED``."""

    UNINITIALIZED = "uninitialized"
    RUNNING = "running"
    ENDED = "ended"


class SessionEndCode(Enum):
    """Why a session ended, for the ends the package itself decides.

    User code may end a session with any :class:`str` or :class:`int` code instead.
    """

    EXPIRED = "expired"
    """The session's TTL elapsed with no refreshing update."""
    SELF_ENDED = "self_ended"
    """The session called :meth:`~nyx_sessions.AbstractSession.end` without a code."""
    BOT_STOP = "bot_stop"
    """The extension was unloaded or the bot closed while the session ran."""
    START_DENIED = "start_denied"
    """A start filter or start middleware refused the session; it never ran."""
    START_FAILED = "start_failed"
    """``on_start`` (or a start middleware) raised; the session never ran."""
    DETACHED = "detached"
    """A durable session left this process at shutdown: it lives on in its store (local waiters only)."""
    REPLACED = "replaced"
    """A newer session of the same kind took its place: a limit (``max_per_user``, ...) with
    ``limit_policy = "replace"``."""


class NyxSessionsError(Exception):
    """Base class of every exception nyx_sessions raises."""


class SessionsNotLoadedError(NyxSessionsError, RuntimeError):
    """The bot has no session manager: the extension was not loaded."""

    def __init__(self) -> None:
        super().__init__(
            'nyx_sessions is not loaded on this bot: call `await bot.load_extension("nyx_sessions")` '
            "(for example in setup_hook) or add a SessionCog before starting sessions."
        )


class DuplicateSessionError(NyxSessionsError, ValueError):
    """A session was started with the id of a session that is still live.

    Attributes
    ----------
    session_id: :class:`str`
        The id both sessions share.
    """

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(
            f"a session with id {session_id!r} is already running; end it first or give the new "
            "session another id (leave session_id unset to get a random one)"
        )


class IllegalSessionStateError(NyxSessionsError, RuntimeError):
    """An operation needs the session in another state (for example starting it twice)."""


class CustomIdTooLongError(NyxSessionsError, ValueError):
    """A built custom id exceeds Discord's limit.

    Attributes
    ----------
    custom_id: :class:`str`
        The id that was refused.
    length: :class:`int`
        Its length in UTF-16 code units, as Discord counts.
    limit: :class:`int`
        The limit (100).
    """

    def __init__(self, custom_id: str, length: int, limit: int, detail: str = "") -> None:
        self.custom_id = custom_id
        self.length = length
        self.limit = limit
        message = (
            f"custom id is {length} UTF-16 code units long, over Discord's limit of {limit}: {custom_id!r}"
        )
        super().__init__(f"{message}; {detail}" if detail else message)


class InvalidCustomIdError(NyxSessionsError, ValueError):
    """A value put into a custom id contains one of the codec's separators."""


class SessionMiddlewareError(NyxSessionsError):
    """A middleware (or the filter it checks) raised; the original error is ``__cause__``.

    Attributes
    ----------
    original: :class:`BaseException`
        The error the middleware raised.
    middleware: Any
        The middleware that raised it.
    session: Any
        The session being started or updated.
    """

    def __init__(self, original: BaseException, middleware: object, session: object) -> None:
        self.original = original
        self.middleware = middleware
        self.session = session
        super().__init__(f"middleware {middleware!r} raised {type(original).__name__}: {original}")


class SessionStartMiddlewareError(SessionMiddlewareError):
    """A start middleware raised while starting a session."""


class SessionUpdateMiddlewareError(SessionMiddlewareError):
    """An update middleware raised while routing an interaction to a session."""


class AutoDeferredError(NyxSessionsError, discord.InteractionResponded):
    """A handler tried to open a modal after the manager had deferred its interaction automatically.

    The manager acknowledges an interaction that is still unanswered ``auto_defer`` seconds after it
    arrived (Discord drops it at 3 seconds), and Discord accepts no modal after a deferral. It is a
    :class:`discord.InteractionResponded`, so code that already handles a second response keeps
    working.

    Attributes
    ----------
    interaction: :class:`discord.Interaction`
        The interaction that was deferred.
    auto_defer: Optional[:class:`float`]
        The delay after which it was deferred.
    """

    def __init__(self, interaction: discord.Interaction[Any], auto_defer: float | None) -> None:
        self.interaction = interaction
        self.auto_defer = auto_defer
        Exception.__init__(
            self,
            f"interaction {interaction.id} was deferred automatically: it was still unanswered "
            f"{auto_defer} s after it arrived (auto_defer), because the handler was slow or the click "
            "waited behind another one of the same session, and Discord allows no modal after a "
            "deferral. Open modals first in the handler, before any slow work; or raise the session "
            "class's auto_defer (below 3 s), or set it to None and answer in time yourself.",
        )


class DuplicateSessionKindError(NyxSessionsError, ValueError):
    """Two different session classes declared the same kind (or alias).

    Attributes
    ----------
    kind: :class:`str`
        The kind both claim.
    """

    def __init__(
        self, kind: str, existing: type, new: type, *, existing_alias: bool = False, new_alias: bool = False
    ) -> None:
        self.kind = kind
        holder = f"{existing.__module__}.{existing.__qualname__}"
        claimer = f"{new.__module__}.{new.__qualname__}"
        taken = f"{holder} lists it in aliases=" if existing_alias else f"it is the kind of {holder}"
        if existing_alias or new_alias:
            # An alias reads the records of an old kind: only one class can take them over.
            fix = (
                f"{claimer} {'lists it in aliases= too' if new_alias else 'declares it as its kind'}; "
                "the sessions stored under an old kind can come back as one class only: keep the "
                "name on the class that took them over, and remove it from the other"
            )
        else:
            fix = (
                f"{claimer} needs another kind (kinds are stable names chosen once: give the new class "
                "its own, and list a renamed class's old kind in aliases=)"
            )
        super().__init__(f"session kind {kind!r} is taken: {taken}; {fix}")


class SessionDataError(NyxSessionsError, TypeError):
    """A durable session's ``data`` cannot be stored (or a stored one cannot be read back).

    Attributes
    ----------
    session_id: :class:`str`
        The session.
    field: Optional[:class:`str`]
        The field of ``data`` at fault, when one can be named.

    The message names the session's class too, when the error comes from one (``owner``).
    """

    def __init__(
        self, session_id: str, detail: str, field: str | None = None, *, owner: str | None = None
    ) -> None:
        self.session_id = session_id
        self.field = field
        where = f"field {field!r} of " if field is not None else ""
        session = f"session {session_id!r}" + (f" ({owner})" if owner is not None else "")
        super().__init__(f"{session}: {where}its data cannot be stored: {detail}")


class SessionStoreError(NyxSessionsError, RuntimeError):
    """A session store failed: it is misconfigured, already in use, or cannot be reached."""


class ComponentLimitError(NyxSessionsError, ValueError):
    """A message or modal breaks one of Discord's component limits; raised before it is sent.

    Attributes
    ----------
    limit: :class:`str`
        The limit, as Discord states it ("40 components in a components v2 message").
    count: :class:`int`
        What the message or modal has.
    where: :class:`str`
        Which message or modal, and where in it.
    """

    def __init__(self, where: str, count: int, limit: str, what: str) -> None:
        self.where = where
        self.count = count
        self.limit = limit
        super().__init__(f"{where}: {count:,} {what}, Discord allows {limit}")


def _show_public_modules() -> None:
    """Name each class after the public module that exports it: tracebacks, ``repr`` and pickling
    then say ``nyx_sessions.errors.DuplicateSessionError``, never this private module."""
    for name in __all__:
        found = globals()[name]
        if isinstance(found, type):
            found.__module__ = "nyx_sessions.state" if issubclass(found, Enum) else "nyx_sessions.errors"


_show_public_modules()
