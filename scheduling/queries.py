"""Reading a supervisor's availability, and turning it into the slot engine's plain data."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import CharField, Count, DateField, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from reflect.local_time import LONDON
from reflect.statements import fetch_rows
from scheduling import slots
from scheduling.intervals import Interval
from scheduling.models import (
    AvailabilitySettings,
    BookingStatus,
    BusyCalendarFeed,
    BusyInterval,
    CalendarConnection,
    CalendarEntry,
    ConnectedBusyTime,
    DateOverride,
    SupervisionBooking,
    WeeklyRule,
)
from supervision.models import SupervisorProfile


def availability_settings_of(supervisor: SupervisorProfile) -> AvailabilitySettings:
    """The saved settings, or the defaults (unsaved) for a supervisor who has not set any."""
    row = AvailabilitySettings.objects.filter(supervisor=supervisor).first()
    return row if row is not None else AvailabilitySettings(supervisor=supervisor)


def weekly_rules_of(supervisor: SupervisorProfile) -> list[WeeklyRule]:
    return list(WeeklyRule.objects.filter(supervisor=supervisor).order_by("weekday", "start", "valid_from"))


def date_overrides_of(supervisor: SupervisorProfile, *, since: datetime.date | None = None) -> list[DateOverride]:
    overrides = DateOverride.objects.filter(supervisor=supervisor)
    if since is not None:
        overrides = overrides.filter(date__gte=since)
    return list(overrides.order_by("date", "start"))


def sessions_booked_on_days(
    supervisor: SupervisorProfile,
    first_day: datetime.date,
    last_day: datetime.date,
    *,
    zone: str,
    now: datetime.datetime,
) -> list[SupervisionBooking]:
    """The supervisor's sessions still to come that touch any of these days on their own clock:
    the ones a day off or a change of hours would leave without a supervisor."""
    tz = ZoneInfo(zone)
    start = datetime.datetime.combine(first_day, datetime.time(0), tzinfo=tz)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz)
    return list(
        SupervisionBooking.objects.filter(
            supervisor=supervisor,
            status=BookingStatus.BOOKED,
            starts_at__lt=end,
            ends_at__gt=max(start, now),
        )
        .select_related("organisation")
        .order_by("starts_at")
    )


def sessions_booked_from(supervisor: SupervisorProfile, now: datetime.datetime) -> list[SupervisionBooking]:
    """Every session the supervisor has booked still to come (no more than the booking horizon
    lets people book)."""
    return list(
        SupervisionBooking.objects.filter(supervisor=supervisor, status=BookingStatus.BOOKED, ends_at__gt=now)
        .select_related("organisation")
        .order_by("starts_at")
    )


def busy_calendar_of(supervisor: SupervisorProfile) -> BusyCalendarFeed | None:
    return BusyCalendarFeed.objects.filter(supervisor=supervisor).first()


# What holds a supervisor's time in taken_times_of's one query.
BOOKED, BUSY = "booked", "busy"


def busy_intervals_for(
    supervisor: SupervisorProfile, start: datetime.datetime, end: datetime.datetime
) -> list[Interval]:
    """Busy times from the supervisor's imported feed and their connected calendar, in one query."""
    imported, connected = _busy_sources(supervisor, start, end)
    rows = imported.union(connected, all=True).order_by("start")
    return [Interval(row_start, row_end) for row_start, row_end, _ in rows]


def _busy_sources(supervisor: SupervisorProfile | int, since: datetime.datetime, until: datetime.datetime) -> list[Any]:
    """Every source of a supervisor's busy times (their imported feed, their connected
    calendar), as (start, end, BUSY) rows to UNION: the one list the week page and booking share."""
    # order_by() drops each model's default ordering, which SQL does not allow inside a UNION.
    return [
        model.objects.filter(**{owner: supervisor}, start__lt=until, end__gt=since)
        .order_by()
        .values_list("start", "end", Value(BUSY, output_field=CharField()))
        for model, owner in ((BusyInterval, "feed__supervisor"), (ConnectedBusyTime, "connection__supervisor"))
    ]


