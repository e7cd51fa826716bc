"""MkDocs hooks: the API reference must be complete, and every page must read as written.

A public name (one in the ``__all__`` of a public module of the package) that no reference page
renders, or that has no docstring, logs a warning; ``mkdocs build --strict`` turns it into a failed
build, as it does for broken links and cross-references. So does, on any rendered page,
cross-reference markup (``[`X`][path]``) left as text where mkdocstrings did not render markdown.
"""

from __future__ import annotations

import html
import importlib
import inspect
import logging
import pkgutil
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

log = logging.getLogger("mkdocs.plugins.nyx_sessions")

_PACKAGE = "nyx_sessions"
_DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
# ``[`Name`][path]`` or ``[Name][path.to.it]``: an mkdocs-autorefs link that was never rendered.
_RAW_CROSSREF = re.compile(r"\[`[^`\n]*`\]\[[\w.]*\]|\]\[(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*\]")


def on_pre_build(config: Any) -> None:
    """Warn for every public name missing from the reference or missing a docstring."""
    reference = Path(config["docs_dir"]) / "reference"
    rendered = {m.group(1) for page in reference.glob("*.md") for m in _DIRECTIVE.finditer(page.read_text())}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            path = f"{module.__name__}.{name}"
            if not _is_rendered(path, obj, name, rendered):
                log.warning("%s is public but no page of docs/reference renders it", path)
            _check_docstrings(path, obj)


def _public_modules() -> list[ModuleType]:
    """The package, its subpackages and its top-level modules: the modules users import from.

    A subpackage's own modules (``nyx_sessions.testing.payloads``) are its implementation; what of
    them is public, the subpackage re-exports.
    """
    package = importlib.import_module(_PACKAGE)
    names = [
        info.name
        for info in pkgutil.walk_packages(package.__path__, f"{_PACKAGE}.")
        if not any(part.startswith("_") for part in info.name.split("."))
        and (info.ispkg or info.name.count(".") == 1)
    ]
    return [package, *(importlib.import_module(name) for name in names)]


def _is_rendered(path: str, obj: object, name: str, rendered: set[str]) -> bool:
    homes = _homes(obj, name)
    # ``::: module`` renders the module's members with it, so a name counts under any of its modules.
    return path in rendered or any(home in rendered or f"{home}.{name}" in rendered for home in homes)


def _homes(obj: object, name: str) -> list[str]:
    """The modules of the package that hold ``obj`` under ``name``: where it may be rendered from."""
    return [
        module_name
        for module_name, module in list(sys.modules.items())
        if module_name.startswith(_PACKAGE) and getattr(module, name, None) is obj
    ]


def _check_docstrings(path: str, obj: object) -> None:
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return
    if not inspect.getdoc(obj):
        log.warning("%s has no docstring: the API reference would show it bare", path)
    if not inspect.isclass(obj):
        return
    for name, member in vars(obj).items():
        if name.startswith("_"):
            continue
        target = member.fget if isinstance(member, property) else member
        if (inspect.isfunction(target) or isinstance(member, property)) and not (target and target.__doc__):
            log.warning("%s.%s has no docstring: the API reference would show it bare", path, name)


def on_page_content(html_text: str, page: Any, **kwargs: Any) -> str:
    """Warn for cross-reference markup left as text."""
    for match in _RAW_CROSSREF.finditer(_text(html_text)):
        log.warning(
            "%s: cross-reference markup shown as text (mkdocstrings renders none there; in a docstring's"
            " Returns/Raises/type, write the bare name): %r",
            page.file.src_uri,
            match.group(0),
        )
    return html_text


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: its text, tags dropped and entities decoded."""
    return html.unescape(_TAG.sub("", fragment))
