"""The custom-id builders: nyx's own builder suite (reference §7.1-7.3), with its defects fixed.

Where nyx behaved differently (a [Q] case of the reference), a comment says what nyx did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from nyx_sessions.codec import (
    CustomIdBuilder,
    MetadatableCustomIdBuilder,
    PaginationCustomIdBuilder,
)
from nyx_sessions.errors import CustomIdTooLongError, InvalidCustomIdError

if TYPE_CHECKING:
    from collections.abc import Callable

    from nyx_sessions.codec import Token


@dataclass(frozen=True)
class Flavour:
    """One builder class, set up the way nyx's suite sets it up (sep "-", meta sep ".")."""

    cls: type[CustomIdBuilder]
    make: Callable[[list[Token] | None], CustomIdBuilder]
    prefix: str
    """What ``build()`` writes before the tokens."""


FLAVOURS = [
    pytest.param(Flavour(CustomIdBuilder, lambda tokens: CustomIdBuilder("-", tokens), ""), id="plain"),
    pytest.param(
        Flavour(
            MetadatableCustomIdBuilder,
            lambda tokens: MetadatableCustomIdBuilder("TEST", "myObject", "-", ".", tokens),
            "TEST.myObject-",
        ),
        id="metadatable",
    ),
    pytest.param(
        Flavour(
            PaginationCustomIdBuilder,
            lambda tokens: PaginationCustomIdBuilder("TEST", "myObject", "-", ".", tokens),
            "TEST.myObject-",
        ),
        id="pagination",
    ),
]


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param  # type: ignore[no-any-return]


# §7.1 — the base builder, shared by all three classes (case 14 and 30 of the reference).


def test_a_new_builder_has_its_separator_and_no_tokens(flavour: Flavour) -> None:
    builder = flavour.make(None)
    assert builder.separator == "-"
    assert builder.tokens == ()


def test_constructor_tokens_are_kept_and_numbers_written_in_decimal(flavour: Flavour) -> None:
    assert flavour.make(["abc", "def", "ghi"]).tokens == ("abc", "def", "ghi")
    assert flavour.make(["a", 5]).tokens == ("a", "5")


def test_constructor_tokens_holding_the_separator_are_refused(flavour: Flavour) -> None:
    # nyx kept ["a-b", 5] as ["a-b", "5"] unchecked, building an id that reads back as other tokens.
    with pytest.raises(InvalidCustomIdError, match="token 'a-b' contains the token separator U\\+002D"):
        flavour.make(["a-b", 5])


def test_push_appends_one_or_many_tokens(flavour: Flavour) -> None:
    assert flavour.make(None).push("abc").tokens == ("abc",)
    assert flavour.make(None).push("abc", "def", "ghi").tokens == ("abc", "def", "ghi")


def test_build_and_str_join_the_tokens(flavour: Flavour) -> None:
    builder = flavour.make(None).push("abc", "def", "ghi")
    assert builder.build() == f"{flavour.prefix}abc-def-ghi"
    assert str(builder) == builder.build()


def test_an_id_over_100_units_is_refused_unless_unsafe(flavour: Flavour) -> None:
    builder = flavour.make(None).push("abc", "def", "ghi").push("1" * 100)
    with pytest.raises(CustomIdTooLongError):
        builder.build()
    with pytest.raises(CustomIdTooLongError):
        str(builder)
    assert len(flavour.make(None).push("1" * 101).build(unsafe=True)) == len(flavour.prefix) + 101


def test_clone_push_leaves_the_original_alone(flavour: Flavour) -> None:
    builder = flavour.make(["abc", "def", "ghi"])
    assert builder.clone_push("abc").tokens == ("abc", "def", "ghi", "abc")
    assert builder.clone_push("x", "y").tokens == ("abc", "def", "ghi", "x", "y")
    assert builder.tokens == ("abc", "def", "ghi")


def test_push_refuses_a_token_holding_the_separator(flavour: Flavour) -> None:
    builder = flavour.make(["ok"])
    with pytest.raises(InvalidCustomIdError):
        builder.push("fine", "abc-def")
    assert builder.tokens == ("ok",)


def test_clone_is_an_independent_builder_of_the_same_class(flavour: Flavour) -> None:
    builder = flavour.make(["abc"])
    clone = builder.clone()
    assert type(clone) is flavour.cls
    assert clone is not builder
    assert (clone.tokens, clone.separator) == (builder.tokens, builder.separator)
    clone.push("def")
    assert builder.tokens == ("abc",)


def test_set_at_fills_an_empty_slot_once(flavour: Flavour) -> None:
    builder = flavour.make(None).set_at(0, "abc")
    assert builder.tokens == ("abc",)
    with pytest.raises(ValueError, match="token index 0 already holds 'abc'"):
        builder.set_at(0, "abc")


