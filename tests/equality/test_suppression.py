"""Secondary suppression (equality/suppression.py), without a database: worked examples, and a
property test that no hidden cell of a reach table can be worked back from what is shown."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from equality.suppression import hidden_rows
from reflect.disclosure import SMALLEST_SHOWN, SUPPRESSED, disclosed


def test_nothing_is_hidden_when_every_count_is_0_or_at_least_8() -> None:
    assert hidden_rows([(10, 8), (0, 0), (25, 9)]) == frozenset()


def test_a_lone_small_row_takes_the_next_smallest_with_it() -> None:
    # Roma 3 staff (1 used) is hidden; alone it would be total − the rest, so Irish (9, 8), the
    # next smallest, goes too: together they hold 12 staff and 9 people.
    rows = [(40, 20), (3, 1), (9, 8), (30, 12)]
    assert hidden_rows(rows) == frozenset({1, 2})


def test_two_small_rows_holding_too_few_between_them_take_a_third() -> None:
    # 2 + 1 staff and 1 + 0 people are still small enough to pin down: the next smallest joins.
    rows = [(2, 1), (1, 0), (50, 30), (12, 9)]
    assert hidden_rows(rows) == frozenset({0, 1, 3})


def test_a_row_of_zeros_can_be_hidden_but_only_with_one_holding_people() -> None:
    # The "3 staff, 0 people" row must not be shown to be 0 people: the hidden rows must hold 8.
    rows = [(3, 0), (0, 0), (20, 15)]
    assert hidden_rows(rows) == frozenset({0, 1, 2})


def _possible_values(shown: list[int | str], hidden: list[int], total: int | str, index: int) -> range:
    """What an onlooker can say of hidden cell ``index`` of one column, knowing the rule's figures:
    each shown cell as disclosed (0 exactly; "n" is n−2..n+2 and at least 8), the total as
    disclosed ("*" is 1..7), and every hidden cell a whole number of 0 or more."""
    low_sum = sum(0 if v == 0 else max(SMALLEST_SHOWN, int(v) - 2) for v in shown)
    high_sum = sum(0 if v == 0 else int(v) + 2 for v in shown)
    if total == SUPPRESSED:
        total_low, total_high = 1, SMALLEST_SHOWN - 1
    elif total == 0:
        total_low = total_high = 0
    else:
        total_low, total_high = max(SMALLEST_SHOWN, int(total) - 2), int(total) + 2
    others = len(hidden) - 1
    # The other hidden cells may hold anything from 0 upwards, so with any other hidden cell the
    # lower bound is 0; alone, the cell is what the total less the shown cells leaves.
    low = 0 if others else max(0, total_low - high_sum)
    high = total_high - low_sum
    return range(low, high + 1)


def _possible_exactly(shown_values: list[int], hidden_count: int, total: int) -> range:
    """The same, for an onlooker who knows every shown cell and the total exactly (the usual
    assumption for secondary suppression, stronger than rounding allows): the hidden cells share
    what is left, each 0 or more."""
    left = total - sum(shown_values)
    return range(0, left + 1) if hidden_count > 1 else range(left, left + 1)


tables = st.integers(min_value=2, max_value=7).flatmap(
    lambda n: st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 60)), min_size=n, max_size=n)
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_cell_can_be_worked_out_from_the_shown_cells_and_the_totals(rows) -> None:
    hidden = hidden_rows(rows)
    for column in range(3):
        values = [row[column] for row in rows]
        total = sum(values)
        if not hidden:
            # Nothing hidden: then no shown count is 1 to 7.
            assert all(disclosed(v) != SUPPRESSED for v in values)
            continue
        # Every primary cell is hidden, and never alone.
        assert all(i in hidden for i, v in enumerate(values) if disclosed(v) == SUPPRESSED)
        assert len(hidden) >= 2 or len(hidden) == len(rows)
        if total == 0:
            continue  # the column's total says 0 for all: nothing about anyone to protect
        shown = [disclosed(v) for i, v in enumerate(values) if i not in hidden]
        hidden_values = [v for i, v in enumerate(values) if i in hidden]
        for index, true_value in enumerate(hidden_values):
            possible = _possible_values(shown, hidden_values, disclosed(total), index)
            # The true value is among them (the onlooker's reasoning is sound) …
            assert true_value in possible
            # … and is not the only one: no hidden cell is recovered.
            assert len(possible) >= 2, (rows, column, index, possible)
            # Even knowing every shown figure and the total exactly.
            exactly = _possible_exactly([values[i] for i in range(len(rows)) if i not in hidden], len(hidden), total)
            assert true_value in exactly
            assert len(exactly) >= 2, (rows, column, index, exactly)


def test_control_primary_suppression_alone_lets_a_hidden_cell_be_worked_out() -> None:
    """The check above can fail: hiding only the counts of 1 to 7 leaves the one hidden cell
    equal to the total less the shown ones."""
    rows = [(40, 20, 20), (3, 1, 1), (9, 8, 8)]
    primary_only = {index for index, counts in enumerate(rows) if any(0 < c < SMALLEST_SHOWN for c in counts)}
    assert primary_only == {1}
    staff = [row[0] for row in rows]
    assert _possible_exactly([40, 9], len(primary_only), sum(staff)) == range(3, 4)  # the 3 is recovered
    assert hidden_rows(rows) == frozenset({1, 2})
    assert len(_possible_exactly([40], 2, sum(staff))) == 13


@settings(max_examples=200, deadline=None)
@given(tables)
def test_the_hidden_rows_hold_at_least_8_people_in_every_column_or_the_whole_column(rows) -> None:
    hidden = hidden_rows(rows)
    if hidden:
        for column in range(3):
            held = sum(rows[i][column] for i in hidden)
            whole = sum(row[column] for row in rows)
            assert held >= min(SMALLEST_SHOWN, whole)
