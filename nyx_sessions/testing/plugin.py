"""The pytest plugin: a dpytest bot and an installed harness, one fresh pair per test.

Opt in from your top-level ``conftest.py``::

    pytest_plugins = ["nyx_sessions.testing"]

and choose the extensions the ``bot`` fixture loads by overriding ``bot_extensions``. Override
``session_clock`` to run the session manager and the fake Discord on a
:class:`~nyx_sessions.storage.ManualClock`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from typing import TYPE_CHECKING, Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext import commands
from discord.ext.test import runner

import nyx_sessions

from .compat import apply
from .harness import InteractionHarness
from .redis_server import RedisServer
from .tasks import describe_tasks

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator, Sequence

    from nyx_sessions.observers import SessionObserver
    from nyx_sessions.storage import Clock, SessionStore

__all__ = (
    "bot",
    "bot_extensions",
    "bot_members",
    "close_test_bot",
    "create_test_bot",
    "harness",
    "redis_namespace",
    "redis_server",
    "session_clock",
    "session_observers",
    "session_store",
)


async def create_test_bot(
    *,
    extensions: Sequence[str] = ("nyx_sessions",),
    prefix: str = "!",
    members: int = 2,
    clock: Clock | None = None,
    store: SessionStore | str | None = None,
    observers: Iterable[SessionObserver] | None = None,
) -> commands.Bot:
    """Create a :class:`commands.Bot` wired to dpytest's fake guild, then load ``extensions``.

    The bot has the members and message content intents, one guild with one text channel, one
    voice channel and ``members`` members. Extensions are loaded *after* ``dpytest.configure``,
    which replaces the connection state (views and the tree link added earlier would be lost).
    Call it inside the running event loop.

    Parameters
    ----------
    extensions: Sequence[str]
        Extensions to load, in order.
    prefix: str
        The command prefix.
    members: int
        How many members besides the bot.
    clock: Clock | None
        Passed to :func:`nyx_sessions.configure` before the extensions load, so the session manager
        measures expiry, automatic deferrals and token ages on it.
    store: SessionStore | str | None
        Where durable sessions live (passed to :func:`nyx_sessions.configure` as well).
    observers: Iterable[SessionObserver] | None
        Metrics or traces observers (passed to :func:`nyx_sessions.configure` as well).

    Returns
    -------
    commands.Bot
        The configured bot; close it with :func:`close_test_bot`.
    """
    apply()
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    test_bot = commands.Bot(command_prefix=prefix, intents=intents)
    # Gives the bot its loop; dpytest bots never log in.
    await test_bot._async_setup_hook()
    dpytest.configure(test_bot, members=members)
    state = test_bot._connection
    state._command_tree = test_bot.tree
    if state.application_id is None and test_bot.user is not None:
        state.application_id = test_bot.user.id
    nyx_sessions.configure(test_bot, store=store, clock=clock, observers=observers)
    try:
        for name in extensions:
            await test_bot.load_extension(name)
    except BaseException:
        # An extension that fails to load must not leave the ones before it running (a store's
        # connections and heartbeat would keep the test's event loop from ever finishing).
        await close_test_bot(test_bot)
        raise
    return test_bot


async def close_test_bot(test_bot: commands.Bot, *, timeout: float = 10.0) -> None:
    """Close the bot (its extensions and cogs are unloaded first) and empty dpytest's queues.

    Event handlers still running are waited for, at most ``timeout`` seconds; those still running
    then (a handler that never returns) are cancelled, so a test run never hangs on one. Safe to
    call twice.

    Raises
    ------
    TimeoutError
        Event handlers were still running after ``timeout`` seconds; the error names them.
    """
    try:
        await test_bot.close()
    finally:
        stuck = await _finish_events(timeout)
        for queue in (runner.sent_queue, runner.error_queue):
            while not queue.empty():
                queue.get_nowait()
    if stuck:
        raise TimeoutError(
            f"close_test_bot() gave up after {timeout} s on event handlers that never returned "
            f"(now cancelled):\n{describe_tasks(stuck)}"
        )


async def _finish_events(timeout: float) -> list[asyncio.Task[Any]]:
    """Wait for discord.py's running event handlers; cancel and return those left after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    current = asyncio.current_task()
    while True:
        running = [
            task
            for task in asyncio.all_tasks()
            if task is not current
            and not task.done()
            and getattr(task.get_coro(), "__name__", "") == "_run_event"
        ]
        remaining = deadline - loop.time()
        if not running:
            return []
        if remaining <= 0:
            for task in running:
                task.cancel()
            await asyncio.wait(running, timeout=1.0)
            return running
        await asyncio.wait(running, timeout=remaining)


