"""Custom-id builders: plain token lists, session ids with metadata, and paginated session ids.

A builder is a small mutable value: ``push`` / ``set_at`` change it in place and return it for
chaining, the ``clone_*`` variants leave it alone and change a copy. Its parts are tuples, so a
clone shares them instead of copying, and a session's builder costs a few slots of memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from nyx_sessions.codec._wire import (
    LENGTH_LIMIT,
    check_name,
    check_separators,
    check_value,
    parse_page,
    scan,
    tokens_after,
    utf16_length,
)
from nyx_sessions.errors import CustomIdTooLongError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from typing_extensions import Self

__all__ = (
    "CustomIdBuilder",
    "MetadatableCustomIdBuilder",
    "PaginationCustomIdBuilder",
    "Token",
)

Token = str | int
"""What builders accept as a value: strings, or integers written in decimal."""

_BuilderT = TypeVar("_BuilderT", bound="MetadatableCustomIdBuilder")

_ALWAYS_FITS = LENGTH_LIMIT // 2
"""A string of at most this many code points fits whatever its characters (each is at most 2 units)."""


def _set_slot(values: tuple[str, ...], index: int, value: str, kind: str) -> tuple[str, ...]:
    """Return ``values`` with ``value`` at ``index``, padding skipped slots with empty strings."""
    if not 0 <= index <= LENGTH_LIMIT:
        raise ValueError(
            f"{kind} index {index} is out of range: it must be between 0 and {LENGTH_LIMIT}, "
            f"the most a custom id of {LENGTH_LIMIT} UTF-16 units can reach"
        )
    if index >= len(values):
        return (*values, *("",) * (index - len(values)), value)
    if values[index]:
        raise ValueError(
            f"{kind} index {index} already holds {values[index]!r}; clone the builder to change it"
        )
    return (*values[:index], value, *values[index + 1 :])


class CustomIdBuilder:
    """A list of tokens joined by a separator: the plain custom id of nyx's ``CustomIdBuilder``.

    Empty slots (skipped by :meth:`set_at`) are written as empty tokens.

    Parameters
    ----------
    separator: :class:`str`
        The single character that joins the tokens.
    tokens: Iterable[:class:`str` | :class:`int`] | None
        The first tokens; integers are written in decimal.

    Raises
    ------
    ValueError
        ``separator`` is not exactly one character.
    InvalidCustomIdError
        A token contains the separator.
    """

    __slots__ = ("_separator", "_tokens")

    def __init__(self, separator: str, tokens: Iterable[Token] | None = None) -> None:
        check_separators(separator)
        self._separator = separator
        self._tokens: tuple[str, ...] = ()
        if tokens is not None:
            self._tokens = tuple(self._checked("token", token) for token in tokens)

    @staticmethod
    def from_string(custom_id: str, separator: str) -> CustomIdBuilder:
        """Split ``custom_id`` on ``separator`` into a plain builder, whatever class it is called on.

        The empty string gives no tokens (a single empty token builds the same string).

        Raises
        ------
        ValueError
            ``separator`` is not exactly one character.
        """
        builder = CustomIdBuilder(separator)
        if custom_id:
            builder._tokens = tuple(custom_id.split(separator))
        return builder

    @property
    def separator(self) -> str:
        """The character that joins the tokens."""
        return self._separator

    @property
    def tokens(self) -> tuple[str, ...]:
        """The tokens, empty slots as ``""``."""
        return self._tokens

    def push(self, *values: Token) -> Self:
        """Append ``values`` as tokens and return the builder.

        Raises
        ------
        InvalidCustomIdError
            A value contains a separator; nothing is appended.
        """
        self._tokens = (*self._tokens, *(self._checked("token", value) for value in values))
        return self

    def clone_push(self, *values: Token) -> Self:
        """Return a clone with ``values`` appended; the builder is unchanged."""
        return self.clone().push(*values)

    def set_at(self, index: int, value: Token) -> Self:
        """Put ``value`` in the empty slot ``index`` and return the builder.

        Slots skipped over stay empty and are written as empty tokens.

        Raises
        ------
        ValueError
            Slot ``index`` already holds a non-empty token, or ``index`` is negative or beyond any
            custom id's reach.
        InvalidCustomIdError
            ``value`` contains a separator.
        """
        self._tokens = _set_slot(self._tokens, index, self._checked("token", value), "token")
        return self

    def clone_set_at(self, index: int, value: Token) -> Self:
        """Return a clone with ``value`` at ``index``; the builder is unchanged."""
        return self.clone().set_at(index, value)

    def clone(self) -> Self:
        """Return an independent builder of the same class with the same content."""
        clone = object.__new__(type(self))
        clone._separator = self._separator
        clone._tokens = self._tokens
        return clone

    def build(self, unsafe: bool = False) -> str:
        """Return the custom id.

        Parameters
        ----------
        unsafe: :class:`bool`
            Skip the length check (Discord refuses longer ids when the message is sent).

        Raises
        ------
        CustomIdTooLongError
            The id is longer than 100 UTF-16 code units and ``unsafe`` is false.
        """
        custom_id = self._render()
        if not unsafe and len(custom_id) > _ALWAYS_FITS:
            length = utf16_length(custom_id)
            if length > LENGTH_LIMIT:
                raise CustomIdTooLongError(custom_id, length, LENGTH_LIMIT, self._budget_detail())
        return custom_id

    def __str__(self) -> str:
        return self.build()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(separator={self._separator!r}, tokens={self._tokens!r})"

    def _render(self) -> str:
        return self._separator.join(self._tokens)

    def _budget_detail(self) -> str:
        """Explain, for a too-long id, what takes the room; plain ids are just tokens."""
        return ""

    def _forbidden(self) -> tuple[str, str | None]:
        """The separators a value must not contain."""
        return self._separator, None

    def _checked(self, kind: str, value: Token) -> str:
        text = value if isinstance(value, str) else str(value)
        check_value(kind, text, *self._forbidden())
        return text


class MetadatableCustomIdBuilder(CustomIdBuilder):
    """A session custom id: ``namespace M object_id [M meta...] S [token S token...]``.

    ``S`` is the token separator, ``M`` the metadata separator. No part may contain either.

    Parameters
    ----------
    namespace: :class:`str`
        Tells whose id this is (``"SSN"`` for sessions); not empty.
    object_id: :class:`str`
        The session id; not empty.
    separator: :class:`str`
        The token separator, one character.
    metadata_separator: :class:`str`
        The metadata separator, one character other than ``separator``.
    tokens: Iterable[:class:`str` | :class:`int`] | None
        The first tokens.

    Raises
    ------
    ValueError
        A separator is not one character, or both are the same.
    InvalidCustomIdError
        The namespace or object id is empty, or a part contains a separator.
    """

    __slots__ = ("_metadata", "_metadata_separator", "_namespace", "_object_id")

    def __init__(
        self,
        namespace: str,
        object_id: str,
        separator: str,
        metadata_separator: str,
        tokens: Iterable[Token] | None = None,
    ) -> None:
        check_separators(separator, metadata_separator)
        self._metadata_separator = metadata_separator
        super().__init__(separator, tokens)
        self._namespace = self._checked_name("namespace", namespace)
        self._object_id = self._checked_name("session id", object_id)
        self._metadata: tuple[str, ...] = ()

    @staticmethod
    def from_metadatable_string(
        custom_id: str, separator: str, metadata_separator: str
    ) -> MetadatableCustomIdBuilder | None:
        """Read ``custom_id`` into a metadatable builder, whatever class it is called on.

        Lenient: the trailing token separator may be missing, any namespace is accepted, and empty
        tokens and metadata are kept (``"A|B--"`` has two empty tokens; ``"A|B-"`` none).

        Returns
        -------
        MetadatableCustomIdBuilder | None
            ``None`` when the string is not in the format (no metadata separator before the first
            token separator, an empty namespace or object id, or a token holding the metadata
            separator) or the separators are unusable. Never raises.
        """
        return _decode(MetadatableCustomIdBuilder, custom_id, separator, metadata_separator)

    @property
    def namespace(self) -> str:
        """Whose id this is (``"SSN"`` for sessions)."""
        return self._namespace

    @property
    def object_id(self) -> str:
        """The id of the object (session) the custom id routes to."""
        return self._object_id

    @property
    def metadata_separator(self) -> str:
        """The character that separates namespace, object id and metadata."""
        return self._metadata_separator

    @property
    def metadata(self) -> tuple[str, ...]:
        """The metadata values, empty slots as ``""``."""
        return self._metadata

    def push_meta(self, *values: Token) -> int:
        """Append metadata values and return the index of the first one (the old length).

        Raises
        ------
        InvalidCustomIdError
            A value contains a separator; nothing is appended.
        """
        index = len(self._metadata)
        self._metadata = (*self._metadata, *(self._checked("metadata value", value) for value in values))
        return index

    def set_meta_at(self, index: int, value: Token) -> Self:
        """Put ``value`` in the empty metadata slot ``index`` and return the builder.

        Raises
        ------
        ValueError
            The slot already holds a non-empty value, or ``index`` is out of range.
        InvalidCustomIdError
            ``value`` contains a separator.
        """
        self._metadata = _set_slot(self._metadata, index, self._checked("metadata value", value), "metadata")
        return self

    def get_meta_at(self, index: int) -> str | None:
        """Return metadata slot ``index`` (``""`` if empty), or ``None`` when there is no such slot."""
        return self._metadata[index] if 0 <= index < len(self._metadata) else None

    def clone(self) -> Self:
        """Return an independent builder of the same class with the same tokens and metadata."""
        clone = super().clone()
        clone._metadata_separator = self._metadata_separator
        clone._namespace = self._namespace
        clone._object_id = self._object_id
        clone._metadata = self._metadata
        return clone

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(namespace={self._namespace!r}, object_id={self._object_id!r}, "
            f"metadata={self._metadata!r}, tokens={self._tokens!r})"
        )

    def _render_data(self) -> str:
        data = f"{self._namespace}{self._metadata_separator}{self._object_id}"
        if self._metadata:
            return self._metadata_separator.join((data, *self._metadata))
        return data

    def _render(self) -> str:
        return f"{self._render_data()}{self._separator}{self._separator.join(self._tokens)}"

    def _budget_detail(self) -> str:
        fixed = utf16_length(self._render_data()) + 1
        budget = LENGTH_LIMIT - fixed
        prefix = f"session id {self._object_id!r} leaves {max(budget, 0)} units for tokens"
        metadata = f", metadata {self._metadata!r}" if self._metadata else ""
        parts = f"namespace {self._namespace!r}, the session id{metadata} and separators"
        if budget < 0:
            return f"{prefix}: {parts} alone take {fixed}; use a shorter session id or namespace"
        tokens = utf16_length(self._separator.join(self._tokens))
        return f"{prefix} ({parts} take {fixed}), but the tokens take {tokens}; use fewer or shorter tokens"

    def _forbidden(self) -> tuple[str, str | None]:
        return self._separator, self._metadata_separator

    def _checked_name(self, kind: str, value: str) -> str:
        check_name(kind, value, self._separator, self._metadata_separator)
        return value


class PaginationCustomIdBuilder(MetadatableCustomIdBuilder):
    """A session custom id that carries a page number in metadata slot 0.

    The page is read from that slot, so it is always what a decoder would read: a plain
    non-negative decimal integer, or ``None`` when the slot is missing or holds anything else.

    Parameters
    ----------
    namespace, object_id, separator, metadata_separator, tokens:
        As for :class:`MetadatableCustomIdBuilder`.
    page: :class:`int` | None
        The page to encode, if any.

    Raises
    ------
    ValueError
        As for :class:`MetadatableCustomIdBuilder`, or ``page`` is not a non-negative integer.
    InvalidCustomIdError
        As for :class:`MetadatableCustomIdBuilder`.
    """

    __slots__ = ()

    def __init__(
        self,
        namespace: str,
        object_id: str,
        separator: str,
        metadata_separator: str,
        tokens: Iterable[Token] | None = None,
        page: int | None = None,
    ) -> None:
        super().__init__(namespace, object_id, separator, metadata_separator, tokens)
        if page is not None:
            self.set_page(page)

    @staticmethod
    def from_paginated_string(
        custom_id: str, separator: str, metadata_separator: str
    ) -> PaginationCustomIdBuilder | None:
        """Read ``custom_id`` into a pagination builder, keeping all its metadata.

        Returns
        -------
        PaginationCustomIdBuilder | None
            As :meth:`MetadatableCustomIdBuilder.from_metadatable_string`; a builder whose slot 0 is
            not a page has :attr:`page` ``None``. Never raises.
        """
        return _decode(PaginationCustomIdBuilder, custom_id, separator, metadata_separator)

    @property
    def page(self) -> int | None:
        """The encoded page, or ``None``."""
        return parse_page(self._metadata[0]) if self._metadata else None

    def set_page(self, page: int) -> Self:
        """Encode ``page`` in metadata slot 0, replacing whatever is there, and return the builder.

        Raises
        ------
        ValueError
            ``page`` is not an :class:`int` (``bool`` excluded) or is negative.
        """
        if not isinstance(page, int) or isinstance(page, bool) or page < 0:
            raise ValueError(f"a page must be a non-negative int, got {page!r}")
        self._metadata = (str(int(page)), *self._metadata[1:])
        return self

    def set_to_next_page(self) -> Self:
        """Move to the next page and return the builder; without a page, do nothing."""
        page = self.page
        return self if page is None else self.set_page(page + 1)

    def set_to_previous_page(self) -> Self:
        """Move to the previous page and return the builder; without a page, do nothing.

        Raises
        ------
        ValueError
            The page is 0.
        """
        page = self.page
        if page == 0:
            raise ValueError("page 0 has no previous page")
        return self if page is None else self.set_page(page - 1)

    def clone_set_page(self, page: int) -> Self:
        """Return a clone on ``page``; the builder is unchanged."""
        return self.clone().set_page(page)

    def clone_set_next_page(self) -> Self:
        """Return a clone on the next page; the builder is unchanged."""
        return self.clone().set_to_next_page()

    def clone_set_previous_page(self) -> Self:
        """Return a clone on the previous page; the builder is unchanged.

        Raises
        ------
        ValueError
            The page is 0.
        """
        return self.clone().set_to_previous_page()


def _decode(
    cls: type[_BuilderT], custom_id: str, separator: str, metadata_separator: str
) -> _BuilderT | None:
    """Build a ``cls`` from a custom id without re-validating what :func:`scan` already guarantees."""
    try:
        check_separators(separator, metadata_separator)
    except ValueError:
        return None
    span = scan(custom_id, separator, metadata_separator)
    if span is None:
        return None
    namespace_end, object_id_end, data_end = span
    builder = object.__new__(cls)
    builder._separator = separator
    builder._metadata_separator = metadata_separator
    builder._namespace = custom_id[:namespace_end]
    builder._object_id = custom_id[namespace_end + 1 : object_id_end]
    builder._metadata = ()
    if object_id_end < data_end:
        builder._metadata = tuple(custom_id[object_id_end + 1 : data_end].split(metadata_separator))
    builder._tokens = tuple(tokens_after(custom_id, data_end, separator))
    return builder
