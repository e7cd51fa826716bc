"""README "Testing your own bot": the cog and its tests, run exactly as the README prints them.

The README's python blocks are read at import: the cog becomes an importable extension, and the
test functions become this module's tests (pytest collects them like any other).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

_README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
_SECTION = _README[_README.index("## Testing your own bot") : _README.index("## The example bot")]
_BLOCKS = re.findall(r"^```python\n(.*?)^```", _SECTION, re.MULTILINE | re.DOTALL)

_COG = next(block for block in _BLOCKS if block.startswith("# mybot/cogs/inventory.py"))
_TESTS = next(block for block in _BLOCKS if "async def test_the_inventory_pages_forward" in block)

# discord.py loads extensions by module spec: the cog goes into a file of its own, on the path.
_EXTENSION = "readme_inventory_cog"
_FOLDER = Path(tempfile.mkdtemp(prefix="nyx-readme-"))
(_FOLDER / f"{_EXTENSION}.py").write_text(_COG, encoding="utf-8")
sys.path.insert(0, str(_FOLDER))
exec(compile(_TESTS, "README.md (the tests)", "exec"), globals())


@pytest.fixture
def bot_extensions() -> list[str]:
    return ["nyx_sessions", _EXTENSION]


def test_the_readme_blocks_were_found() -> None:
    found = [
        name for name in globals() if name.startswith("test_") and name != "test_the_readme_blocks_were_found"
    ]
    assert found == [
        "test_the_inventory_pages_forward",
        "test_the_prefix_command_answers_in_the_channel",
        "test_a_lost_session_disables_its_buttons",
    ]
