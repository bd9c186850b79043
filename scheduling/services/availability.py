"""A supervisor's availability: settings, weekly rules and date overrides (issue 6).

Every function here is one use case: it runs in one transaction, checks that the acting user is
the supervisor, refuses bad input with a ``DomainError`` that names the rule in the way, and
writes an audit row. Times are wall-clock times in the supervisor's zone (docs/architecture.md "Time").
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.db import transaction
from django.utils import timezone

from reflect import wording
from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit
from scheduling import queries
from scheduling.enums import Weekday
from scheduling.models import AvailabilitySettings, DateOverride, SupervisionBooking, WeeklyRule
from scheduling.services.next_free_memory import forget_next_free
from supervision.models import SupervisorProfile

SESSION_MINUTES_MIN = 15
SESSION_MINUTES_MAX = 480
# Days off are saved one row a day: a year at a time keeps that bounded.
MOST_DAYS_OFF = 366


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_own(supervisor: SupervisorProfile, acting_user: User) -> None:
    if supervisor.user_id != acting_user.pk:
        raise DomainError("You can only change your own availability.")


def _locked_settings(supervisor: SupervisorProfile) -> AvailabilitySettings:
    # Every change to a supervisor's availability locks their settings row first, so two
    # requests adding rules at once cannot both pass the overlap check (check-then-insert).
    # It is also where what the soonest-free-time search remembers of them is forgotten.
    forget_next_free(supervisor.pk)
    AvailabilitySettings.objects.get_or_create(supervisor=supervisor)
    return AvailabilitySettings.objects.select_for_update().get(supervisor=supervisor)


def local_today(settings_row: AvailabilitySettings) -> datetime.date:
    """Today in the supervisor's own time zone."""
    return timezone.now().astimezone(ZoneInfo(settings_row.time_zone)).date()


def _hm(value: datetime.time) -> str:
    return wording.clock(value)


def _window(override: DateOverride) -> tuple[datetime.time, datetime.time]:
    """The hours of an override that is not an away day."""
    assert override.start is not None and override.end is not None
    return override.start, override.end


# --- Settings -----------------------------------------------------------------------------


@transaction.atomic
def set_availability_settings(
    supervisor: SupervisorProfile,
    *,
    acting_user: User,
    time_zone: str,
    session_lengths: list[int],
    buffer_minutes: int,
    minimum_notice_hours: int,
    horizon_weeks: int,
    max_sessions_per_day: int | None = None,
    max_sessions_per_week: int | None = None,
    monthly_capacity_hours: Decimal | None = None,
    online_link: str = "",
    meeting_place: str = "",
) -> AvailabilitySettings:
    """Save the supervisor's availability settings. ``monthly_capacity_hours`` is written to
    their profile, its one place (None leaves it as it is)."""
    _check_own(supervisor, acting_user)
    if time_zone not in known_time_zones():
        raise DomainError(
            f"“{time_zone}” is not a time zone we know. Use a name such as Europe/London.", field="time_zone"
        )
    lengths = sorted(set(session_lengths))
    if not lengths:
        raise DomainError("Offer at least one session length.", field="session_lengths")
    for minutes in lengths:
        if not SESSION_MINUTES_MIN <= minutes <= SESSION_MINUTES_MAX:
            raise DomainError(
                f"A session lasts between {SESSION_MINUTES_MIN} and {SESSION_MINUTES_MAX} minutes ({minutes} is not).",
                field="session_lengths",
            )
    if not 0 <= buffer_minutes <= 240:
        raise DomainError("The buffer between sessions is between 0 and 240 minutes.", field="buffer_minutes")
    if not 1 <= horizon_weeks <= 52:
        raise DomainError("People can book between 1 and 52 weeks ahead.", field="horizon_weeks")
    if minimum_notice_hours > 24 * 7 * horizon_weeks:
        raise DomainError(
            "The minimum notice is longer than how far ahead people may book, so nobody could book.",
            field="minimum_notice_hours",
        )
    if (
        max_sessions_per_day is not None
        and max_sessions_per_week is not None
        and max_sessions_per_day > max_sessions_per_week
    ):
        raise DomainError(
            "The most sessions a day cannot be more than the most sessions a week.", field="max_sessions_per_day"
        )
    if monthly_capacity_hours is not None and monthly_capacity_hours < 0:
        raise DomainError("Hours a month you can offer must be 0 or more.", field="monthly_capacity_hours")
    if monthly_capacity_hours is not None:
        # The one monthly capacity is the profile's (matching, agreements and booking read it).
        # Written before the settings row is locked: a booking locks the profile's row first too.
        SupervisorProfile.objects.filter(pk=supervisor.pk).update(monthly_capacity_hours=monthly_capacity_hours)
        supervisor.monthly_capacity_hours = monthly_capacity_hours
    row = _locked_settings(supervisor)
    row.time_zone = time_zone
    row.session_lengths = lengths
    row.buffer_minutes = buffer_minutes
    row.minimum_notice_hours = minimum_notice_hours
    row.horizon_weeks = horizon_weeks
    row.max_sessions_per_day = max_sessions_per_day
    row.max_sessions_per_week = max_sessions_per_week
    # Where sessions happen: copied into each new booking (existing ones keep theirs).
    row.online_link = online_link.strip()
    row.meeting_place = meeting_place.strip()
    row.save()
    record_audit("availability.settings_changed", actor=acting_user, target=row)
    return row


