"""Every test folder drives bots through nyx_sessions' own testing kit.

Tests of the Redis store run against a real ``redis-server`` (Debian's package), started here on a
unix socket in a temporary folder: no TCP port, no system service. Without the program the tests
are skipped with the reason, except in CI (``CI=true``), where they fail: CI installs it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
from redis_support import RedisServer, spawn

pytest_plugins = ["nyx_sessions.testing"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real Redis for the run, with an append-only file (as production should run it)."""
    program = shutil.which("redis-server")
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed; .ci/run installs Debian's redis-server package")
        pytest.skip("redis-server is not installed (Debian: apt install redis-server)")
    # A short folder name: a unix socket's path has to fit in 107 bytes.
    folder = tmp_path_factory.mktemp("redis")
    socket = folder / "redis.sock"
    config = [
        program,
        "--port", "0",
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--dir", str(folder),
        "--save", "",
        "--appendonly", "yes",
        "--appendfsync", "always",
        "--maxmemory-policy", "noeviction",
        "--enable-debug-command", "local",
    ]  # fmt: skip
    server = RedisServer(spawn(config, socket), folder, socket, config)
    yield server
    server.process.terminate()
    server.process.wait(10)


@pytest.fixture
def redis_namespace() -> str:
    """A namespace of this test's own: tests share the server, never their keys."""
    return f"t{uuid.uuid4().hex[:12]}"
