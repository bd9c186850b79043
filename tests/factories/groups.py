"""Reflective groups: one made as a commissioner makes it (with its sessions), or a bare group row
for tests that write its sessions, places and waits by hand."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import factory

from scheduling.groups.changes import create_group
from scheduling.models import ReflectiveGroup
from supervision.models import SupervisorProfile
from tests.factories.core import give_two_factor
from tests.factories.supervision import RegisteredSupervisorFactory

# A fixed "now": the sessions of a group created at this moment are the same in every run.
NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


def make_facilitator(first_name: str = "Ann", *, two_factor: bool = True) -> SupervisorProfile:
    """A supervisor who facilitates groups, with two-factor authentication (their pages need it)
    unless ``two_factor=False``."""
    profile = RegisteredSupervisorFactory(
        user__first_name=first_name, user__last_name="Carter", profession="counselling psychologist"
    )
    if two_factor:
        give_two_factor(profile.user)
    return profile


def make_group(world, *, capacity: int = 2, now: datetime.datetime = NOW, **fields) -> ReflectiveGroup:
    """A group of ``world.pool`` created by its commissioner at ``now``: the second Wednesday of
    each month from the day it is made (November 2026 at NOW), 14:00–16:00 London time, facilitated by Ann Carter."""
    values = {
        "title": "Leeds reflective practice",
        "description": "Monthly reflective practice.",
        "rrule": "FREQ=MONTHLY;BYDAY=+2WE",
        # The day it is made (a first date is never before it): 2 November 2026 at NOW.
        "first_date": now.astimezone(ZoneInfo("Europe/London")).date(),
        "start_time": datetime.time(14, 0),
        "duration_minutes": 120,
        "time_zone": "Europe/London",
        "location": "Room 2, Leeds Community Hub",
        "capacity": capacity,
        "ground_rules": "What is said here stays here.",
        "confidentiality_statement": "Nothing said is written down.",
    }
    values.update(fields)
    # A group makes no session after its pool ends (docs/groups.md): the pool runs at least the
    # year of sessions the group is made with.
    year_on = (now + datetime.timedelta(days=366)).date()
    if world.pool.ends_on < year_on:
        world.pool.ends_on = year_on
        world.pool.save(update_fields=["ends_on"])
    if "facilitator" not in values and "external_facilitator_name" not in values:
        values["facilitator"] = make_facilitator()
    return create_group(world.pool, acting_user=world.commissioner, now=now, **values)


class ReflectiveGroupFactory(factory.django.DjangoModelFactory):
    """A group row only, without sessions (they are the test's to write): monthly from June 2026,
    capacity 10 with 20 % overbooking, facilitated by Ann Carter from outside."""

    class Meta:
        model = ReflectiveGroup

    title = factory.Sequence(lambda n: f"Group {n}")
    external_facilitator_name = "Ann Carter"
    rrule = "FREQ=MONTHLY;BYDAY=+2WE"
    first_date = datetime.date(2026, 6, 1)
    start_time = datetime.time(14, 0)
    duration_minutes = 120
    capacity = 10
    overbooking_percent = 20
    ground_rules = "What is said here stays here."
    confidentiality_statement = "Nothing said is written down."


def typed_dates(data: dict[str, object]) -> dict[str, object]:
    """Form data with its ISO dates ("2027-01-13") typed as a person types them into the GOV.UK
    day, month and year boxes (reflect/fields.py): first_date_day, first_date_month, …"""
    typed = dict(data)
    for name in ("first_date", "last_date"):
        value = typed.pop(name, None)
        if value:
            year, month, day = str(value).split("-")
            typed |= {f"{name}_day": day.lstrip("0"), f"{name}_month": month.lstrip("0"), f"{name}_year": year}
    return typed
