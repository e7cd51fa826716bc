"""Properties of the custom-id format, checked on generated values.

- whatever holds no separator round-trips exactly, through the builders and through the codec;
- decoding never raises, whatever the string, and agrees with a plain reference decoder;
- nothing over 100 UTF-16 units is ever built, and the refusal says how long, what limit, what budget.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nyx_sessions.codec import (
    LENGTH_LIMIT,
    CustomIdBuilder,
    MetadatableCustomIdBuilder,
    PaginationCustomIdBuilder,
    SessionCustomIdCodec,
)
from nyx_sessions.errors import CustomIdTooLongError

S = "\u109e"
M = "\u0b75"
EMOJI = "\U0001f600"

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class FakeSession:
    id: str


def units(text: str) -> int:
    """UTF-16 length, counted the slow obvious way."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


# Any character but the separators: control characters, lone surrogates and astral ones included.
clean_chars = st.characters(exclude_categories=(), exclude_characters=[S, M]) | st.sampled_from(
    "ab1 -|" + EMOJI
)
clean_text = st.text(clean_chars, max_size=12)
names = st.text(clean_chars, min_size=1, max_size=12)
# A single empty token builds the same id as no tokens (nyx's format has no way to tell them
# apart), and reads back as no tokens; every other list comes back as it went in.
token_lists = st.lists(clean_text, max_size=6).filter(lambda tokens: tokens != [""])
metadata_lists = st.lists(clean_text, max_size=4)
pages = st.integers(min_value=0, max_value=10**30)

# Strings to decode: anything, things shaped like session ids, and very long ones.
any_chars = st.characters(exclude_categories=())
fragments = st.sampled_from(["SSN", S, M, "", "0", "42", "-1", "x", EMOJI, "\ud800", "\x00"]) | st.text(
    any_chars, max_size=3
)
starts = st.sampled_from([f"SSN{M}", f"SSN{M}x", "SSN", f"CMD{M}", ""])
shaped = st.builds(operator.add, starts, st.lists(fragments, max_size=12).map("".join))
pieces = st.lists(st.sampled_from(["SSN", S, M, "9", "a", EMOJI]), min_size=1, max_size=8).map("".join)
huge = st.builds(operator.mul, pieces, st.integers(1_000, 20_000))
any_custom_id = st.text(any_chars) | shaped | huge


def reference_decode(custom_id: str) -> tuple[str, str, list[str], list[str]] | None:
    """The format's meaning, written plainly with split(): (namespace, id, metadata, tokens) or None."""
    data, *tokens = custom_id.split(S)
    if tokens == [""]:
        tokens = []
    namespace, *rest = data.split(M)
    if not rest or any(M in token for token in tokens):
        return None
    object_id, *metadata = rest
    if not namespace or not object_id:
        return None
    return namespace, object_id, metadata, tokens


@FAST
@given(separator=st.characters(exclude_categories=()), tokens=st.lists(clean_text, max_size=6))
def test_plain_tokens_round_trip(separator: str, tokens: list[str]) -> None:
    tokens = [token.replace(separator, "") for token in tokens]
    custom_id = CustomIdBuilder(separator, tokens).build(unsafe=True)
    read = CustomIdBuilder.from_string(custom_id, separator).tokens
    assert read == (() if tokens == [""] else tuple(tokens))


@FAST
@given(namespace=names, object_id=names, metadata=metadata_lists, tokens=token_lists)
def test_metadatable_ids_round_trip(
    namespace: str, object_id: str, metadata: list[str], tokens: list[str]
) -> None:
    builder = MetadatableCustomIdBuilder(namespace, object_id, S, M, tokens)
    builder.push_meta(*metadata)
    custom_id = builder.build(unsafe=True)

    read = MetadatableCustomIdBuilder.from_metadatable_string(custom_id, S, M)
    assert read is not None
    assert (read.namespace, read.object_id, read.metadata, read.tokens) == (
        namespace,
        object_id,
        tuple(metadata),
        tuple(tokens),
    )
    assert read.build(unsafe=True) == custom_id
    assert reference_decode(custom_id) == (namespace, object_id, metadata, tokens)


@FAST
@given(object_id=names, page=pages, metadata=metadata_lists, tokens=token_lists)
def test_paginated_ids_round_trip(object_id: str, page: int, metadata: list[str], tokens: list[str]) -> None:
    builder = PaginationCustomIdBuilder("SSN", object_id, S, M, tokens, page=page)
    builder.push_meta(*metadata)
    read = PaginationCustomIdBuilder.from_paginated_string(builder.build(unsafe=True), S, M)
    assert read is not None
    assert (read.page, read.metadata, read.tokens) == (page, (str(page), *metadata), tuple(tokens))
    assert read.clone().page == page


