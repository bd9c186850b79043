"""An allocation change and a booking of the same organisation at once: no deadlock, and the
allocation never goes below the hours booked.

A booking holds its organisation's PoolOrganisation row, then inserts rows that point at the
pool (its booking and ledger entries), which takes FOR KEY SHARE on the pool row. An
allocation change takes the pool row, then the PoolOrganisation rows. With the pool row taken
FOR UPDATE the two wait for each other and PostgreSQL kills one (a 500 for somebody); FOR NO
KEY UPDATE does not conflict with FOR KEY SHARE, so both finish. The control puts FOR UPDATE
back and shows the deadlock.

The floor (an allocation is never set below what the organisation has booked or used) holds
because the change reads the booked hours under the organisation's PoolOrganisation row, which
a booking holds from its check of the hours left to its commit. Its control takes that lock out
of the allocation change and sees the allocation set below a booking made meanwhile.
PostgreSQL only.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from reflect.enums import LedgerKind
from reflect.models import Pool
from reflect.services import pools
from reflect.services.ledger import hours_balance, record_ledger_entry
from scheduling.services import bookings
from scheduling.services.bookings import BookingChoice, _lock_capacity, book_supervision
from tests.concurrency.lock_waits import first_pauses_then_second
from tests.conftest import requires_postgresql
from tests.factories.bookings import NOW, agree, supervisor_with_availability, utc
from tests.factories.core import UserFactory, staff_of

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def race(world) -> list[str]:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="10")
    commissioner = UserFactory()
    holding = threading.Event()
    errors: list[str] = []

    def booking() -> None:
        try:
            with transaction.atomic():
                _lock_capacity(agreement)  # the booking's locks, as book_supervision takes them
                holding.set()
                time.sleep(0.6)  # the allocation change is now waiting for our row
                record_ledger_entry(
                    world.pool, LedgerKind.RESERVED, organisation=world.organisation, hours=Decimal("1")
                )
        except DatabaseError as error:
            errors.append(f"booking: {error.__cause__.__class__.__name__}")
        finally:
            connection.close()

    def allocation() -> None:
        if not holding.wait(10):
            errors.append("allocation: the booking never took its locks")
            return
        try:
            pools.set_allocation(world.pool, world.organisation, Decimal("8"), acting_user=commissioner)
        except DatabaseError as error:
            errors.append(f"allocation: {error.__cause__.__class__.__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=booking), threading.Thread(target=allocation)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_an_allocation_change_and_a_booking_at_once_both_finish(world):
    assert race(world) == []
    # Both writes landed: the allocation set to 8 hours, and the booking's hour reserved.
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.allocated, balance.reserved) == (Decimal("8"), Decimal("1"))


def test_control_with_the_pool_row_taken_for_update_they_deadlock(world, monkeypatch):
    monkeypatch.setattr(pools, "_lock_pool", lambda pool: Pool.objects.select_for_update().get(pk=pool.pk))
    errors = race(world)
    assert len(errors) == 1 and "Deadlock" in errors[0]


def set_the_allocation_to_zero_while_the_last_hour_is_booked(world, monkeypatch) -> tuple[list[str], bool]:
    """One hour left. A booking of that hour checks the hours left, then stops before writing;
    the commissioner sets the allocation to nothing. The booking goes on once the change has
    finished or is waiting for a lock the booking holds. Returns how the booking and the change
    ended, and whether the change had to wait."""
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="1")
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

    def set_to_zero() -> None:
        pools.set_allocation(world.pool, world.organisation, Decimal("0"), acting_user=world.commissioner)

    outcomes, change_waited = first_pauses_then_second(
        ("booking", book), ("change", set_to_zero), checked, go_on, pause_means="reached its check of the hours left"
    )
    return [outcomes.get("booking", "?"), outcomes.get("change", "?")], change_waited


def test_an_allocation_cannot_be_set_below_a_booking_made_meanwhile(world, monkeypatch):
    outcomes, change_waited = set_the_allocation_to_zero_while_the_last_hour_is_booked(world, monkeypatch)
    assert change_waited  # the change read the booked hours only after the booking's commit
    assert outcomes == [
        "done",
        "Harehills Drama has already booked or used 1 hour, so its allocation cannot be less than that.",
    ]
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.allocated, balance.reserved, balance.left) == (Decimal("1"), Decimal("1"), Decimal("0"))


def test_control_without_the_organisations_lock_the_allocation_goes_below_the_booking(world, monkeypatch):
    monkeypatch.setattr(pools, "_lock_pool_organisations", lambda pool, organisation_ids: None)
    outcomes, change_waited = set_the_allocation_to_zero_while_the_last_hour_is_booked(world, monkeypatch)
    assert (outcomes, change_waited) == (["done", "done"], False)
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.allocated, balance.reserved, balance.left) == (Decimal("0"), Decimal("1"), Decimal("-1"))
