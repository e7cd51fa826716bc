"""The durable expiry pass in a process of its own: ``python -m benchmarks._durable_expiry COUNT TTL``.

Run by :mod:`benchmarks.durable`, never on its own; prints one line of JSON. A process of its own
for the reason the scale benchmark's passes have one: lateness at this size depends on the heap.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from .durable import expiry_pass

__all__ = ("main",)


def main(argv: list[str]) -> None:
    """Expire ``argv[0]`` durable sessions with a TTL of ``argv[1]`` seconds; print the JSON."""
    count, ttl = argv
    logging.basicConfig(level=logging.ERROR)
    print(asyncio.run(expiry_pass(int(count), float(ttl))))


if __name__ == "__main__":
    main(sys.argv[1:])
