"""The token cursor: nyx's StringIterator suite (reference §7.5) on the tokens a, b, c."""

from __future__ import annotations

import pytest

from nyx_sessions.codec import CustomIdIterator


@pytest.fixture
def it() -> CustomIdIterator:
    return CustomIdIterator(["a", "b", "c"])


def test_construction(it: CustomIdIterator) -> None:
    assert (it.tokens, it.size, it.position) == (("a", "b", "c"), 3, 0)
    assert CustomIdIterator.from_string("a-b-c", "-").tokens == ("a", "b", "c")
    at_one = CustomIdIterator.from_string("a-b-c", "-", position=1)
    assert (at_one.tokens, at_one.position) == (("a", "b", "c"), 1)


def test_get_reads_each_token_in_turn_then_runs_out(it: CustomIdIterator) -> None:
    assert [it.get(), it.get(), it.get()] == ["a", "b", "c"]
    assert it.get(False) is None
    with pytest.raises(IndexError, match="no token at position 3: it has 3 token"):
        it.get(True)
    with pytest.raises(IndexError):
        it.get()
    assert it.position == 3


def test_peek_does_not_move(it: CustomIdIterator) -> None:
    assert it.peek() == "a"
    assert it.peek() == "a"
    it.position = 3
    assert it.peek(False) is None
    with pytest.raises(IndexError):
        it.peek(True)


def test_next_moves_then_reads(it: CustomIdIterator) -> None:
    assert it.next() == "b"
    assert it.position == 1
    assert it.next() == "c"
    assert it.next(False) is None
    with pytest.raises(IndexError):
        it.next(True)
    assert it.position == 3


def test_previous_moves_back_then_reads_and_never_wraps(it: CustomIdIterator) -> None:
    it.position = 2
    assert it.previous() == "b"
    assert it.previous() == "a"
    # Position -1 would be the last token in Python indexing; nyx treated it as missing, and so do we.
    assert it.previous(False) is None
    with pytest.raises(IndexError, match="no token before position 0"):
        it.previous(True)
    assert it.position == 0


def test_has_next_and_has_previous(it: CustomIdIterator) -> None:
    assert it.has_next()
    assert not it.has_previous()
    it.position = 1
    assert it.has_previous()
    it.position = 3
    assert not it.has_next()


def test_get_at_reads_any_index_without_moving(it: CustomIdIterator) -> None:
    assert [it.get_at(0), it.get_at(1), it.get_at(2)] == ["a", "b", "c"]
    assert it.get_at(3) is None
    with pytest.raises(IndexError, match="no token at position 3"):
        it.get_at(3, True)
    assert [it.get_at(-1), it.get_at(-2), it.get_at(-3)] == ["c", "b", "a"]
    assert it.get_at(-4) is None
    assert it.position == 0


def test_clone_keeps_tokens_and_position_and_is_independent(it: CustomIdIterator) -> None:
    it.get()
    clone = it.clone()
    assert (clone.tokens, clone.position) == (it.tokens, 1)
    clone.get()
    assert (clone.position, it.position) == (2, 1)


def test_str_join_and_iteration(it: CustomIdIterator) -> None:
    assert str(it) == "a,b,c"
    assert it.join(";") == "a;b;c"
    assert list(it) == ["a", "b", "c"]


def test_iterating_starts_from_the_first_token_and_leaves_the_cursor(it: CustomIdIterator) -> None:
    it.get()
    assert list(it) == ["a", "b", "c"]
    assert it.position == 1
    assert it.get() == "b"


def test_an_empty_token_is_missing_only_when_forced() -> None:
    it = CustomIdIterator(["", "x"])
    with pytest.raises(IndexError, match="token at position 0 is empty"):
        it.get()
    assert it.position == 0
    assert it.get(False) == ""
    assert it.get_at(0) == ""
    with pytest.raises(IndexError, match="token at position 0 is empty"):
        it.get_at(0, True)
    assert it.get() == "x"


def test_the_position_stays_within_the_tokens(it: CustomIdIterator) -> None:
    for position in (-1, 4):
        with pytest.raises(IndexError, match=f"position {position} is out of range"):
            it.position = position
    with pytest.raises(IndexError):
        CustomIdIterator(["a"], position=2)
    assert it.position == 0


def test_from_string_of_the_empty_string_has_no_tokens() -> None:
    assert CustomIdIterator.from_string("", "-").size == 0
