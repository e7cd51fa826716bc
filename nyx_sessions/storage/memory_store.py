"""MemorySessionStore: durable sessions kept in this process's memory (tests, a bot's own experiments)."""

from __future__ import annotations

import dataclasses
import heapq
import math
from typing import TYPE_CHECKING, ClassVar, Literal

from ._admission import decide
from .store import STARTING_GRACE

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from .store import Admitted, DurableRecord

__all__ = ("MemorySessionStore",)


class MemorySessionStore:
    """A :class:`~nyx_sessions.storage.SessionStore` in memory: survives a new bot, not a new process.

    Records are copied in and out, as a real store would serialize them, so a session restored from
    it shares nothing with the object that wrote it. Keep one instance and give it to the next bot of
    the same process (a test restarting its bot) to see sessions come back. Every call runs at
    once, so no request outlives its caller: ``give_up_at`` is accepted and has nothing to fence.
    """

    shared: ClassVar[bool] = False
    waits: ClassVar[bool] = False

    __slots__ = ("_counted", "_deadlines", "_due", "_ending", "_records", "_starting")

    def __init__(self) -> None:
        self._records: dict[str, DurableRecord] = {}
        self._ending: set[str] = set()
        # (deadline, id); entries whose record moved on are skipped when read
        self._deadlines: list[tuple[float, str]] = []
        # ids whose deadline came up, earliest first, until they end or move on (ordered, O(1) removal)
        self._due: dict[str, None] = {}
        # limit key -> the sessions admitted under it, in admission order
        self._counted: dict[str, dict[str, None]] = {}
        # admitted starts whose record does not exist yet -> when they were admitted
        self._starting: dict[str, float] = {}

    def __len__(self) -> int:
        """How many sessions are stored (running or ending)."""
        return len(self._records)

    def __repr__(self) -> str:
        return f"<MemorySessionStore sessions={len(self._records)}>"

    async def open(self) -> None:
        """Finish the sessions a closed manager left ending (their ``on_end`` will not run again)."""
        for session_id in self._ending:
            self._records.pop(session_id, None)
        self._ending.clear()

    async def close(self) -> None:
        """Nothing to release: the records stay for the next bot."""

    async def create(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Store a new session; ``False`` when its id is taken."""
        if record.id in self._records:
            return False
        self._starting.pop(record.id, None)
        self._put(dataclasses.replace(record, version=1))
        return True

    async def load(self, session_id: str) -> DurableRecord | None:
        """A copy of the running session's record, or ``None``."""
        record = self._records.get(session_id)
        if record is None or session_id in self._ending:
            return None
        return dataclasses.replace(record)

    async def exists(self, session_id: str) -> bool:
        """Whether the id is stored."""
        return session_id in self._records

    async def commit(
        self, record: DurableRecord, *, interaction_id: int | None = None, give_up_at: float | None = None
    ) -> bool:
        """Replace a running session's record (one process: ``interaction_id`` needs no remembering)."""
        stored = self._records.get(record.id)
        if stored is None or record.id in self._ending:
            return False
        self._put(dataclasses.replace(record, version=stored.version + 1))
        return True

    async def next_deadline(self) -> float | None:
        """The earliest deadline of a running session."""
        heap = self._deadlines
        while heap and not self._live(*heap[0]):
            heapq.heappop(heap)
        earliest = heap[0][0] if heap else None
        for session_id in self._due:  # came up already, not ended yet (few: a sweep's worth)
            record = self._records.get(session_id)
            if record is None or session_id in self._ending or record.deadline is None:
                continue
            if earliest is None or record.deadline < earliest:
                earliest = record.deadline
        return earliest

    async def due(self, now: float, limit: int) -> list[str]:
        """Running sessions whose deadline has passed, earliest first."""
        heap, due = self._deadlines, self._due
        while heap and heap[0][0] <= now:
            deadline, session_id = heapq.heappop(heap)
            if self._live(deadline, session_id):
                due[session_id] = None
        found: list[str] = []
        for session_id in list(due):
            record = self._records.get(session_id)
            if (
                record is None
                or session_id in self._ending
                or record.deadline is None
                or record.deadline > now
            ):
                del due[session_id]  # ended, or a later deadline moved it back onto the heap
            elif len(found) < limit:
                found.append(session_id)
            else:
                break
        return found

    async def claim_due(
        self,
        now: float,
        limit: int,
        *,
        kinds: Mapping[str, int],
        busy: Collection[str] = (),
        give_up_at: float | None = None,
    ) -> list[DurableRecord]:
        """Mark due sessions of ``kinds`` (no newer ``data_version``, none in ``busy``) as ending;
        copies of their records."""
        claimed: list[DurableRecord] = []
        for session_id in await self.due(now, len(self._due) + len(self._deadlines)):
            record = self._records[session_id]
            readable = kinds.get(record.kind)
            if readable is not None and record.data_version <= readable and session_id not in busy:
                self._ending.add(session_id)
                claimed.append(dataclasses.replace(record))
                if len(claimed) == limit:
                    break
        return claimed

    async def claim_end(
        self, session_id: str, *, due_by: float | None = None, give_up_at: float | None = None
    ) -> DurableRecord | None:
        """Mark a running session as ending and return a copy of its record."""
        record = self._records.get(session_id)
        if record is None or session_id in self._ending:
            return None
        if due_by is not None and (record.deadline is None or record.deadline > due_by):
            return None
        self._ending.add(session_id)
        return dataclasses.replace(record)

    async def claimed(
        self, *, ignore: Collection[str] = (), give_up_at: float | None = None
    ) -> list[DurableRecord]:
        """Copies of the records of sessions marked as ending, except ``ignore`` (one process uses a
        memory store: every claim is its own)."""
        records = self._records
        return [
            dataclasses.replace(records[key]) for key in self._ending if key not in ignore and key in records
        ]

    async def finish(self, session_id: str, *, give_up_at: float | None = None) -> None:
        """Forget the session."""
        self._records.pop(session_id, None)
        self._ending.discard(session_id)
        self._due.pop(session_id, None)

    async def admit(
        self,
        session_id: str,
        limits: Sequence[tuple[str, int]],
        policy: Literal["replace", "reject"],
        *,
        now: float,
        give_up_at: float | None = None,
    ) -> Admitted:
        """Count a new session against its limits and admit it (see the protocol)."""
        counted = [self._count(key, now) for key, _ in limits]
        admitted = decide(counted, limits, policy, set(self._starting))
        if admitted.status == "ok":
            for key, _ in limits:
                self._counted.setdefault(key, {})[session_id] = None
            self._starting[session_id] = now
        return admitted

    async def unadmit(self, session_id: str) -> None:
        """Stop counting a start that failed before its record was created."""
        self._starting.pop(session_id, None)

    def _count(self, key: str, now: float) -> list[str]:
        """The sessions ``key`` counts, oldest first; the others are forgotten."""
        ids = self._counted.get(key, {})
        for session_id in list(ids):
            running = session_id in self._records and session_id not in self._ending
            admitted_at = self._starting.get(session_id)
            if not running and (admitted_at is None or now - admitted_at >= STARTING_GRACE):
                del ids[session_id]
                self._starting.pop(session_id, None)
        return list(ids)

    def _put(self, record: DurableRecord) -> None:
        self._records[record.id] = record
        if record.deadline is not None and math.isfinite(record.deadline):
            heapq.heappush(self._deadlines, (record.deadline, record.id))

    def _live(self, deadline: float, session_id: str) -> bool:
        record = self._records.get(session_id)
        return record is not None and record.deadline == deadline and session_id not in self._ending
