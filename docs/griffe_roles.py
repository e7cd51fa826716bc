"""Griffe extension: the Sphinx roles of our docstrings become links in the API reference.

The docstrings are written as discord.py writes its own (``:class:`SessionStage```, ``:meth:`end```),
which MkDocs would print verbatim. Each role whose target resolves in the package becomes an
mkdocstrings cross-reference, so ``mkdocs build --strict`` fails on a reference to a name that does
not exist; targets outside the package (``discord.Interaction``) become inline code.
"""

from __future__ import annotations

import builtins
import functools
import logging
import re
import sys
from typing import Any

import griffe

log = logging.getLogger("mkdocs.plugins.nyx_sessions")

_ROLE = re.compile(r":(?:class|meth|attr|func|exc|data|obj|mod):`(~?)([\w.]+)(\(\))?`")
_PACKAGE = "nyx_sessions"
# Names documented elsewhere: Python's builtins and standard library, discord.py and our dependencies.
_DEPENDENCIES = {"discord", "commands", "app_commands", "aiosqlite", "redis"}
_EXTERNAL = set(dir(builtins)) | set(sys.stdlib_module_names) | _DEPENDENCIES


class SphinxRoles(griffe.Extension):
    """Rewrite ``:role:`target``` in every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Visit every object the package defines and rewrite its docstring."""
        if pkg.name == _PACKAGE:
            for obj in _walk(pkg):
                if obj.docstring is not None:
                    obj.docstring.value = _ROLE.sub(functools.partial(_link, obj), obj.docstring.value)


def _walk(obj: griffe.Object) -> Any:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)  # type: ignore[arg-type]


def _link(obj: griffe.Object, match: re.Match[str]) -> str:
    short, target, call = match.group(1) == "~", match.group(2), match.group(3) or ""
    shown = (target.rsplit(".", 1)[-1] if short else target) + call
    if target.lstrip(".").split(".", 1)[0] in _EXTERNAL:
        return f"`{shown}`"
    path = _resolve(obj, target)
    if path is None:
        log.warning("%s: the docstring refers to %r, which does not exist", obj.path, target)
        return f"`{shown}`"
    return f"[`{shown}`][{path}]"


def _resolve(obj: griffe.Object, target: str) -> str | None:
    """The full path of ``target`` as Python would look it up from ``obj``, then from the package."""
    head, _, rest = target.partition(".")
    for scope in (obj, obj.package):
        try:
            base = scope.resolve(head)
        except griffe.NameResolutionError:
            continue
        try:
            scope.modules_collection[f"{base}.{rest}" if rest else base]
        except KeyError:
            continue
        return f"{base}.{rest}" if rest else base
    inherited = obj if obj.is_class else obj.parent
    if inherited is not None and inherited.is_class and head in inherited.all_members:
        member = inherited.all_members[head]
        return f"{member.path}.{rest}" if rest else member.path
    if target.startswith(f"{_PACKAGE}."):
        try:
            return obj.modules_collection[target].path  # type: ignore[no-any-return]
        except KeyError:
            return None
    return None
