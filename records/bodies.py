"""Professional bodies' rules for counting supervision, as data (records/bodies/*.json).

Pure: no database. Each body's file says how much of a group session a person may claim and
what monthly minimum, if any, its accreditation asks for, with the published source of each
rule (docs/supervision-records.md). Changing a rule is changing a file, reviewed like code.

Claimable time is worked out in exact fractions and then rounded *down* to a whole minute per
session: a record never claims more than the rule gives.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

BODIES_DIR = Path(__file__).with_name("bodies")
# The order people are offered the bodies in; "none" last.
BODY_ORDER = ("bacp", "ukcp", "babcp", "hcpc", "none")
DEFAULT_BODY = "none"

# How group time is counted: a name in the data file → claimable fraction of the time.
GROUP_RULES = {"half", "divide", "divide_double", "full"}


@dataclass(frozen=True)
class GroupBand:
    up_to_supervisees: int | None  # None: any number above the bands before it
    rule: str


@dataclass(frozen=True)
class Body:
    code: str
    name: str
    short_name: str
    rule_version: str
    verified: bool
    sources: tuple[str, ...]
    source_notes: str
    monthly_minimum_minutes: int | None
    averaging_allowed: bool
    group: tuple[GroupBand, ...]
    worked_examples: tuple[dict, ...]

    def claimable_minutes(self, minutes: int, supervisees: int, *, is_group: bool) -> int:
        """What a session of ``minutes`` may be claimed as: all of it one to one; a share of it
        in a group of ``supervisees`` (the facilitator not counted) by the body's bands."""
        if minutes <= 0:
            return 0
        if not is_group:
            return minutes
        people = max(supervisees, 1)
        band = next(b for b in self.group if b.up_to_supervisees is None or people <= b.up_to_supervisees)
        share = {
            "half": Fraction(minutes, 2),
            "divide": Fraction(minutes, people),
            # Never more than the time itself: "a group of two counts all of its time" (BABCP).
            "divide_double": min(Fraction(minutes * 2, people), Fraction(minutes)),
            "full": Fraction(minutes),
        }[band.rule]
        return math.floor(share)


def _load(path: Path) -> Body:
    data = json.loads(path.read_text(encoding="utf-8"))
    bands = tuple(GroupBand(b["up_to_supervisees"], b["rule"]) for b in data["group"])
    if not bands or bands[-1].up_to_supervisees is not None or any(b.rule not in GROUP_RULES for b in bands):
        raise ValueError(f"{path.name}: group bands must use {sorted(GROUP_RULES)} and end with an open band")
    return Body(
        code=data["code"],
        name=data["name"],
        short_name=data["short_name"],
        rule_version=data["rule_version"],
        verified=bool(data["verified"]),
        sources=tuple(data["sources"]),
        source_notes=data["source_notes"],
        monthly_minimum_minutes=data["monthly_minimum_minutes"],
        averaging_allowed=bool(data["averaging_allowed"]),
        group=bands,
        worked_examples=tuple(data["worked_examples"]),
    )


@cache
def bodies() -> dict[str, Body]:
    loaded = {path.stem: _load(path) for path in sorted(BODIES_DIR.glob("*.json"))}
    return {code: loaded[code] for code in BODY_ORDER if code in loaded}


def body(code: str) -> Body:
    """The body of ``code``; an unknown code (a body since removed) counts as no body."""
    return bodies().get(code) or bodies()[DEFAULT_BODY]


def body_choices() -> list[tuple[str, str]]:
    return [(b.code, b.name) for b in bodies().values()]


@dataclass(frozen=True)
class MonthTotal:
    month: datetime.date  # the first day of the month
    claimable_minutes: int
    minimum_minutes: int | None
    # For a body that allows averaging: the mean over the months so far (up to 12), else None.
    average_minutes: int | None

    @property
    def shortfall_minutes(self) -> int:
        if self.minimum_minutes is None:
            return 0
        counted = self.average_minutes if self.average_minutes is not None else self.claimable_minutes
        return max(self.minimum_minutes - counted, 0)

    @property
    def meets_minimum(self) -> bool | None:
        return None if self.minimum_minutes is None else self.shortfall_minutes == 0


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first``'s to ``last``'s, both counted, as their first days."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def month_totals(rule: Body, claimed: dict[datetime.date, int], months: list[datetime.date]) -> list[MonthTotal]:
    """Each month's claimable minutes against the body's minimum. Without averaging (BACP) each
    calendar month stands alone; with it, the mean of the last 12 months so far is compared."""
    totals: list[MonthTotal] = []
    for index, month in enumerate(months):
        minutes = claimed.get(month, 0)
        average = None
        if rule.averaging_allowed and rule.monthly_minimum_minutes is not None:
            window = [claimed.get(m, 0) for m in months[max(0, index - 11) : index + 1]]
            average = math.floor(Fraction(sum(window), len(window)))
        totals.append(MonthTotal(month, minutes, rule.monthly_minimum_minutes, average))
    return totals
