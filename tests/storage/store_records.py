"""The record the store tests write: one shape, with what each case varies as keywords."""

from __future__ import annotations

from nyx_sessions.storage import DurableRecord


def record(
    session_id: str = "s1",
    *,
    deadline: float | None = 100.0,
    data: bytes = b'{"n":1}',
    kind: str = "test.kind",
    data_version: int = 1,
    result: bytes | None = None,
    lifetime: float | None = None,
    locale: str | None = "fr",
) -> DurableRecord:
    """A durable record of kind ``test.kind`` with every field set."""
    return DurableRecord(
        id=session_id,
        kind=kind,
        data_version=data_version,
        data=data,
        owner_id=7,
        channel_id=8,
        message_id=9,
        ephemeral=False,
        token="tok",
        token_expires_at=1_000.0,
        token_edits_original=True,
        page=2,
        state=b'{"size":5}',
        ttl=60.0,
        deadline=deadline,
        created_at=40.0,
        result=result,
        lifetime=lifetime,
        locale=locale,
    )
