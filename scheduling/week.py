"""A supervisor's week, day by day on their own clock: pure, from the slot engine's data.

Each day shows its windows (wall-clock, so a 10:00 rule reads 10:00 in March and in October),
whether they come from the weekly rules or an override, the busy times from their calendar,
and the bookable start times the slot engine finds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import BadRequest

from scheduling import slots
from scheduling.intervals import Interval

Window = tuple[datetime.time, datetime.time]


@dataclass(frozen=True)
class SlotStart:
    start: datetime.datetime  # on the supervisor's clock
    lengths: tuple[int, ...]  # minutes


@dataclass(frozen=True)
class DayPlan:
    day: datetime.date
    windows: tuple[Window, ...]
    source: str  # "rules", "override", "away" or "none"
    busy: tuple[tuple[datetime.datetime, datetime.datetime], ...]  # on the supervisor's clock
    slot_starts: tuple[SlotStart, ...]
    # Booked sessions of the day, added by the view (the plan itself is pure availability).
    sessions: tuple[object, ...] = ()


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# The weeks a week view may be asked for: wide of any booking, and far enough from the calendar's
# ends (0001-01-01, 9999-12-31) that a week, the week either side and time-zone shifts stay dates
# (docs/security.md, "Hostile input").
EARLIEST_WEEK = datetime.date(1900, 1, 1)
LATEST_WEEK = datetime.date(2999, 12, 31)


def week_asked_for(value: str | None) -> datetime.date | None:
    """The Monday of the ``week=`` an address asks for, or None when it names no date (the view
    shows its usual week). A date outside EARLIEST_WEEK..LATEST_WEEK is a 400 page."""
    try:
        day = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    if day is None:
        return None
    if not EARLIEST_WEEK <= day <= LATEST_WEEK:
        raise BadRequest("That week is outside the calendar.")
    return monday_of(day)


def day_windows(availability: slots.Availability, day: datetime.date) -> tuple[tuple[Window, ...], str]:
    """The day's windows and where they come from: overrides replace the weekly rules."""
    overrides = [override for override in availability.overrides if override.day == day]
    if overrides:
        windows = tuple(sorted(window for override in overrides for window in override.windows))
        return windows, ("override" if windows else "away")
    windows = tuple(
        sorted(
            (rule.start, rule.end)
            for rule in availability.rules
            if rule.weekday == day.weekday()
            and (rule.valid_from is None or rule.valid_from <= day)
            and (rule.valid_until is None or day <= rule.valid_until)
        )
    )
    return windows, ("rules" if windows else "none")


def week_plan(
    availability: slots.Availability,
    monday: datetime.date,
    *,
    now: datetime.datetime,
    busy: Iterable[Interval] = (),
    bookings: Iterable[Interval] = (),
) -> list[DayPlan]:
    zone = ZoneInfo(availability.time_zone)
    busy = list(busy)
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    starts: dict[datetime.date, dict[datetime.datetime, list[int]]] = defaultdict(lambda: defaultdict(list))
    for slot in slots.bookable_slots(availability, now=now, busy=busy, bookings=bookings):
        local = slot.start.astimezone(zone)
        if days[0] <= local.date() <= days[-1]:
            starts[local.date()][local].append(slot.minutes)
    plans = []
    for day in days:
        windows, source = day_windows(availability, day)
        day_start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
        day_busy = tuple(
            (max(interval.start, day_start).astimezone(zone), min(interval.end, day_end).astimezone(zone))
            for interval in busy
            if interval.start < day_end and interval.end > day_start
        )
        plans.append(
            DayPlan(
                day=day,
                windows=windows,
                source=source,
                busy=day_busy,
                slot_starts=tuple(
                    SlotStart(start=start, lengths=tuple(sorted(lengths)))
                    for start, lengths in sorted(starts[day].items())
                ),
            )
        )
    return plans
