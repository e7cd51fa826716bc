"""A real ``redis-server`` for tests and benchmarks: started in a folder of its own, on a unix socket.

No TCP port, no system service: the server listens on ``<folder>/redis.sock`` only, keeps its
append-only file in the folder (fsynced on every write, so a ``kill -9`` loses nothing), and stops
with the test run. The program comes from the system (Debian: ``apt install redis-server``).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ("RedisServer",)


class RedisServer:
    """A ``redis-server`` process listening on a unix socket in ``folder``.

    Use :meth:`launch`; the ``redis_server`` fixture of the pytest plugin does, once per test run.

    Attributes
    ----------
    folder: :class:`pathlib.Path`
        Where its socket and append-only file are.
    socket: :class:`pathlib.Path`
        The unix socket it listens on.
    """

    __slots__ = ("_command", "_process", "folder", "socket")

    def __init__(self, command: list[str], folder: Path, socket_path: Path) -> None:
        self._command = command
        self.folder = folder
        self.socket = socket_path
        self._process: subprocess.Popen[bytes] | None = None

    @classmethod
    def launch(cls, folder: Path, *, program: str | None = None) -> RedisServer:
        """Start a server in ``folder`` (its path must be short: a socket path fits in 107 bytes).

        Raises
        ------
        FileNotFoundError
            ``redis-server`` is not installed.
        RuntimeError
            It did not start within 10 seconds.
        """
        program = program or shutil.which("redis-server")
        if program is None:
            raise FileNotFoundError("redis-server is not installed (Debian: apt install redis-server)")
        socket_path = folder / "redis.sock"
        command = [
            program,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--maxmemory-policy", "noeviction",
            "--enable-debug-command", "local",
        ]  # fmt: skip
        server = cls(command, folder, socket_path)
        server.start()
        return server

    @property
    def url(self) -> str:
        """The URL a client connects with: ``unix://<folder>/redis.sock``."""
        return f"unix://{self.socket}"

    @property
    def running(self) -> bool:
        """Whether the process runs."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the process (again, after :meth:`kill`: what it had comes back from its file).

        Raises
        ------
        RuntimeError
            It did not open its socket within 10 seconds.
        """
        process = subprocess.Popen(self._command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        # Ready once it answers PING: the socket opens before an append-only file is loaded back.
        while not self._answers():
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"redis-server exited: {error}")
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("redis-server did not answer on its socket within 10 s")
            time.sleep(0.01)
        self._process = process

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(1.0)
                client.connect(str(self.socket))
                client.sendall(b"PING\r\n")
                return client.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Kill the process at once (``kill -9``), as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None
        self.socket.unlink(missing_ok=True)

    def pause(self) -> None:
        """Freeze the process (``SIGSTOP``): it answers nothing, and runs what was sent meanwhile
        once :meth:`resume` thaws it, as a server stalled by the host or a long fork would."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Thaw a process :meth:`pause` froze (``SIGCONT``)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the process (``SIGTERM``) and wait for it."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def __repr__(self) -> str:
        return f"<RedisServer {self.url} running={self.running}>"
