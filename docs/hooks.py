"""MkDocs hooks: the API reference must be complete, and the Grafana dashboards must be true.

A public name (one in the ``__all__`` of a public module of the package) that no reference page
renders, or that has no docstring, logs a warning; so does a dashboard in ``docs/grafana/`` that is
not valid JSON, or whose queries name a metric :class:`~nyx_sessions.metrics.PrometheusObserver` does
not register. ``mkdocs build --strict`` turns each into a failed build, as it does for broken links
and cross-references.
"""

from __future__ import annotations

import importlib
import inspect
import json
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
_METRIC = re.compile(r"\bnyx_sessions_[a-z_]+")


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
