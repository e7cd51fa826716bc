"""MkDocs hooks: the API reference must be complete, every page must read as written, and the
Grafana dashboards must be true.

A public name (one in the ``__all__`` of a public module of the package) that no reference page
renders, or that has no docstring, logs a warning; ``mkdocs build --strict`` turns it into a failed
build, as it does for broken links and cross-references. So does, on any rendered page, a code line
wider than its block shows without a scrollbar, and cross-reference markup (``[`X`][path]``) left as
text where mkdocstrings did not render markdown; and a dashboard in ``docs/grafana/`` that is not
valid JSON, or whose queries name a metric :class:`~nyx_sessions.metrics.PrometheusObserver` does
not register.

Every entry of the API reference (each ``::: name`` and each member of a ``::: module``) shows the
line that imports it, from the package root when the root exports it; a line that would not import
that very object fails the build too.
"""

from __future__ import annotations

import html
import html.parser
import importlib
import inspect
import json
import logging
import pkgutil
import re
import sys
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

log = logging.getLogger("mkdocs.plugins.nyx_sessions")

_PACKAGE = "nyx_sessions"
_DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.MULTILINE)
_METRIC = re.compile(r"\bnyx_sessions_[a-z_]+")
# Characters of Material's code font a code block shows without a scrollbar in a 1400 px window,
# measured in Chromium: the block is 656 px wide inside its padding, at 8.18 px a character. From
# 1600 px the font grows with the box (still 80); narrower windows drop the sidebars first.
CODE_COLUMNS = 80
# Each level of list a block is nested in takes this many characters of its width (measured: 76).
_LIST_INDENT = 4
# The indented options under a ``::: name`` line, and the names of a ``members:`` list in them.
_OPTIONS = re.compile(r"(?:\n[ \t]+.*)*")
_MEMBER = re.compile(r"^[ \t]+- (\w+)$", re.MULTILINE)
_HEADING = re.compile(r'<h([2-6]) id="([\w.]+)" class="doc doc-heading">.*?</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# ``[`Name`][path]`` or ``[Name][path.to.it]``: an mkdocs-autorefs link that was never rendered.
_RAW_CROSSREF = re.compile(r"\[`[^`\n]*`\]\[[\w.]*\]|\]\[(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*\]")


def on_pre_build(config: Any) -> None:
    """Warn for every public name missing from the reference or missing a docstring."""
    reference = Path(config["docs_dir"]) / "reference"
    rendered = {m.group(1) for page in reference.glob("*.md") for m in _DIRECTIVE.finditer(page.read_text())}
    _check_documented_once(reference)
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            path = f"{module.__name__}.{name}"
            if not _is_rendered(path, obj, name, rendered):
                log.warning("%s is public but no page of docs/reference renders it", path)
            _check_docstrings(path, obj)
    for dashboard in sorted((Path(config["docs_dir"]) / "grafana").glob("*.json")):
        _check_dashboard(dashboard)


def _check_dashboard(path: Path) -> None:
    """Warn for a dashboard that is not JSON, has no query, or queries a metric that does not exist."""
    try:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        log.warning("%s is not valid JSON: %s", path.name, error)
        return
    queries = list(_queries(dashboard))
    if not queries:
        log.warning("%s has no Prometheus query (no panel target with an expr)", path.name)
    known = _metric_names()
    for query in queries:
        for name in _METRIC.findall(query):
            if name not in known:
                log.warning(
                    "%s queries %s, which PrometheusObserver does not serve (it serves %s)",
                    path.name,
                    name,
                    ", ".join(sorted(known)),
                )


def _queries(node: object) -> list[str]:
    """Every ``expr`` string anywhere in a dashboard (panel targets, variables)."""
    if isinstance(node, dict):
        found = [node["expr"]] if isinstance(node.get("expr"), str) else []
        return found + [query for value in node.values() for query in _queries(value)]
    if isinstance(node, list):
        return [query for value in node for query in _queries(value)]
    return []


def _metric_names() -> set[str]:
    """The sample names a scrape of :class:`~nyx_sessions.metrics.PrometheusObserver` can show."""
    from prometheus_client import CollectorRegistry

    from nyx_sessions.metrics import PrometheusObserver

    registry = CollectorRegistry()
    PrometheusObserver(registry)
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    return {f"{family.name}{suffix}" for family in registry.collect() for suffix in suffixes[family.type]}


def _check_documented_once(reference: Path) -> None:
    """Warn for an object the reference documents under two entries (a name and a module's member)."""
    seen: dict[int, str] = {}
    for page in sorted(reference.glob("*.md")):
        for path in reference_entries(page.read_text()):
            module_name, _, name = path.rpartition(".")
            try:
                obj = importlib.import_module(path)
            except ModuleNotFoundError:
                obj = getattr(importlib.import_module(module_name), name)
            if not (callable(obj) or inspect.ismodule(obj)):
                # Equal constants may be one object (small ints, interned strings): not a repeat.
                continue
            if id(obj) in seen:
                log.warning("%s is documented twice, also as %s: keep one entry", path, seen[id(obj)])
            seen.setdefault(id(obj), path)


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
    # A type alias (Callable[...] and the like) is documented by the docstring under its assignment,
    # which the reference reads from the source; Python 3.10 calls such an alias a class.
    if typing.get_origin(obj) is not None or not (inspect.isclass(obj) or inspect.isfunction(obj)):
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
    """Show reference entries' imports; warn for wide code lines and cross-reference markup as text."""
    if page.file.src_uri.startswith("reference/"):
        html_text = _show_imports(html_text, page)
    blocks = _CodeBlocks()
    blocks.feed(html_text)
    for problem in blocks.problems:
        log.warning("%s: %s", page.file.src_uri, problem)
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


class _CodeBlocks(html.parser.HTMLParser):
    """Reads a page's ``<pre>`` blocks and notes every line wider than the block shows.

    A block in a list is narrower by the list's indent; a block in a table cell is as narrow as its
    column, which the page cannot know, so it is refused (tabs show code side by side instead). An
    attribute's signature in the API reference wraps (docs/stylesheets/extra.css), so it is not
    measured.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._lists = 0
        self._cells = 0
        self._divs: list[str] = []
        self._pre: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._lists += 1
        elif tag == "td":
            self._cells += 1
        elif tag == "div":
            self._divs.append(dict(attrs).get("class") or "")
        elif tag == "pre" and not self._wraps():
            self._pre = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._lists -= 1
        elif tag == "td":
            self._cells -= 1
        elif tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "pre" and self._pre is not None:
            self._check("".join(self._pre))
            self._pre = None

    def handle_data(self, data: str) -> None:
        if self._pre is not None:
            self._pre.append(data)

    def _wraps(self) -> bool:
        """Whether the ``<pre>`` opening here is an attribute's signature, which wraps."""
        return (
            len(self._divs) >= 2 and "doc-signature" in self._divs[-1] and "doc-attribute" in self._divs[-2]
        )

    def _check(self, code: str) -> None:
        if self._cells:
            self.problems.append(f"a code block in a table cell scrolls in a narrow column: {code[:60]!r}")
            return
        columns = CODE_COLUMNS - _LIST_INDENT * self._lists
        for line in code.expandtabs().splitlines():
            if len(line) > columns:
                self.problems.append(
                    f"a code line is {len(line)} characters, its block shows {columns} without scrolling"
                    f" at 1400 px (hooks.CODE_COLUMNS): {line!r}"
                )


def import_statement(path: str) -> str | None:
    """The line that imports the object a reference entry documents, or ``None`` for a fixture.

    ``path`` is the entry's dotted path as a page names it (``nyx_sessions.storage.Alarm``); the
    line imports from the shortest public module that exports the same object (the root first).
    """
    try:
        module = importlib.import_module(path)
    except ModuleNotFoundError:
        pass
    else:
        parent, _, name = module.__name__.rpartition(".")
        return f"from {parent} import {name}"
    module_name, _, name = path.rpartition(".")
    obj = getattr(importlib.import_module(module_name), name)
    if hasattr(obj, "_fixture_function_marker"):
        # A pytest fixture is asked for by name, not imported.
        return None
    parts = module_name.split(".")
    for end in range(1, len(parts) + 1):
        home = importlib.import_module(".".join(parts[:end]))
        if name in getattr(home, "__all__", ()) and getattr(home, name) is obj:
            return f"from {home.__name__} import {name}"
    raise LookupError(f"{path}: no public module of {_PACKAGE} exports it in __all__")


def reference_entries(markdown: str) -> list[str]:
    """The dotted paths a reference page documents: its ``:::`` entries and their modules' members.

    A module's members are its ``__all__``, or the ``members:`` list of the entry's options.
    """
    entries = []
    for match in _DIRECTIVE.finditer(markdown):
        path = match.group(1)
        entries.append(path)
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError:
            continue
        options = _OPTIONS.match(markdown, match.end())
        chosen = _MEMBER.findall(options.group(0)) if options and "members:" in options.group(0) else None
        entries.extend(f"{path}.{name}" for name in chosen or getattr(module, "__all__", ()))
    return entries


def _show_imports(html_text: str, page: Any) -> str:
    """Put each entry's import line under its heading."""
    entries = set(reference_entries(page.markdown))

    def add_import(match: re.Match[str]) -> str:
        path = match.group(2)
        if path not in entries:
            return match.group(0)
        try:
            line = import_statement(path)
        except (LookupError, ImportError, AttributeError) as error:
            log.warning("%s: %s", page.file.src_uri, error)
            return match.group(0)
        if line is None:
            shown = 'a pytest fixture: <code>pytest_plugins = ["nyx_sessions.testing"]</code>'
        else:
            shown = f"<code>{html.escape(line)}</code>"
        return f'{match.group(0)}\n<p class="doc-import">{shown}</p>'

    return _HEADING.sub(add_import, html_text)
