"""spawns_session: a decorator for commands whose job is to start a session."""

from __future__ import annotations

import functools
import types
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from nyx_sessions.sessions.base import AbstractSession

__all__ = ("spawns_session",)

SessionT = TypeVar("SessionT", bound="AbstractSession[Any]")
P = ParamSpec("P")


# The callback's own signature and a coroutine return survive, so discord.py's typed decorators
# (bot.command, tree.command, ui.button) still accept the decorated function under mypy.
@overload
def spawns_session(
    func: Callable[P, Coroutine[Any, Any, SessionT]], /
) -> Callable[P, Coroutine[Any, Any, SessionT]]: ...
@overload
def spawns_session(
    *, wait: bool = False
) -> Callable[[Callable[P, Coroutine[Any, Any, SessionT]]], Callable[P, Coroutine[Any, Any, SessionT]]]: ...
def spawns_session(
    func: Callable[..., Coroutine[Any, Any, SessionT]] | None = None, /, *, wait: bool = False
) -> Any:
    """Start the session a command callback returns.

    Works under prefix, hybrid and app commands; put it below the command decorator::

        @bot.hybrid_command()
        @nyx_sessions.spawns_session
        async def mods(ctx: commands.Context) -> ModerationsSession:
            return ModerationsSession(bot, ctx, items=await load())

    The command keeps its parameters: discord.py reads the signature (and resolves annotations
    in the module that defined the callback) exactly as without the decorator.

    Parameters
    ----------
    wait: :class:`bool`
        Also wait for the session to end before the command returns (so command hooks such as
        ``after_invoke`` run after the conversation).
    """

    def decorate(
        callback: Callable[..., Coroutine[Any, Any, SessionT]],
    ) -> Callable[..., Coroutine[Any, Any, SessionT]]:
        async def run(*args: Any, **kwargs: Any) -> SessionT:
            session = await callback(*args, **kwargs)
            if await session.start() and wait:
                await session.wait()
            return session

        # discord.py resolves string annotations in the callback's __globals__ (app commands read
        # them off the function they are given), so the wrapper must share the user's globals.
        wrapper = types.FunctionType(
            run.__code__, callback.__globals__, callback.__name__, None, run.__closure__
        )
        functools.update_wrapper(wrapper, callback)
        return wrapper

    return decorate(func) if func is not None else decorate
