"""A Redis store whose server does not answer at start: the bot starts, and the warning names the server.

The warning is what an operator reads when sessions say "try again": it names the server the client
connects to (so a wrong socket path or host shows), never the password in its URL.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from redis.asyncio import Redis

from nyx_sessions.storage import RedisSessionStore


async def test_a_dead_unix_socket_is_named_without_its_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    socket = tmp_path / "dead.sock"  # no server ever listened here
    store = RedisSessionStore.from_url(f"unix://nyx:hunter2@{socket}?db=3", namespace="unreachable")
    with caplog.at_level(logging.WARNING, logger="nyx_sessions.storage.redis_store"):
        await store.open()  # does not raise: the bot starts, and calls are tried again later
    await store.close()

    [warning] = [record.getMessage() for record in caplog.records if "does not answer" in record.getMessage()]
    assert f"unix://nyx:***@{socket}?db=3" in warning
    assert "hunter2" not in caplog.text


async def test_a_client_of_the_caller_is_named_by_host_and_port(caplog: pytest.LogCaptureFixture) -> None:
    # Port 1 on the loopback refuses at once; the password comes from the caller's own client.
    client = Redis.from_url("redis://:hunter2@127.0.0.1:1/0")
    store = RedisSessionStore(client, namespace="unreachable")
    with caplog.at_level(logging.WARNING, logger="nyx_sessions.storage.redis_store"):
        await store.open()
    await store.close()
    await client.aclose()

    assert "redis://:***@127.0.0.1:1/0 does not answer" in caplog.text
    assert "hunter2" not in caplog.text
