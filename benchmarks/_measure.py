"""How the benchmarks measure: the clock, interleaved repetitions, child processes, and the sizes of a run."""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

__all__ = ("FULL", "QUICK", "Sizes", "cpu_clock", "in_own_process", "interleaved", "percentile")

_ROOT = Path(__file__).resolve().parents[1]

cpu_clock: Callable[[], float] = time.thread_time
"""CPU seconds of the event-loop thread.

The machine is shared: wall time would count other processes' work, this clock does not. Every
benchmark here is CPU-bound on one thread (no real I/O), so CPU time is what an interaction costs.
"""


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much work each benchmark does; :data:`FULL` for the published table, :data:`QUICK` for a smoke run.

    Attributes
    ----------
    routing_batch: :class:`int`
        Interactions per routing trial (and live sessions they spread over).
    routing_rounds: :class:`int`
        Interleaved rounds of routing trials; figures are their medians.
    instruction_clicks: :class:`int`
        Clicks counted under callgrind per routing side.
    instruction_processes: :class:`bool`
        Whether each routing side is counted in a process of its own (else one process counts them
        all in turn: a quick run, whose figures mean nothing, starts Python under valgrind once).
    codec_ops: :class:`int`
        Custom ids built or decoded per codec trial.
    codec_rounds: :class:`int`
        Interleaved rounds of codec trials.
    memory_objects: :class:`int`
        Idle sessions (and views) measured at once.
    scale: tuple[:class:`int`, ...]
        Live-session counts of the scale benchmark, smallest first (the first is the baseline).
    min_ttl: :class:`float`
        The shortest TTL the scale benchmark gives its sessions, in seconds.
    e2e_sessions: :class:`int`
        Sessions (and view messages) clicked through the testing kit.
    e2e_clicks: :class:`int`
        Clicks spread over them.
    e2e_blocks: :class:`int`
        Interleaved blocks the clicks of each side are cut into.
    """

    routing_batch: int
    routing_rounds: int
    instruction_clicks: int
    instruction_processes: bool
    codec_ops: int
    codec_rounds: int
    memory_objects: int
    scale: tuple[int, ...]
    min_ttl: float
    e2e_sessions: int
    e2e_clicks: int
    e2e_blocks: int


FULL = Sizes(
    routing_batch=200,
    routing_rounds=15,
    instruction_clicks=200,
    instruction_processes=True,
    codec_ops=10_000,
    codec_rounds=11,
    memory_objects=1_000,
    scale=(1_000, 10_000, 100_000),
    min_ttl=0.5,
    e2e_sessions=1_000,
    e2e_clicks=10_000,
    e2e_blocks=10,
)
"""The sizes the issue asks for; the whole run takes about three minutes."""

QUICK = Sizes(
    routing_batch=20,
    routing_rounds=3,
    instruction_clicks=3,
    instruction_processes=False,
    codec_ops=500,
    codec_rounds=3,
    memory_objects=100,
    scale=(100, 200, 400),
    min_ttl=0.05,
    e2e_sessions=10,
    e2e_clicks=40,
    e2e_blocks=2,
)
"""A few seconds: every row, none of the figures meaningful."""


async def interleaved(rounds: int, trials: Mapping[str, Callable[[], Awaitable[float]]]) -> dict[str, float]:
    """Run every trial once per round, rotating their order, and return each trial's median.

    Interleaving spreads slow moments of a shared machine over all trials instead of letting them
    land on one; rotating keeps any trial from always running first (cold caches, a fresh heap).

    Parameters
    ----------
    rounds: :class:`int`
        How many times each trial runs.
    trials: Mapping[:class:`str`, Callable[[], Awaitable[:class:`float`]]]
        Named trials; each returns one measurement.

    Returns
    -------
    dict[:class:`str`, :class:`float`]
        The median measurement of each trial, by name.
    """
    names = list(trials)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            samples[name].append(await trials[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` lie (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def in_own_process(module: str, *args: str, under: tuple[str, ...] = ()) -> str:
    """Run ``python -m module *args`` (prefixed by ``under``, a tool such as valgrind); return its stdout.

    A measurement that depends on the whole heap (garbage collections, loop stalls) runs in a process
    of its own, so it sees only what it built, not what earlier benchmarks left behind.

    Raises
    ------
    RuntimeError
        The process failed; the message holds its stderr.
    """
    process = await asyncio.create_subprocess_exec(
        *under,
        sys.executable,
        "-m",
        module,
        *args,
        cwd=_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{stderr.decode(errors='replace')}")
    return stdout.decode()
