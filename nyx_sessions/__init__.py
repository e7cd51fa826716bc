"""nyx_sessions: interactive sessions for discord.py bots, as a Cog extension.

Load it with ``await bot.load_extension("nyx_sessions")``, subclass :class:`AbstractSession` (or use
:class:`ListPaginationSession` / :class:`StagePaginationSession`), and start sessions from commands
with :func:`spawns_session`.
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import TYPE_CHECKING

from nyx_sessions.codec import (
    CustomIdBuilder,
    CustomIdIterator,
    MetadatableCustomIdBuilder,
    PaginationCustomIdBuilder,
    SessionCustomIdCodec,
)
from nyx_sessions.cog import SessionCog, configure, get_session_manager
from nyx_sessions.errors import (
    AutoDeferredError,
    ComponentLimitError,
    CustomIdTooLongError,
    DuplicateSessionError,
    DuplicateSessionKindError,
    IllegalSessionStateError,
    InvalidCustomIdError,
    NyxSessionsError,
    SessionDataError,
    SessionMiddlewareError,
    SessionsNotLoadedError,
    SessionStartMiddlewareError,
    SessionStoreError,
    SessionUpdateMiddlewareError,
)
from nyx_sessions.events import EventBus, SessionEvent
from nyx_sessions.execution import (
    AllowAll,
    AndFilter,
    ErrorHandler,
    ExecutionOutcome,
    MiddlewareList,
    MiddlewareResponse,
    NotFilter,
    OrFilter,
    OwnerOnly,
    Priority,
    SessionExecutor,
    SessionStartFilter,
    SessionUpdateFilter,
)
from nyx_sessions.forms import Form, FormSession
from nyx_sessions.lifecycle.limits import LimitPolicy, SessionLimits
from nyx_sessions.manager import SessionManager
from nyx_sessions.messages import MESSAGES
from nyx_sessions.pagination import (
    NAVIGATION_TOKENS,
    ItemSource,
    ListPaginationSession,
    NavigationButton,
    PageContent,
    PageFormatter,
    PageNavigation,
    PaginationSession,
    SessionStage,
    SessionStartStage,
    StageFactory,
    StagePaginationSession,
)
from nyx_sessions.sessions import (
    AbstractSession,
    EndCode,
    ModalAnswer,
    ModalSubmission,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionLayoutView,
    SessionModal,
    SessionRecord,
    SessionState,
    SessionView,
    modal_values,
    on_button,
    on_modal,
    on_select,
    select_values,
)
from nyx_sessions.spawn import spawns_session
from nyx_sessions.storage import (
    ManualClock,
    MemorySessionRepository,
    MemorySessionStore,
    RedisSessionStore,
    SessionPromiseRepository,
    SessionRepository,
    SessionStore,
    SQLiteSessionStore,
    store_from_url,
)

__all__ = (
    "MESSAGES",
    "NAVIGATION_TOKENS",
    "AbstractSession",
    "AllowAll",
    "AndFilter",
    "AutoDeferredError",
    "ComponentLimitError",
    "CustomIdBuilder",
    "CustomIdIterator",
    "CustomIdTooLongError",
    "DuplicateSessionError",
    "DuplicateSessionKindError",
    "EndCode",
    "ErrorHandler",
    "EventBus",
    "ExecutionOutcome",
    "Form",
    "FormSession",
    "IllegalSessionStateError",
    "InvalidCustomIdError",
    "ItemSource",
    "LimitPolicy",
    "ListPaginationSession",
    "ManualClock",
    "MemorySessionRepository",
    "MemorySessionStore",
    "MetadatableCustomIdBuilder",
    "MiddlewareList",
    "MiddlewareResponse",
    "ModalAnswer",
    "ModalSubmission",
    "NavigationButton",
    "NotFilter",
    "NyxSessionsError",
    "OrFilter",
    "OwnerOnly",
    "PageContent",
    "PageFormatter",
    "PageNavigation",
    "PaginationCustomIdBuilder",
    "PaginationSession",
    "Priority",
    "RedisSessionStore",
    "SQLiteSessionStore",
    "SessionCog",
    "SessionCustomIdCodec",
    "SessionDataError",
    "SessionEndCode",
    "SessionEndData",
    "SessionEvent",
    "SessionExecutionMeta",
    "SessionExecutor",
    "SessionLayoutView",
    "SessionLimits",
    "SessionManager",
    "SessionMiddlewareError",
    "SessionModal",
    "SessionPromiseRepository",
    "SessionRecord",
    "SessionRepository",
    "SessionStage",
    "SessionStartFilter",
    "SessionStartMiddlewareError",
    "SessionStartStage",
    "SessionState",
    "SessionStore",
    "SessionStoreError",
    "SessionUpdateFilter",
    "SessionUpdateMiddlewareError",
    "SessionView",
    "SessionsNotLoadedError",
    "StageFactory",
    "StagePaginationSession",
    "configure",
    "get_session_manager",
    "modal_values",
    "on_button",
    "on_modal",
    "on_select",
    "select_values",
    "setup",
    "spawns_session",
    "store_from_url",
    "teardown",
)

if TYPE_CHECKING:
    from discord.ext import commands

try:
    __version__: str = _metadata.version("nyx-sessions")
    """The installed distribution's version (written once, in ``pyproject.toml``)."""
except _metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"


async def setup(bot: commands.Bot) -> None:
    """Extension entry point: add a :class:`SessionCog` with a default :class:`SessionManager`."""
    await bot.add_cog(SessionCog(bot))


async def teardown(bot: commands.Bot) -> None:
    """Extension exit point.

    discord.py removes the extension's cogs before calling this, and removing the
    :class:`SessionCog` already ended every live session with ``BOT_STOP``; so nothing is left to do.
    """
