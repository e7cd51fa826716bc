"""The session codec with nyx's default separators (reference §7.4), with nyx's defects fixed.

Where nyx behaved differently (a [Q] case of the reference), a comment says what nyx did.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from nyx_sessions.codec import (
    LENGTH_LIMIT,
    CustomIdBuilder,
    CustomIdIterator,
    MetadatableCustomIdBuilder,
    PaginationCustomIdBuilder,
    SessionCustomIdCodec,
)
from nyx_sessions.errors import CustomIdTooLongError, InvalidCustomIdError

S = "\u109e"
M = "\u0b75"


@dataclass
class FakeSession:
    id: str


@pytest.fixture
def codec() -> SessionCustomIdCodec:
    return SessionCustomIdCodec()


@pytest.fixture
def sess() -> FakeSession:
    return FakeSession("abc123")


def test_defaults_are_nyx_s(codec: SessionCustomIdCodec) -> None:
    assert (codec.namespace, codec.separator, codec.metadata_separator) == ("SSN", S, M)
    assert LENGTH_LIMIT == 100


def test_a_bare_session_id(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    custom_id = codec.serialize_to_custom_id(sess)
    assert custom_id == f"SSN{M}abc123{S}"
    assert len(custom_id) == 11


def test_tokens_follow_the_session_id_and_read_back(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    builder = codec.create_custom_id_builder(sess)
    assert type(builder) is MetadatableCustomIdBuilder
    custom_id = builder.push("foo").push("bar").build()
    assert custom_id == f"SSN{M}abc123{S}foo{S}bar"
    iterator = codec.create_iterator_from_custom_id(custom_id)
    assert isinstance(iterator, CustomIdIterator)
    assert iterator.tokens == ("foo", "bar")
    bare = codec.create_iterator_from_custom_id(codec.serialize_to_custom_id(sess))
    assert bare is not None
    assert bare.tokens == ()


@pytest.mark.parametrize(
    ("custom_id", "session_id"),
    [
        (f"SSN{M}abc123{S}foo", "abc123"),
        (f"SSN{M}abc123", "abc123"),
        (f"SSN{M}abc{M}3{S}", "abc"),
    ],
)
def test_deserialize_reads_the_session_id_leniently(
    codec: SessionCustomIdCodec, custom_id: str, session_id: str
) -> None:
    assert codec.deserialize_to_object_id(custom_id) == session_id


FOREIGN = [
    "my-button",
    "",
    f"CMD{M}ping{S}",
    f"SSN{M}{S}",
    f"{M}abc{S}",
    f"SSN{S}abc{M}x",
    f"SSNX{M}abc{S}",
    # nyx raised AssertionError on a token holding the metadata separator.
    f"SSN{M}abc{S}x{M}y",
]


@pytest.mark.parametrize("custom_id", FOREIGN)
def test_ids_the_codec_cannot_read_give_none(codec: SessionCustomIdCodec, custom_id: str) -> None:
    assert codec.deserialize_to_object_id(custom_id) is None
    assert codec.create_iterator_from_custom_id(custom_id) is None
    assert codec.extract_page_from_custom_id(custom_id) is None


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("my-button", False),
        ("", False),
        (f"CMD{M}ping{S}", False),
        (f"SSN{S}", False),
        (f"SSN{M}abc{S}", True),
        # A prefix test: the router claims the id for sessions, the manager then finds it unreadable.
        (f"SSN{M}{S}", True),
    ],
)
def test_is_session_custom_id_tests_the_namespace(
    codec: SessionCustomIdCodec, custom_id: str, expected: bool
) -> None:
    assert codec.is_session_custom_id(custom_id) is expected


@pytest.mark.parametrize(
    ("custom_id", "page"),
    [
        (f"SSN{M}abc{M}3{S}", 3),
        (f"SSN{M}abc{M}0{S}", 0),
        (f"SSN{M}abc{M}12{M}extra{S}tok", 12),
        (f"SSN{M}abc{M}7", 7),
        (f"SSN{M}abc{S}", None),
        (f"SSN{M}abc{M}{S}", None),
        ("option1", None),
        # nyx read these with JavaScript parseInt: -1, 3, 26, 1, 4 and (no check of the namespace) 7.
        (f"SSN{M}abc{M}-1{S}", None),
        (f"SSN{M}abc{M}3abc{S}", None),
        (f"SSN{M}abc{M}0x1A{S}", None),
        (f"SSN{M}abc{M}1.9{S}", None),
        (f"SSN{M}abc{M} 4{S}", None),
        (f"SSN{M}abc{M}+4{S}", None),
        (f"SSN{M}abc{M}\u0663{S}", None),
        (f"XYZ{M}abc{M}7{S}", None),
    ],
)
def test_extract_page_reads_only_plain_decimal_pages_of_this_namespace(
    codec: SessionCustomIdCodec, custom_id: str, page: int | None
) -> None:
    assert codec.extract_page_from_custom_id(custom_id) == page


def test_page_builders(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    builder = codec.create_page_custom_id_builder(sess)
    assert type(builder) is PaginationCustomIdBuilder
    assert builder.build() == f"SSN{M}abc123{S}"
    assert builder.clone_set_page(3).build() == f"SSN{M}abc123{M}3{S}"
    custom_id = builder.set_at(0, "amgelo563").set_page(3).build()
    assert custom_id == f"SSN{M}abc123{M}3{S}amgelo563"
    iterator = codec.create_iterator_from_custom_id(custom_id)
    assert iterator is not None
    assert iterator.get_at(0) == "amgelo563"
    assert codec.extract_page_from_custom_id(builder.clone_set_next_page().build()) == 4


def test_a_negative_page_is_refused(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    # nyx built f"SSN{M}abc123{M}-1{S}".
    with pytest.raises(ValueError, match="non-negative"):
        codec.create_page_custom_id_builder(sess).clone().set_page(-1)


def test_a_page_given_to_the_codec_is_encoded(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    builder = codec.create_page_custom_id_builder(sess, 3)
    assert builder.page == 3
    # nyx built f"SSN{M}abc123{S}" here, with no page.
    assert builder.build() == f"SSN{M}abc123{M}3{S}"
    assert codec.extract_page_from_custom_id(builder.build()) == 3


def test_the_limit_covers_the_whole_id(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    # "SSN" M "abc123" S takes 11 units, leaving 89 for tokens. nyx counted the tokens only, so it
    # built a 100-character token into a 111-character id and refused only tokens over 100.
    builder = codec.create_custom_id_builder(sess)
    assert len(builder.clone_push("1" * 89).build()) == LENGTH_LIMIT
    with pytest.raises(CustomIdTooLongError):
        builder.clone_push("1" * 90).build()
    assert len(builder.clone_push("1" * 44, "1" * 44).build()) == 100
    with pytest.raises(CustomIdTooLongError):
        builder.clone_push("1" * 45, "1" * 44).build()


def test_the_limit_counts_utf16_units(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    builder = codec.create_custom_id_builder(sess)
    emoji = "\U0001f600"
    assert builder.clone_push(emoji * 44).build()
    with pytest.raises(CustomIdTooLongError) as caught:
        builder.clone_push(emoji * 45).build()
    assert caught.value.length == 101
    assert len(caught.value.custom_id) == 56


def test_a_long_session_id_cannot_be_serialized(codec: SessionCustomIdCodec) -> None:
    # nyx serialized a 120-character session id to a 125-character id that Discord refuses on send.
    with pytest.raises(CustomIdTooLongError) as caught:
        codec.serialize_to_custom_id(FakeSession("x" * 120))
    assert (caught.value.length, caught.value.limit) == (125, 100)


def test_separators_in_tokens_are_refused(codec: SessionCustomIdCodec, sess: FakeSession) -> None:
    builder = codec.create_custom_id_builder(sess)
    with pytest.raises(InvalidCustomIdError, match="token 'a\u109eb' contains the token separator U\\+109E"):
        builder.push(f"a{S}b")
    with pytest.raises(
        InvalidCustomIdError, match="token 'a\u0b75b' contains the metadata separator U\\+0B75"
    ):
        builder.push(f"a{M}b")


def test_a_session_id_holding_a_separator_is_refused(codec: SessionCustomIdCodec) -> None:
    # nyx serialized it to f"SSN{M}a{S}b{S}", which decoded to the session "a".
    with pytest.raises(InvalidCustomIdError, match="session id 'a\u109eb' contains the token separator"):
        codec.serialize_to_custom_id(FakeSession(f"a{S}b"))
    with pytest.raises(InvalidCustomIdError, match="the session id of a custom id cannot be empty"):
        codec.create_page_custom_id_builder(FakeSession(""))


def test_the_codec_checks_its_configuration() -> None:
    # nyx raised AssertionError for equal separators.
    with pytest.raises(ValueError, match="must differ"):
        SessionCustomIdCodec(separator="|", metadata_separator="|")
    with pytest.raises(ValueError, match="exactly one character"):
        SessionCustomIdCodec(separator="")
    with pytest.raises(InvalidCustomIdError, match="namespace of a custom id cannot be empty"):
        SessionCustomIdCodec(namespace="")
    with pytest.raises(InvalidCustomIdError, match=f"namespace 'S{M}N' contains the metadata separator"):
        SessionCustomIdCodec(namespace=f"S{M}N")


def test_codecs_with_other_namespaces_ignore_each_other(sess: FakeSession) -> None:
    sessions, commands = SessionCustomIdCodec(), SessionCustomIdCodec(namespace="CMD")
    custom_id = commands.create_page_custom_id_builder(sess, 2).push("x").build()
    assert commands.deserialize_to_object_id(custom_id) == "abc123"
    assert commands.extract_page_from_custom_id(custom_id) == 2
    assert sessions.deserialize_to_object_id(custom_id) is None
    assert sessions.extract_page_from_custom_id(custom_id) is None
    assert not sessions.is_session_custom_id(custom_id)


def test_decoding_an_id_longer_than_the_limit_is_lenient(codec: SessionCustomIdCodec) -> None:
    custom_id = f"SSN{M}{'s' * 150}{M}9{S}" + S.join(["tok"] * 50)
    assert codec.deserialize_to_object_id(custom_id) == "s" * 150
    assert codec.extract_page_from_custom_id(custom_id) == 9
    iterator = codec.create_iterator_from_custom_id(custom_id)
    assert iterator is not None
    assert iterator.size == 50


# Error messages say which value, what length, which limit and what budget is left.


def test_too_long_names_length_limit_and_budget(codec: SessionCustomIdCodec) -> None:
    # "SSN" M "x" M "7" S take 8 units, which leaves 92 for tokens.
    builder = codec.create_page_custom_id_builder(FakeSession("x"), 7).push("t" * 93)
    with pytest.raises(CustomIdTooLongError) as caught:
        builder.build()
    message = str(caught.value)
    assert "101 UTF-16 code units long, over Discord's limit of 100" in message
    assert "session id 'x' leaves 92 units for tokens" in message
    assert "metadata ('7',)" in message
    assert "the tokens take 93" in message


def test_too_long_explains_a_session_id_that_leaves_no_room(codec: SessionCustomIdCodec) -> None:
    with pytest.raises(CustomIdTooLongError) as caught:
        codec.serialize_to_custom_id(FakeSession("y" * 96))
    message = str(caught.value)
    assert f"session id '{'y' * 96}' leaves 0 units for tokens" in message
    assert "alone take 101; use a shorter session id" in message


def test_the_plain_builder_reports_length_and_limit_only() -> None:
    with pytest.raises(CustomIdTooLongError) as caught:
        CustomIdBuilder("-").push("a" * 60, "b" * 60).build()
    assert str(caught.value).startswith(
        "custom id is 121 UTF-16 code units long, over Discord's limit of 100: 'aaa"
    )
    assert "leaves" not in str(caught.value)
