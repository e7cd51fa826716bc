"""``python -m benchmarks``: run every benchmark and print the table (``--quick`` for a smoke run)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from . import codec, durable, end_to_end, instructions, memory, routing, scale, shared
from ._measure import FULL, QUICK, Sizes
from ._report import Row, machine_details, render

__all__ = ("main",)

_SECTIONS = {
    "routing": routing.run,
    "instructions": instructions.run,
    "codec": codec.run,
    "memory": memory.run,
    "scale": scale.run,
    "e2e": end_to_end.run,
    "durable": durable.run,
    "shared": shared.run,
}
"""The sections in table order."""

_RUN_LAST = "scale"
"""Run after the others: its 100,000-session passes leave a large heap behind, which slowed the
section run after it by half (end to end: 1.2x the View standalone, 1.8x right after scale)."""


async def _run_all(sizes: Sizes, only: list[str]) -> list[Row]:
    chosen = [name for name in _SECTIONS if not only or name in only]
    if "instructions" in chosen and not instructions.available():
        chosen.remove("instructions")
        print("  instructions: skipped, valgrind is not installed", file=sys.stderr, flush=True)
    if "shared" in chosen and not shared.available():
        chosen.remove("shared")
        print("  shared: skipped, redis-server is not installed", file=sys.stderr, flush=True)
    rows: dict[str, list[Row]] = {}
    for name in sorted(chosen, key=lambda name: name == _RUN_LAST):
        started = time.perf_counter()
        rows[name] = await _SECTIONS[name](sizes)
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return [row for name in chosen for row in rows[name]]


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the benchmarks and print the Markdown table to stdout."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: every row in seconds, figures meaningless"
    )
    parser.add_argument(
        "--only", action="append", choices=list(_SECTIONS), default=[], help="run one benchmark"
    )
    args = parser.parse_args(argv)
    # Sessions ended by the benchmarks' bot shutdowns must not flood the output.
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    rows = asyncio.run(_run_all(QUICK if args.quick else FULL, args.only))
    print(f"nyx_sessions benchmarks{' (--quick)' if args.quick else ''}")
    print(machine_details())
    print("Times are CPU time of the event-loop thread; medians of interleaved repetitions.")
    print("Instruction counts are callgrind's, per click; medians over the clicks.")
    print("Ratio = nyx_sessions / baseline (below 1.00: nyx_sessions costs less).\n")
    print(render(rows))
    print(f"\nTotal: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
