"""Encoding ``session.data`` as JSON and reading it back typed, with msgspec (never pickle).

pickle would turn write access to the store into code execution in every bot process, and it
names classes by module path, so a class moved in a deploy breaks loading. JSON with a declared type
is validated on the way back and evolves by explicit versions (``data_version``, ``migrate_data``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nyx_sessions.errors import SessionDataError

if TYPE_CHECKING:
    from types import ModuleType

    from nyx_sessions.durable.kinds import SessionKind

__all__ = ("DataVersionError", "decode_data", "decode_json", "encode_data", "encode_json")


class DataVersionError(SessionDataError):
    """A record was written by a newer ``data_version`` than this class knows: never downgraded."""


def _msgspec() -> ModuleType:
    try:
        import msgspec
    except ImportError as error:
        raise SessionDataError(
            "?", 'durable sessions encode their data with msgspec: pip install "nyx-sessions[sqlite]"'
        ) from error
    return msgspec


def encode_json(value: object) -> bytes:
    """``value`` as JSON bytes (builtins, msgspec Structs, dataclasses, enums, datetimes...)."""
    encoded: bytes = _msgspec().json.encode(value)
    return encoded


def decode_json(raw: bytes, type_: Any = Any) -> Any:
    """JSON bytes back as ``type_`` (validated), or as builtins."""
    return _msgspec().json.decode(raw, type=type_)


def encode_data(
    value: object, session_id: str, declared: Any = None, *, checked: bool = True, owner: str | None = None
) -> bytes:
    """Encode a session's ``data``, checked to come back as it is after a restart.

    With a ``declared`` type (the class's ``data=``), the data must read back as that type; without
    one, it must read back equal (a tuple, a set, a datetime or an int dict key would come back as
    something else). ``checked=False`` only encodes (a ``result``, which has no declared type).
    ``owner`` names the session's class in the error.

    Raises
    ------
    SessionDataError
        The data holds something JSON cannot carry, or it would not come back as it is; the error
        names the field, the value and the fix.
    """
    try:
        encoded = encode_json(value)
    except (TypeError, ValueError, OverflowError) as error:
        detail = (
            f"{error}; keep JSON values in it (str, int, float, bool, None, lists, dicts with str "
            "keys), msgspec Structs or dataclasses, and ids rather than discord.py objects"
        )
        raise SessionDataError(session_id, detail, _failing_field(value), owner=owner) from error
    if not checked:
        return encoded
    msgspec = _msgspec()
    if declared is not None:
        try:
            msgspec.json.decode(encoded, type=declared)
        except msgspec.ValidationError as error:
            name = getattr(declared, "__name__", repr(declared))
            path = str(error).rpartition("`$.")[2].rstrip("`") if "`$." in str(error) else None
            detail = f"{error}: {name} says otherwise; store a value of the declared type, or change {name}"
            raise SessionDataError(session_id, detail, path, owner=owner) from error
        return encoded
    changed = _first_change(value, msgspec.json.decode(encoded), "")
    if changed is not None:
        path, before, after = changed
        detail = (
            f"{before!r} ({type(before).__name__}) would come back as {after!r} ({type(after).__name__}) "
            "after a restart; store plain JSON values (lists, str keys, ISO dates), or declare the "
            "type with the class keyword data= so it reads back as it was"
        )
        raise SessionDataError(session_id, detail, path or None, owner=owner)
    return encoded


def _first_change(before: object, after: object, path: str) -> tuple[str, object, object] | None:
    """Where untyped data differs from what JSON gives back (``None``: nowhere)."""
    if type(before) is not type(after):  # JSON keeps bool, int, float, str, list and dict as they are
        return path, before, after
    if isinstance(before, dict) and isinstance(after, dict):
        if list(before) != list(after):
            key = next(key for key in before if key not in after)
            return f"{path}.{key}".lstrip("."), key, str(key)
        for key, item in before.items():
            found = _first_change(item, after[key], f"{path}.{key}".lstrip("."))
            if found is not None:
                return found
    elif isinstance(before, list) and isinstance(after, list):
        for index, (item, back) in enumerate(zip(before, after, strict=True)):
            found = _first_change(item, back, f"{path}[{index}]")
            if found is not None:
                return found
    elif before != after:
        return path, before, after
    return None


def decode_data(
    kind: SessionKind,
    migrate: Callable[[dict[str, Any], int], dict[str, Any]],
    raw: bytes,
    version: int,
    session_id: str,
) -> Any:
    """Read stored data back as the kind's declared type, migrating data of an older version first.

    Raises
    ------
    DataVersionError
        ``version`` is newer than the kind's ``data_version``.
    SessionDataError
        The data does not decode, or does not fit the declared type after migration.
    """
    if version > kind.data_version:
        raise DataVersionError(
            session_id,
            f"it was written with data_version {version}, newer than {kind.name!r}'s {kind.data_version}",
        )
    msgspec = _msgspec()
    declared = Any if kind.data is None else kind.data
    try:
        if version == kind.data_version:
            return msgspec.json.decode(raw, type=declared)
        loose = msgspec.json.decode(raw)
        migrated = migrate(loose, version)
        return msgspec.convert(migrated, declared)
    except (msgspec.ValidationError, msgspec.DecodeError, TypeError, ValueError, KeyError) as error:
        raise SessionDataError(session_id, f"the stored data does not read back: {error}") from error


def _failing_field(value: object) -> str | None:
    """The name of the first field of ``value`` that does not encode, when ``value`` has fields."""
    msgspec = _msgspec()
    if isinstance(value, msgspec.Struct):
        items: Mapping[str, Any] = msgspec.structs.asdict(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    elif isinstance(value, Mapping):
        items = {str(key): item for key, item in value.items()}
    else:
        return None
    for name, item in items.items():
        try:
            encode_json(item)
        except (TypeError, ValueError, OverflowError):
            inner = _failing_field(item)
            return name if inner is None else f"{name}.{inner}"
    return None
