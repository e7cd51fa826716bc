"""A cursor over the tokens of a custom id (nyx's ``StringIterator``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from nyx_sessions.codec._wire import check_separators

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from typing_extensions import Self

__all__ = ("CustomIdIterator",)


class CustomIdIterator:
    """A cursor over the tokens of a custom id.

    Reading methods take ``force``: when true, a missing *or empty* token raises
    :class:`IndexError`; when false, a missing token reads as ``None`` and an empty one as ``""``.
    The cursor never leaves ``0..size``, so reading past either end keeps it at that end.
    Iterating (``iter(it)``) yields every token from the first and leaves the cursor alone.

    Parameters
    ----------
    tokens: Iterable[:class:`str`]
        The tokens.
    position: :class:`int`
        Where the cursor starts, ``0..len(tokens)``.

    Raises
    ------
    IndexError
        ``position`` is out of range.
    """

    __slots__ = ("_position", "_tokens")

    def __init__(self, tokens: Iterable[str], position: int = 0) -> None:
        self._tokens = tuple(tokens)
        self._position = 0
        self.position = position

    @staticmethod
    def from_string(custom_id: str, separator: str, position: int = 0) -> CustomIdIterator:
        """Split ``custom_id`` on ``separator`` (the empty string gives no tokens) and start at ``position``.

        Raises
        ------
        ValueError
            ``separator`` is not exactly one character.
        IndexError
            ``position`` is out of range.
        """
        check_separators(separator)
        return CustomIdIterator(custom_id.split(separator) if custom_id else (), position)

    @property
    def tokens(self) -> tuple[str, ...]:
        """All the tokens, whatever the position."""
        return self._tokens

    @property
    def size(self) -> int:
        """How many tokens there are."""
        return len(self._tokens)

    @property
    def position(self) -> int:
        """The index of the token :meth:`get` and :meth:`peek` read; settable within ``0..size``."""
        return self._position

    @position.setter
    def position(self, position: int) -> None:
        if not 0 <= position <= len(self._tokens):
            raise IndexError(
                f"position {position} is out of range: it must be between 0 and {len(self._tokens)}"
            )
        self._position = position

    def has_next(self) -> bool:
        """Whether the cursor is on a token (so :meth:`get` has something to read)."""
        return self._position < len(self._tokens)

    def has_previous(self) -> bool:
        """Whether there is a token before the cursor."""
        return self._position > 0

    @overload
    def get(self, force: Literal[True] = ...) -> str: ...
    @overload
    def get(self, force: bool) -> str | None: ...
    def get(self, force: bool = True) -> str | None:
        """Return the token at the cursor and move past it; a missing token does not move the cursor.

        Raises
        ------
        IndexError
            ``force`` is true and the token is missing or empty.
        """
        token = self._read(self._position, force)
        if token is not None:
            self._position += 1
        return token

    @overload
    def peek(self, force: Literal[True]) -> str: ...
    @overload
    def peek(self, force: bool = ...) -> str | None: ...
    def peek(self, force: bool = False) -> str | None:
        """Return the token at the cursor without moving.

        Raises
        ------
        IndexError
            ``force`` is true and the token is missing or empty.
        """
        return self._read(self._position, force)

    @overload
    def next(self, force: Literal[True]) -> str: ...
    @overload
    def next(self, force: bool = ...) -> str | None: ...
    def next(self, force: bool = False) -> str | None:
        """Move forward one token (not past the end), then return the token at the cursor.

        Raises
        ------
        IndexError
            ``force`` is true and that token is missing or empty.
        """
        if self._position < len(self._tokens):
            self._position += 1
        return self._read(self._position, force)

    @overload
    def previous(self, force: Literal[True]) -> str: ...
    @overload
    def previous(self, force: bool = ...) -> str | None: ...
    def previous(self, force: bool = False) -> str | None:
        """Move back one token and return it; at the start there is none and the cursor stays.

        Raises
        ------
        IndexError
            ``force`` is true and that token is missing or empty.
        """
        if self._position == 0:
            self._refuse_missing(force, "before position 0")
            return None
        self._position -= 1
        return self._read(self._position, force)

    @overload
    def get_at(self, index: int, force: Literal[True]) -> str: ...
    @overload
    def get_at(self, index: int, force: bool = ...) -> str | None: ...
    def get_at(self, index: int, force: bool = False) -> str | None:
        """Return the token at ``index`` (negative counts from the end) without moving.

        Raises
        ------
        IndexError
            ``force`` is true and the token is missing or empty.
        """
        return self._read(index, force)

    def clone(self) -> Self:
        """Return an independent iterator over the same tokens at the same position."""
        clone = object.__new__(type(self))
        clone._tokens = self._tokens
        clone._position = self._position
        return clone

    def join(self, separator: str) -> str:
        """Return all the tokens joined by ``separator``."""
        return separator.join(self._tokens)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tokens)

    def __str__(self) -> str:
        return ",".join(self._tokens)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._tokens!r}, position={self._position})"

    def _read(self, index: int, force: bool) -> str | None:
        if -len(self._tokens) <= index < len(self._tokens):
            token = self._tokens[index]
            if token or not force:
                return token
            raise IndexError(f"the custom id's token at position {index} is empty")
        self._refuse_missing(force, f"at position {index}")
        return None

    def _refuse_missing(self, force: bool, where: str) -> None:
        if force:
            raise IndexError(f"the custom id has no token {where}: it has {len(self._tokens)} token(s)")
