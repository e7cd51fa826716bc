"""nyx_sessions benchmarks: ``python -m benchmarks`` prints the table of docs/benchmarks.md.

Each benchmark compares nyx_sessions with what discord.py offers for the same job, measured in the
same run, and reports the ratio:

1. :mod:`~benchmarks.routing`: routing a click from the raw payload to its handler;
2. :mod:`~benchmarks.codec`: building and reading custom ids;
3. :mod:`~benchmarks.memory`: memory per idle live session;
4. :mod:`~benchmarks.scale`: 1,000 to 100,000 live sessions, started, refreshed and expired;
5. :mod:`~benchmarks.end_to_end`: clicks through the testing kit.
"""

from __future__ import annotations

__all__ = ()