@pytest.fixture
def bot_extensions() -> Sequence[str]:
    """The extensions the ``bot`` fixture loads; override it to load your bot's cogs."""
    return ("nyx_sessions",)


@pytest.fixture
def session_clock() -> Clock | None:
    """The clock the ``bot`` and ``harness`` fixtures run on; ``None``: the system clock.

    Override it to return a :class:`~nyx_sessions.storage.ManualClock`: the session manager (expiry,
    automatic deferrals, token ages) and the fake Discord (its 3-second and 15-minute deadlines)
    then share it, and ``clock.advance(seconds)`` moves them without sleeping.
    """
    return None


@pytest.fixture
def bot_members() -> int:
    """How many members (besides the bot) the ``bot`` fixture's guild has; override it for more."""
    return 2


@pytest.fixture
def session_store() -> SessionStore | str | None:
    """The store the ``bot`` fixture keeps durable sessions in; ``None``: none (override it).

    Return one store object, not a URL, to restart the bot onto the same store within a test
    (:meth:`InteractionHarness.restart`).
    """
    return None


@pytest.fixture
def session_observers() -> Sequence[SessionObserver]:
    """The observers the ``bot`` fixture's session manager reports to; none by default (override it)."""
    return ()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real ``redis-server`` for the test run, on a unix socket in a temporary folder.

    Without the program the tests that use it are skipped with the reason, except when the
    ``CI`` environment variable is ``true``: there they fail, since CI is meant to install it.
    """
    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed (Debian: apt install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    server = RedisServer.launch(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_namespace() -> str:
    """A namespace of this test's own for a ``RedisSessionStore``: tests share the server, not keys."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest_asyncio.fixture
async def bot(
    bot_extensions: Sequence[str],
    bot_members: int,
    session_clock: Clock | None,
    session_store: SessionStore | str | None,
    session_observers: Sequence[SessionObserver],
) -> AsyncIterator[commands.Bot]:
    """A fresh dpytest bot (prefix ``!``) with ``bot_members`` members and ``bot_extensions`` loaded.

    ``nyx_sessions.configure(bot, clock=session_clock)`` runs before the extensions load, so an
    extension that reads the session manager in its ``setup()`` finds it on that clock.
    """
    test_bot = await create_test_bot(
        extensions=bot_extensions,
        members=bot_members,
        clock=session_clock,
        store=session_store,
        observers=session_observers,
    )
    try:
        yield test_bot
    finally:
        await close_test_bot(test_bot)


@pytest_asyncio.fixture
async def harness(bot: commands.Bot, session_clock: Clock | None) -> AsyncIterator[InteractionHarness]:
    """An :class:`InteractionHarness` installed on ``bot``.

    At teardown it settles (raising errors the test left behind), closes the bot while the fake
    Discord still answers (extensions may edit messages on shutdown), settles again, uninstalls.
    """
    test_harness = InteractionHarness(bot, clock=session_clock).install()
    try:
        yield test_harness
        if test_harness.installed:
            await test_harness.settle()
            await close_test_bot(bot)
            await test_harness.settle()
    finally:
        test_harness.uninstall()
