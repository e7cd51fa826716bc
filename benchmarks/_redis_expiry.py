"""One of the processes sweeping Redis-stored sessions: ``python -m benchmarks._redis_expiry URL NAMESPACE``.

Run by :mod:`benchmarks.shared`, never on its own. The process starts a bot on the Redis store and
prints ``ready``; its sweeper runs from then on. It then reads ``BASE SPACING COUNT`` on stdin: the
session with id ``i`` is due at ``BASE + i * SPACING``. Once every deadline has passed and no
session is left to end, it prints one line of JSON: the ids it ended and how late each
``session_expire`` came after its deadline, in seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from typing import Any

from nyx_sessions import SessionEvent, get_session_manager
from nyx_sessions.storage import RedisSessionStore

from ._world import TestBot

__all__ = ("main",)


async def sweep(url: str, namespace: str) -> str:
    """Serve the store until every session is over; the JSON report."""
    store = RedisSessionStore.from_url(url, namespace=namespace)
    test_bot = await TestBot.create(sessions=True, store=store)
    ended: list[tuple[str, float]] = []

    def on_expire(session: Any, data: Any) -> None:
        ended.append((session.id, time.time()))

    get_session_manager(test_bot.bot).bus.subscribe(SessionEvent.EXPIRE, on_expire)
    print("ready", flush=True)
    try:
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        base, spacing, count = line.split()
        last = float(base) + int(count) * float(spacing)
        while time.time() < last + 1 or await store.next_deadline() is not None:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    finally:
        await test_bot.close()
    late = [at - (float(base) + int(session_id) * float(spacing)) for session_id, at in ended]
    return json.dumps({"ids": [session_id for session_id, _ in ended], "late": late})


def main(argv: list[str]) -> None:
    """Sweep the store ``argv[0]`` names under namespace ``argv[1]``; print the report."""
    logging.basicConfig(level=logging.ERROR)
    print(asyncio.run(sweep(*argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
