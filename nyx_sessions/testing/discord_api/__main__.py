"""Update the vendored specification: ``python -m nyx_sessions.testing.discord_api update SOURCE``.

``SOURCE`` is a clone (or bare git directory) of github.com/discord/discord-api-spec, whose
``specs/openapi.json`` and ``LICENSE`` are taken at ``--rev`` (``HEAD`` by default) with that
commit's id and date; or a path or URL of an ``openapi.json``, with ``--commit`` and ``--date``
given by hand. The new document must still describe every operation the fake Discord checks. Run
it in a checkout of nyx_sessions and commit the result.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from . import _HERE, CHECKED_OPERATIONS

__all__ = ("main", "read_source", "update")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def read_source(
    source: str, *, rev: str, commit: str | None, date: str | None
) -> tuple[str, str | None, dict[str, str]]:
    """The document, the license text (from a git source) and the provenance to record."""
    path = Path(source)
    if path.is_dir():
        commit, date = _git(path, "log", "-1", "--format=%H %cs", rev).split()
        document = _git(path, "show", f"{commit}:specs/openapi.json")
        return document, _git(path, "show", f"{commit}:LICENSE"), {"commit": commit, "date": date}
    if commit is None or date is None:
        raise SystemExit("a file or URL needs --commit and --date: the commit of discord-api-spec it is")
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as answer:
            document = answer.read().decode("utf-8")
    else:
        document = path.read_text(encoding="utf-8")
    return document, None, {"commit": commit, "date": date}


def update(options: argparse.Namespace) -> None:
    """Replace ``openapi.json`` (and ``LICENSE``) and record the commit in ``source.json``."""
    document, license_text, provenance = read_source(
        options.source, rev=options.rev, commit=options.commit, date=options.date
    )
    parsed: dict[str, Any] = json.loads(document)
    found = {
        operation.get("operationId")
        for item in parsed.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
    }
    missing = sorted(set(CHECKED_OPERATIONS) - found)
    if missing:
        raise SystemExit(f"the new specification lacks operations the fake Discord checks: {missing}")
    (_HERE / "openapi.json").write_text(document, encoding="utf-8")
    if license_text is not None:
        (_HERE / "LICENSE").write_text(license_text, encoding="utf-8")
    source: dict[str, str] = json.loads((_HERE / "source.json").read_text(encoding="utf-8"))
    source.update(provenance)
    (_HERE / "source.json").write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    print(f"vendored discord-api-spec {provenance['commit']} ({provenance['date']}) into {_HERE}")


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m nyx_sessions.testing.discord_api")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("update", help="vendor another version of Discord's OpenAPI document")
    command.add_argument("source", help="a discord-api-spec git directory, or an openapi.json path or URL")
    command.add_argument("--rev", default="HEAD", help="the revision of a git source (HEAD)")
    command.add_argument("--commit", help="the discord-api-spec commit of a file or URL source")
    command.add_argument("--date", help="that commit's date, YYYY-MM-DD")
    update(parser.parse_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
