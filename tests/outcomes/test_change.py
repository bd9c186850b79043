"""Change from baseline and its secondary suppression (pure)."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from outcomes.change import mean_change, shown_parts, split_shown


def test_the_paired_interval_matches_the_textbook_formula() -> None:
    differences = [1.0, 2, 3, 4, 5, 6, 7, 8]
    change = mean_change(differences)
    # mean ± t(0.975, 7) × s / √n, with t(0.975, 7) = 2.364624 from the tables.
    half = 2.364624 * statistics.stdev(differences) / math.sqrt(8)
    assert change.people == 8
    assert change.mean == 4.5
    assert change.low == pytest.approx(4.5 - half, abs=1e-5)
    assert change.high == pytest.approx(4.5 + half, abs=1e-5)
    assert (round(change.low, 2), round(change.high, 2)) == (2.45, 6.55)


@given(st.lists(st.integers(min_value=-40, max_value=40), min_size=2, max_size=200))
def test_the_interval_is_scipys_paired_t_interval(differences) -> None:
    assume(len(set(differences)) > 1)
    change = mean_change([float(d) for d in differences])
    interval = stats.ttest_1samp(differences, 0.0).confidence_interval(confidence_level=0.95)
    assert change.low == pytest.approx(interval.low, rel=1e-9, abs=1e-9)
    assert change.high == pytest.approx(interval.high, rel=1e-9, abs=1e-9)


def test_no_spread_no_people_one_person() -> None:
    assert mean_change([2.0] * 9).low == 2.0
    assert mean_change([]).mean is None
    assert mean_change([3.0]).low is None


def test_a_small_remainder_hides_the_smallest_shown_part_too() -> None:
    assert shown_parts({1: 10, 2: 9, 3: 3}) == {1}  # 3 hidden would be pool − 1 − 2; hiding 2 makes the rest 12
    assert shown_parts({1: 10, 2: 8}) == {1, 2}
    assert shown_parts({1: 10, 2: 8, 3: 8}) == {1, 2, 3}
    assert shown_parts({1: 12, 2: 2}) == set()  # the pool less the one shown would give the 2 away
    assert shown_parts({1: 5, 2: 4}) == set()


def test_the_two_halves_of_a_split_go_together() -> None:
    assert split_shown(10, 8)
    assert split_shown(10, 0)
    assert not split_shown(10, 7)
    assert not split_shown(1, 20)
