"""Session kinds: the stable names durable session classes are stored and found again under."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from _nyx_sessions_identity import SESSION_KINDS
from nyx_sessions.errors import DuplicateSessionKindError

__all__ = ("SessionKind", "declare_kind", "find_kind", "readable_kinds")

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionKind:
    """What a durable session class declared with its class keywords.

    Attributes
    ----------
    name: :class:`str`
        The kind records are stored under.
    data: Any
        The type of ``session.data`` (a ``msgspec.Struct``, a dataclass, ...); ``None``: untyped JSON.
    data_version: :class:`int`
        The version of that type; older records go through ``migrate_data``.
    aliases: tuple[:class:`str`, ...]
        Kinds the class answered to before a rename.
    """

    name: str
    data: Any
    data_version: int
    aliases: tuple[str, ...]


def declare_kind(cls: type, kind: str, data: Any, data_version: int, aliases: tuple[str, ...]) -> SessionKind:
    """Check a class's durable keywords and register the class under its kind and aliases.

    A class defined again under the same module and name (its module was reloaded) replaces the
    old one; any other class claiming a taken name is refused.

    Raises
    ------
    TypeError
        A keyword has the wrong type.
    DuplicateSessionKindError
        Another class holds the kind or one of the aliases.
    """
    if not isinstance(kind, str) or not kind.strip():
        raise TypeError(f"{cls.__qualname__}: kind must be a non-empty str, got {kind!r}")
    if isinstance(data_version, bool) or not isinstance(data_version, int) or data_version < 1:
        raise TypeError(
            f"{cls.__qualname__}: data_version must be a whole number from 1, got {data_version!r}"
        )
    if not isinstance(aliases, tuple) or not all(isinstance(alias, str) and alias for alias in aliases):
        raise TypeError(f"{cls.__qualname__}: aliases must be a tuple of kinds (str), got {aliases!r}")
    names = (kind, *aliases)
    for name in names:
        existing = SESSION_KINDS.get(name)
        if existing is not None and existing is not cls and _where(existing) != _where(cls):
            existing_alias = name in existing._kind.aliases  # type: ignore[attr-defined]
            raise DuplicateSessionKindError(
                name, existing, cls, existing_alias=existing_alias, new_alias=name != kind
            )
    for name in names:
        SESSION_KINDS[name] = cls
    return SessionKind(kind, data, data_version, tuple(aliases))


def readable_kinds() -> dict[str, int]:
    """Every kind (and alias) a loaded class declares, with the newest ``data_version`` it reads:
    the records this process can restore and end."""
    return {name: cls._kind.data_version for name, cls in SESSION_KINDS.items()}  # type: ignore[attr-defined]


def find_kind(kind: str) -> type | None:
    """The class registered under ``kind`` (or under it as an alias), or ``None``."""
    return SESSION_KINDS.get(kind)


def _where(cls: type) -> tuple[str, str]:
    return cls.__module__, cls.__qualname__
