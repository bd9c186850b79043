"""Secondary suppression for the reach tables (docs/equality.md). Pure: no database.

A reach table has one row per answer to a question (with "Prefer not to say" and "Not
answered", so that the rows add up to the whole pool) and columns of counts of people beside
each other (staff, people who used the pool, places) and hours. Its totals are shown. Primary
suppression (:func:`reflect.disclosure.disclosed`) hides a count of 1 to 7; on its own that
would not be enough, since the total less the shown rows gives a lone hidden row back. So:

1. a row is hidden whole (every column) when any of its counts of people is 1 to 7;
2. while any row is hidden, the next smallest row (by its counts, in order) is hidden too,
   until at least two rows are hidden **and** in every column of counts the hidden rows hold
   at least ``SMALLEST_SHOWN`` between them (or the whole column, when its total is smaller:
   that total is then itself shown as "*"), or every row is hidden.

So a hidden cell always shares its column's remainder (total less shown) with at least one
other hidden cell, and that remainder is never 0 nor a small number that would pin them down:
a hidden "3 staff" row cannot be shown to hold 0 people who used the pool.
"""

from __future__ import annotations

from collections.abc import Sequence

from reflect.disclosure import SMALLEST_SHOWN


def _primary(counts: Sequence[int]) -> bool:
    return any(0 < count < SMALLEST_SHOWN for count in counts)


def _settled(rows: Sequence[Sequence[int]], hidden: set[int]) -> bool:
    if not hidden:
        return True
    if len(hidden) < 2:
        return False
    for column in range(len(rows[0])):
        held = sum(rows[index][column] for index in hidden)
        whole = sum(row[column] for row in rows)
        if held < min(SMALLEST_SHOWN, whole):
            return False
    return True


def hidden_rows(rows: Sequence[Sequence[int]]) -> frozenset[int]:
    """The indexes of the rows to hide. ``rows[i]`` are row i's raw counts of people, one per
    column; every row has the same number of columns."""
    hidden = {index for index, counts in enumerate(rows) if _primary(counts)}
    # The next smallest first: the least information given up for the protection gained.
    candidates = sorted((index for index in range(len(rows)) if index not in hidden), key=lambda i: (tuple(rows[i]), i))
    while not _settled(rows, hidden) and candidates:
        hidden.add(candidates.pop(0))
    return frozenset(hidden)
