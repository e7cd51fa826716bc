"""The table the benchmarks print: one row per figure, each beside its same-run baseline."""

from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass
from importlib import metadata

__all__ = ("Row", "machine_details", "render")


@dataclass(frozen=True, slots=True)
class Row:
    """One figure of the table.

    Attributes
    ----------
    label: :class:`str`
        What was measured; stable across runs and sizes (the smoke test looks rows up by it).
    value: :class:`float`
        The nyx_sessions figure, in ``unit``.
    unit: :class:`str`
        ``"us"``, ``"ns"``, ``"B"``, ``"MB"``, ``"ms"``, ``"s"`` or ``"count"``.
    baseline_label: Optional[:class:`str`]
        What the figure is compared with, measured in the same run.
    baseline: Optional[:class:`float`]
        The baseline figure, in ``unit``; the ratio is ``value / baseline``.
    target: :class:`str`
        The issue's target for this figure, or ``""``.
    met: Optional[:class:`bool`]
        Whether the target was met; ``None`` without a target, or when another row judges it.
    """

    label: str
    value: float
    unit: str
    baseline_label: str | None = None
    baseline: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        """``value / baseline``, or ``None`` without a (non-zero) baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def _amount(value: float, unit: str) -> str:
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "us":
        return f"{value:,.1f} µs"
    if unit == "ns":
        return f"{value:,.0f} ns"
    if unit in ("MB", "ms", "s"):
        return f"{value:,.2f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    raise ValueError(f"unknown unit {unit!r}")


def _cells(row: Row) -> tuple[str, str, str, str, str]:
    baseline = "—"
    if row.baseline_label is not None:
        baseline = (
            row.baseline_label
            if row.baseline is None
            else f"{row.baseline_label}: {_amount(row.baseline, row.unit)}"
        )
    ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
    target = row.target
    if row.met is not None:
        target = f"{target} {'✅' if row.met else '❌'}"
    return row.label, _amount(row.value, row.unit), baseline, ratio, target


def render(rows: list[Row]) -> str:
    """Return ``rows`` as a Markdown table (ratios are nyx_sessions / baseline: below 1 is cheaper)."""
    header = ("Benchmark", "nyx_sessions", "Baseline (same run)", "Ratio", "Target")
    lines = [f"| {' | '.join(header)} |", f"|{'|'.join('---' for _ in header)}|"]
    lines.extend(f"| {' | '.join(_cells(row))} |" for row in rows)
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_details() -> str:
    """Return one line naming the machine, the interpreter, the libraries and the load."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"{datetime.date.today().isoformat()} · {_cpu_model()}, {os.cpu_count()} cores · "
        f"{platform.system()} {platform.release()} · "
        f"{platform.python_implementation()} {platform.python_version()} · "
        f"discord.py {metadata.version('discord.py')} · nyx_sessions {metadata.version('nyx-sessions')} · "
        f"load average {load}"
    )
