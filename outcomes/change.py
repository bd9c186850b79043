"""Change from baseline and what of it may be shown: pure functions (docs/outcomes.md).

The mean change is the mean of each person's difference (their latest score in a period less
their first score), with a 95 % paired t interval from ``scipy.stats``. Nothing over fewer than
``reflect.disclosure.SMALLEST_SHOWN`` (8) people is shown, and figures that could be subtracted
from one another are suppressed together (secondary suppression), so no hidden group of 1 to 7
people can be worked back from what is shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy
from scipy import stats

from reflect.disclosure import SMALLEST_SHOWN

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Change:
    people: int
    mean: float | None
    low: float | None  # the 95 % interval; None with fewer than two people
    high: float | None


def mean_change(differences: Sequence[float]) -> Change:
    """The mean of paired differences and its 95 % t interval (n − 1 degrees of freedom)."""
    n = len(differences)
    if n == 0:
        return Change(0, None, None, None)
    mean = math.fsum(differences) / n
    if n == 1:
        return Change(1, mean, None, None)
    if all(d == differences[0] for d in differences):
        # No spread: every person changed by the same amount, so the interval is that point
        # (scipy would divide by a zero standard error).
        return Change(n, mean, mean, mean)
    # mean ± t(0.975, n − 1) × s / √n: the interval scipy's ttest_1samp gives (a test checks
    # they agree), with the t quantile from scipy.stats, looked up once per size (the full
    # test costs 2 ms a call, and the section makes dozens).
    half = t_quantile(n - 1) * float(numpy.std(differences, ddof=1)) / math.sqrt(n)
    return Change(n, mean, mean - half, mean + half)


@cache
def t_quantile(degrees_of_freedom: int) -> float:
    """The two-sided 95 % quantile of Student's t."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, degrees_of_freedom))


def may_show(people: int) -> bool:
    return people >= SMALLEST_SHOWN


def shown_parts(counts: Mapping[int, int]) -> set[int]:
    """Which parts of a whole (organisations of a pool) may be shown on their own.

    A part with fewer than 8 people is hidden; and if the hidden parts together hold 1 to 7
    people, the whole less the shown parts would give them away, so the smallest shown part is
    hidden too, until the hidden ones hold none or at least 8."""
    shown = {key for key, n in counts.items() if may_show(n)}
    rest = sum(n for key, n in counts.items() if key not in shown)
    while 0 < rest < SMALLEST_SHOWN and shown:
        smallest = min(shown, key=lambda key: (counts[key], key))
        shown.discard(smallest)
        rest += counts[smallest]
    return shown


def split_shown(first: int, second: int) -> bool:
    """Whether both halves of a split (attended or not) may be shown: each has none or at least
    8 people, for with the whole shown beside them one half gives the other away."""
    return all(n == 0 or may_show(n) for n in (first, second))
