"""Every import the documentation shows works, and imports what it documents.

The API reference puts under each entry the line docs/hooks.py computes; these tests run each such
line in a fresh namespace. The guides' and the README's code blocks import from the package too:
each of those imports runs as well.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import traceback
from pathlib import Path
from types import ModuleType

import pytest

import _nyx_sessions_identity as _identity
import nyx_sessions

_ROOT = Path(__file__).resolve().parents[2]


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", _ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HOOKS = _hooks()
_ENTRIES = [
    path
    for page in sorted((_ROOT / "docs" / "reference").glob("*.md"))
    for path in _HOOKS.reference_entries(page.read_text(encoding="utf-8"))
]


def _documented(path: str) -> object:
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        module_name, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module_name), name)


def test_the_reference_has_its_entries() -> None:
    assert len(_ENTRIES) > 140
    assert "nyx_sessions.storage.SQLiteSessionStore" in _ENTRIES


@pytest.mark.parametrize("path", _ENTRIES)
def test_each_reference_entry_imports_as_shown(path: str) -> None:
    line = _HOOKS.import_statement(path)
    name = path.rpartition(".")[2]
    if line is None:
        # A fixture: the page tells to load the plugin instead of importing it.
        assert path.startswith("nyx_sessions.testing.plugin.")
        return
    namespace: dict[str, object] = {}
    exec(line, namespace)
    assert namespace[name] is _documented(path), f"{line!r} imports another object than {path}"
    if name in nyx_sessions.__all__ and getattr(nyx_sessions, name) is _documented(path):
        assert line == f"from nyx_sessions import {name}", "a name the root exports is shown from the root"


def test_the_sqlite_store_imports_from_the_root() -> None:
    # The review's example: the reference now says so, and it is so.
    assert _HOOKS.import_statement("nyx_sessions.storage.SQLiteSessionStore") == (
        "from nyx_sessions import SQLiteSessionStore"
    )
    assert _HOOKS.import_statement("nyx_sessions.storage.Alarm") == "from nyx_sessions.storage import Alarm"


_PAGES = [
    _ROOT / "README.md",
    *sorted((_ROOT / "docs").glob("*.md")),
    *sorted((_ROOT / "docs" / "guide").glob("*.md")),
]
_IMPORT = re.compile(r"^[ \t]*(from nyx_sessions[\w.]* import (?:\([^)]*\)|.+))$", re.MULTILINE)


def _doc_imports() -> list[tuple[str, str]]:
    found = []
    for page in _PAGES:
        for block in re.findall(
            r"^[ \t]*```python\n(.*?)^[ \t]*```", page.read_text(encoding="utf-8"), re.M | re.S
        ):
            found.extend((page.name, match) for match in _IMPORT.findall(block))
    return found


@pytest.mark.parametrize(("page", "line"), _doc_imports())
def test_each_import_of_the_guides_works(page: str, line: str) -> None:
    # "X as Y" and parenthesized lists included: the line runs as the reader would paste it.
    exec(line.strip(), {})


@pytest.mark.parametrize(
    "name",
    [name for name in _identity.__all__ if name.isidentifier() and name[0].isupper() and not name.isupper()],
)
def test_tracebacks_name_the_public_module_never_the_private_one(name: str) -> None:
    """Errors and enums are defined in a private module that survives reloads; they say where to
    import them from."""
    found = getattr(_identity, name)
    public = importlib.import_module(found.__module__)
    assert found.__module__ in {"nyx_sessions.errors", "nyx_sessions.state"}
    assert getattr(public, name) is found and getattr(nyx_sessions, name) is found
    line = traceback.format_exception_only(found, None)[-1] if issubclass(found, Exception) else repr(found)
    assert "_nyx_sessions_identity" not in line
