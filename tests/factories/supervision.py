"""Factories for supervisors, requests and agreements."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.models import Organisation, Pool
from reflect.services.ledger import record_ledger_entry
from supervision.models import SupervisionAgreement, SupervisionRequest, SupervisorProfile
from tests.factories.core import UserFactory, give_two_factor

# When an administrator checked the registrations of the supervisors made below.
CHECKED_ON = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)


class SupervisorProfileFactory(factory.django.DjangoModelFactory):
    """A verified, listed supervisor with 10 hours a month, online, offering 1:1 supervision."""

    class Meta:
        model = SupervisorProfile

    user = factory.SubFactory(UserFactory)
    profession = "Counselling psychologist"
    professional_body = "bps_hcpc"
    registration_number = factory.Sequence(lambda n: f"PYL{10000 + n:06d}")
    specialisms = factory.LazyFunction(lambda: ["Trauma"])
    offers = factory.LazyFunction(lambda: ["one_to_one", "group_supervision"])
    languages = factory.LazyFunction(lambda: ["English"])
    online = True
    hourly_rate = Decimal("60")
    monthly_capacity_hours = Decimal("10")
    accepting_organisations = True
    agrees_non_clinical = True
    verified_at = factory.LazyFunction(timezone.now)


class RegisteredSupervisorFactory(factory.django.DjangoModelFactory):
    """A supervisor as registration leaves one: a profession, checked by an administrator on
    CHECKED_ON (``verified_at=None`` for one not checked yet), and nothing else: no offers, hours
    or listing. Availability pages and group facilitators start from this."""

    class Meta:
        model = SupervisorProfile

    user = factory.SubFactory(UserFactory)
    profession = "Counselling psychologist"
    verified_at = CHECKED_ON


def make_supervisor(first_name: str = "Ruth", *, two_factor: bool = True) -> SupervisorProfile:
    """A registered supervisor who can sign in to their pages (two-factor on, unless not)."""
    user = UserFactory(first_name=first_name)
    if two_factor:
        give_two_factor(user)
    return RegisteredSupervisorFactory(user=user)


class SupervisionRequestFactory(factory.django.DjangoModelFactory):
    """A pending request for 1.5 hours a month of one-to-one supervision from the pool's start,
    reviewed 90 days on (the organisation and pool are the test's to give)."""

    class Meta:
        model = SupervisionRequest

    supervisor = factory.SubFactory(SupervisorProfileFactory)
    format = "one_to_one"
    hours_per_month = Decimal("1.5")
    starts_on = factory.LazyAttribute(lambda request: request.pool.starts_on)
    review_on = factory.LazyAttribute(lambda request: request.starts_on + datetime.timedelta(days=90))


class SupervisionAgreementFactory(factory.django.DjangoModelFactory):
    """A running agreement for 4 hours a month of one-to-one supervision from today, reviewed 90
    days on (the organisation and pool are the test's to give)."""

    class Meta:
        model = SupervisionAgreement

    supervisor = factory.SubFactory(SupervisorProfileFactory)
    format = "one_to_one"
    hours_per_month = Decimal("4")
    starts_on = factory.LazyFunction(timezone.localdate)
    review_on = factory.LazyAttribute(lambda agreement: agreement.starts_on + datetime.timedelta(days=90))


def allocate(pool: Pool, organisation: Organisation, hours: str) -> None:
    record_ledger_entry(pool, LedgerKind.ALLOCATED, organisation=organisation, hours=Decimal(hours))


def first_of_next_month() -> datetime.date:
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
