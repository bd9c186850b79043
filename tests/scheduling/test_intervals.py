"""Interval algebra: exact cases, and properties against sets of integer minutes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.intervals import Interval, contains, intersection, normalise, overlaps, subtract, union


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 1, hour, minute, tzinfo=UTC)


def test_touching_spans_do_not_overlap_but_union_joins_them() -> None:
    assert overlaps((9, 10), (10, 11)) is False
    assert overlaps((9, 10), (9, 11)) is True
    assert overlaps((9, 12), (10, 11)) is True
    assert union([(10, 11)], [(9, 10), (13, 14)]) == [(9, 11), (13, 14)]


def test_normalise_sorts_merges_and_drops_empty_spans() -> None:
    assert normalise([(5, 7), (1, 3), (2, 4), (8, 8), (9, 6)]) == [(1, 4), (5, 7)]


def test_intersection_of_two_lists() -> None:
    assert intersection([(0, 10), (20, 30)], [(5, 25), (28, 40)]) == [(5, 10), (20, 25), (28, 30)]
    assert intersection([(0, 10)], [(10, 20)]) == []


def test_subtract_cuts_holes_and_trims_ends() -> None:
    assert subtract([(0, 100)], [(10, 20), (30, 40), (90, 120)]) == [(0, 10), (20, 30), (40, 90)]
    assert subtract([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert subtract([(0, 10)], [(-5, 15)]) == []
    assert subtract([(0, 10)], []) == [(0, 10)]


def test_contains_needs_one_span_covering_everything() -> None:
    assert contains([(0, 10), (10, 20)], (5, 15)) is False  # callers normalise first
    assert contains(normalise([(0, 10), (10, 20)]), (5, 15)) is True
    assert contains([(0, 10)], (0, 10)) is True
    assert contains([(0, 10)], (9, 11)) is False


def test_the_algebra_works_on_aware_datetimes() -> None:
    morning = [(at(9), at(12))]
    lunch = [(at(12), at(13))]
    appointment = [(at(10), at(10, 30))]
    assert union(morning, lunch) == [(at(9), at(13))]
    assert subtract(morning, appointment) == [(at(9), at(10)), (at(10, 30), at(12))]
    assert intersection(morning, [(at(11), at(14))]) == [(at(11), at(12))]


def test_interval_checks_its_datetimes() -> None:
    assert Interval(at(9), at(10)).overlaps(Interval(at(9, 30), at(11))) is True
    assert Interval(at(9), at(10)).overlaps(Interval(at(10), at(11))) is False
    with pytest.raises(ValueError, match="time-zone-aware"):
        Interval(datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 10))
    with pytest.raises(ValueError, match="must end after it starts"):
        Interval(at(10), at(10))
    assert Interval(at(9), at(9) + timedelta(minutes=1)).span == (at(9), at(9, 1))


spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda pair: (pair[0], pair[0] + pair[1])),
    max_size=8,
)


def covered(span_list: list[tuple[int, int]]) -> set[int]:
    return {minute for start, end in span_list for minute in range(start, end)}


def is_normalised(span_list: list[tuple[int, int]]) -> bool:
    return all(start < end for start, end in span_list) and all(
        earlier[1] < later[0] for earlier, later in itertools.pairwise(span_list)
    )


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_algebra_matches_sets_of_minutes(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    a_normal, b_normal = normalise(a), normalise(b)
    assert is_normalised(a_normal)
    assert covered(a_normal) == covered(a)
    assert covered(union(a, b)) == covered(a) | covered(b)
    assert covered(intersection(a_normal, b_normal)) == covered(a) & covered(b)
    assert covered(subtract(a_normal, b_normal)) == covered(a) - covered(b)
    assert is_normalised(union(a, b))
    assert is_normalised(intersection(a_normal, b_normal))
    assert is_normalised(subtract(a_normal, b_normal))
    for span in b:
        assert overlaps(span, (0, 100)) == bool(covered([span]) & set(range(100)))
        assert contains(a_normal, span) == (covered([span]) <= covered(a))
