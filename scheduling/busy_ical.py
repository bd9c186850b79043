"""Busy times from an iCalendar file: a pure function, no network, no database.

Recurring events are expanded by ``recurring-ical-events`` (RRULE, RDATE, EXDATE and moved
occurrences), only within the window asked for, so the work is bounded by the booking horizon.
Skipped: events marked free (TRANSP:TRANSPARENT) and cancelled ones (STATUS:CANCELLED).
Times with a TZID are read through the file's VTIMEZONE or the IANA zone of that name; floating
times and all-day events are read on the supervisor's own clock (an all-day event blocks the
supervisor's whole local day, or days).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from scheduling.intervals import Interval, normalise

MAX_OCCURRENCES = 5000


class CalendarDataError(ValueError):
    """The data is not a calendar we can read; the message says so in words."""


class TooManyOccurrences(CalendarDataError):
    """More occurrences than the budget allows."""


class OccurrenceBudget:
    """How many occurrences may still be expanded. One call gets its own; a CalDAV sync, which
    reads one event per call, shares one across all its calls so the total stays bounded."""

    def __init__(self, total: int = MAX_OCCURRENCES) -> None:
        self.total = total
        self.left = total

    def spend(self) -> None:
        if self.left <= 0:
            raise TooManyOccurrences(
                f"The calendar has more than {self.total} events in the booking period, so it was not imported."
            )
        self.left -= 1


def _as_utc(value: datetime.date | datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:  # floating time: the supervisor's clock
            value = value.replace(tzinfo=zone)
        return value.astimezone(datetime.UTC)
    # A date: midnight at the start of that day on the supervisor's clock.
    return datetime.datetime.combine(value, datetime.time(0), tzinfo=zone).astimezone(datetime.UTC)


def busy_intervals_from_ical(
    data: bytes,
    *,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    time_zone: str,
    budget: OccurrenceBudget | None = None,
) -> list[Interval]:
    """The busy intervals (UTC, sorted, overlaps joined) that meet [window_start, window_end),
    clipped to it. Each occurrence looked at spends one from ``budget`` (by default
    ``MAX_OCCURRENCES`` for this call alone)."""
    budget = budget if budget is not None else OccurrenceBudget()
    zone = ZoneInfo(time_zone)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise CalendarDataError("The address did not return a calendar in iCalendar format.") from error
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise CalendarDataError("The address did not return a calendar in iCalendar format.")
    spans: list[tuple[datetime.datetime, datetime.datetime]] = []
    try:
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).after(window_start)
        for event in occurrences:
            budget.spend()
            if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
                continue
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            dtstart = event.get("DTSTART")
            if dtstart is None:
                continue
            start = _as_utc(dtstart.dt, zone)
            if start >= window_end:
                break  # occurrences come in order of start
            end = _as_utc(event.end, zone)
            start, end = max(start, window_start), min(end, window_end)
            if start < end:
                spans.append((start, end))
    except CalendarDataError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, recurring_ical_events.InvalidCalendar) as error:
        raise CalendarDataError(
            "The calendar could not be read: some of its events are not valid iCalendar."
        ) from error
    return [Interval(start, end) for start, end in normalise(spans)]
