"""The one way equality answers leave this app for anyone but the person: totals by answer
(docs/equality.md). Nothing here returns whose answer is what; the caller gives each person's
use of the pool, and gets back, for each question, each answer's sums."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from equality.categories import CATEGORIES, NOT_ANSWERED
from equality.models import EqualityAnswers


@dataclass(frozen=True)
class PersonUse:
    """One person's use of the pool in a period: group places attended, and minutes in the
    sessions they attended (supervision and groups)."""

    places: int
    minutes: int


@dataclass
class AnswerTotals:
    staff: int = 0  # people working in the pool's organisations who gave this answer
    people: int = 0  # people who used the pool and gave this answer
    places: int = 0
    minutes: int = 0


Tally = dict[str, dict[str, AnswerTotals]]  # question's key → answer's code → totals


def tally_by_answer(staff: QuerySet[Any, int], use: Mapping[int, PersonUse]) -> Tally:
    """For each question and each of its answers (with "prefer not to say" and "not
    answered"), how many of ``staff`` (a query of user ids) gave it, and how many who used the
    pool (``use``, by user id) gave it, with their places and minutes. Two queries, whatever the
    number of people: the staff, and the answers of the staff and of those who used the pool."""
    staff_ids = set(staff)
    people = staff_ids | set(use)
    keys = [category.key for category in CATEGORIES]
    # The staff as a subquery, so the answers are read the same way however many there are.
    answered = EqualityAnswers.objects.filter(Q(user_id__in=staff) | Q(user_id__in=list(use)))
    answers = {row[0]: row[1:] for row in answered.values_list("user_id", *keys)}
    tally: Tally = {c.key: {code: AnswerTotals() for code, _ in c.rows} for c in CATEGORIES}
    for person in people:
        given = answers.get(person) or (NOT_ANSWERED,) * len(keys)
        used = use.get(person)
        for key, code in zip(keys, given, strict=True):
            # A code no longer offered (a list changed) counts as not answered, never lost.
            totals = tally[key].get(code) or tally[key][NOT_ANSWERED]
            if person in staff_ids:
                totals.staff += 1
            if used is not None:
                totals.people += 1
                totals.places += used.places
                totals.minutes += used.minutes
    return tally
