"""A reflective group's sessions from its pattern: the recurrence rule, read in the group's wall
clock, and the sessions kept generated a year ahead (a cohort's members booked into new ones).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset, rrulestr
from django.db import transaction
from django.utils import timezone

from reflect.errors import DomainError
from scheduling.groups.cohorts import book_members_into_new_sessions
from scheduling.models import GroupKind, GroupSession, GroupStatus, ReflectiveGroup

HORIZON_DAYS = 365


def parse_rrule(rule: str, dtstart: datetime.datetime) -> rrule | rruleset:
    """The rule as a dateutil rrule starting at ``dtstart`` (naive, local); DomainError if it is not one."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text or "DTSTART" in text.upper():
        raise DomainError("Enter a recurrence rule such as FREQ=MONTHLY;BYDAY=+2WE.", field="rrule")
    try:
        return rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError):
        raise DomainError(
            "That is not a recurrence rule we can read. For the second Wednesday of each month enter "
            "FREQ=MONTHLY;BYDAY=+2WE.",
            field="rrule",
        ) from None


def local_occurrences(
    group: ReflectiveGroup, *, after: datetime.datetime, before: datetime.datetime
) -> list[datetime.datetime]:
    """The group's session starts between two instants, in UTC.

    The pattern runs in the group's wall clock: each occurrence is a local date and time,
    turned into an instant with that day's offset — 14:00 in London is 14:00 in winter and
    in summer. A start in the spring gap moves forward; one in the autumn overlap is the first.
    """
    tz = ZoneInfo(group.time_zone)
    dtstart = datetime.datetime.combine(group.first_date, group.start_time)
    rule = parse_rrule(group.rrule, dtstart)
    after_local = after.astimezone(tz).replace(tzinfo=None) - datetime.timedelta(days=1)
    before_local = before.astimezone(tz).replace(tzinfo=None) + datetime.timedelta(days=1)
    if group.last_date is not None:
        # Nothing after the last date, on the group's own calendar.
        before_local = min(before_local, datetime.datetime.combine(group.last_date, datetime.time.max))
    starts = []
    for wall in rule.between(after_local, before_local, inc=True):
        instant = wall.replace(tzinfo=tz, fold=0).astimezone(datetime.UTC)
        if after <= instant < before:
            starts.append(instant)
    return starts


def generate_sessions(group: ReflectiveGroup, *, now: datetime.datetime | None = None) -> list[GroupSession]:
    """Create the sessions due in the next year that do not exist yet; return the new ones.

    Running it again creates nothing (one session per group and start). A session moved or
    cancelled by hand keeps its row, so it is not made again.
    """
    if group.status != GroupStatus.ACTIVE:
        return []
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=HORIZON_DAYS)
    existing = set()
    for starts_at, original in group.sessions.values_list("starts_at", "original_starts_at"):
        existing.update({starts_at, original})
    duration = datetime.timedelta(minutes=group.duration_minutes)
    new = [
        GroupSession(
            group=group,
            starts_at=start,
            ends_at=start + duration,
            place_limit=group.place_limit,
        )
        for start in local_occurrences(group, after=now, before=horizon)
        if start not in existing
    ]
    with transaction.atomic():
        GroupSession.objects.bulk_create(new, ignore_conflicts=True)
    if group.kind == GroupKind.COHORT and new:
        # A cohort's members have a place in every session of their term, new ones included.
        made = list(group.sessions.filter(starts_at__in=[session.starts_at for session in new]))
        book_members_into_new_sessions(group, made, now)
    return new


def keep_sessions_a_year_ahead(*, now: datetime.datetime | None = None) -> int:
    """The periodic task's work: top every running group up to a year of sessions."""
    created = 0
    for group in ReflectiveGroup.objects.filter(status=GroupStatus.ACTIVE):
        created += len(generate_sessions(group, now=now))
    return created
