"""Custom ids: builders, a token iterator, and the codec that maps sessions to ids and back.

The default format is nyx's, ``SSN<U+0B75><session id>[<U+0B75><page>]<U+109E><token><U+109E>...``,
with nyx's defects fixed: the whole id is held to Discord's 100 UTF-16 code units, separators are
refused in every part, clones keep their metadata and page, pages are plain non-negative decimals,
and decoding returns ``None`` instead of raising.
"""

from __future__ import annotations

from nyx_sessions.codec._wire import LENGTH_LIMIT
from nyx_sessions.codec.builders import (
    CustomIdBuilder,
    MetadatableCustomIdBuilder,
    PaginationCustomIdBuilder,
    Token,
)
from nyx_sessions.codec.iterator import CustomIdIterator
from nyx_sessions.codec.session_codec import (
    DEFAULT_METADATA_SEPARATOR,
    DEFAULT_NAMESPACE,
    DEFAULT_SEPARATOR,
    IdentifiableSession,
    SessionCustomIdCodec,
)

__all__ = (
    "DEFAULT_METADATA_SEPARATOR",
    "DEFAULT_NAMESPACE",
    "DEFAULT_SEPARATOR",
    "LENGTH_LIMIT",
    "CustomIdBuilder",
    "CustomIdIterator",
    "IdentifiableSession",
    "MetadatableCustomIdBuilder",
    "PaginationCustomIdBuilder",
    "SessionCustomIdCodec",
    "Token",
)
