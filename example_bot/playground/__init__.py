"""The offline playground: the example bot on a fake Discord, in a terminal.

``python -m example_bot`` without ``DISCORD_TOKEN`` starts it interactively; ``--script FILE``
replays a file of steps and prints the transcript (``example_bot/tour.txt`` visits every feature).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.text import Text

from example_bot.playground.driver import HELP, Playground, PlaygroundError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

    from nyx_sessions.metrics import PrometheusObserver

__all__ = ("TOUR", "Playground", "PlaygroundError", "run_playground")

TOUR = Path(__file__).resolve().parent.parent / "tour.txt"
"""A script that visits every feature of the example bot."""

_BANNER = """\
The nyx_sessions example bot, offline: a fake server "Nyx Playground" with #general, #support and
#mod-log, and the members alice, bob and carol. You are alice. Data is saved in {db}.
"""


def run_playground(
    db_path: str | Path,
    console: Console,
    *,
    script: Path | None = None,
    sessions: str | None = None,
    metrics: PrometheusObserver | None = None,
) -> int:
    """Run the playground: replay ``script`` when given, else read steps from the terminal.

    ``sessions`` is the store URL for durable sessions (:class:`~example_bot.bot.ExampleBot`);
    ``metrics`` the Prometheus observer the bot reports to (one on a registry of its own if not given).

    Ctrl-C or Ctrl-D (or ``quit``) stops it cleanly: the bot's sessions end and the database is
    closed.

    Returns
    -------
    :class:`int`
        The process exit status.
    """
    # A loop of our own, run one step at a time: the terminal is read while nothing else runs, so
    # Ctrl-C at the prompt is a plain KeyboardInterrupt.
    loop = asyncio.new_event_loop()
    playground = Playground(db_path, console, sessions=sessions, metrics=metrics)
    try:
        with _ctrl_c_deferred() as interrupted:
            loop.run_until_complete(playground.start())
        if interrupted:
            raise KeyboardInterrupt
        if script is not None:
            loop.run_until_complete(playground.play(script.read_text(encoding="utf-8").splitlines()))
        else:
            # Piped steps are not echoed by the terminal: print them, as a script's are.
            _interact(loop, playground, console, echo=not _is_terminal(sys.stdin))
    except KeyboardInterrupt:
        console.print(Text("(interrupted)", "dim"))
    finally:
        with _ctrl_c_deferred():
            loop.run_until_complete(playground.close())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
    return 0


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[list[int]]:
    """Let Ctrl-C wait until the block is done; the list it gives gets an item if it came.

    Starting and closing the bot must not stop half-way: Ctrl-C while the bot starts would leave
    its database connection open (whose thread then keeps the process from exiting) and the
    session store locked. A second Ctrl-C stops it anyway. At the prompt, and during a step, Ctrl-C
    stays a plain KeyboardInterrupt.
    """
    came: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # only the main thread has signals
        yield came
        return

    def later(number: int, frame: object) -> None:
        if came:
            raise KeyboardInterrupt
        came.append(number)

    previous = signal.signal(signal.SIGINT, later)
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, previous)


def _is_terminal(stream: IO[str] | None) -> bool:
    return stream is not None and not stream.closed and stream.isatty()


def _ask(console: Console, prompt: Text, *, echo: bool) -> str:
    """Read one line after ``prompt``; with ``echo``, show the line after it once read."""
    if not echo:
        return console.input(prompt)
    answer = console.input()
    console.print(Text.assemble(prompt, (answer, "bold")))
    return answer


def _interact(
    loop: asyncio.AbstractEventLoop, playground: Playground, console: Console, *, echo: bool
) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    console.print(Text(_BANNER.format(db=playground.db_path)))
    console.print(Text(HELP, "dim"))
    while True:
        try:
            step = _ask(console, Text(playground.prompt, "bold green"), echo=echo)
        except EOFError:
            return
        if not loop.run_until_complete(playground.run(step)):
            return
        fields = playground.form
        if fields is not None:
            console.print(
                Text("Type each value (Enter keeps the one shown, /cancel closes the form):", "dim")
            )
            answers = []
            for number, field in enumerate(fields, start=1):
                answer = _ask(console, Text(f"  {number}. {field.label} › "), echo=echo)
                if answer == "/cancel":
                    loop.run_until_complete(playground.run("cancel"))
                    break
                if answer:
                    answers.append(f"{number}={answer}")
            else:
                loop.run_until_complete(playground.run(shlex.join(["fill", *answers])))
