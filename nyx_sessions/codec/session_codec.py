"""The session codec: turns sessions into custom ids and reads session ids back out of them."""

from __future__ import annotations

from typing import Protocol

from nyx_sessions.codec._wire import check_name, check_separators, parse_page, scan, tokens_after
from nyx_sessions.codec.builders import MetadatableCustomIdBuilder, PaginationCustomIdBuilder
from nyx_sessions.codec.iterator import CustomIdIterator

__all__ = (
    "DEFAULT_METADATA_SEPARATOR",
    "DEFAULT_NAMESPACE",
    "DEFAULT_SEPARATOR",
    "IdentifiableSession",
    "SessionCustomIdCodec",
)

DEFAULT_NAMESPACE = "SSN"
"""nyx's session namespace (its command system uses ``"CMD"``)."""
DEFAULT_SEPARATOR = "\u109e"
"""nyx's token separator, U+109E MYANMAR SYMBOL SHAN ONE."""
DEFAULT_METADATA_SEPARATOR = "\u0b75"
"""nyx's metadata separator, U+0B75 ORIYA FRACTION ONE SIXTEENTH."""


class IdentifiableSession(Protocol):
    """What the codec needs from a session: its id."""

    @property
    def id(self) -> str:
        """The session's id, unique among live sessions."""
        ...


class SessionCustomIdCodec:
    """Writes and reads session custom ids: ``namespace M session_id [M page] S [token S ...]``.

    Decoding is lenient and never raises: anything it cannot read (another namespace, no session
    id, a token holding the metadata separator...) gives ``None``. It takes one pass over the id,
    whatever its length, since the router sees ids from other tools too.

    Parameters
    ----------
    namespace: :class:`str`
        Marks ids that belong to sessions; not empty.
    separator: :class:`str`
        The token separator, one character.
    metadata_separator: :class:`str`
        The metadata separator, one character other than ``separator``.

    Raises
    ------
    ValueError
        A separator is not one character, or both are the same.
    InvalidCustomIdError
        The namespace is empty or contains a separator.
    """

    __slots__ = ("_metadata_separator", "_namespace", "_prefix", "_separator")

    def __init__(
        self,
        namespace: str = DEFAULT_NAMESPACE,
        separator: str = DEFAULT_SEPARATOR,
        metadata_separator: str = DEFAULT_METADATA_SEPARATOR,
    ) -> None:
        check_separators(separator, metadata_separator)
        check_name("namespace", namespace, separator, metadata_separator)
        self._namespace = namespace
        self._separator = separator
        self._metadata_separator = metadata_separator
        self._prefix = namespace + metadata_separator

    @property
    def namespace(self) -> str:
        """The namespace that marks session ids."""
        return self._namespace

    @property
    def separator(self) -> str:
        """The token separator."""
        return self._separator

    @property
    def metadata_separator(self) -> str:
        """The metadata separator."""
        return self._metadata_separator

    def is_session_custom_id(self, custom_id: str) -> bool:
        """Whether ``custom_id`` carries this codec's namespace, even if the rest is unreadable.

        A prefix test, cheap enough to run on every interaction before anything else.
        """
        return custom_id.startswith(self._prefix)

    def serialize_to_custom_id(self, session: IdentifiableSession) -> str:
        """Return the bare custom id of ``session`` (no page, no tokens).

        Raises
        ------
        InvalidCustomIdError
            The session id is empty or contains a separator.
        CustomIdTooLongError
            The session id is too long for a custom id.
        """
        return self.create_custom_id_builder(session).build()

    def create_custom_id_builder(self, session: IdentifiableSession) -> MetadatableCustomIdBuilder:
        """Return a builder of ``session``'s custom ids, with no metadata or tokens yet.

        Raises
        ------
        InvalidCustomIdError
            The session id is empty or contains a separator.
        """
        return MetadatableCustomIdBuilder(
            self._namespace, session.id, self._separator, self._metadata_separator
        )

    def create_page_custom_id_builder(
        self, session: IdentifiableSession, page: int | None = None
    ) -> PaginationCustomIdBuilder:
        """Return a builder of ``session``'s custom ids that encodes ``page`` (if given).

        Raises
        ------
        ValueError
            ``page`` is not a non-negative integer.
        InvalidCustomIdError
            The session id is empty or contains a separator.
        """
        return PaginationCustomIdBuilder(
            self._namespace, session.id, self._separator, self._metadata_separator, page=page
        )

    def deserialize_to_object_id(self, custom_id: str) -> str | None:
        """Return the session id in ``custom_id``, or ``None`` if it is not a readable session id."""
        # _scan() inlined: this reads every click (the benchmarks page has what the call cost).
        if not custom_id.startswith(self._prefix):
            return None
        span = scan(custom_id, self._separator, self._metadata_separator)
        return None if span is None else custom_id[span[0] + 1 : span[1]]

    def create_iterator_from_custom_id(self, custom_id: str) -> CustomIdIterator | None:
        """Return an iterator over the tokens of ``custom_id`` (not its namespace, id or metadata).

        ``None`` if ``custom_id`` is not a readable session id.
        """
        span = self._scan(custom_id)
        return None if span is None else CustomIdIterator(tokens_after(custom_id, span[2], self._separator))

    def extract_page_from_custom_id(self, custom_id: str) -> int | None:
        """Return the page in ``custom_id``'s first metadata slot.

        ``None`` if ``custom_id`` is not a readable session id, has no metadata, or slot 0 is not a
        plain non-negative decimal integer.
        """
        span = self._scan(custom_id)
        if span is None:
            return None
        _, object_id_end, data_end = span
        if object_id_end == data_end:
            return None
        page_end = custom_id.find(self._metadata_separator, object_id_end + 1, data_end)
        return parse_page(custom_id[object_id_end + 1 : data_end if page_end < 0 else page_end])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(namespace={self._namespace!r}, separator={self._separator!r}, "
            f"metadata_separator={self._metadata_separator!r})"
        )

    def _scan(self, custom_id: str) -> tuple[int, int, int] | None:
        if not custom_id.startswith(self._prefix):
            return None
        return scan(custom_id, self._separator, self._metadata_separator)
