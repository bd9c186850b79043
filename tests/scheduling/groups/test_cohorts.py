"""Cohort groups through the services: apply, preview, confirm, places booked, told, cancelled one by one."""

from __future__ import annotations

import datetime

import pytest

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import LedgerEntry, Notification
from reflect.services.preferences import update_preferences
from scheduling.groups.cohorts import (
    apply_for_cohort,
    confirm_cohorts,
    leave_cohort,
    propose_cohorts,
    withdraw_application,
)
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.recurrence import generate_sessions
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import ApplicationStatus, CohortMembership, Place, PlaceStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.core import OrganisationFactory, staff_of
from tests.factories.groups import NOW, make_group

pytestmark = pytest.mark.django_db

T = datetime.time


def cohort(world, title, rrule, start, *, capacity=4, **fields):
    return make_group(
        world,
        title=title,
        kind="cohort",
        rrule=rrule,
        start_time=start,
        capacity=capacity,
        duration_minutes=90,
        **fields,
    )


@pytest.fixture
def cohorts(world):
    tuesday = cohort(world, "Tuesday evening", "FREQ=MONTHLY;BYDAY=+1TU", T(18, 0))
    wednesday = cohort(world, "Wednesday morning", "FREQ=MONTHLY;BYDAY=+2WE", T(9, 30))
    return tuesday, wednesday


@pytest.fixture
def third(world):
    organisation = OrganisationFactory(name="Chapeltown Youth", in_pool=world.pool)
    return staff_of(organisation, first_name="Tomi")


def test_each_applicant_goes_to_a_cohort_at_times_that_suit_including_no_sessions_before(world, cohorts, third):
    tuesday, wednesday = cohorts
    assert (tuesday.kind, wednesday.kind) == ("cohort", "cohort")
    update_preferences(world.member, no_sessions_before=T(11, 0))
    apply_for_cohort(world.pool, acting_user=world.member, now=NOW)
    apply_for_cohort(world.pool, acting_user=third, weekdays=[2], now=NOW)
    proposal = propose_cohorts(world.pool, now=NOW)
    assert [(p.application.user.first_name, p.group.title) for p in proposal.placed] == [
        ("Sam", "Tuesday evening"),
        ("Tomi", "Wednesday morning"),
    ]
    assert proposal.unplaced == []
    assert CohortMembership.objects.count() == 0  # a preview saves nothing


def test_a_cohort_whose_term_has_ended_takes_no_one(world):
    cohort(world, "Autumn term", "FREQ=MONTHLY;BYDAY=+1TU", T(18, 0), last_date=datetime.date(2026, 12, 1))
    apply_for_cohort(world.pool, acting_user=world.member, now=NOW)
    assert [p.group.title for p in propose_cohorts(world.pool, now=NOW).placed] == ["Autumn term"]
    after_term = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)
    proposal = propose_cohorts(world.pool, now=after_term)
    assert (proposal.placed, proposal.groups) == ([], [])
    with pytest.raises(DomainError, match="has no cohort groups to join at the moment"):
        apply_for_cohort(world.pool, acting_user=world.colleague, now=after_term)


def test_confirming_makes_members_books_every_coming_session_and_tells_them_once(world, cohorts):
    tuesday, _ = cohorts
    application = apply_for_cohort(world.pool, acting_user=world.member, weekdays=[1], now=NOW)
    proposal = propose_cohorts(world.pool, now=NOW)
    [membership] = confirm_cohorts(
        world.pool, acting_user=world.commissioner, fingerprint=proposal.fingerprint, now=NOW
    )
    assert (membership.group, membership.user, membership.organisation) == (tuesday, world.member, world.organisation)
    application.refresh_from_db()
    assert (application.status, application.cohort) == (ApplicationStatus.ASSIGNED, tuesday)
    places = Place.objects.filter(user=world.member, status=PlaceStatus.BOOKED)
    assert places.count() == tuesday.sessions.count() == 12
    assert LedgerEntry.objects.filter(kind=LedgerKind.PLACE_BOOKED).count() == 12
    [message] = Notification.objects.filter(recipient=world.member)
    assert message.kind == GroupNotificationKind.COHORT_ASSIGNED
    assert message.context["sessions"][:2] == [
        "Tuesday 3 November 2026, 6pm to 7:30pm",
        "Tuesday 1 December 2026, 6pm to 7:30pm",
    ]
    # A member cancels one session on its own; the rest stay booked.
    cancel_place(places.order_by("session__starts_at").first(), acting_user=world.member, now=NOW)
    assert Place.objects.filter(user=world.member, status=PlaceStatus.BOOKED).count() == 11


def test_no_more_colleagues_in_one_cohort_than_the_cap(world, cohorts):
    for person in (world.member, world.colleague, world.lead):
        apply_for_cohort(world.pool, acting_user=person, weekdays=[1], now=NOW)
    proposal = propose_cohorts(world.pool, organisation_cap=2, now=NOW)
    assert [p.application.user.first_name for p in proposal.placed] == ["Sam", "Chris"]
    assert [(a.user.first_name, why) for a, why in proposal.unplaced] == [
        ("Leila", "The cohorts that suit them are full, or already have as many of their colleagues as allowed.")
    ]


