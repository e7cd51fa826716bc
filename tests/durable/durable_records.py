"""What the durable test sessions did, kept outside their extension: a restart reloads the extension."""

from __future__ import annotations

from typing import Any

LOADS: list[str] = []
ENDS: list[tuple[str, Any]] = []
RESTORES: list[str] = []
FORMS: list[Any] = []
