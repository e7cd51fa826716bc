"""What every durable test starts from: no ends, loads or restores recorded by an earlier test."""

from __future__ import annotations

import durable_records
import pytest


@pytest.fixture(autouse=True)
def _fresh_records() -> None:
    durable_records.LOADS.clear()
    durable_records.ENDS.clear()
    durable_records.RESTORES.clear()
    durable_records.FORMS.clear()
