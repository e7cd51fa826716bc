"""What every durable test starts from: no ends, loads or restores recorded by an earlier test; and,
for the stories told on both stores, an SQLite store in a temporary folder or a Redis store on a
real server (modules with stores of their own override these)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import durable_records
import pytest

from nyx_sessions.storage import RedisSessionStore, SessionStore, SQLiteSessionStore


@pytest.fixture(autouse=True)
def _fresh_records() -> None:
    durable_records.LOADS.clear()
    durable_records.ENDS.clear()
    durable_records.RESTORES.clear()
    durable_records.FORMS.clear()


@pytest.fixture
def redis_store_options() -> dict[str, Any]:
    """Options of the Redis store (``end_claim``, ``lease``, ...); a module overrides it."""
    return {}


@pytest.fixture(params=["sqlite", "redis"])
def session_store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_store_options: dict[str, Any]
) -> SessionStore:
    if request.param == "sqlite":
        return SQLiteSessionStore(tmp_path / "sessions.db")
    server = request.getfixturevalue("redis_server")
    namespace = request.getfixturevalue("redis_namespace")
    return RedisSessionStore.from_url(server.url, namespace=namespace, **redis_store_options)


@pytest.fixture
def bot_extensions() -> list[str]:
    return ["nyx_sessions", "durable_sessions"]
