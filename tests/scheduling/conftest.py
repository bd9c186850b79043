"""Fixtures for reflective groups: a verified facilitator and a monthly group in ``world.pool``."""

from __future__ import annotations

import datetime

import pytest

from scheduling.models import ReflectiveGroup
from scheduling.services.groups import create_group
from supervision.models import SupervisorProfile
from tests.factories.core import UserFactory

# A fixed "now": the sessions of a group created at this moment are the same in every run.
NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


def make_facilitator(first_name: str = "Ann") -> SupervisorProfile:
    return SupervisorProfile.objects.create(
        user=UserFactory(first_name=first_name, last_name="Carter"),
        profession="counselling psychologist",
        verified_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
    )


def make_group(world, *, capacity: int = 2, now: datetime.datetime = NOW, **fields) -> ReflectiveGroup:
    values = {
        "title": "Leeds reflective practice",
        "description": "Monthly reflective practice.",
        "rrule": "FREQ=MONTHLY;BYDAY=+2WE",
        "first_date": datetime.date(2026, 11, 1),
        "start_time": datetime.time(14, 0),
        "duration_minutes": 120,
        "time_zone": "Europe/London",
        "location": "Room 2, Leeds Community Hub",
        "capacity": capacity,
        "ground_rules": "What is said here stays here.",
        "confidentiality_statement": "Nothing said is written down.",
    }
    values.update(fields)
    if "facilitator" not in values and "external_facilitator_name" not in values:
        values["facilitator"] = make_facilitator()
    return create_group(world.pool, acting_user=world.commissioner, now=now, **values)


@pytest.fixture
def group(world) -> ReflectiveGroup:
    return make_group(world)


@pytest.fixture
def session(group):
    return group.sessions.order_by("starts_at").first()