def to_engine(
    settings_row: AvailabilitySettings, rules: list[WeeklyRule], overrides: list[DateOverride]
) -> slots.Availability:
    """The slot engine's frozen dataclasses from the rows (overrides of a day grouped together)."""
    windows_by_day: dict[datetime.date, list[tuple[datetime.time, datetime.time]]] = defaultdict(list)
    for override in overrides:
        day_windows = windows_by_day[override.date]  # an away day is a day with no windows
        if override.start is not None and override.end is not None:  # not away
            day_windows.append((override.start, override.end))
    return slots.Availability(
        time_zone=settings_row.time_zone,
        rules=tuple(
            slots.WeeklyRule(
                weekday=rule.weekday,
                start=rule.start,
                end=rule.end,
                valid_from=rule.valid_from,
                valid_until=rule.valid_until,
            )
            for rule in rules
        ),
        overrides=tuple(
            slots.DateOverride(day=day, windows=tuple(sorted(windows)))
            for day, windows in sorted(windows_by_day.items())
        ),
        session_lengths=tuple(settings_row.session_lengths),
        buffer_minutes=settings_row.buffer_minutes,
        minimum_notice=datetime.timedelta(hours=settings_row.minimum_notice_hours),
        horizon=datetime.timedelta(weeks=settings_row.horizon_weeks),
        max_per_day=settings_row.max_sessions_per_day,
        max_per_week=settings_row.max_sessions_per_week,
    )


def availability_for(supervisor: SupervisorProfile) -> slots.Availability:
    return to_engine(availability_settings_of(supervisor), *hours_rows_of(supervisor))


def loaded_availability_settings(supervisor: SupervisorProfile) -> AvailabilitySettings:
    """``availability_settings_of`` for a supervisor read with ``select_related("availability_settings")``:
    no query when the row came with the supervisor, the defaults (unsaved) when there is none."""
    try:
        return supervisor.availability_settings
    except AvailabilitySettings.DoesNotExist:
        return AvailabilitySettings(supervisor=supervisor)


