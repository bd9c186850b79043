"""A pool's half-years: the whole periods in which answers about how people feel are shown to a
commissioner (the outcome measures, the check-ins at review dates).

An average that takes in each answer as it comes moves with every answer, so two looks a few
days apart could be set side by side to learn one person's answer. Shown instead for a half-year
that has **ended**, it is the same at every look; and two half-years hold different answers, so
neither can be subtracted from the other (docs/outcomes.md, "Suppression and differencing";
docs/dashboard.md, "Check-ins").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from reflect import wording

HALF_YEAR = relativedelta(months=6)


@dataclass(frozen=True)
class HalfYear:
    first_day: datetime.date
    end: datetime.date  # the day after

    @property
    def label(self) -> str:
        return f"{wording.month(self.first_day)} to {wording.month(self.end - datetime.timedelta(days=1))}"


def pool_half_years(starts_on: datetime.date, ends_on: datetime.date) -> list[HalfYear]:
    """Every half-year of a pool, from the first day of its first month."""
    halves, start = [], starts_on.replace(day=1)
    while start <= ends_on:
        halves.append(HalfYear(start, start + HALF_YEAR))
        start = halves[-1].end
    return halves
