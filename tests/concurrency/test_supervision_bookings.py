"""No double booking and no overdrawn allocation under concurrent requests (docs/architecture.md).

On PostgreSQL only: SQLite serialises every writer, so it cannot show the race. Each thread
books through its own database connection. Two things hold a slot: the service's locks
(allocation → supervisor → agreement) with the slot engine's check under them, and the
btree_gist exclusion constraint. The controls take them away one at a time to show that each
is what holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection

from reflect.locks import Lock
from reflect.services.ledger import hours_balance
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.services.bookings import BookingChoice, book_supervision
from tests.concurrency.lock_waits import all_at_once, tally
from tests.conftest import requires_postgresql
from tests.factories.bookings import NOW, agree, supervisor_with_availability, utc
from tests.factories.core import OrganisationFactory, staff_of

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
CONSTRAINT = "supervision_booking_no_overlap"


def run_at_once(attempts: list[Callable[[], object]]) -> dict[str, int]:
    return tally(all_at_once(attempts), done="booked", refused="refused")


def fifty_organisations_want_one_slot(world):
    """Fifty organisations, each with its own agreement with one supervisor, all after 10:00."""
    supervisor = supervisor_with_availability()
    attempts = []
    for number in range(CLIENTS):
        organisation = OrganisationFactory(name=f"Organisation {number}", in_pool=world.pool)
        agreement = agree(world.pool, organisation, supervisor)
        person = staff_of(organisation)
        choice = BookingChoice(starts_at=utc(6, 10), minutes=60, attendees=[person])
        attempts.append(lambda a=agreement, c=choice, p=person: book_supervision(a, c, acting_user=p, now=NOW))
    return supervisor, attempts


def live_bookings(supervisor) -> int:
    return SupervisionBooking.objects.filter(supervisor=supervisor, status=BookingStatus.BOOKED).count()


def test_fifty_concurrent_requests_for_one_slot_give_exactly_one_booking(world):
    supervisor, attempts = fifty_organisations_want_one_slot(world)
    outcomes = run_at_once(attempts)
    assert outcomes == {"booked": 1, "refused": CLIENTS - 1, "error": 0}
    assert live_bookings(supervisor) == 1


def test_control_without_the_locks_the_exclusion_constraint_still_holds_the_slot(world, switch_off):
    switch_off(Lock.SUPERVISION_CAPACITY)
    supervisor, attempts = fifty_organisations_want_one_slot(world)
    outcomes = run_at_once(attempts)
    # The losers are told the slot was taken (the constraint's refusal becomes a SlotRefused).
    assert outcomes["booked"] == 1 and outcomes["error"] == 0
    assert live_bookings(supervisor) == 1


def test_control_without_locks_or_constraint_the_slot_is_double_booked(world, switch_off):
    """Proof the harness can catch a regression: take both away and the slot goes twice."""
    switch_off(Lock.SUPERVISION_CAPACITY)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE scheduling_supervisionbooking DROP CONSTRAINT {CONSTRAINT}")
    try:
        for _ in range(5):
            supervisor, attempts = fifty_organisations_want_one_slot(world)
            run_at_once(attempts)
            if live_bookings(supervisor) > 1:
                break
        else:  # pragma: no cover - the race did not show in five tries
            pytest.fail("Without the locks and the constraint, 50 requests never double-booked in five tries.")
    finally:
        SupervisionBooking.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE scheduling_supervisionbooking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
                "(supervisor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                "WHERE (status IN ('booked', 'attended', 'no_show'))"
            )


def fifty_people_want_the_last_hour(world):
    """One organisation with one hour left; fifty of its staff each book a different hour."""
    supervisor = supervisor_with_availability()
    agreement = agree(world.pool, world.organisation, supervisor, hours_per_month="100", allocation="1")
    starts = [
        datetime.datetime.combine(day, time, tzinfo=datetime.UTC)
        for day in [datetime.date(2027, 1, d) for d in (5, 6, 7, 8, 11, 12, 13, 14, 15, 18)]
        for time in (
            datetime.time(9),
            datetime.time(10, 30),
            datetime.time(12),
            datetime.time(13, 30),
            datetime.time(15),
        )
    ]
    attempts = []
    for start in starts:
        person = staff_of(world.organisation)
        choice = BookingChoice(starts_at=start, minutes=60, attendees=[person])
        attempts.append(lambda c=choice, p=person: book_supervision(agreement, c, acting_user=p, now=NOW))
    return agreement, attempts


def test_fifty_concurrent_requests_for_the_last_hour_never_overdraw(world):
    _agreement, attempts = fifty_people_want_the_last_hour(world)
    outcomes = run_at_once(attempts)
    assert outcomes == {"booked": 1, "refused": CLIENTS - 1, "error": 0}
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.reserved, balance.left) == (1, 0)


def test_control_without_the_locks_the_allocation_is_overdrawn(world, switch_off):
    switch_off(Lock.SUPERVISION_CAPACITY)
    for _ in range(5):
        SupervisionBooking.objects.all().delete()
        _agreement, attempts = fifty_people_want_the_last_hour(world)
        run_at_once(attempts)
        if hours_balance(world.pool, world.organisation).left < 0:
            break
    else:  # pragma: no cover - the race did not show in five tries
        pytest.fail("Without the locks, 50 requests never overdrew the allocation in five tries.")
    assert hours_balance(world.pool, world.organisation).left < 0
