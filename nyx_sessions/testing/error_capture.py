"""Make errors fail the test: discord.py only logs errors in listeners, views, modals and commands."""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext.test import runner

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from discord.ext import commands

__all__ = ("ErrorRecorder", "ExpectedErrors")

# Dynamic item callbacks have no on_error: discord.py logs their errors on this logger. A session's
# error that no consumer of the bot's took reaches nyx_sessions' default handling, which logs it on
# the other (so does a consumer of the bot's that raised).
_LOGGERS = ("discord.ui.view", "nyx_sessions.execution.error_handler", "nyx_sessions.lifecycle.ending")


class _LoggedErrors(logging.Handler):
    def __init__(self, recorder: ErrorRecorder) -> None:
        super().__init__(logging.ERROR)
        self._recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self._recorder.record(record.exc_info[1])


def _uses_default_on_error(obj: object, base: Any) -> bool:
    """Whether ``obj`` handles errors with ``base``'s logging default (user handlers stay untouched)."""
    return "on_error" not in vars(obj) and getattr(type(obj), "on_error", None) is base.on_error


def _defining_class(cls: type, name: str) -> type:
    return next(klass for klass in cls.__mro__ if name in vars(klass))


class ExpectedErrors:
    """The errors an :meth:`InteractionHarness.expect_errors` block expected, and caught.

    Attributes
    ----------
    types: tuple[type[:class:`BaseException`], ...]
        The classes it expects.
    errors: list[:class:`BaseException`]
        The errors of those classes recorded inside the block, oldest first.
    """

    __slots__ = ("errors", "types")

    def __init__(self, types: tuple[type[BaseException], ...]) -> None:
        self.types = types
        self.errors: list[BaseException] = []

    @property
    def error(self) -> BaseException:
        """The first error caught (the block raises :class:`AssertionError` when there is none)."""
        return self.errors[0]


class ErrorRecorder:
    """Records the errors discord.py would only log, so ``settle()`` can raise them in the test.

    Only the *default* handlers are replaced: a bot, tree, view or modal with its own ``on_error``
    keeps it. Errors of hybrid and prefix commands come from dpytest's error queue.
    """

    __slots__ = ("_errors", "_expected", "_undo")

    def __init__(self) -> None:
        self._errors: list[BaseException] = []
        self._expected: list[ExpectedErrors] = []
        self._undo: list[Callable[[], None]] = []

    @property
    def errors(self) -> list[BaseException]:
        """The errors recorded and not raised yet, oldest first."""
        return self._errors

    def record(self, error: BaseException) -> None:
        """Remember ``error`` (once, however many hooks see it); an expected one goes to the
        :meth:`expect` block that expects it instead."""
        for expected in reversed(self._expected):
            if isinstance(error, expected.types):
                if not any(known is error for known in expected.errors):
                    expected.errors.append(error)
                return
        if not any(known is error for known in self._errors):
            self._errors.append(error)

    @contextlib.contextmanager
    def expect(self, *types: type[BaseException]) -> Iterator[ExpectedErrors]:
        """Take errors of ``types`` recorded inside the block out of those that fail the test.

        Raises
        ------
        AssertionError
            The block ended and no such error was recorded.
        """
        if not types or not all(isinstance(one, type) and issubclass(one, BaseException) for one in types):
            raise TypeError(f"expect_errors() takes exception classes, got {types!r}")
        expected = ExpectedErrors(types)
        self._expected.append(expected)
        try:
            yield expected
        finally:
            self._expected.remove(expected)
        if not expected.errors:
            names = " or ".join(one.__name__ for one in types)
            raise AssertionError(f"expected the block to raise {names} in a handler; nothing was raised")

    def install(self, bot: commands.Bot) -> None:
        """Replace the default error handlers of ``bot``, its tree, and views and modals."""

        async def on_client_error(event_method: str, /, *args: Any, **kwargs: Any) -> None:
            error = sys.exc_info()[1]
            if error is not None:
                self.record(error)

        async def on_tree_error(interaction: discord.Interaction, error: Exception, /) -> None:
            self.record(error)

        async def on_view_error(
            view: Any, interaction: discord.Interaction, error: Exception, _: Any, /
        ) -> None:
            self.record(error)

        async def on_modal_error(modal: Any, interaction: discord.Interaction, error: Exception, /) -> None:
            self.record(error)

        if _uses_default_on_error(bot, discord.Client):
            self._set_instance(bot, on_client_error)
        if _uses_default_on_error(bot.tree, app_commands.CommandTree):
            self._set_instance(bot.tree, on_tree_error)
        self._set_class(_defining_class(discord.ui.View, "on_error"), on_view_error)
        self._set_class(_defining_class(discord.ui.Modal, "on_error"), on_modal_error)

        handler = _LoggedErrors(self)
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            self._undo.append(lambda logger=logger: logger.removeHandler(handler))  # type: ignore[misc]

    def _set_instance(self, obj: Any, handler: Callable[..., Any]) -> None:
        obj.on_error = handler
        self._undo.append(lambda: delattr(obj, "on_error"))

    def _set_class(self, cls: Any, handler: Callable[..., Any]) -> None:
        original = vars(cls)["on_error"]
        cls.on_error = handler
        self._undo.append(lambda: setattr(cls, "on_error", original))

    def uninstall(self) -> None:
        """Put every original handler back."""
        while self._undo:
            self._undo.pop()()

    def collect_command_errors(self) -> None:
        """Move the errors dpytest queued for prefix and hybrid commands into the record.

        Not those a command's or its cog's own error handler took: discord.py's default handler
        leaves them to it too (one that raises again is logged, and recorded, as a listener's).
        """
        while not runner.error_queue.empty():
            context, error = runner.error_queue.get_nowait()
            command, cog = context.command, context.cog
            if (command is not None and command.has_error_handler()) or (
                cog is not None and cog.has_error_handler()
            ):
                continue
            self.record(error)

    def raise_first(self) -> None:
        """Raise the first recorded error (noting how many followed it) and forget them all."""
        if not self._errors:
            return
        first, *others = self._errors
        self._errors.clear()
        add_note = getattr(first, "add_note", None)
        if others and add_note is not None:
            add_note(f"{len(others)} more error(s) were recorded after it: {others!r}")
        raise first