def test_clone_set_at_leaves_the_original_alone(flavour: Flavour) -> None:
    builder = flavour.make(["abc", "def", "ghi"])
    assert builder.clone_set_at(3, "xyz").tokens == ("abc", "def", "ghi", "xyz")
    assert builder.tokens == ("abc", "def", "ghi")


def test_from_string_splits_into_a_plain_builder_whatever_the_class(flavour: Flavour) -> None:
    builder = flavour.cls.from_string("123-456-789", "-")
    assert type(builder) is CustomIdBuilder
    assert builder.tokens == ("123", "456", "789")


def test_skipped_slots_are_written_as_empty_tokens(flavour: Flavour) -> None:
    builder = flavour.make(None).set_at(2, "z")
    assert builder.tokens == ("", "", "z")
    assert builder.build() == f"{flavour.prefix}--z"
    assert builder.set_at(0, "a").tokens == ("a", "", "z")


def test_push_writes_numbers_in_decimal(flavour: Flavour) -> None:
    assert flavour.make(None).push(42, "x").tokens == ("42", "x")


def test_set_at_refuses_negative_and_unreachable_indexes(flavour: Flavour) -> None:
    builder = flavour.make(None)
    with pytest.raises(ValueError, match="token index -1 is out of range"):
        builder.set_at(-1, "a")
    # A hole costs a separator, so no id of 100 units reaches index 101: refuse it before allocating.
    with pytest.raises(ValueError, match="token index 101 is out of range"):
        builder.set_at(101, "a")
    assert builder.tokens == ()


def test_a_separator_must_be_one_character() -> None:
    for separator in ("", "--"):
        with pytest.raises(ValueError, match="token separator must be exactly one character"):
            CustomIdBuilder(separator)


def test_from_string_of_the_empty_string_has_no_tokens() -> None:
    # nyx gave [""]; the empty string is also what a builder with no tokens builds.
    assert CustomIdBuilder.from_string("", "-").tokens == ()
    assert CustomIdBuilder.from_string("a--", "-").tokens == ("a", "", "")


# §7.2 — metadatable builders, ns "TEST", id "myObject", sep "-", meta "|" (also pagination, case 30).

METADATABLE = [
    pytest.param(MetadatableCustomIdBuilder, id="metadatable"),
    pytest.param(PaginationCustomIdBuilder, id="pagination"),
]


@pytest.fixture(params=METADATABLE)
def meta_cls(request: pytest.FixtureRequest) -> type[MetadatableCustomIdBuilder]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def meta_builder(meta_cls: type[MetadatableCustomIdBuilder]) -> MetadatableCustomIdBuilder:
    return meta_cls("TEST", "myObject", "-", "|")


def test_metadatable_getters(meta_builder: MetadatableCustomIdBuilder) -> None:
    assert meta_builder.namespace == "TEST"
    assert meta_builder.object_id == "myObject"
    assert meta_builder.separator == "-"
    assert meta_builder.metadata_separator == "|"
    assert meta_builder.metadata == ()


def test_the_two_separators_must_differ(meta_cls: type[MetadatableCustomIdBuilder]) -> None:
    # nyx raised AssertionError; a bad argument is a ValueError here.
    with pytest.raises(ValueError, match="must differ, both are U\\+007C"):
        meta_cls("TEST", "myObject", "|", "|")


def test_push_meta_returns_the_index_of_its_first_value(meta_builder: MetadatableCustomIdBuilder) -> None:
    assert meta_builder.push_meta("a") == 0
    assert meta_builder.push_meta("b", "c") == 1
    assert meta_builder.push_meta() == 3
    assert meta_builder.metadata == ("a", "b", "c")
    assert meta_builder.get_meta_at(1) == "b"


@pytest.mark.parametrize("value", ["abc-def", "abc|def"])
def test_metadata_holding_a_separator_is_refused(
    meta_builder: MetadatableCustomIdBuilder, value: str
) -> None:
    with pytest.raises(InvalidCustomIdError, match="metadata value"):
        meta_builder.push_meta(value)
    with pytest.raises(InvalidCustomIdError, match="metadata value"):
        meta_builder.set_meta_at(0, value)
    assert meta_builder.metadata == ()


def test_set_meta_at_fills_a_slot_once(meta_builder: MetadatableCustomIdBuilder) -> None:
    meta_builder.set_meta_at(0, "meta1")
    assert meta_builder.get_meta_at(0) == "meta1"
    with pytest.raises(ValueError, match="metadata index 0 already holds 'meta1'"):
        meta_builder.set_meta_at(0, "meta2")


