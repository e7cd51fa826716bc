"""Benchmark 1, counted: routing in CPU instructions, which a shared machine cannot disturb.

The routing benchmark's microseconds move by a third between runs on a busy machine (the same
listener measured 67 and 141 µs on two days); the instructions a click executes do not. Each of
the routing bots (:data:`benchmarks.routing.SIDES`) runs in its own process under valgrind's
callgrind, which counts every instruction the process executes; the same work gives the same
count within half a percent, whatever else the machine does. :mod:`benchmarks._callgrind_clicks`
marks each click, and callgrind dumps its counters at the marks:

- latency: instructions from handing over the payload to the handler reporting back;
- full cost: the same, plus the work the click started after its handler returned (for sessions:
  the TTL refresh and the update event).

Figures are medians over the clicks. Without ``valgrind`` on the PATH the section reports nothing
and says so.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ._callgrind_clicks import MARKS
from ._measure import in_own_process
from ._report import Row

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._measure import Sizes

__all__ = ("available", "run")

_TRIGGER = re.compile(r"^desc: Trigger: --dump-before=(\w+)$", re.MULTILINE)
_SUMMARY = re.compile(r"^(?:summary|totals): (\d+)$", re.MULTILINE)
_VIEW = "persistent `ui.View`"
# The targets the blocked benchmarks issue settled: every guarantee API.md makes per click costs
# instructions a View does not spend, and the least listener router (0.99x a View) is the floor.
_VIEW_RATIO = 1.12
_DYNAMIC_RATIO = 0.80
# Issue 25: a page turn rendered as a components v2 layout against the same turn as an embed.
_V2_PAGE_RATIO = 1.10
# Issue 27: observers cost nothing when there are none.
_NO_OBSERVER_RATIO = 1.005


def available() -> bool:
    """Whether callgrind can run here (``valgrind`` on the PATH)."""
    return shutil.which("valgrind") is not None


async def _count(sides: Sequence[str], clicks: int, slots: asyncio.Semaphore) -> list[tuple[float, float]]:
    """Median (latency, full cost) instructions of ``clicks`` clicks on each of ``sides``, in turn."""
    with tempfile.TemporaryDirectory(prefix="nyx-callgrind-") as folder:
        callgrind = (
            "valgrind",
            "--tool=callgrind",
            f"--zero-before={MARKS['zero']}",
            f"--dump-before={MARKS['handled']}",
            f"--dump-before={MARKS['settled']}",
            f"--callgrind-out-file={folder}/click",
        )
        async with slots:
            await in_own_process(
                "benchmarks._callgrind_clicks", ",".join(sides), str(clicks), under=callgrind
            )
        dumps = _read_dumps(Path(folder))
    handled = dumps[MARKS["handled"]]
    settled = dumps[MARKS["settled"]]
    expected = clicks * len(sides)
    if len(handled) != expected or len(settled) != expected:
        marks = f"{len(handled)} handled and {len(settled)} settled marks"
        raise RuntimeError(f"callgrind run of {sides!r}: {marks} for {clicks} clicks each")
    medians = []
    for first in range(0, expected, clicks):
        latency = handled[first : first + clicks]
        full = [one + rest for one, rest in zip(latency, settled[first : first + clicks], strict=True)]
        medians.append((statistics.median(latency), statistics.median(full)))
    return medians


def _read_dumps(folder: Path) -> dict[str, list[int]]:
    """Instruction totals of callgrind's dumps, by the mark that triggered them, in dump order."""
    by_mark: dict[str, list[int]] = {mark: [] for mark in MARKS.values()}
    numbered = (path for path in folder.iterdir() if path.suffix[1:].isdigit())
    for path in sorted(numbered, key=lambda path: int(path.suffix[1:])):
        text = path.read_text(encoding="utf-8")
        trigger, total = _TRIGGER.search(text), _SUMMARY.search(text)
        if trigger is not None and total is not None and trigger[1] in by_mark:
            by_mark[trigger[1]].append(int(total[1]))
    return by_mark


async def run(sizes: Sizes) -> list[Row]:
    """Count the routing sides' instructions, a process per core at once; return the rows."""
    slots = asyncio.Semaphore(max(1, min(4, os.cpu_count() or 1)))
    names = (
        "session",
        "view",
        "dynamic",
        "listener",
        "session-no-middleware",
        "least-router",
        "pages-classic",
        "pages-v2",
        "session-observers-none",
        "session-prometheus",
        "session-otel-api",
        "session-otel-sdk",
    )
    clicks = sizes.instruction_clicks
    if sizes.instruction_processes:
        counted = [
            one for (one,) in await asyncio.gather(*(_count((name,), clicks, slots) for name in names))
        ]
    else:
        counted = await _count(names, clicks, slots)
    counts = dict(zip(names, counted, strict=True))
    (session, session_full), (view, view_full) = counts["session"], counts["view"]
    dynamic, listener = counts["dynamic"][0], counts["listener"][0]
    unfiltered, least = counts["session-no-middleware"][0], counts["least-router"][0]
    classic_page, v2_page = counts["pages-classic"][0], counts["pages-v2"][0]
    latency_label = "1. Routing in instructions (callgrind): payload → handler returned, per click"
    observed_label = "1. Observers in instructions (callgrind): payload → handler returned, per click,"
    observed = [
        Row(
            f"{observed_label} {what}",
            counts[side][0],
            "count",
            "the bare session click",
            session,
            # Issue 27: configured without observers, a click costs what it cost before observers.
            f"≤ {_NO_OBSERVER_RATIO:.3f}" if side == "session-observers-none" else "",
            counts[side][0] <= _NO_OBSERVER_RATIO * session if side == "session-observers-none" else None,
        )
        for side, what in (
            ("session-observers-none", "no observer (observers=[])"),
            ("session-prometheus", "PrometheusObserver"),
            ("session-otel-api", "OpenTelemetryObserver, API only (no SDK)"),
            ("session-otel-sdk", "OpenTelemetryObserver on the SDK (spans processed, then dropped)"),
        )
    ]
    return [
        Row(
            latency_label,
            session,
            "count",
            _VIEW,
            view,
            f"≤ {_VIEW_RATIO:.2f}",
            session <= _VIEW_RATIO * view,
        ),
        Row(
            latency_label,
            session,
            "count",
            "`DynamicItem`",
            dynamic,
            f"≤ {_DYNAMIC_RATIO:.2f}",
            session <= _DYNAMIC_RATIO * dynamic,
        ),
        Row(latency_label, session, "count", "`on_interaction` listener that only defers", listener),
        Row(f"{latency_label}, no update middleware (no owner filter)", unfiltered, "count", _VIEW, view),
        Row(
            f"{latency_label}, the least a listener router does (read the id, find the session, check"
            " the owner; not nyx_sessions)",
            least,
            "count",
            _VIEW,
            view,
        ),
        Row(
            "1. Routing in instructions (callgrind): full cost per click (TTL refresh, events)",
            session_full,
            "count",
            _VIEW,
            view_full,
        ),
        Row(
            "1. Page turn in instructions (callgrind): a list session's components v2 page, payload →"
            " message edited",
            v2_page,
            "count",
            "the same turn to a classic (embed) page",
            classic_page,
            f"≤ {_V2_PAGE_RATIO:.2f}",
            v2_page <= _V2_PAGE_RATIO * classic_page,
        ),
        *observed,
    ]
