"""The kit's ``redis_server`` fixture, as a user's test suite meets it: a real server, or a clear
skip where the program is missing, which CI (``CI=true``) turns into a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nyx_sessions.storage import RedisSessionStore
from nyx_sessions.testing import RedisServer

_USER_TEST = """
pytest_plugins = ["nyx_sessions.testing"]

def test_it(redis_server):
    assert redis_server.running
"""


def _run_user_suite(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(_USER_TEST)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**{key: value for key, value in os.environ.items() if key != "CI"}, **env},
    )


def test_without_redis_server_the_tests_are_skipped_with_the_reason_and_fail_in_ci(tmp_path: Path) -> None:
    no_redis = str(Path(sys.executable).parent)  # python, and nothing else on the PATH
    skipped = _run_user_suite(tmp_path, PATH=no_redis)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout
    assert "redis-server is not installed (Debian: apt install redis-server)" in skipped.stdout

    failed = _run_user_suite(tmp_path, PATH=no_redis, CI="true")
    assert failed.returncode != 0 and "redis-server is not installed" in failed.stdout, failed.stdout


async def test_the_server_listens_on_a_unix_socket_only_and_keeps_its_data_across_a_kill(
    redis_server: RedisServer, redis_namespace: str
) -> None:
    store = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace)
    client = store.client
    assert await client.config_get("port") == {"port": "0"}, "no TCP port"
    await client.set(f"{{nyx:{redis_namespace}}}:probe", "kept")
    await client.aclose()
    redis_server.kill()
    redis_server.start()
    again = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace).client
    assert await again.get(f"{{nyx:{redis_namespace}}}:probe") == b"kept"
    await again.aclose()
