"""The example bot on the playground's fake guild, with a database per test and a clock the test moves."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import close_test_bot

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from example_bot.bot import ExampleBot


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "example.sqlite3"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def bot(db_path: Path, clock: ManualClock) -> AsyncIterator[ExampleBot]:
    """Overrides the testing kit's ``bot``: its ``harness`` fixture then drives the example bot."""
    from example_bot.playground.world import create_offline_bot

    example = await create_offline_bot(db_path, clock=clock)
    try:
        yield example
    finally:
        await close_test_bot(example)
