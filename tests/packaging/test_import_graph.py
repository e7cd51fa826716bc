"""The package imports one way: no module imports, at run time, a module that imports it back.

Read from the source with :mod:`ast`, not by importing. An import inside ``if TYPE_CHECKING:`` is
for annotations only and does not count; one inside a function does (it runs). ``from pkg import
mod`` is an edge to ``pkg.mod``, and importing ``pkg.sub.mod`` runs ``pkg/sub/__init__.py`` first,
an edge too, except for the importing module's own packages (set up before it) and the package
root (the public facade, which imports everything).
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "nyx_sessions"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules ``name`` imports at run time."""
    source = path.read_text(encoding="utf-8")
    return _imports_in(name, source, is_package=path.name == "__init__.py", modules=modules.keys())


def _imports_in(name: str, source: str, *, is_package: bool, modules: Collection[str]) -> set[str]:
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names} & set(modules)
            found.update(submodules or {base})
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    # Importing pkg.sub.mod runs pkg.sub's __init__ first: an edge too, unless pkg.sub is one of the
    # importing module's own packages (initialised before it) or the package root (the public facade).
    own = {name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)}
    for module in list(found):
        parts = module.split(".")
        found.update(".".join(parts[:end]) for end in range(2, len(parts)))
    return {module for module in found if module in modules and module != name and module not in own}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return cycles


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert len(graph) > 40, "the package was found"
    assert _cycles(graph) == []


def test_the_check_counts_imports_in_functions_and_not_for_type_checking() -> None:
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    source = """
from typing import TYPE_CHECKING
from pkg import c
if TYPE_CHECKING:
    from pkg.b import Thing
def later():
    from . import b
"""
    assert _imports_in("pkg.a", source, is_package=False, modules=modules) == {"pkg.b", "pkg.c"}
    graph = {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": set()}
    assert _cycles(graph) == []
    graph["pkg.c"].add("pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_everyday_names_import_from_the_root() -> None:
    """Stores, store_from_url and ManualClock are the names a bot and its tests reach for first."""
    import nyx_sessions
    from nyx_sessions import storage

    for name in (
        "SQLiteSessionStore",
        "RedisSessionStore",
        "MemorySessionStore",
        "store_from_url",
        "ManualClock",
    ):
        assert getattr(nyx_sessions, name) is getattr(storage, name) and name in nyx_sessions.__all__
