"""The custom-id wire format: length counting, value checks and the lenient decoder's scanner.

Grammar (``S`` the token separator, ``M`` the metadata separator)::

    custom_id := namespace M object_id (M meta)* [S token (S token)*]

There is no escaping, so no value may contain either separator. Both separators are single
characters: with longer ones, a value ending in a separator's first character would let the
separator match one character early, and no check on the values alone could prevent it.
"""

from __future__ import annotations

from nyx_sessions.errors import InvalidCustomIdError

__all__ = (
    "LENGTH_LIMIT",
    "check_name",
    "check_separators",
    "check_value",
    "parse_page",
    "scan",
    "tokens_after",
    "utf16_length",
)

LENGTH_LIMIT = 100
"""Discord's cap on a component or modal custom id, in UTF-16 code units."""

_MAX_PAGE_DIGITS = LENGTH_LIMIT
"""A page with more digits fits in no custom id; refusing it also bounds :func:`int`'s work."""


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as Discord counts it.

    Characters outside the Basic Multilingual Plane (most emoji) count 2; a lone surrogate counts 1.
    """
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _describe_char(char: str) -> str:
    """Return ``char``'s code point as ``U+XXXX``, readable whatever the glyph looks like."""
    return f"U+{ord(char):04X}"


def check_separators(separator: str, metadata_separator: str | None = None) -> None:
    """Refuse separators the wire format cannot use.

    Raises
    ------
    ValueError
        A separator is not exactly one character, or the two separators are equal.
    """
    for name, value in (("token separator", separator), ("metadata separator", metadata_separator)):
        if value is not None and len(value) != 1:
            raise ValueError(f"the {name} must be exactly one character, got {value!r}")
    if separator == metadata_separator:
        raise ValueError(
            "the token separator and the metadata separator must differ, "
            f"both are {_describe_char(separator)}"
        )


def check_value(kind: str, value: str, separator: str, metadata_separator: str | None = None) -> None:
    """Refuse a value that contains a separator, since the format has no escaping.

    Parameters
    ----------
    kind:
        What the value is (``"token"``, ``"session id"``...), for the message.
    value:
        The value to check.
    separator, metadata_separator:
        The separators it must not contain.

    Raises
    ------
    InvalidCustomIdError
        ``value`` contains one of the separators.
    """
    for name, char in (("token separator", separator), ("metadata separator", metadata_separator)):
        if char is not None and char in value:
            raise InvalidCustomIdError(
                f"{kind} {value!r} contains the {name} {_describe_char(char)}; custom ids have no "
                "escaping, so remove that character from the value"
            )


def check_name(kind: str, value: str, separator: str, metadata_separator: str) -> None:
    """Refuse an empty namespace or object id, or one that contains a separator.

    Raises
    ------
    InvalidCustomIdError
        ``value`` is empty or contains a separator.
    """
    if not value:
        raise InvalidCustomIdError(f"the {kind} of a custom id cannot be empty")
    check_value(kind, value, separator, metadata_separator)


def parse_page(text: str) -> int | None:
    """Read a page number: plain non-negative ASCII decimal digits, or ``None`` for anything else."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_PAGE_DIGITS:
        return int(text)
    return None


def scan(custom_id: str, separator: str, metadata_separator: str) -> tuple[int, int, int] | None:
    """Locate the parts of ``custom_id`` without copying it.

    Returns
    -------
    tuple[int, int, int] | None
        ``(namespace_end, object_id_end, data_end)``: the namespace is ``[:namespace_end]``, the object id
        ``[namespace_end + 1:object_id_end]``, the metadata (if any) ``[object_id_end + 1:data_end]`` and the
        tokens (if any) ``[data_end + 1:]``. ``None`` when the id is not in the format: no metadata
        separator before the first token separator, an empty namespace or object id, or a token
        holding the metadata separator. Never raises; one pass over the string.
    """
    data_end = custom_id.find(separator)
    if data_end < 0:
        data_end = len(custom_id)
    elif custom_id.find(metadata_separator, data_end) >= 0:
        return None
    namespace_end = custom_id.find(metadata_separator, 0, data_end)
    if namespace_end <= 0:
        return None
    object_id_end = custom_id.find(metadata_separator, namespace_end + 1, data_end)
    if object_id_end < 0:
        object_id_end = data_end
    if object_id_end == namespace_end + 1:
        return None
    return namespace_end, object_id_end, data_end


def tokens_after(custom_id: str, data_end: int, separator: str) -> list[str]:
    """Return the tokens of an id :func:`scan` accepted.

    ``"data"`` and ``"data S"`` both have no tokens; only ``"data S S"`` spells (two) empty ones.
    """
    start = data_end + 1
    return custom_id[start:].split(separator) if start < len(custom_id) else []
