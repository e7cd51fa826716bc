"""``python -m example_bot``: the example bot on Discord, or offline in a terminal playground.

With ``DISCORD_TOKEN`` set it connects to Discord; without it (or with ``--offline`` or
``--script``) it runs the playground, which needs no network.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from prometheus_client import start_http_server
from rich.console import Console

from example_bot.bot import ExampleBot
from example_bot.playground import TOUR, run_playground
from nyx_sessions.metrics import PrometheusObserver

__all__ = ("DEFAULT_DB", "main")

DEFAULT_DB = Path("example_bot.sqlite3")
"""Where the data goes unless ``--db`` or ``NYX_EXAMPLE_DB`` says otherwise."""

_TOUR_NAME = TOUR.relative_to(TOUR.parent.parent).as_posix()  # as typed from a clone's root


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m example_bot",
        description="The nyx_sessions example bot. Set DISCORD_TOKEN to run it on Discord; "
        "without it, an offline playground starts.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"the SQLite database file, created on first run (env NYX_EXAMPLE_DB; default {DEFAULT_DB}; "
        "the tour runs on a fresh one of its own unless given one)",
    )
    parser.add_argument(
        "--sessions",
        metavar="URL",
        default=os.environ.get("NYX_EXAMPLE_SESSIONS") or None,
        help="where durable sessions are stored: a store URL such as "
        "redis://localhost:6379/0?namespace=example, so that several copies of the bot share them "
        "(env NYX_EXAMPLE_SESSIONS; default a SQLite file beside the database)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="run the playground even with DISCORD_TOKEN set"
    )
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="replay the playground steps in FILE and print the transcript "
        f"(try {_TOUR_NAME}, which --tour replays)",
    )
    parser.add_argument(
        "--tour", action="store_true", help="replay the guided tour of every feature (on a fresh database)"
    )
    parser.add_argument(
        "--sync", action="store_true", help="sync the slash commands with Discord on start-up"
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        metavar="N",
        default=None,
        help="serve the sessions' Prometheus metrics on http://0.0.0.0:N/metrics (the playground too)",
    )
    args = parser.parse_args(argv)
    script: Path | None = args.script
    if script is not None and not (script.is_file() and os.access(script, os.R_OK)):
        # Refused here, like a bad option, rather than as a traceback once the bot has started.
        why = "no such file" if not script.exists() else "not a readable file"
        parser.error(f"--script {script}: {why} (the tour is {_TOUR_NAME})")
    return args


def _serve_metrics(port: int | None) -> PrometheusObserver | None:
    """A Prometheus observer on prometheus-client's default registry, served on ``port``; or none."""
    if port is None:
        return None
    observer = PrometheusObserver()
    start_http_server(port)
    logging.getLogger("example_bot").info("Metrics on http://0.0.0.0:%d/metrics", port)
    return observer


def main(argv: list[str] | None = None) -> int:
    """Run the bot (or the playground) until it is stopped; returns the exit status."""
    args = _arguments(argv)
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    script = TOUR if args.tour else args.script
    named = args.db or os.environ.get("NYX_EXAMPLE_DB")
    metrics = _serve_metrics(args.metrics_port)
    if args.tour and not named:
        # The tour tells a story from an empty server: a second run on the same data would find
        # the first run's categories and sessions, and its steps would no longer fit.
        with tempfile.TemporaryDirectory(prefix="nyx-example-tour-") as folder:
            return run_playground(
                Path(folder) / "tour.sqlite3",
                Console(highlight=False),
                script=script,
                sessions=args.sessions,
                metrics=metrics,
            )
    args.db = Path(named or DEFAULT_DB)
    if script is not None or args.offline or not token:
        return run_playground(
            args.db, Console(highlight=False), script=script, sessions=args.sessions, metrics=metrics
        )
    # Ctrl-C: discord.py's run() closes the bot, which ends every session and closes the database.
    observers = () if metrics is None else (metrics,)
    bot = ExampleBot(args.db, sessions=args.sessions, sync_commands=args.sync, observers=observers)
    bot.run(token, log_level=logging.INFO, root_logger=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
