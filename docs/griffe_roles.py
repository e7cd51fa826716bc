"""Griffe extension: the Sphinx roles of our docstrings become links in the API reference.

The docstrings are written as discord.py writes its own (``:class:`SessionStage```, ``:meth:`end```),
which MkDocs would print verbatim. Each role whose target resolves in the package becomes an
mkdocstrings cross-reference, so ``mkdocs build --strict`` fails on a reference to a name that does
not exist; targets outside the package (``discord.Interaction``) become inline code.

In the type of a section's item (``Returns``, ``Raises``, ``name : type`` of ``Parameters`` and
``Attributes``) a role becomes the bare name instead: mkdocstrings reads that text as a Python
annotation, links its names itself and never renders markdown there, so a markdown link would show
as raw ``[`X`][path]`` text on the page.
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
# The numpy sections whose items start with a type (``name : type`` or a bare type).
_TYPED_SECTIONS = {
    "Parameters",
    "Other Parameters",
    "Attributes",
    "Returns",
    "Yields",
    "Receives",
    "Raises",
    "Warns",
}
_ITEM = re.compile(r"^(\*{0,2}\w+\s*:\s*)(.*)$")
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
                    obj.docstring.value = _rewrite(obj, obj.docstring.value)


def _rewrite(obj: griffe.Object, text: str) -> str:
    """Roles in prose become markdown links; roles in the type of a section's item, bare names."""
    lines = text.split("\n")
    section = ""
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and set(following.strip()) == {"-"} and not line.startswith(" "):
            section = line.strip()
        elif section in _TYPED_SECTIONS and line.strip() and not line.startswith(" ") and set(line) != {"-"}:
            # An item's first line: ``name : type`` in Parameters and Attributes, a bare type in
            # Returns and Raises (or ``name : type`` there too).
            item = _ITEM.match(line)
            head, annotation = (item.group(1), item.group(2)) if item else ("", line)
            lines[index] = head + _ROLE.sub(functools.partial(_name, obj), annotation)
            continue
        lines[index] = _ROLE.sub(functools.partial(_link, obj), line)
    return "\n".join(lines)


def _name(obj: griffe.Object, match: re.Match[str]) -> str:
    """A role in an annotation: the name as written where it resolves, else its full path."""
    target = match.group(2)
    shown = target.rsplit(".", 1)[-1] if match.group(1) == "~" else target
    if target.lstrip(".").split(".", 1)[0] in _EXTERNAL:
        return shown
    path = _resolve(obj, target)
    if path is None:
        log.warning("%s: the docstring refers to %r, which does not exist", obj.path, target)
        return shown
    return shown if _resolve(obj, shown) == path else path


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
