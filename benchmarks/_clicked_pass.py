"""A clicked expiry pass in a process of its own: ``python -m benchmarks._clicked_pass SIDE COUNT GC``

Run by :mod:`benchmarks.scale`, never on its own. ``SIDE`` is ``sessions`` (``COUNT`` sessions,
each clicked once through discord.py, expiring; then the full-collection timings) or ``views``
(discord.py's own: ``COUNT`` views with a timeout, each sent and clicked once, timing out). ``GC``
is ``collector`` (CPython's garbage collector as it runs by default) or ``no-collector`` (disabled
for the pass). The figures are printed as one line of JSON on stdout.

A process of its own because lateness at this size is set by CPython's full garbage collections,
which walk every object the process holds: in the benchmark's main process they would also walk
what the earlier benchmarks left behind, and each pass would pay for the other's leftovers.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from .scale import clicked_pass

__all__ = ("main",)


_COLLECTOR = {"collector": True, "no-collector": False}


def main(argv: list[str]) -> None:
    """Run the pass of side ``argv[0]`` with ``argv[1]`` sessions or views; print its JSON."""
    side, count, collector = argv
    # Sessions ended by the bot's shutdown must not flood the output.
    logging.basicConfig(level=logging.ERROR)
    print(asyncio.run(clicked_pass(side, int(count), collector=_COLLECTOR[collector])))


if __name__ == "__main__":
    main(sys.argv[1:])
