"""Discord's published API specification, and the check of request bodies the fake Discord runs.

The specification is Discord's OpenAPI document (github.com/discord/discord-api-spec, MIT, its
LICENSE beside it), vendored at :data:`SPEC_COMMIT`. :func:`check_request` checks a request body
against the ``requestBody`` schema of its operation, then against the documented component and
message rules the schema cannot express, and returns Discord's error answer when Discord would
refuse the body. Update the vendored copy with::

    python -m nyx_sessions.testing.discord_api update <openapi.json | URL | discord-api-spec git dir>
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._rules import check_message, check_modal
from ._schema import Check, FormErrors, SchemaCompiler

__all__ = ("CHECKED_OPERATIONS", "SPEC_COMMIT", "SPEC_DATE", "SPEC_FILE", "check_request")

Json = dict[str, Any]

_HERE = Path(__file__).resolve().parent

SPEC_FILE = _HERE / "openapi.json"
"""The vendored ``specs/openapi.json``."""

_SOURCE: Json = json.loads((_HERE / "source.json").read_text(encoding="utf-8"))

SPEC_COMMIT: str = _SOURCE["commit"]
"""The commit of github.com/discord/discord-api-spec the vendored specification comes from."""

SPEC_DATE: str = _SOURCE["date"]
"""The date of :data:`SPEC_COMMIT`."""

_CREATE, _EDIT, _CALLBACK = "create", "edit", "callback"

CHECKED_OPERATIONS: dict[str, str] = {
    "create_interaction_response": _CALLBACK,
    "execute_webhook": _CREATE,
    "update_original_webhook_message": _EDIT,
    "update_webhook_message": _EDIT,
    "create_message": _CREATE,
    "update_message": _EDIT,
}
"""The operations (the specification's ``operationId``) whose bodies the fake Discord checks, and
what each one does to a message."""

_CHANNEL_MESSAGE, _UPDATE_MESSAGE, _MODAL = 4, 7, 9
_INVALID_FORM_BODY = 50035
_EMPTY_MESSAGE: Json = {"code": 50006, "message": "Cannot send an empty message"}


class _Spec:
    """The loaded specification and a compiled check per operation, made on first use."""

    __slots__ = ("_checks", "_compiler", "_operations")

    def __init__(self, document: Json) -> None:
        self._compiler = SchemaCompiler(document["components"]["schemas"])
        self._operations: dict[str, Json] = {
            operation["operationId"]: operation
            for item in document["paths"].values()
            for operation in item.values()
            if isinstance(operation, dict) and "operationId" in operation
        }
        self._checks: dict[str, Check] = {}

    def check(self, operation_id: str) -> Check:
        found = self._checks.get(operation_id)
        if found is None:
            body = self._operations[operation_id]["requestBody"]["content"]["application/json"]
            found = self._checks[operation_id] = self._compiler.compile(body["schema"])
        return found


_loaded: _Spec | None = None


def _spec() -> _Spec:
    global _loaded
    if _loaded is None:
        _loaded = _Spec(json.loads(SPEC_FILE.read_text(encoding="utf-8")))
    return _loaded


def check_request(operation: str, body: Json, *, files: int = 0, current_flags: int = 0) -> Json | None:
    """Discord's answer to a request body it would refuse, or ``None`` when it would accept it.

    Parameters
    ----------
    operation: str
        The operation's ``operationId`` in the specification, one of :data:`CHECKED_OPERATIONS`.
    body: dict
        The JSON body (for a multipart request, its ``payload_json``).
    files: int
        How many files the request uploads (a message with only files is not empty).
    current_flags: int
        The flags of the message an edit (or an update callback) changes.

    Returns
    -------
    dict | None
        ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` with Discord's errors
        tree, ``{"code": 50006, "message": "Cannot send an empty message"}``, or ``None``.
    """
    kind = CHECKED_OPERATIONS[operation]
    errors = FormErrors()
    _spec().check(operation)(body, (), errors)
    if errors:
        return _invalid(errors)
    empty = False
    if kind == _CALLBACK:
        data = body.get("data") or {}
        if body.get("type") == _CHANNEL_MESSAGE:
            empty = not check_message(data, errors, prefix=("data",), files=files)
        elif body.get("type") == _UPDATE_MESSAGE:
            check_message(data, errors, prefix=("data",), current_flags=current_flags)
        elif body.get("type") == _MODAL:
            check_modal(data, errors)
    elif kind == _CREATE:
        empty = not check_message(body, errors, files=files)
    else:
        check_message(body, errors, current_flags=current_flags)
    if errors:
        return _invalid(errors)
    return dict(_EMPTY_MESSAGE) if empty else None


def _invalid(errors: FormErrors) -> Json:
    return {"code": _INVALID_FORM_BODY, "message": "Invalid Form Body", "errors": errors.tree()}
