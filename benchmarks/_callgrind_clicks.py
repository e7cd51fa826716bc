"""Clicks for callgrind to count: ``python -m benchmarks._callgrind_clicks SIDE[,SIDE...] CLICKS``.

Run by :mod:`benchmarks.instructions` under ``valgrind --tool=callgrind``, never on its own. It
builds one routing bot (see :data:`benchmarks.routing.SIDES`), warms it up, then gives it ``CLICKS``
payloads one at a time, marking each click with three system calls that callgrind is told to act
on, since Python code cannot reach callgrind otherwise:

- ``os.getuid()`` just before the payload is handed over: counters zeroed;
- ``os.getgid()`` as the handler reports to the probe: counters dumped (the click's latency);
- ``os.getegid()`` once whatever the click started has run: counters dumped (its follow-up work).

The garbage collector is off while clicks are counted: a collection would land on whichever click
happened to trigger it and count there.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys

from ._world import PROBE, instant_webhooks
from .routing import SIDES

__all__ = ("MARKS", "main")

MARKS = {"zero": "getuid", "handled": "getgid", "settled": "getegid"}
"""The C functions that mark a click, by what they mark (what callgrind's options name)."""

_WARM_UP = 50
"""Uncounted clicks first (fewer when fewer are counted): first calls fill caches."""


async def _click(side_name: str, clicks: int) -> None:
    side = await SIDES[side_name]()
    parse = side.test_bot.state.parse_interaction_create
    try:
        for counted, payloads in ((False, side.batch(min(_WARM_UP, clicks))), (True, side.batch(clicks))):
            gc.collect()
            gc.disable()
            PROBE.mark = os.getgid if counted else None
            for payload in payloads:
                PROBE.expect(1)
                if counted:
                    os.getuid()
                parse(payload)
                await PROBE.wait()
                await asyncio.sleep(0)
                if counted:
                    os.getegid()
            PROBE.mark = None
            gc.enable()
    finally:
        await side.test_bot.close()


async def _click_each(side_names: list[str], clicks: int) -> None:
    for side_name in side_names:
        await _click(side_name, clicks)


def main(argv: list[str]) -> None:
    """Click ``argv[1]`` times on each routing side ``argv[0]`` names (comma-separated), in turn."""
    side_names, clicks = argv
    logging.basicConfig(level=logging.ERROR)
    with instant_webhooks():
        asyncio.run(_click_each(side_names.split(","), int(clicks)))


if __name__ == "__main__":
    main(sys.argv[1:])