def test_a_changed_application_since_the_preview_saves_nothing(world, cohorts):
    apply_for_cohort(world.pool, acting_user=world.member, weekdays=[1], now=NOW)
    proposal = propose_cohorts(world.pool, now=NOW)
    apply_for_cohort(world.pool, acting_user=world.colleague, weekdays=[1], now=NOW)
    with pytest.raises(DomainError) as error:
        confirm_cohorts(world.pool, acting_user=world.commissioner, fingerprint=proposal.fingerprint, now=NOW)
    assert error.value.message.startswith("Applications or cohorts changed since you looked")
    assert CohortMembership.objects.count() == 0


def test_only_members_book_a_cohorts_sessions(world, cohorts):
    tuesday, _ = cohorts
    session = tuesday.sessions.first()
    for action in (book_place, join_waitlist):
        with pytest.raises(DomainError) as error:
            action(session, acting_user=world.member, now=NOW)
        assert error.value.message == (
            "Tuesday evening is a cohort that meets with the same members each time. "
            "Apply to join a cohort and the commissioner will give you a place in one."
        )


def test_the_year_ahead_task_books_members_into_new_sessions(world, cohorts):
    tuesday, _ = cohorts
    apply_for_cohort(world.pool, acting_user=world.member, weekdays=[1], now=NOW)
    confirm_cohorts(
        world.pool,
        acting_user=world.commissioner,
        fingerprint=propose_cohorts(world.pool, now=NOW).fingerprint,
        now=NOW,
    )
    later = NOW + datetime.timedelta(days=40)
    new = generate_sessions(tuesday, now=later)
    starts = [session.starts_at for session in new]
    assert len(starts) == 2
    assert Place.objects.filter(user=world.member, session__starts_at__in=starts).count() == 2


def test_applying_says_why_not_and_withdrawing(world, cohorts):
    with pytest.raises(DomainError) as error:
        apply_for_cohort(world.pool, acting_user=world.outsider, now=NOW)
    assert error.value.message == (
        "Cohorts in Leeds pool are for staff of its organisations, and you are not staff of one."
    )
    with pytest.raises(DomainError) as error:
        apply_for_cohort(world.pool, acting_user=world.member, earliest_start=T(18), latest_end=T(9), now=NOW)
    assert error.value.message == "The latest finish must be after the earliest start."
    first = apply_for_cohort(world.pool, acting_user=world.member, weekdays=[1], now=NOW)
    again = apply_for_cohort(world.pool, acting_user=world.member, weekdays=[1, 2], now=NOW)
    assert (again.pk, again.weekdays) == (first.pk, [1, 2])
    withdraw_application(again, acting_user=world.member)
    assert propose_cohorts(world.pool, now=NOW).placed == []


def test_only_the_pools_commissioner_confirms(world, cohorts):
    with pytest.raises(DomainError):
        confirm_cohorts(world.pool, acting_user=world.other_commissioner, fingerprint="x", now=NOW)


def test_leaving_a_cohort_gives_up_the_coming_places_and_allows_applying_again(world, cohorts, client):
    from django.urls import reverse

    application = apply_for_cohort(world.pool, acting_user=world.member, weekdays=[1], now=NOW)
    proposal = propose_cohorts(world.pool, now=NOW)
    [membership] = confirm_cohorts(
        world.pool, acting_user=world.commissioner, fingerprint=proposal.fingerprint, now=NOW
    )
    with pytest.raises(DomainError):
        leave_cohort(membership, acting_user=world.colleague, now=NOW)
    leave_cohort(membership, acting_user=world.member, now=NOW)
    membership.refresh_from_db()
    application.refresh_from_db()
    assert membership.left_at == NOW and application.status == ApplicationStatus.WITHDRAWN
    assert Place.objects.filter(user=world.member, status=PlaceStatus.BOOKED).count() == 0
    assert LedgerEntry.objects.filter(kind=LedgerKind.PLACE_CANCELLED).count() == 12
    leave_cohort(membership, acting_user=world.member, now=NOW)  # a second click changes nothing
    assert LedgerEntry.objects.filter(kind=LedgerKind.PLACE_CANCELLED).count() == 12
    assert apply_for_cohort(world.pool, acting_user=world.member, weekdays=[2], now=NOW).status == "waiting"
    # Through the page: a member of another cohort leaves with one button.
    other = apply_for_cohort(world.pool, acting_user=world.colleague, weekdays=[1], now=NOW)
    proposal = propose_cohorts(world.pool, now=NOW)
    confirm_cohorts(world.pool, acting_user=world.commissioner, fingerprint=proposal.fingerprint, now=NOW)
    client.force_login(world.colleague)
    page = client.get(reverse("cohort_apply", args=[world.pool.pk])).content.decode()
    assert "Leave the cohort" in page
    response = client.post(reverse("cohort_leave", args=[world.pool.pk]))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == ApplicationStatus.WITHDRAWN
    assert not CohortMembership.objects.filter(user=world.colleague, left_at__isnull=True).exists()
