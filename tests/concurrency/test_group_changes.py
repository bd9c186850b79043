"""Cancelling a session, or confirming cohorts, while others act at the same moment (PostgreSQL).

Each thread acts through its own database connection and closes it afterwards. Each control
takes a lock away and makes the race happen on purpose (one side stops between its check and
its write until the other has finished), to show the harness catches what the lock prevents.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import QuerySet

from reflect.errors import DomainError
from reflect.locks import Lock
from scheduling.groups import changes, cohorts, places
from scheduling.groups.changes import change_group
from scheduling.groups.cohorts import apply_for_cohort, confirm_cohorts, propose_cohorts
from scheduling.groups.places import book_place
from scheduling.groups.session_changes import cancel_session
from scheduling.models import CohortApplication, CohortMembership, GroupSession, Place, SessionStatus
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from tests.concurrency.lock_waits import all_at_once, first_pauses_then_second
from tests.conftest import requires_postgresql
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def at_once(actions: list[Callable[[], object]]) -> list[str]:
    """Run the actions together; each ends as "done", with its DomainError's message, or with the
    name of the database error that stopped it (a 500 for somebody)."""
    return [
        outcome.message
        if isinstance(outcome, DomainError)
        else outcome
        if outcome == "done"
        else type(outcome).__name__
        for outcome in all_at_once(actions)
    ]


def twenty_bookings_and_a_cancellation(world, cancel: Callable[[GroupSession], object] | None = None):
    """Twenty people book a session while its commissioner cancels it."""
    session = make_group(world, capacity=30, title="Race group").sessions.first()
    people = [staff_of(world.organisation) for _ in range(20)]
    actions: list[Callable[[], object]] = [
        (lambda person=person: book_place(session, acting_user=person, now=NOW)) for person in people
    ]
    cancel = cancel or (lambda session: cancel_session(session, acting_user=world.commissioner, now=NOW))
    actions.insert(10, lambda: cancel(session))
    return session, actions


def active_places(session: GroupSession) -> int:
    return Place.objects.filter(session=session, status__in=ACTIVE_PLACE_STATUSES).count()


def test_bookings_racing_a_cancellation_leave_no_place_in_a_cancelled_session(world):
    session, actions = twenty_bookings_and_a_cancellation(world)
    outcomes = at_once(actions)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert (session.places_taken, active_places(session)) == (0, 0)
    refused = "The session on Wednesday 11 November 2026, 2pm to 4pm has been cancelled."
    assert set(outcomes) <= {"done", refused}


@pytest.mark.counts_broken_on_purpose
def test_control_without_the_session_lock_places_are_booked_into_the_cancelled_session(world, monkeypatch, switch_off):
    """Proof the harness can catch a regression: every booking that has found the session open
    writes its place only after the cancellation has finished, as the lock would not allow."""
    switch_off(Lock.GROUP_SESSION)
    found_open, cancelled = threading.Event(), threading.Event()
    check_session_open = places.check_session_open

    def check_then_wait_for_the_cancellation(session: GroupSession, now: datetime.datetime) -> None:
        check_session_open(session, now)
        found_open.set()
        cancelled.wait(10)

    def cancel_once_a_booking_found_it_open(session: GroupSession) -> None:
        try:
            found_open.wait(10)
            cancel_session(session, acting_user=world.commissioner, now=NOW)
        finally:
            cancelled.set()

    monkeypatch.setattr(places, "check_session_open", check_then_wait_for_the_cancellation)
    session, actions = twenty_bookings_and_a_cancellation(world, cancel=cancel_once_a_booking_found_it_open)
    outcomes = at_once(actions)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    booked = active_places(session)
    assert booked >= 1 and session.places_taken >= 1  # places in a cancelled session
    assert outcomes.count("done") == booked + 1  # those bookings, and the cancellation


PROPOSAL_CHANGED = (
    "Applications or cohorts changed since you looked at the proposal. Check the new one and confirm again."
)


def two_confirms_of_one_preview(world) -> list[Callable[[], object]]:
    """Three colleagues apply for one cohort; two commissioners' clicks confirm the same preview."""
    make_group(world, title="Tuesday evening", kind="cohort", rrule="FREQ=MONTHLY;BYDAY=+1TU", capacity=6)
    people = [staff_of(world.organisation) for _ in range(3)]
    for person in people:
        apply_for_cohort(world.pool, acting_user=person, now=NOW)
    fingerprint = propose_cohorts(world.pool, now=NOW).fingerprint
    confirm = lambda: confirm_cohorts(  # noqa: E731
        world.pool, acting_user=world.commissioner, fingerprint=fingerprint, now=NOW
    )
    return [confirm, confirm]


def test_two_commissioners_confirming_the_same_preview_fill_the_cohorts_once(world):
    outcomes = sorted(at_once(two_confirms_of_one_preview(world)))
    assert outcomes == [PROPOSAL_CHANGED, "done"]
    assert CohortMembership.objects.count() == 2  # at most two colleagues per cohort