# --- Weekly rules -------------------------------------------------------------------------


def _dates_meet(
    a_from: datetime.date | None,
    a_until: datetime.date | None,
    b_from: datetime.date | None,
    b_until: datetime.date | None,
) -> bool:
    """Do two inclusive date ranges (None = open-ended) share a day?"""
    return (a_until is None or b_from is None or b_from <= a_until) and (
        b_until is None or a_from is None or a_from <= b_until
    )


@transaction.atomic
def add_weekly_rule(
    supervisor: SupervisorProfile,
    *,
    acting_user: User,
    weekday: int,
    start: datetime.time,
    end: datetime.time,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> WeeklyRule:
    _check_own(supervisor, acting_user)
    if weekday not in Weekday.values:
        raise DomainError("Choose a day of the week.", field="weekday")
    if end <= start:
        raise DomainError(
            f"The end time must be after the start time ({_hm(end)} is not after {_hm(start)}).", field="end"
        )
    if valid_from and valid_until and valid_until < valid_from:
        raise DomainError("The last date must be on or after the first date.", field="valid_until")
    _locked_settings(supervisor)
    candidate = WeeklyRule(
        supervisor=supervisor, weekday=weekday, start=start, end=end, valid_from=valid_from, valid_until=valid_until
    )
    for other in WeeklyRule.objects.filter(supervisor=supervisor, weekday=weekday, start__lt=end, end__gt=start):
        if _dates_meet(valid_from, valid_until, other.valid_from, other.valid_until):
            raise DomainError(
                f"{candidate.label} overlaps your rule {other.label}. Change the times, or remove that rule first.",
                field="start",
            )
    candidate.save()
    record_audit("availability.rule_added", actor=acting_user, target=candidate, rule=candidate.label)
    return candidate


@transaction.atomic
def set_weekly_hours(
    supervisor: SupervisorProfile,
    *,
    acting_user: User,
    weekdays: list[int],
    start: datetime.time,
    end: datetime.time,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> list[WeeklyRule]:
    """The same hours on several weekdays, all saved or none: a clash on one day refuses the
    lot, so the supervisor never has to work out which days went in."""
    if not weekdays:
        raise DomainError("Choose at least one day.", field="weekdays")
    # add_weekly_rule's own transaction is a savepoint inside this one: a refusal on the third
    # day undoes the first two.
    return [
        add_weekly_rule(
            supervisor,
            acting_user=acting_user,
            weekday=weekday,
            start=start,
            end=end,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for weekday in sorted(set(weekdays))
    ]


def sessions_on_rule(rule: WeeklyRule, *, now: datetime.datetime | None = None) -> list[SupervisionBooking]:
    """Booked sessions still to come that sit in these weekly hours: the ones taking the hours
    away would leave outside the supervisor's availability. A day with hours of its own (a date
    override) does not use the weekly hours, so its sessions do not count."""
    settings_row = queries.availability_settings_of(rule.supervisor)
    zone = ZoneInfo(settings_row.time_zone)
    own_days = set(
        DateOverride.objects.filter(supervisor=rule.supervisor, start__isnull=False).values_list("date", flat=True)
    )
    found = []
    for booking in queries.sessions_booked_from(rule.supervisor, now or timezone.now()):
        start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
        day = start.date()
        if (
            day.weekday() == rule.weekday
            and (rule.valid_from is None or rule.valid_from <= day)
            and (rule.valid_until is None or day <= rule.valid_until)
            and day not in own_days
            and start.time() < rule.end
            and (end.date() > day or rule.start < end.time())
        ):
            found.append(booking)
    return found


@transaction.atomic
def remove_weekly_rule(rule: WeeklyRule, *, acting_user: User) -> None:
    """Take weekly hours away; refused while a booked session sits in them (cancel or move it
    first, docs/availability-and-booking.md "Days off never clash silently")."""
    _check_own(rule.supervisor, acting_user)
    settings_row = _locked_settings(rule.supervisor)
    _wait_for_bookings(rule.supervisor)
    clashes = sessions_on_rule(rule)
    if clashes:
        when = "; ".join(wording.span(b.starts_at, b.ends_at, settings_row.time_zone) for b in clashes[:3])
        more = f" and {len(clashes) - 3} more" if len(clashes) > 3 else ""
        raise DomainError(
            f"You have {wording.count(len(clashes), 'session')} booked in these hours ({when}{more}). "
            "Cancel or move them first."
        )
    record_audit("availability.rule_removed", actor=acting_user, target=rule, rule=rule.label)
    rule.delete()


# --- Date overrides -----------------------------------------------------------------------


@transaction.atomic
def add_date_override(
    supervisor: SupervisorProfile,
    *,
    acting_user: User,
    date: datetime.date,
    away: bool,
    start: datetime.time | None = None,
    end: datetime.time | None = None,
    note: str = "",
) -> DateOverride:
    """Away all day (``away=True``), or free for these hours that day instead of the weekly rules."""
    _check_own(supervisor, acting_user)
    settings_row = _locked_settings(supervisor)
    if date < local_today(settings_row):
        raise DomainError(f"{wording.date(date)} has passed. Choose today or a later date.", field="date")
    existing = list(DateOverride.objects.filter(supervisor=supervisor, date=date))
    away_row = next((row for row in existing if row.away), None)
    if away:
        if away_row is not None:
            raise DomainError(f"You are already away on {wording.day(date)}.", field="date")
        if existing:
            hours = ", ".join(f"{_hm(start)} to {_hm(end)}" for start, end in map(_window, existing))
            raise DomainError(
                f"You have set hours on {wording.day(date)} ({hours}). Remove them first to be away all day.",
                field="date",
            )
        override = DateOverride(supervisor=supervisor, date=date, note=note.strip())
    else:
        if start is None or end is None:
            raise DomainError("Give a start and an end time, or choose away all day.", field="start")
        if end <= start:
            raise DomainError(
                f"The end time must be after the start time ({_hm(end)} is not after {_hm(start)}).", field="end"
            )
        if away_row is not None:
            raise DomainError(
                f"You are away all day on {wording.day(date)}. Remove that first to set hours.", field="date"
            )
        override = DateOverride(supervisor=supervisor, date=date, start=start, end=end, note=note.strip())
        for other in existing:
            other_start, other_end = _window(other)
            if other_start < end and start < other_end:
                raise DomainError(
                    f"{_hm(start)} to {_hm(end)} overlaps your hours {other.label}. Change the times, or remove those first.",
                    field="start",
                )
    _refuse_clashes(supervisor, settings_row, date, date, keep=None if away else (start, end), field="date")
    override.save()
    record_audit("availability.override_added", actor=acting_user, target=override, override=override.label)
    return override


@transaction.atomic
def remove_date_override(override: DateOverride, *, acting_user: User) -> None:
    _check_own(override.supervisor, acting_user)
    _locked_settings(override.supervisor)
    record_audit("availability.override_removed", actor=acting_user, target=override, override=override.label)
    override.delete()


# --- Days off and the sessions they clash with ------------------------------------------


def sessions_in_the_way(
    supervisor: SupervisorProfile,
    first_day: datetime.date,
    last_day: datetime.date,
    *,
    keep: tuple[datetime.time | None, datetime.time | None] | None = None,
    now: datetime.datetime | None = None,
) -> list[SupervisionBooking]:
    """Booked sessions still to come that days off from ``first_day`` to ``last_day`` would
    clash with; with ``keep`` (new hours for one day), only those outside those hours."""
    settings_row = queries.availability_settings_of(supervisor)
    zone = ZoneInfo(settings_row.time_zone)
    booked = queries.sessions_booked_on_days(
        supervisor, first_day, last_day, zone=settings_row.time_zone, now=now or timezone.now()
    )
    start, end = keep if keep is not None else (None, None)
    if start is None or end is None:
        return booked
    return [
        booking
        for booking in booked
        if not (
            booking.starts_at.astimezone(zone).date() == booking.ends_at.astimezone(zone).date()
            and start <= booking.starts_at.astimezone(zone).time()
            and booking.ends_at.astimezone(zone).time() <= end
        )
    ]


def _wait_for_bookings(supervisor: SupervisorProfile) -> None:
    # Bookings with this supervisor queue on their profile row (scheduling/services/bookings.py,
    # _lock_capacity; reflect/locks.py): taking it here means a booking made a moment ago is
    # seen by the clash check, and one made a moment later sees the day off.
    SupervisorProfile.objects.select_for_update().get(pk=supervisor.pk)


def _refuse_clashes(
    supervisor: SupervisorProfile,
    settings_row: AvailabilitySettings,
    first_day: datetime.date,
    last_day: datetime.date,
    *,
    keep: tuple[datetime.time | None, datetime.time | None] | None,
    field: str,
) -> None:
    # A day off never silently leaves a booked session without its supervisor: the sessions
    # are cancelled or moved first, each person told by their own channel
    # (docs/availability-and-booking.md, "Days off never clash silently").
    _wait_for_bookings(supervisor)
    clashes = sessions_in_the_way(supervisor, first_day, last_day, keep=keep)
    if clashes:
        when = "; ".join(wording.span(b.starts_at, b.ends_at, settings_row.time_zone) for b in clashes[:3])
        more = f" and {len(clashes) - 3} more" if len(clashes) > 3 else ""
        raise DomainError(
            f"You have {wording.count(len(clashes), 'session')} booked then ({when}{more}). Cancel or move them first.",
            field=field,
        )


@transaction.atomic
def add_days_off(
    supervisor: SupervisorProfile,
    *,
    acting_user: User,
    first_day: datetime.date,
    last_day: datetime.date,
    note: str = "",
) -> list[DateOverride]:
    """Away all day on every day from ``first_day`` to ``last_day`` (a holiday). Hours set
    for one of those days give way to the day off; a day already off stays as it is, so a
    second click changes nothing. Refused while a booked session falls on one of the days."""
    _check_own(supervisor, acting_user)
    if last_day < first_day:
        raise DomainError("The last day off must be the same as or after the first day off.", field="last_day")
    if (last_day - first_day).days + 1 > MOST_DAYS_OFF:
        raise DomainError("Add days off a year at a time at most. Choose an earlier last day off.", field="last_day")
    if len(note.strip()) > 120:
        raise DomainError("Keep the note to 120 characters or fewer.", field="note")
    settings_row = _locked_settings(supervisor)
    if first_day < local_today(settings_row):
        raise DomainError(f"{wording.date(first_day)} has passed. Choose today or a later date.", field="first_day")
    _refuse_clashes(supervisor, settings_row, first_day, last_day, keep=None, field="first_day")
    in_range = DateOverride.objects.filter(supervisor=supervisor, date__gte=first_day, date__lte=last_day)
    already_off = set(in_range.filter(start__isnull=True).values_list("date", flat=True))
    in_range.filter(start__isnull=False).delete()
    days = [first_day + datetime.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    added = DateOverride.objects.bulk_create(
        [DateOverride(supervisor=supervisor, date=day, note=note.strip()) for day in days if day not in already_off]
    )
    record_audit(
        "availability.days_off_added",
        actor=acting_user,
        target=settings_row,
        first_day=first_day.isoformat(),
        last_day=last_day.isoformat(),
        days=len(added),
    )
    return added