@FAST
@given(
    namespace=names,
    object_id=names,
    page=st.none() | pages,
    metadata=metadata_lists,
    tokens=token_lists,
)
def test_the_codec_reads_back_what_it_wrote(
    namespace: str, object_id: str, page: int | None, metadata: list[str], tokens: list[str]
) -> None:
    codec = SessionCustomIdCodec(namespace)
    builder = codec.create_page_custom_id_builder(FakeSession(object_id), page).push(*tokens)
    if page is not None:  # with no page, metadata slot 0 would be read as the page
        builder.push_meta(*metadata)
    custom_id = builder.build(unsafe=True)

    assert codec.is_session_custom_id(custom_id)
    assert codec.deserialize_to_object_id(custom_id) == object_id
    assert codec.extract_page_from_custom_id(custom_id) == page
    iterator = codec.create_iterator_from_custom_id(custom_id)
    assert iterator is not None
    assert list(iterator) == tokens
    assert SessionCustomIdCodec(f"{namespace}x").deserialize_to_object_id(custom_id) is None


@FAST
@given(custom_id=any_custom_id)
def test_decoding_never_raises_and_agrees_with_the_reference(custom_id: str) -> None:
    codec = SessionCustomIdCodec()
    expected = reference_decode(custom_id)
    if expected is None or expected[0] != "SSN":
        assert codec.deserialize_to_object_id(custom_id) is None
        assert codec.create_iterator_from_custom_id(custom_id) is None
        assert codec.extract_page_from_custom_id(custom_id) is None
    else:
        _, object_id, metadata, tokens = expected
        assert codec.deserialize_to_object_id(custom_id) == object_id
        iterator = codec.create_iterator_from_custom_id(custom_id)
        assert iterator is not None
        assert list(iterator) == tokens
        slot = metadata[0] if metadata else ""
        plain = slot.isascii() and slot.isdigit()
        assert codec.extract_page_from_custom_id(custom_id) == (int(slot) if plain else None)
    assert codec.is_session_custom_id(custom_id) == custom_id.startswith(f"SSN{M}")
    read = MetadatableCustomIdBuilder.from_metadatable_string(custom_id, S, M)
    assert (read is None) == (expected is None)
    PaginationCustomIdBuilder.from_paginated_string(custom_id, S, M)


@FAST
@given(page_text=st.text(any_chars, max_size=8) | st.integers().map(str))
def test_only_plain_non_negative_decimals_are_pages(page_text: str) -> None:
    page = SessionCustomIdCodec().extract_page_from_custom_id(f"SSN{M}abc{M}{page_text}{S}")
    if page_text.isascii() and page_text.isdigit():
        assert page == int(page_text)
    else:
        assert page is None


@FAST
@given(object_id=names, page=st.none() | st.integers(0, 10**40), tokens=st.lists(clean_text, max_size=12))
def test_no_built_id_exceeds_the_limit(object_id: str, page: int | None, tokens: list[str]) -> None:
    builder = SessionCustomIdCodec().create_page_custom_id_builder(FakeSession(object_id), page).push(*tokens)
    full = builder.build(unsafe=True)
    if units(full) <= LENGTH_LIMIT:
        assert builder.build() == full
        return
    with pytest.raises(CustomIdTooLongError) as caught:
        builder.build()
    assert (caught.value.custom_id, caught.value.length, caught.value.limit) == (
        full,
        units(full),
        LENGTH_LIMIT,
    )
    message = str(caught.value)
    assert f"{units(full)} UTF-16 code units long, over Discord's limit of {LENGTH_LIMIT}" in message
    head = full[: len(full) - len(S.join(builder.tokens))]
    budget = max(LENGTH_LIMIT - units(head), 0)
    assert f"session id {object_id!r} leaves {budget} units for tokens" in message


@FAST
@given(tokens=st.lists(st.text(st.sampled_from(["a", EMOJI, "\ud800"]), max_size=40), max_size=4))
def test_the_plain_builder_holds_to_the_limit_too(tokens: list[str]) -> None:
    builder = CustomIdBuilder("-", tokens)
    full = builder.build(unsafe=True)
    if units(full) <= LENGTH_LIMIT:
        assert builder.build() == full
        return
    with pytest.raises(CustomIdTooLongError) as caught:
        builder.build()
    assert (caught.value.length, caught.value.limit) == (units(full), LENGTH_LIMIT)
