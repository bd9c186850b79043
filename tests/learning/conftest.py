"""Learning-need fixtures: the world's personas, a supervisor with an agreement with Harehills
Drama, and Sam (the member) booked into one of its sessions, so Sam is someone they supervise."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.models import LearningTopic
from reflect.models import User
from scheduling.models import BookingAttendee, BookingStatus, SupervisionBooking
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement
from tests.factories.supervision import SupervisionAgreementFactory, make_supervisor


@dataclass
class Supervised:
    supervisor: User
    agreement: SupervisionAgreement
    booking: SupervisionBooking


def held_session(agreement: SupervisionAgreement, person: User, *, days_ago: int = 3) -> SupervisionBooking:
    """A supervision session ``person`` attended ``days_ago`` days ago (written directly: these
    tests are about what happens after it, not about booking)."""
    start = timezone.now() - datetime.timedelta(days=days_ago)
    booking = SupervisionBooking.objects.create(
        agreement=agreement,
        supervisor=agreement.supervisor,
        organisation=agreement.organisation,
        pool=agreement.pool,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        minutes=60,
        hours=Decimal("1"),
        status=BookingStatus.ATTENDED,
    )
    BookingAttendee.objects.create(booking=booking, user=person)
    return booking


@pytest.fixture
def supervised(world) -> Supervised:
    profile = make_supervisor("Ruth")
    agreement = SupervisionAgreementFactory(
        organisation=world.organisation, pool=world.pool, supervisor=profile, status=AgreementStatus.ACTIVE
    )
    return Supervised(profile.user, agreement, held_session(agreement, world.member))


def topic(slug: str) -> LearningTopic:
    return LearningTopic.objects.get(slug=slug, pool__isnull=True)
