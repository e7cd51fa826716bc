"""Testing kit for bots using nyx_sessions: drive a dpytest bot with real interactions.

- :func:`apply` fixes dpytest 0.7.0 for discord.py 2.4+ (ids, ``Message.components``,
  reactions, role colours, ``Bot.close()``);
- :class:`InteractionHarness` injects real ``INTERACTION_CREATE`` payloads (clicks, selects,
  modal submits, slash commands), fakes Discord's interaction endpoints (:class:`FakeDiscord`),
  records every reply (:class:`Injected`, :class:`Reply`) and settles the tasks it started;
- a pytest plugin: ``pytest_plugins = ["nyx_sessions.testing"]`` gives the ``bot`` and
  ``harness`` fixtures (override ``bot_extensions``, ``bot_members``, ``session_clock`` and
  ``session_store`` to choose what the bot loads, how many members its guild has, the clock it runs
  on, and where its durable sessions live), and ``redis_server`` (a real ``redis-server`` on a unix
  socket, :class:`RedisServer`) with ``redis_namespace`` for tests of a ``RedisSessionStore``.

The kit raises its own ``AssertionError``s with full messages, so pytest need not rewrite it; the
marker below keeps pytest from warning when a conftest imports from here before naming the plugin:
PYTEST_DONT_REWRITE
"""

from __future__ import annotations

from nyx_sessions.storage import ManualClock

from .compat import apply, new_snowflake
from .fake_discord import FakeDiscord
from .harness import InteractionHarness, MessageRef, ModalRef, UserRef
from .inputs import ModalValue, OptionValue
from .plugin import (
    bot,
    bot_extensions,
    bot_members,
    close_test_bot,
    create_test_bot,
    harness,
    redis_namespace,
    redis_server,
    session_clock,
    session_observers,
    session_store,
)
from .records import Injected, Reply, ReplyKind
from .redis_server import RedisServer

__all__ = (
    "FakeDiscord",
    "Injected",
    "InteractionHarness",
    "ManualClock",
    "MessageRef",
    "ModalRef",
    "ModalValue",
    "OptionValue",
    "RedisServer",
    "Reply",
    "ReplyKind",
    "UserRef",
    "apply",
    "bot",
    "bot_extensions",
    "bot_members",
    "close_test_bot",
    "create_test_bot",
    "harness",
    "new_snowflake",
    "redis_namespace",
    "redis_server",
    "session_clock",
    "session_observers",
    "session_store",
)
