"""A day off and a booking on that day at once: either the booking is seen by the day off's
check of the sessions in the way, or the booking sees the day off — never a session left on a
day off without anyone being told.

A booking holds the supervisor's profile row from its slot check to its commit
(``_lock_capacity``); adding days off takes the same row before it looks for sessions in the
way (``_wait_for_bookings``). The control takes that lock out and sees both succeed.
PostgreSQL only.
"""

from __future__ import annotations

import datetime
import threading

import pytest

from reflect import wording
from scheduling.models import DateOverride, SupervisionBooking
from scheduling.services import availability, bookings
from scheduling.services.bookings import BookingChoice, book_supervision
from tests.concurrency.lock_waits import first_pauses_then_second
from tests.conftest import requires_postgresql
from tests.factories.bookings import NOW, agree, supervisor_with_availability, utc
from tests.factories.core import staff_of

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

WEDNESDAY = datetime.date(2027, 1, 6)


def book_while_a_day_off_is_added(world, monkeypatch) -> tuple[list[str], bool]:
    """A booking for Wednesday 10am checks its slot and hours, then stops before writing; the
    supervisor adds Wednesday as a day off. The booking goes on once the day off has finished
    or waits for a lock the booking holds. Returns how each ended, and whether the day off waited."""
    supervisor = supervisor_with_availability()
    agreement = agree(world.pool, world.organisation, supervisor)
    person = staff_of(world.organisation)
    choice = BookingChoice(starts_at=utc(6, 10), minutes=60, attendees=[person])
    checked, go_on = threading.Event(), threading.Event()
    check_hours = bookings._check_hours

    def check_then_stop(*args, **kwargs) -> None:
        check_hours(*args, **kwargs)
        checked.set()
        go_on.wait(10)

    monkeypatch.setattr(bookings, "_check_hours", check_then_stop)

    def book() -> None:
        book_supervision(agreement, choice, acting_user=person, now=NOW)

    def day_off() -> None:
        availability.add_days_off(supervisor, acting_user=supervisor.user, first_day=WEDNESDAY, last_day=WEDNESDAY)

    outcomes, day_off_waited = first_pauses_then_second(
        ("booking", book), ("day off", day_off), checked, go_on, pause_means="reached its check of the hours left"
    )
    return [outcomes.get("booking", "?"), outcomes.get("day off", "?")], day_off_waited


def test_a_day_off_waits_for_a_booking_on_that_day_and_then_lists_it(world, monkeypatch):
    outcomes, day_off_waited = book_while_a_day_off_is_added(world, monkeypatch)
    assert day_off_waited
    booking = SupervisionBooking.objects.get()
    when = wording.span(booking.starts_at, booking.ends_at, "Europe/London")
    assert outcomes == ["done", f"You have 1 session booked then ({when}). Cancel or move them first."]
    assert not DateOverride.objects.exists()


def test_control_without_the_supervisors_lock_a_session_is_left_on_a_day_off(world, monkeypatch):
    monkeypatch.setattr(availability, "_wait_for_bookings", lambda supervisor: None)
    # It still waits — its insert's foreign key to the supervisor needs their row — but only
    # after its check has looked for sessions and missed the booking.
    outcomes, _ = book_while_a_day_off_is_added(world, monkeypatch)
    assert outcomes == ["done", "done"]
    assert SupervisionBooking.objects.get().starts_at.date() == WEDNESDAY
    assert list(DateOverride.objects.values_list("date", flat=True)) == [WEDNESDAY]