def hours_rows_of(supervisor: SupervisorProfile) -> tuple[list[WeeklyRule], list[DateOverride]]:
    """``weekly_rules_of`` and ``date_overrides_of`` in one query (UNION ALL of the two tables,
    columns the other lacks left empty): the slot engine reads both on every booking. Its SQL is
    built once per process (reflect/statements.py): a booking reads it under its locks."""
    weekly: list[WeeklyRule] = []
    days: list[DateOverride] = []
    rows = fetch_rows(("scheduling.hours_rows",), _hours_rows_query, supervisor=supervisor.pk)
    for weekday, day, start, end, valid_from, valid_until in rows:
        if day is None:
            weekly.append(
                WeeklyRule(
                    supervisor=supervisor,
                    weekday=weekday,
                    start=start,
                    end=end,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )
        else:
            days.append(DateOverride(supervisor=supervisor, date=day, start=start, end=end))
    weekly.sort(key=lambda rule: (rule.weekday, rule.start, rule.valid_from or datetime.date.min))
    days.sort(key=lambda override: (override.date, override.start or datetime.time.min))
    return weekly, days


def _hours_rows_query(supervisor: int) -> QuerySet[WeeklyRule, tuple[Any, ...]]:
    no_day = Value(None, output_field=DateField())
    # order_by(): no model ordering inside a UNION (SQLite refuses it); hours_rows_of sorts.
    rules = (
        WeeklyRule.objects.filter(supervisor=supervisor)
        .order_by()
        .values_list("weekday", no_day, "start", "end", "valid_from", "valid_until")
    )
    overrides = (
        DateOverride.objects.filter(supervisor=supervisor)
        .order_by()
        .values_list(Value(None, output_field=IntegerField()), "date", "start", "end", no_day, no_day)
    )
    return rules.union(overrides, all=True)


def taken_times_query(
    bookings: QuerySet[SupervisionBooking], supervisor: int, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[SupervisionBooking, tuple[datetime.datetime, datetime.datetime, str]]:
    """The given live bookings' times and the supervisor's busy times (their imported feed's and
    their connected calendar's) from ``since`` to ``until`` in one query (UNION ALL), each row
    labelled BOOKED or BUSY: the slot engine reads both on every booking (taken_times)."""
    booked = bookings.order_by().values_list("starts_at", "ends_at", Value(BOOKED, output_field=CharField()))
    return booked.union(*_busy_sources(supervisor, since, until), all=True)


def taken_times(
    rows: Iterable[tuple[datetime.datetime, datetime.datetime, str]],
) -> tuple[list[Interval], list[Interval]]:
    """taken_times_query's rows as the bookings' times and the busy times, each sorted by start."""
    found: dict[str, list[Interval]] = {BOOKED: [], BUSY: []}
    for start, end, what in rows:
        found[what].append(Interval(start, end))
    return sorted(found[BOOKED], key=_by_start), sorted(found[BUSY], key=_by_start)


def _by_start(interval: Interval) -> tuple[datetime.datetime, datetime.datetime]:
    return (interval.start, interval.end)


@dataclass(frozen=True)
class SupervisorMonth:
    """A supervisor's sessions in one month (Europe/London), for their own page's chart."""

    month: datetime.date
    held: int  # sessions that took place
    hours_held: Decimal
    hours_booked: Decimal  # sessions still booked: to come, or not yet marked


def supervisor_months(supervisor: SupervisorProfile, months: list[datetime.date]) -> list[SupervisorMonth]:
    """Each month's sessions held and hours held or booked, over ``months`` (consecutive first
    days of months): one grouped query."""
    if not months:
        return []
    last = months[-1]
    end = (last + datetime.timedelta(days=32)).replace(day=1)
    rows = (
        SupervisionBooking.objects.filter(
            supervisor=supervisor,
            status__in=(BookingStatus.BOOKED, BookingStatus.ATTENDED),
            starts_at__gte=datetime.datetime.combine(months[0], datetime.time(0), tzinfo=LONDON),
            starts_at__lt=datetime.datetime.combine(end, datetime.time(0), tzinfo=LONDON),
        )
        .annotate(month=TruncMonth("starts_at", tzinfo=LONDON))
        .order_by()
        .values("month")
        .annotate(
            held=Count("pk", filter=Q(status=BookingStatus.ATTENDED)),
            hours_held=Sum("hours", filter=Q(status=BookingStatus.ATTENDED)),
            hours_booked=Sum("hours", filter=Q(status=BookingStatus.BOOKED)),
        )
    )
    by_month: dict[datetime.date, Mapping[str, Any]] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        by_month[month] = row
    return [
        SupervisorMonth(
            month,
            by_month.get(month, {}).get("held", 0),
            Decimal(by_month.get(month, {}).get("hours_held") or 0),
            Decimal(by_month.get(month, {}).get("hours_booked") or 0),
        )
        for month in months
    ]


def calendar_connection_of(supervisor: SupervisorProfile) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(supervisor=supervisor).first()


def _calendar_questions(supervisor: SupervisorProfile) -> QuerySet[CalendarEntry]:
    """The sessions whose calendar event the supervisor moved or deleted, and that still stand."""
    return CalendarEntry.objects.filter(
        connection__supervisor=supervisor,
        booking__status=BookingStatus.BOOKED,
        booking__ends_at__gt=timezone.now(),  # a session that is over needs no answer
        deleted=False,
    ).exclude(conflict="")


def calendar_questions_of(supervisor: SupervisorProfile) -> list[CalendarEntry]:
    return list(_calendar_questions(supervisor).select_related("booking").order_by("booking__starts_at"))


def calendar_changes_of(supervisor: SupervisorProfile) -> int:
    """How many sessions the home page says changed in the supervisor's calendar (one query)."""
    return _calendar_questions(supervisor).count()
