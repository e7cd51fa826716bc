"""Fixtures for the testing kit's own tests: the plugin's, with a bot that loads no extension.

The kit is tested with plain discord.py objects (cogs, views, modals, app and hybrid commands);
the session engine has its own tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from nyx_sessions.testing.plugin import bot, harness

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("bot", "bot_extensions", "harness")


@pytest.fixture
def bot_extensions() -> Sequence[str]:
    """No extension: each test adds the cogs, views and commands its story needs."""
    return ()
