"""A practitioner's record: supervision sessions (1:1 and group) and reflective group sessions
they attended, written as rows (the record reads what happened; how it came to happen is the
booking and group services' business, tested there)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from reflect.models import User
from scheduling.models import (
    BookingAttendee,
    BookingStatus,
    GroupSession,
    Place,
    PlaceStatus,
    SupervisionBooking,
)
from supervision.models import SupervisionAgreement, SupervisorProfile
from tests.factories.bookings import agree
from tests.factories.core import staff_of
from tests.factories.groups import ReflectiveGroupFactory, make_facilitator
from tests.factories.supervision import make_supervisor


def at(day: int, month: int = 11, year: int = 2026, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def attended_session(
    agreement: SupervisionAgreement, people: list[User], start: datetime.datetime, minutes: int = 60
) -> SupervisionBooking:
    booking = SupervisionBooking.objects.create(
        agreement=agreement,
        supervisor=agreement.supervisor,
        organisation=agreement.organisation,
        pool=agreement.pool,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=minutes),
        minutes=minutes,
        hours=Decimal(minutes) / 60,
        is_group=len(people) > 1,
        status=BookingStatus.ATTENDED,
    )
    BookingAttendee.objects.bulk_create([BookingAttendee(booking=booking, user=p) for p in people])
    return booking


@dataclass
class Scene:
    practitioner: User
    colleagues: list[User]
    supervisor: SupervisorProfile
    facilitator: SupervisorProfile
    agreement: SupervisionAgreement
    one_to_one: SupervisionBooking
    group_supervision: SupervisionBooking
    group_session: GroupSession


@pytest.fixture
def scene(world) -> Scene:
    return build_scene(world)


def build_scene(world) -> Scene:
    """Sam (world.member): a 1:1 hour on 3 November 2026, two hours of group supervision with
    two colleagues on 17 November, and a two-hour reflective group of six on 11 November."""
    supervisor = make_supervisor("Ruth")
    facilitator = make_facilitator("Ann")
    agreement = agree(world.pool, world.organisation, supervisor)
    colleagues = [world.colleague, staff_of(world.organisation, first_name="Kim")]
    one = attended_session(agreement, [world.member], at(3), 60)
    group = attended_session(agreement, [world.member, *colleagues], at(17), 120)
    reflective = ReflectiveGroupFactory(pool=world.pool, facilitator=facilitator, external_facilitator_name="")
    session = GroupSession.objects.create(
        group=reflective, starts_at=at(11, hour=14), ends_at=at(11, hour=16), place_limit=12, places_taken=6,
        places_attended=6,
    )  # fmt: skip
    others = [staff_of(world.organisation, first_name=f"Member{n}") for n in range(5)]
    Place.objects.bulk_create(
        Place(
            session=session, user=person, organisation=world.organisation, status=PlaceStatus.ATTENDED, booked_at=at(1)
        )
        for person in [world.member, *others]
    )
    return Scene(world.member, colleagues, supervisor, facilitator, agreement, one, group, session)
