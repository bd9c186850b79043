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


def _as_utc(value: datetime.date | datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:  # floating time: the supervisor's clock
            value = value.replace(tzinfo=zone)
        return value.astimezone(datetime.UTC)
    # A date: midnight at the start of that day on the supervisor's clock.
    return datetime.datetime.combine(value, datetime.time(0), tzinfo=zone).astimezone(datetime.UTC)


def busy_intervals_from_ical(
    data: bytes, *, window_start: datetime.datetime, window_end: datetime.datetime, time_zone: str
) -> list[Interval]:
    """The busy intervals (UTC, sorted, overlaps joined) that meet [window_start, window_end),
    clipped to it."""
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
        for count, event in enumerate(occurrences):
            if count >= MAX_OCCURRENCES:
                raise CalendarDataError(
                    f"The calendar has more than {MAX_OCCURRENCES} events in the booking period, so it was not imported."
                )
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
