"""A supervision booking takes the supervisor's row and the agreement's in one statement
(issue 20: one lock statement fewer); the order still has to be the documented one, the
supervisor before the agreement (reflect/locks.py). PostgreSQL locks a statement's rows in the
order FOR UPDATE OF names them: while the booking waits for an agreement another transaction
holds, it must already hold the supervisor. The control names them the other way round and sees
the supervisor still free, so the test can tell the two orders apart. PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import DatabaseError, transaction

from scheduling.services.bookings import _lock_capacity
from supervision.models import SupervisionAgreement, SupervisorProfile
from tests.concurrency.lock_waits import run_and_file, waits_for_a_lock
from tests.conftest import requires_postgresql
from tests.factories.bookings import agree, supervisor_with_availability

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def supervisor_held_while_waiting_for_the_agreement(
    agreement: SupervisionAgreement, take: Callable[[], object]
) -> bool:
    """Hold the agreement's row, let ``take`` run until it waits for it, and say whether the
    supervisor's row was locked by then."""
    paused, go_on = threading.Event(), threading.Event()

    def hold_the_agreement() -> None:
        with transaction.atomic():
            SupervisionAgreement.objects.select_for_update().get(pk=agreement.pk)
            paused.set()
            go_on.wait(10)

    def taking() -> None:
        with transaction.atomic():
            take()

    outcomes: dict[str, str] = {}
    pids: dict[str, int] = {}
    holder = threading.Thread(target=run_and_file, args=(hold_the_agreement, outcomes, pids), name="holder")
    holder.start()
    assert paused.wait(10), "the holder never took the agreement"
    taker = threading.Thread(target=run_and_file, args=(taking, outcomes, pids), name="booking")
    taker.start()
    try:
        assert waits_for_a_lock(taker, pids, "booking"), "the booking did not wait for the agreement"
        try:
            with transaction.atomic():
                SupervisorProfile.objects.select_for_update(nowait=True).get(pk=agreement.supervisor_id)
            held = False
        except DatabaseError:
            held = True
    finally:
        go_on.set()
        holder.join()
        taker.join()
    assert outcomes == {"holder": "done", "booking": "done"}
    return held


def test_the_booking_holds_the_supervisor_before_it_waits_for_the_agreement(world):
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    assert supervisor_held_while_waiting_for_the_agreement(agreement, lambda: _lock_capacity(agreement))


def test_control_naming_the_agreement_first_leaves_the_supervisor_free(world):
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    reversed_order = SupervisionAgreement.objects.select_related("supervisor").select_for_update(
        of=("self", "supervisor")
    )
    assert not supervisor_held_while_waiting_for_the_agreement(agreement, lambda: reversed_order.get(pk=agreement.pk))
