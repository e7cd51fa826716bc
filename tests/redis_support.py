"""A real ``redis-server`` for the tests, on a unix socket in a temporary folder (see conftest.py)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class RedisServer:
    """A ``redis-server`` of the test run, listening on a unix socket only."""

    process: subprocess.Popen[bytes]
    folder: Path
    socket: Path
    config: list[str]

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        """Start it again after :meth:`kill` (with AOF on, what it had comes back)."""
        self.process = spawn(self.config, self.socket)

    def kill(self) -> None:
        """``kill -9`` the server."""
        self.process.kill()
        self.process.wait(10)
        self.socket.unlink(missing_ok=True)


def spawn(config: list[str], socket: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(config, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while not socket.exists():
        if process.poll() is not None:
            raise RuntimeError(
                f"redis-server exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("redis-server did not open its socket within 10 s")
        time.sleep(0.01)
    return process
