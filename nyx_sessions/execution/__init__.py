"""The execution layer: middleware lists, filters, error handlers, notices and the executor."""

from __future__ import annotations

from nyx_sessions.execution.disabling import disabled_view_of
from nyx_sessions.execution.error_handler import ErrorConsumer, ErrorHandler, log_unhandled_error
from nyx_sessions.execution.executor import (
    DeniedHandler,
    ExecutableSession,
    ExecutionOutcome,
    MissingHandler,
    SessionExecutor,
    UpdateOutcome,
)
from nyx_sessions.execution.filters import (
    AllowAll,
    AndFilter,
    AnyFilter,
    NotFilter,
    OrFilter,
    OwnerOnly,
    SessionStartFilter,
    SessionUpdateFilter,
)
from nyx_sessions.execution.middleware import (
    FilterCheckMiddleware,
    MiddlewareList,
    MiddlewareResponse,
    Priority,
    StartMiddleware,
    StartMiddlewareList,
    UpdateMiddleware,
    UpdateMiddlewareList,
)
from nyx_sessions.execution.notices import (
    CHILD_OPEN_NOTICE,
    DENIED_NOTICE,
    ERROR_NOTICE,
    EXPIRED_NOTICE,
    START_DENIED_NOTICE,
    START_FAILED_NOTICE,
    STORE_UNAVAILABLE_NOTICE,
    default_denied_handler,
    default_missing_handler,
    send_notice,
)

__all__ = (
    "CHILD_OPEN_NOTICE",
    "DENIED_NOTICE",
    "ERROR_NOTICE",
    "EXPIRED_NOTICE",
    "START_DENIED_NOTICE",
    "START_FAILED_NOTICE",
    "STORE_UNAVAILABLE_NOTICE",
    "AllowAll",
    "AndFilter",
    "AnyFilter",
    "DeniedHandler",
    "ErrorConsumer",
    "ErrorHandler",
    "ExecutableSession",
    "ExecutionOutcome",
    "FilterCheckMiddleware",
    "MiddlewareList",
    "MiddlewareResponse",
    "MissingHandler",
    "NotFilter",
    "OrFilter",
    "OwnerOnly",
    "Priority",
    "SessionExecutor",
    "SessionStartFilter",
    "SessionUpdateFilter",
    "StartMiddleware",
    "StartMiddlewareList",
    "UpdateMiddleware",
    "UpdateMiddlewareList",
    "UpdateOutcome",
    "default_denied_handler",
    "default_missing_handler",
    "disabled_view_of",
    "log_unhandled_error",
    "send_notice",
)
