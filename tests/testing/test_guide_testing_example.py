"""The guide's "Testing your bot" page: the cog and its tests, run exactly as the page prints them.

The page's python blocks are read at import: the cog becomes an importable extension, and the
test functions become this module's tests (pytest collects them like any other).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

_PAGE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "testing.md"
_BLOCKS = re.findall(r"^```python\n(.*?)^```", _PAGE.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)

_COG = next(block for block in _BLOCKS if block.startswith("# mybot/cogs/inventory.py"))
_TESTS = next(block for block in _BLOCKS if "async def test_the_inventory_pages_forward" in block)

# discord.py loads extensions by module spec: the cog goes into a file of its own, on the path.
_EXTENSION = "guide_inventory_cog"
_FOLDER = Path(tempfile.mkdtemp(prefix="nyx-guide-"))
(_FOLDER / f"{_EXTENSION}.py").write_text(_COG, encoding="utf-8")
sys.path.insert(0, str(_FOLDER))
exec(compile(_TESTS, "docs/guide/testing.md (the tests)", "exec"), globals())


@pytest.fixture
def bot_extensions() -> list[str]:
    return ["nyx_sessions", _EXTENSION]


def test_the_guide_blocks_were_found() -> None:
    found = [
        name for name in globals() if name.startswith("test_") and name != "test_the_guide_blocks_were_found"
    ]
    assert found == [
        "test_the_inventory_pages_forward",
        "test_the_prefix_command_answers_in_the_channel",
        "test_a_lost_session_disables_its_buttons",
    ]
