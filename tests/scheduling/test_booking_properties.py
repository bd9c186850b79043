"""Property test: any sequence of bookings, cancellations and moves keeps the rules.

Hypothesis draws a list of operations (book a time and length for one of three people, cancel
one of the bookings, move one) and runs it through the services. Whatever is accepted or
refused, afterwards: no two live sessions of the supervisor come within the buffer of each
other, every live session lies in the supervisor's hours, the ledger's reserved and used hours
equal what the booking rows say, and the organisation never has negative hours left.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflect.errors import DomainError
from reflect.services.ledger import hours_balance
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from scheduling.services.bookings import BookingChoice, book_supervision, cancel_supervision, reschedule_supervision
from tests.factories.bookings import NOW, agree, supervisor_with_availability
from tests.factories.core import staff_of

# Starts on the half-hour grid over two weeks of January 2027, some outside the 09:00–17:00 hours.
STARTS = st.builds(
    lambda day, slot: (
        datetime.datetime(2027, 1, 5, 7, tzinfo=datetime.UTC) + datetime.timedelta(days=day, minutes=30 * slot)
    ),
    st.integers(0, 11),
    st.integers(0, 22),
)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.integers(0, 2), STARTS, st.sampled_from([60, 90])),
        st.tuples(st.just("cancel"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("move"), st.integers(0, 20), STARTS, st.sampled_from([60, 90])),
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
def test_the_property_runs_on_bookings_that_happen(world) -> None:
    """The property below swallows refusals; this fixed case shows that the operations it draws
    do book (a property checked over nothing would prove nothing)."""
    start = datetime.datetime(2027, 1, 5, 10, tzinfo=datetime.UTC)
    run(world, [("book", 0, start, 60), ("book", 1, start + datetime.timedelta(hours=2), 90), ("cancel", 1, False)])
    assert sorted(SupervisionBooking.objects.values_list("status", flat=True)) == [
        BookingStatus.BOOKED,
        BookingStatus.CANCELLED,
    ]


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_of_bookings_keeps_the_rules(world, operations) -> None:
    try:
        with transaction.atomic():
            run(world, operations)
            raise Rollback  # each example starts from an empty database
    except Rollback:
        pass


def run(world, operations) -> None:
    supervisor = supervisor_with_availability()
    agreement = agree(world.pool, world.organisation, supervisor, hours_per_month="9", allocation="12")
    people = [world.member, world.colleague, staff_of(world.organisation)]
    for operation in operations:
        bookings = list(SupervisionBooking.objects.order_by("pk"))
        try:
            if operation[0] == "book":
                _, who, start, minutes = operation
                choice = BookingChoice(starts_at=start, minutes=minutes, attendees=[people[who]])
                book_supervision(agreement, choice, acting_user=people[who], now=NOW)
            elif bookings and operation[0] == "cancel":
                _, index, late = operation
                booking = bookings[index % len(bookings)]
                when = booking.starts_at - datetime.timedelta(hours=2) if late else NOW
                cancel_supervision(booking, acting_user=booking.booked_by, now=when)
            elif bookings and operation[0] == "move":
                _, index, start, minutes = operation
                booking = bookings[index % len(bookings)]
                reschedule_supervision(booking, start, minutes, acting_user=booking.booked_by, now=NOW)
        except DomainError:
            pass
    check_invariants(world, supervisor)


def check_invariants(world, supervisor) -> None:
    live = list(SupervisionBooking.objects.filter(supervisor=supervisor, status__in=LIVE_BOOKING_STATUSES))
    buffer = datetime.timedelta(minutes=15)
    for a in live:
        local_start, local_end = a.starts_at.time(), a.ends_at.time()  # London is UTC in January
        assert a.starts_at.weekday() < 5 and datetime.time(9) <= local_start and local_end <= datetime.time(17)
        assert a.ends_at - a.starts_at == datetime.timedelta(minutes=a.minutes)
        for b in live:
            if a.pk < b.pk:
                assert a.ends_at + buffer <= b.starts_at or b.ends_at + buffer <= a.starts_at, (a, b)
    rows = SupervisionBooking.objects.filter(supervisor=supervisor)
    reserved = sum((b.hours for b in rows if b.status == BookingStatus.BOOKED), Decimal("0"))
    used = sum((b.hours for b in rows if b.status == BookingStatus.LATE_CANCELLED), Decimal("0"))
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.reserved, balance.used) == (reserved, used)
    assert balance.left >= 0