def confirm_both_from_the_same_reading(monkeypatch) -> None:
    """Take the lock on the waiting applications away, and have each confirm wait, once it has
    computed its proposal, until the other has too: both check the same applications, then both
    write."""
    select_for_update = QuerySet.select_for_update

    def no_lock_on_applications(queryset: QuerySet, *args, **kwargs) -> QuerySet:
        if queryset.model is CohortApplication:
            return queryset
        return select_for_update(queryset, *args, **kwargs)

    both_read = threading.Barrier(2, timeout=10)
    propose = cohorts.propose_cohorts

    def propose_then_wait_for_the_other(*args, **kwargs) -> cohorts.CohortProposal:
        proposal = propose(*args, **kwargs)
        both_read.wait()
        return proposal

    monkeypatch.setattr(QuerySet, "select_for_update", no_lock_on_applications)
    monkeypatch.setattr(cohorts, "propose_cohorts", propose_then_wait_for_the_other)


def test_control_without_the_lock_the_second_confirm_fails_on_the_constraint(world, monkeypatch):
    """Both confirms pass the check against the preview; the one-membership constraint then
    refuses the second's members, an error page instead of "the proposal changed"."""
    confirms = two_confirms_of_one_preview(world)
    confirm_both_from_the_same_reading(monkeypatch)
    assert sorted(at_once(confirms)) == ["IntegrityError", "done"]
    assert CohortMembership.objects.count() == 2


def test_control_without_the_lock_or_the_constraint_the_cohort_is_filled_twice(world, monkeypatch):
    """Proof the harness can catch a regression: the same two colleagues are made members twice."""
    confirms = two_confirms_of_one_preview(world)
    confirm_both_from_the_same_reading(monkeypatch)
    constraint = next(c for c in CohortMembership._meta.constraints if c.name == "one_current_cohort_membership")
    with connection.schema_editor() as editor:
        editor.remove_constraint(CohortMembership, constraint)
    try:
        assert at_once(confirms) == ["done", "done"]
        memberships = list(CohortMembership.objects.values_list("user_id", flat=True))
        assert (len(memberships), len(set(memberships))) == (4, 2)
    finally:
        CohortMembership.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(CohortMembership, constraint)


def a_member_leaves_while_the_cohort_is_extended(world, monkeypatch) -> tuple[dict[str, str], bool, object]:
    """A member (booked into the cohort's sessions to January) leaves: their membership is taken,
    then — paused — their sessions. Meanwhile the commissioner moves the cohort's last date to
    March, which books the members into the new sessions. Then the member's leaving goes on."""
    group = make_group(
        world, title="Tuesday evening", kind="cohort", rrule="FREQ=MONTHLY;BYDAY=+1TU", capacity=6,
        last_date=datetime.date(2027, 1, 31),
    )  # fmt: skip
    person = staff_of(world.organisation)
    apply_for_cohort(world.pool, acting_user=person, now=NOW)
    confirm_cohorts(
        world.pool,
        acting_user=world.commissioner,
        fingerprint=propose_cohorts(world.pool, now=NOW).fingerprint,
        now=NOW,
    )
    membership = CohortMembership.objects.get(user=person)
    paused, go_on = threading.Event(), threading.Event()
    lock_session = cohorts.lock_session

    def pause_before_the_first_session(session_id: int) -> GroupSession:
        if threading.current_thread().name == "leave" and not paused.is_set():
            paused.set()
            go_on.wait(10)
        return lock_session(session_id)

    monkeypatch.setattr(cohorts, "lock_session", pause_before_the_first_session)
    outcomes, extend_waited = first_pauses_then_second(
        ("leave", lambda: cohorts.leave_cohort(membership, acting_user=person, now=NOW)),
        ("extend", lambda: change_group(group, acting_user=world.commissioner, last_date=datetime.date(2027, 3, 31), now=NOW)),
        paused,
        go_on,
        pause_means="took the membership",
    )  # fmt: skip
    return outcomes, extend_waited, person


def test_a_member_leaving_while_the_cohort_is_extended_is_not_booked_into_its_new_sessions(world, monkeypatch):
    outcomes, extend_waited, person = a_member_leaves_while_the_cohort_is_extended(world, monkeypatch)
    assert outcomes == {"leave": "done", "extend": "done"}
    assert extend_waited  # for the membership, before taking any session
    assert not Place.objects.filter(user=person, status__in=ACTIVE_PLACE_STATUSES).exists()
    assert GroupSession.objects.filter(starts_at__date=datetime.date(2027, 3, 2)).count() == 1


def test_control_without_the_members_locked_first_the_two_deadlock(world, monkeypatch):
    monkeypatch.setattr(changes, "lock_cohort_members", lambda group: None)
    outcomes, _, _ = a_member_leaves_while_the_cohort_is_extended(world, monkeypatch)
    assert sorted(outcomes.values())[0].startswith("DeadlockDetected"), outcomes
    assert sorted(outcomes.values())[1] == "done"
