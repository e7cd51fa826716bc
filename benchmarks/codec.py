"""Benchmark 2: building and reading custom ids, against a :class:`discord.ui.DynamicItem` template.

The session id ``SSN୵<id>႞page႞7`` carries what the dynamic item's ``bench:<id>:page:7`` carries
(a namespace, a session id, an action and a page), read back by the template
``bench:(?P<session>[\\w-]+):(?P<action>\\w+):(?P<page>[0-9]+)``.

- build: ``session.component_id("page", 7)`` against the f-string a dynamic item is built with;
- route: reading the session id (what the router does on every interaction) against the
  template's ``fullmatch`` (what discord.py does for every registered dynamic item);
- decode: the session id and the tokens, against ``fullmatch`` and its groups.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._measure import Sizes, cpu_clock, interleaved
from ._report import Row
from ._world import BenchSession, TestBot

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from nyx_sessions import SessionCustomIdCodec

__all__ = ("run",)

_TEMPLATE = re.compile(r"bench:(?P<session>[\w-]+):(?P<action>\w+):(?P<page>[0-9]+)")


def _timed(ops: int, operation: Callable[[], object]) -> Callable[[], Awaitable[float]]:
    """A trial running ``operation`` ``ops`` times; it measures ns per call."""

    async def trial() -> float:
        started = cpu_clock()
        for _ in range(ops):
            operation()
        return (cpu_clock() - started) / ops * 1e9

    return trial


def _trials(
    session: BenchSession, codec: SessionCustomIdCodec, ops: int
) -> dict[str, Callable[[], Awaitable[float]]]:
    session_id = session.id
    custom_id = session.component_id("page", 7)
    dynamic_id = f"bench:{session_id}:page:7"
    if _TEMPLATE.fullmatch(dynamic_id) is None:
        raise AssertionError(f"the template cannot read {dynamic_id!r}: not an equivalent id")

    def decode() -> object:
        iterator = codec.create_iterator_from_custom_id(custom_id)
        return codec.deserialize_to_object_id(custom_id), None if iterator is None else iterator.tokens

    def match() -> object:
        found = _TEMPLATE.fullmatch(dynamic_id)
        return None if found is None else (found["session"], found["action"], found["page"])

    return {
        "build": _timed(ops, lambda: session.component_id("page", 7)),
        "format": _timed(ops, lambda: f"bench:{session_id}:page:{7}"),
        "route": _timed(ops, lambda: codec.deserialize_to_object_id(custom_id)),
        "fullmatch": _timed(ops, lambda: _TEMPLATE.fullmatch(dynamic_id)),
        "decode": _timed(ops, decode),
        "groups": _timed(ops, match),
    }


async def run(sizes: Sizes) -> list[Row]:
    """Measure the codec against the template, interleaved; return the table's rows."""
    test_bot = await TestBot.create(sessions=True)
    try:
        session = BenchSession(test_bot.bot, test_bot.start_interaction())
        codec = session.manager.codec
        got = await interleaved(sizes.codec_rounds, _trials(session, codec, sizes.codec_ops))
    finally:
        await test_bot.close()
    return [
        Row(
            "2. Custom id: build (`component_id`)",
            got["build"],
            "ns",
            "f-string of the template",
            got["format"],
        ),
        Row(
            "2. Custom id: read the session id (routing)",
            got["route"],
            "ns",
            "template `fullmatch`",
            got["fullmatch"],
        ),
        Row(
            "2. Custom id: read session id and tokens",
            got["decode"],
            "ns",
            "`fullmatch` + groups",
            got["groups"],
        ),
    ]
