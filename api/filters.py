"""The date-range filter every list shares: ``from`` and ``to``, days on the London clock,
both included. Bad dates are a 400 in plain words, and a range is at most a year and a bit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from reflect import wording
from reflect.local_time import LONDON

LONGEST_RANGE = datetime.timedelta(days=400)

DATE_RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Only what starts on or after this day (London)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Only what starts on or before this day (London)."),
]


@dataclass(frozen=True)
class DateRange:
    since: datetime.datetime | None
    until: datetime.datetime | None  # exclusive: midnight after the last day

    def contains(self, moment: datetime.datetime) -> bool:
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)

    def filter(self, rows: QuerySet, field: str = "starts_at") -> QuerySet:
        if self.since is not None:
            rows = rows.filter(**{f"{field}__gte": self.since})
        if self.until is not None:
            rows = rows.filter(**{f"{field}__lt": self.until})
        return rows


def _day(request: Request, name: str) -> datetime.date | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {name: [f"Give the day as YYYY-MM-DD, for example {datetime.date(2027, 1, 31)}."]}
        ) from None


def date_range(request: Request) -> DateRange:
    first, last = _day(request, "from"), _day(request, "to")
    if first and last:
        if last < first:
            raise ValidationError({"to": ["The last day must be the same as the first day or after it."]})
        if last - first > LONGEST_RANGE:
            raise ValidationError({"to": [f"Ask for at most {wording.count(LONGEST_RANGE.days, 'day')} at a time."]})

    def start_of(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)

    return DateRange(
        since=start_of(first) if first else None,
        # The calendar's last day has no day after it: up to it is everything (no end).
        until=start_of(last + datetime.timedelta(days=1)) if last and last < datetime.date.max else None,
    )
