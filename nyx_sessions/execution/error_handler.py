"""ErrorHandler: routes an error raised while running a session to the consumer registered for it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from nyx_sessions._utils import maybe_await

__all__ = ("ErrorConsumer", "ErrorHandler", "log_unhandled_error")

# The logger the public contract names, so users configure one logger for the whole package.
_log = logging.getLogger(__name__)

ErrorConsumer = Callable[..., object]
"""``consumer(error, session, *args)``, a function or a coroutine function.

``args`` are ``(meta)`` for start errors, ``(interaction, meta)`` for update errors and
``(data, meta)`` for end errors.
"""


def log_unhandled_error(error: BaseException, session: Any, *args: Any) -> None:
    """Log ``error`` with its traceback on the ``nyx_sessions`` logger.

    This is the default :attr:`ErrorHandler.fallback`.

    Parameters
    ----------
    error: :class:`BaseException`
        The error.
    session: :class:`~nyx_sessions.AbstractSession`
        The session it was raised for.
    *args
        The handler's extra arguments (unused).
    """
    _log.error(
        "Unhandled %s in session %s: %s",
        type(error).__name__,
        getattr(session, "id", session),
        error,
        exc_info=(type(error), error, error.__traceback__),
    )


class ErrorHandler:
    """Routes errors to consumers keyed by exception class.

    :meth:`handle` walks the error's MRO from the most specific class to the least and calls the
    first consumer registered for one of them, or :attr:`fallback` when there is none. Consumers
    that raise are logged; :meth:`handle` itself never raises.

    Parameters
    ----------
    fallback: Optional[ErrorConsumer]
        The consumer for errors no registered class matches; by default
        :func:`log_unhandled_error`.
    """

    __slots__ = ("_consumers", "_fallback")

    def __init__(self, *, fallback: ErrorConsumer | None = None) -> None:
        self._consumers: dict[type[BaseException], ErrorConsumer] = {}
        self._fallback: ErrorConsumer = log_unhandled_error if fallback is None else fallback

    @property
    def consumers(self) -> Mapping[type[BaseException], ErrorConsumer]:
        """Mapping[Type[:class:`BaseException`], ErrorConsumer]: A read-only view of the consumers."""
        return MappingProxyType(self._consumers)

    @property
    def fallback(self) -> ErrorConsumer:
        """ErrorConsumer: Called for errors that no registered class matches."""
        return self._fallback

    @fallback.setter
    def fallback(self, consumer: ErrorConsumer) -> None:
        self._fallback = consumer

    def set_consumer(self, exc_type: type[BaseException], consumer: ErrorConsumer) -> None:
        """Register ``consumer`` for ``exc_type`` and its subclasses, replacing any previous one.

        Parameters
        ----------
        exc_type: Type[:class:`BaseException`]
            The exception class.
        consumer: ErrorConsumer
            Called ``consumer(error, session, *args)``; a function or a coroutine function.

        Raises
        ------
        TypeError
            ``exc_type`` is not an exception class.
        """
        if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
            raise TypeError(f"set_consumer needs an exception class, got {exc_type!r}")
        self._consumers[exc_type] = consumer

    def remove_consumer(self, exc_type: type[BaseException]) -> bool:
        """Unregister the consumer of exactly ``exc_type``.

        Returns
        -------
        :class:`bool`
            Whether one was registered.
        """
        return self._consumers.pop(exc_type, None) is not None

    def has_consumer(self, exc_type: type[BaseException]) -> bool:
        """Return whether a consumer is registered for exactly ``exc_type`` (not a base class)."""
        return exc_type in self._consumers

    def clear(self) -> None:
        """Unregister every consumer; the fallback stays."""
        self._consumers.clear()

    def consumer_for(self, error: BaseException) -> ErrorConsumer:
        """Return the consumer :meth:`handle` would call for ``error``.

        Returns
        -------
        ErrorConsumer
            The consumer of the most specific registered class in the error's MRO, or the fallback.
        """
        for cls in type(error).__mro__:
            consumer = self._consumers.get(cls)
            if consumer is not None:
                return consumer
        return self._fallback

    async def handle(self, error: BaseException, session: Any, *args: Any) -> None:
        """Give ``error`` to its consumer; log the consumer's own failure instead of raising it.

        Parameters
        ----------
        error: :class:`BaseException`
            The error.
        session: :class:`~nyx_sessions.AbstractSession`
            The session it was raised for.
        *args
            ``(meta)``, ``(interaction, meta)`` or ``(data, meta)``.
        """
        consumer = self.consumer_for(error)
        try:
            await maybe_await(consumer(error, session, *args))
        except Exception:
            _log.exception(
                "Error consumer %r raised while handling %s in session %s: %r",
                consumer,
                type(error).__name__,
                getattr(session, "id", session),
                error,
            )

    def __repr__(self) -> str:
        names = ", ".join(cls.__name__ for cls in self._consumers)
        return f"<ErrorHandler consumers=[{names}]>"
