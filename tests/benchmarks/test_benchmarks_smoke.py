"""The benchmark command (`make bench`), run tiny: it must finish and print every row of the table.

No figure is checked (timings on a shared machine prove nothing); only that the command works, that
every benchmark reports, and what must hold whatever the speed: no session outlives its expiry.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every row the benchmarks page (docs/benchmarks.md) shows, by its stable label start, with how many rows start so.
EXPECTED_ROWS = {
    "1. Routing: payload → handler returned, per click": 3,
    "1. Routing: overhead above the floor": 1,
    "1. Routing: floor, building `discord.Interaction`": 1,
    "1. Routing: full cost per click (TTL refresh, events)": 2,
    "1. Routing in instructions (callgrind): payload → handler returned": 5,
    "1. Routing in instructions (callgrind): full cost per click": 1,
    "1. Page turn in instructions (callgrind): ": 1,
    "1. Observers in instructions (callgrind): payload → handler returned, per click,": 4,
    "2. Custom id: build (`component_id`)": 1,
    "2. Custom id: read the session id (routing)": 1,
    "2. Custom id: read session id and tokens": 1,
    "3. Memory per idle live session (default TTL)": 2,
    "3. Memory per idle live session, clicked once": 1,
    "4. Scale: CPU per session, start + refresh + expire": 3,
    "4. Scale: peak memory per session": 3,
    "4. Scale: expiry CPU per session": 1,
    "4. Scale: one full garbage collection": 4,
    "4. Scale: repository expiry callback, latest after deadline": 1,
    "4. Scale: `session_expire`, latest after deadline": 4,
    "4. Scale: `session_expire`, p99 after deadline": 1,
    "4. Scale: sessions left after expiry, every size and layer": 1,
    "5. End to end (testing kit): ": 2,
    "6. Durable: click on an SQLite-stored session": 1,
    "6. Durable: floor, the store's write": 1,
    "6. Durable: click that restores its session": 1,
    "6. Durable: memory per durable session held": 1,
    "6. Durable: latest expiry,": 1,
    "6. Durable: start of": 1,
    "7. Redis: click on the owner": 2,
    "7. Redis: floor, the commit's script alone": 1,
    "7. Redis: floor, one raw round trip": 1,
    "7. Redis: clicks on the owner that hit it": 1,
    "7. Redis: click with a takeover": 1,
    "7. Redis: clicks with a takeover that first took": 1,
    "7. Redis: sweeper, CPU per poll": 1,
    "7. Redis: latest expiry after its deadline": 1,
    "7. Redis: p99 expiry after its deadline": 1,
    "7. Redis: sessions ended,": 1,
}


if shutil.which("valgrind") is None:  # the instruction counts need callgrind; .ci/run installs it
    EXPECTED_ROWS = {label: rows for label, rows in EXPECTED_ROWS.items() if "callgrind" not in label}
if shutil.which("redis-server") is None:  # so does the Redis section
    EXPECTED_ROWS = {label: rows for label, rows in EXPECTED_ROWS.items() if not label.startswith("7.")}


def _table_rows(output: str) -> list[list[str]]:
    rows = [line for line in output.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_quick_benchmark_prints_every_row_of_the_benchmarks_table() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # callgrind starts Python and discord.py in four processes: a minute or two
        check=False,
    )
    assert finished.returncode == 0, finished.stderr

    assert "discord.py" in finished.stdout and "cores" in finished.stdout  # the machine's details
    rows = _table_rows(finished.stdout)
    found = Counter(
        next((start for start in EXPECTED_ROWS if row[0].startswith(start)), row[0]) for row in rows
    )
    assert found == Counter(EXPECTED_ROWS)
    assert all(len(row) == 5 and row[1] for row in rows), "every row has a figure and all five columns"

    (left,) = (row for row in rows if row[0].startswith("4. Scale: sessions left"))
    assert left[1] == "0", "sessions or repository entries outlived their expiry"
    if shutil.which("redis-server") is not None:
        (ended,) = (row for row in rows if row[0].startswith("7. Redis: sessions ended,"))
        assert "✅" in ended[4], "three processes sweeping ended a session twice, or not at all"
        for counted in ("7. Redis: clicks on the owner that hit it", "7. Redis: clicks with a takeover that"):
            (row,) = (row for row in rows if row[0].startswith(counted))
            assert "✅" in row[4], f"{counted}: {row[1]} of {row[4]}"
