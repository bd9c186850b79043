"""Cancelling a session, or confirming cohorts, while others act at the same moment (PostgreSQL).

Each thread acts through its own database connection and closes it afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from reflect.errors import DomainError
from scheduling.models import CohortMembership, Place, SessionStatus
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from scheduling.services.cohorts import apply_for_cohort, confirm_cohorts, propose_cohorts
from scheduling.services.places import book_place
from scheduling.services.session_changes import cancel_session
from tests.conftest import requires_postgresql
from tests.factories.core import MembershipFactory
from tests.scheduling.conftest import NOW, make_group

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def at_once(actions: list[Callable[[], object]]) -> list[str]:
    """Run the actions together; each ends as "done" or with its DomainError's message."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
            outcome = "done"
        except DomainError as error:
            outcome = error.message
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_bookings_racing_a_cancellation_leave_no_place_in_a_cancelled_session(world):
    session = make_group(world, capacity=30, title="Race group").sessions.first()
    people = [MembershipFactory(organisation=world.organisation).user for _ in range(20)]
    actions: list[Callable[[], object]] = [
        (lambda person=person: book_place(session, acting_user=person, now=NOW)) for person in people
    ]
    actions.insert(10, lambda: cancel_session(session, acting_user=world.commissioner, now=NOW))
    outcomes = at_once(actions)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert (session.places_taken, Place.objects.filter(session=session, status__in=ACTIVE_PLACE_STATUSES).count()) == (
        0,
        0,
    )
    refused = "The session on Wednesday 11 November 2026, 14:00–16:00 has been cancelled."
    assert set(outcomes) <= {"done", refused}


def test_two_commissioners_confirming_the_same_preview_fill_the_cohorts_once(world):
    make_group(world, title="Tuesday evening", kind="cohort", rrule="FREQ=MONTHLY;BYDAY=+1TU", capacity=6)
    people = [MembershipFactory(organisation=world.organisation).user for _ in range(3)]
    for person in people:
        apply_for_cohort(world.pool, acting_user=person, now=NOW)
    fingerprint = propose_cohorts(world.pool, now=NOW).fingerprint
    confirm = lambda: confirm_cohorts(  # noqa: E731
        world.pool, acting_user=world.commissioner, fingerprint=fingerprint, now=NOW
    )
    outcomes = sorted(at_once([confirm, confirm]))
    assert outcomes == [
        "Applications or cohorts changed since you looked at the proposal. Check the new one and confirm again.",
        "done",
    ]
    assert CohortMembership.objects.count() == 2  # at most two colleagues per cohort