def test_get_meta_at_a_missing_slot_is_none(meta_builder: MetadatableCustomIdBuilder) -> None:
    assert meta_builder.get_meta_at(0) is None
    assert meta_builder.get_meta_at(-1) is None


def test_build_writes_metadata_before_the_tokens(meta_builder: MetadatableCustomIdBuilder) -> None:
    meta_builder.push_meta("123", "456", "789")
    assert meta_builder.build() == "TEST|myObject|123|456|789-"
    assert meta_builder.push("abc", "def", "ghi").build() == "TEST|myObject|123|456|789-abc-def-ghi"


def test_a_bare_builder_builds_namespace_id_and_one_separator(
    meta_builder: MetadatableCustomIdBuilder,
) -> None:
    assert meta_builder.build() == "TEST|myObject-"


def test_from_metadatable_string_reads_back_what_was_built(
    meta_cls: type[MetadatableCustomIdBuilder],
) -> None:
    builder = meta_cls.from_metadatable_string("TEST|myObject|123|456|789-abc-def-ghi", "-", "|")
    assert builder is not None
    assert type(builder) is MetadatableCustomIdBuilder
    assert builder.metadata == ("123", "456", "789")
    assert builder.tokens == ("abc", "def", "ghi")
    assert builder.build() == "TEST|myObject|123|456|789-abc-def-ghi"


def test_from_metadatable_string_with_metadata_and_no_tokens() -> None:
    builder = MetadatableCustomIdBuilder.from_metadatable_string("TEST|myObject|123|456|789-", "-", "|")
    assert builder is not None
    assert (builder.metadata, builder.tokens) == (("123", "456", "789"), ())


@pytest.mark.parametrize(
    ("custom_id", "separator", "metadata_separator"),
    [("", "", ""), ("abc", "-", "|"), ("", "-", "|"), ("|B-", "-", "|"), ("A|-", "-", "|")],
)
def test_from_metadatable_string_gives_none_for_what_it_cannot_read(
    custom_id: str, separator: str, metadata_separator: str
) -> None:
    assert (
        MetadatableCustomIdBuilder.from_metadatable_string(custom_id, separator, metadata_separator) is None
    )


@pytest.mark.parametrize(
    ("custom_id", "tokens"), [("A|B", ()), ("A|B-", ()), ("A|B--", ("", "")), ("A|B-x-", ("x", ""))]
)
def test_from_metadatable_string_keeps_empty_tokens(custom_id: str, tokens: tuple[str, ...]) -> None:
    builder = MetadatableCustomIdBuilder.from_metadatable_string(custom_id, "-", "|")
    assert builder is not None
    assert builder.tokens == tokens


def test_from_metadatable_string_gives_none_for_a_token_holding_the_metadata_separator() -> None:
    # nyx raised AssertionError from inside the decoder.
    assert MetadatableCustomIdBuilder.from_metadatable_string("A|B-x|y", "-", "|") is None


def test_clone_keeps_the_metadata(meta_builder: MetadatableCustomIdBuilder) -> None:
    meta_builder.push("t")
    assert meta_builder.clone().metadata == ()
    meta_builder.push_meta("m1")
    clone = meta_builder.clone()
    # nyx dropped the metadata here and built "TEST|myObject-".
    assert clone.build() == "TEST|myObject|m1-t"
    clone.push_meta("m2")
    assert meta_builder.metadata == ("m1",)


@pytest.mark.parametrize(
    ("namespace", "object_id", "message"),
    [
        ("", "x", "the namespace of a custom id cannot be empty"),
        ("TEST", "", "the session id of a custom id cannot be empty"),
        ("TE-ST", "x", "namespace 'TE-ST' contains the token separator U\\+002D"),
        ("TEST", "a|b", "session id 'a|b' contains the metadata separator U\\+007C"),
    ],
)
def test_namespace_and_object_id_are_checked(
    meta_cls: type[MetadatableCustomIdBuilder], namespace: str, object_id: str, message: str
) -> None:
    # nyx took them unchecked: "a|b" built an id that decoded to the session "a".
    with pytest.raises(InvalidCustomIdError, match=message):
        meta_cls(namespace, object_id, "-", "|")


def test_tokens_holding_the_metadata_separator_are_refused_everywhere(
    meta_builder: MetadatableCustomIdBuilder,
) -> None:
    with pytest.raises(InvalidCustomIdError, match=re.escape("token 'x|y' contains the metadata separator")):
        meta_builder.push("x|y")
    with pytest.raises(InvalidCustomIdError, match=re.escape("token 'x|y' contains the metadata separator")):
        meta_builder.set_at(0, "x|y")
    with pytest.raises(InvalidCustomIdError, match=re.escape("token 'x|y' contains the metadata separator")):
        type(meta_builder)("TEST", "myObject", "-", "|", ["x|y"])


