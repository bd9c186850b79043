"""An allocation change and a booking of the same organisation at once: no deadlock.

A booking holds its organisation's PoolOrganisation row, then inserts rows that point at the
pool (its booking and ledger entries), which takes FOR KEY SHARE on the pool row. An
allocation change takes the pool row, then the PoolOrganisation rows. With the pool row taken
FOR UPDATE the two wait for each other and PostgreSQL kills one (a 500 for somebody); FOR NO
KEY UPDATE does not conflict with FOR KEY SHARE, so both finish. The control puts FOR UPDATE
back and shows the deadlock. PostgreSQL only.
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
from scheduling.services.bookings import _lock_capacity
from tests.conftest import requires_postgresql
from tests.factories.bookings import agree, supervisor_with_availability
from tests.factories.core import UserFactory

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
