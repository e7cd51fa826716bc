"""The offline playground: the example bot on a fake Discord, in a terminal.

``python -m example_bot`` without ``DISCORD_TOKEN`` starts it interactively; ``--script FILE``
replays a file of steps and prints the transcript (``example_bot/tour.txt`` visits every feature).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from example_bot.playground.driver import HELP, Playground, PlaygroundError

if TYPE_CHECKING:
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
        loop.run_until_complete(playground.start())
        if script is not None:
            loop.run_until_complete(playground.play(script.read_text(encoding="utf-8").splitlines()))
        else:
            _interact(loop, playground, console)
    except KeyboardInterrupt:
        console.print(Text("(interrupted)", "dim"))
    finally:
        loop.run_until_complete(playground.close())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    return 0


def _interact(loop: asyncio.AbstractEventLoop, playground: Playground, console: Console) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    console.print(Text(_BANNER.format(db=playground.db_path)))
    console.print(Text(HELP, "dim"))
    while True:
        try:
            step = console.input(Text(playground.prompt, "bold green"))
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
                answer = console.input(Text(f"  {number}. {field.label} › "))
                if answer == "/cancel":
                    loop.run_until_complete(playground.run("cancel"))
                    break
                if answer:
                    answers.append(f"{number}={answer}")
            else:
                loop.run_until_complete(playground.run(shlex.join(["fill", *answers])))
