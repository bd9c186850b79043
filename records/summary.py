"""A record ready to show or export: its entries, each month against the body's minimum, and
the totals. Shared by the page, the PDF, the CSV and the signed copy, so they always agree."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from records.bodies import Body, MonthTotal, month_totals, months_between
from records.entries import Entry, record_entries
from reflect import wording
from reflect.local_time import LONDON
from reflect.models import User


@dataclass(frozen=True)
class Record:
    rule: Body
    entries: list[Entry]
    months: list[MonthTotal]

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)

    @property
    def total_claimable(self) -> int:
        return sum(e.claimable for e in self.entries)

    @property
    def countersigned(self) -> int:
        return sum(1 for e in self.entries if e.countersigned_at is not None)

    @property
    def short_months(self) -> list[MonthTotal]:
        return [m for m in self.months if m.meets_minimum is False]


def minutes_words(minutes: int) -> str:
    """'1 hour 30 minutes', '45 minutes', '0 minutes'."""
    hours, rest = divmod(minutes, 60)
    parts = [wording.count(hours, "hour")] if hours else []
    if rest or not parts:
        parts.append(wording.count(rest, "minute"))
    return " ".join(parts)


def start_of(month: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(month, datetime.time(), tzinfo=LONDON)


def build_record(
    user: User, rule: Body, *, today: datetime.date, since_month: datetime.date | None = None, with_notes: bool = False
) -> Record:
    """The record from ``since_month`` (else from its first entry) to ``today``'s month."""
    entries = record_entries(user, rule, since=start_of(since_month) if since_month else None, with_notes=with_notes)
    first = since_month or (entries[0].month if entries else today.replace(day=1))
    months = months_between(first, today)
    claimed: dict[datetime.date, int] = defaultdict(int)
    for entry in entries:
        claimed[entry.month] += entry.claimable
    # Newest month first on the page; the rule looks back over months in time order.
    return Record(rule, entries, list(reversed(month_totals(rule, claimed, months))))
