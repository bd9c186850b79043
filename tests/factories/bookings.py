"""A supervision agreement with a supervisor who has availability: what booking tests start from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from reflect.models import Organisation, Pool, User
from scheduling.models import AvailabilitySettings, SessionMode, SupervisionBooking, WeeklyRule
from scheduling.services.bookings import BookingChoice, book_supervision
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile
from tests.factories.core import MembershipFactory, OrganisationFactory, PoolFactory, UserFactory, add_to_pool
from tests.factories.supervision import SupervisionAgreementFactory, SupervisorProfileFactory, allocate

# A Monday in winter (London = UTC), far from the clocks changing.
NOW = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=datetime.UTC)


def utc(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2027) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)


@dataclass
class Agreed:
    supervisor: SupervisorProfile
    agreement: SupervisionAgreement


def running_pool_with_member() -> tuple[Pool, Organisation, User]:
    """The Leeds pool, running from this month for a year, with Harehills Drama in it and Sam
    Reid on its staff: what a browser journey needs before anyone books (real dates, since the
    live server's clock is real)."""
    today = datetime.date.today()
    pool = PoolFactory(name="Leeds pool", starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=365))
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    member = MembershipFactory(organisation=organisation, user__first_name="Sam", user__last_name="Reid").user
    return pool, organisation, member


def supervisor_with_availability(first_name: str = "Ann", **settings: object) -> SupervisorProfile:
    """Free Monday to Friday 09:00–17:00 London time; 60 and 90 minute sessions, 15 min buffer.
    ``monthly_capacity_hours`` is the profile's (the one capacity); None for one that never binds."""
    profile: dict[str, object] = {}
    if "monthly_capacity_hours" in settings:
        capacity = settings.pop("monthly_capacity_hours")
        profile["monthly_capacity_hours"] = Decimal("1000") if capacity is None else capacity
    supervisor = SupervisorProfileFactory(user=UserFactory(first_name=first_name, last_name="Carter"), **profile)
    AvailabilitySettings.objects.create(
        supervisor=supervisor,
        session_lengths=[60, 90],
        buffer_minutes=15,
        minimum_notice_hours=24,
        horizon_weeks=8,
        online_link="https://meet.example.org/ann",
        meeting_place="Room 2, Leeds Community Hub",
        **settings,
    )
    for weekday in range(5):
        WeeklyRule.objects.create(supervisor=supervisor, weekday=weekday, start=datetime.time(9), end=datetime.time(17))
    return supervisor


def agree(
    pool: Pool,
    organisation: Organisation,
    supervisor: SupervisorProfile,
    *,
    hours_per_month: str = "4",
    allocation: str | None = "10",
    format: str = "one_to_one",
) -> SupervisionAgreement:
    if allocation is not None:
        allocate(pool, organisation, allocation)
    return SupervisionAgreementFactory(
        organisation=organisation,
        supervisor=supervisor,
        pool=pool,
        format=format,
        hours_per_month=Decimal(hours_per_month),
        starts_on=datetime.date(2026, 12, 1),
        review_on=datetime.date(2027, 6, 1),
        status=AgreementStatus.ACTIVE,
    )


def book(
    agreement: SupervisionAgreement,
    user: User,
    start: datetime.datetime,
    minutes: int = 60,
    *,
    attendees: list[User] | None = None,
    now: datetime.datetime = NOW,
    mode: str = SessionMode.ONLINE,
) -> SupervisionBooking:
    """``user`` books a session under the agreement at ``start``, for themselves unless ``attendees``."""
    choice = BookingChoice(starts_at=start, minutes=minutes, attendees=attendees or [user], mode=mode)
    return book_supervision(agreement, choice, acting_user=user, now=now)


def attendee_names(users: list[User]) -> list[str]:
    return sorted(user.first_name for user in users)