# §7.3 — pagination builders, same fixture.


def make_page_builder(page: int | None = None) -> PaginationCustomIdBuilder:
    return PaginationCustomIdBuilder("TEST", "myObject", "-", "|", page=page)


def test_a_constructor_page_is_encoded() -> None:
    assert make_page_builder().page is None
    builder = make_page_builder(5)
    assert builder.page == 5
    # nyx set the field only and built "TEST|myObject-".
    assert builder.build() == "TEST|myObject|5-"


def test_from_paginated_string_reads_the_page_and_keeps_the_metadata() -> None:
    builder = PaginationCustomIdBuilder.from_paginated_string("TEST|myObject|42-abc-def-ghi", "-", "|")
    assert isinstance(builder, PaginationCustomIdBuilder)
    assert builder.page == 42
    assert (builder.namespace, builder.object_id, builder.separator, builder.metadata_separator) == (
        "TEST",
        "myObject",
        "-",
        "|",
    )
    assert builder.tokens == ("abc", "def", "ghi")
    # nyx dropped the metadata: [] and "TEST|myObject-abc-def-ghi".
    assert builder.metadata == ("42",)
    assert builder.build() == "TEST|myObject|42-abc-def-ghi"


def test_from_paginated_string_with_a_slot_that_is_not_a_page() -> None:
    builder = PaginationCustomIdBuilder.from_paginated_string("TEST|myObject|ABC-abc", "-", "|")
    assert builder is not None
    assert builder.page is None
    assert builder.metadata == ("ABC",)


def test_from_paginated_string_of_nothing_is_none() -> None:
    assert PaginationCustomIdBuilder.from_paginated_string("", "", "") is None


def test_clone_keeps_the_page() -> None:
    builder = make_page_builder()
    assert builder.clone().page is None
    builder.set_page(3)
    assert builder.clone().page == 3
    # nyx's clone kept the page field but not the metadata: "TEST|myObject-".
    assert builder.clone().build() == "TEST|myObject|3-"


def test_set_page_replaces_the_page() -> None:
    builder = make_page_builder().set_page(7)
    assert builder.page == 7
    assert builder.set_page(8).page == 8
    assert builder.metadata == ("8",)


def test_set_page_keeps_the_other_metadata() -> None:
    builder = make_page_builder(1)
    builder.push_meta("extra")
    assert builder.set_page(2).build() == "TEST|myObject|2|extra-"


def test_clone_set_page_leaves_the_original_alone() -> None:
    builder = make_page_builder()
    assert builder.clone_set_page(4).page == 4
    assert builder.page is None


def test_next_and_previous_page() -> None:
    assert make_page_builder().set_to_next_page().page is None
    assert make_page_builder().set_to_previous_page().page is None
    assert make_page_builder(4).set_to_next_page().page == 5
    assert make_page_builder(4).set_to_previous_page().page == 3


def test_clone_next_and_previous_page_leave_the_original_alone() -> None:
    assert make_page_builder().clone_set_next_page().page is None
    assert make_page_builder().clone_set_previous_page().page is None
    builder = make_page_builder(4)
    assert builder.clone_set_next_page().page == 5
    assert builder.clone_set_previous_page().page == 3
    assert builder.page == 4


@pytest.mark.parametrize("page", [-1, True, False, 1.0, "3", None])
def test_set_page_refuses_anything_but_a_non_negative_int(page: object) -> None:
    # nyx wrote any value unchecked: set_page(-1) built "TEST|o|-1-".
    builder = make_page_builder(2)
    with pytest.raises(ValueError, match="a page must be a non-negative int"):
        builder.set_page(page)  # type: ignore[arg-type]
    assert builder.page == 2


def test_a_constructor_page_is_checked_too() -> None:
    with pytest.raises(ValueError, match="a page must be a non-negative int, got -2"):
        make_page_builder(-2)


def test_page_zero_has_no_previous_page() -> None:
    builder = make_page_builder(0)
    with pytest.raises(ValueError, match="page 0 has no previous page"):
        builder.set_to_previous_page()
    with pytest.raises(ValueError, match="page 0 has no previous page"):
        builder.clone_set_previous_page()
    assert builder.page == 0


def test_the_page_is_whatever_slot_0_reads_as() -> None:
    builder = make_page_builder()
    builder.push_meta("12")
    assert builder.page == 12
    assert make_page_builder().set_meta_at(1, "x").page is None
