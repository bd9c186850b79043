"""Booking a place as the session's page books (``places.book_place_at``): one read kept once per
process before the lock, and on PostgreSQL one statement for the place, its ledger entry, its
month and its confirmation (docs/performance.md). The same rows, refusals and words as
``book_place``, which the rest of the groups' tests drive."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import LedgerEntry, LedgerMonth, Notification
from scheduling.groups import places
from scheduling.groups.places import book_place, book_place_at, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupKind, Place, PlaceStatus, WaitlistStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.core import OrganisationFactory, staff_of
from tests.factories.groups import NOW, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LATER = NOW + datetime.timedelta(hours=1)


def confirmation_of(place):
    return Notification.objects.get(about=f"group-place:{place.pk}", kind=GroupNotificationKind.PLACE_BOOKED)


def test_a_place_booked_from_the_page_is_written_as_book_place_writes_it(world, session):
    by_service = book_place(session, acting_user=world.colleague, now=NOW)
    by_page = book_place_at(session.pk, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert session.places_taken == 2
    for place, person in ((by_service, world.colleague), (by_page, world.member)):
        place.refresh_from_db()
        assert (place.user, place.organisation, place.status, place.booked_at) == (
            person,
            world.organisation,
            PlaceStatus.BOOKED,
            NOW,
        )
        entry = LedgerEntry.objects.get(source=f"group-place:{place.pk}:booked")
        assert (entry.pool, entry.organisation, entry.kind, entry.quantity, entry.hours, entry.occurred_at) == (
            world.pool,
            world.organisation,
            LedgerKind.PLACE_BOOKED,
            1,
            0,
            NOW,
        )
    month = LedgerMonth.objects.get(organisation=world.organisation, kind=LedgerKind.PLACE_BOOKED)
    assert (month.entries, month.quantity, month.first_at, month.last_at) == (2, 2, NOW, NOW)
    first, second = confirmation_of(by_service), confirmation_of(by_page)
    assert (second.recipient, second.idempotency_key, second.due_at, second.dispatched_at) == (
        world.member,
        f"group-place:{by_page.pk}:booked",
        first.due_at,
        first.dispatched_at,
    )
    assert second.context == first.context
    assert "SEQUENCE:0" in second.ics and world.member.email in second.ics.replace("\r\n ", "")
    # The page reads only the facilitator's name and address, which the invitation gives as its organizer.
    [organizer] = [line for line in second.ics.replace("\r\n ", "").splitlines() if line.startswith("ORGANIZER")]
    assert organizer in first.ics.replace("\r\n ", "") and session.group.facilitator.user.email in organizer


def test_a_second_click_from_the_page_returns_the_same_place(world, session):
    first = book_place_at(session.pk, acting_user=world.member, now=NOW)
    second = book_place_at(session.pk, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert (second.pk, session.places_taken, Place.objects.count()) == (first.pk, 1, 1)


def test_a_click_that_read_no_place_but_loses_at_the_insert_returns_the_first(world, session, monkeypatch):
    # Two clicks at once: both read "no place" before the lock; the one-place-per-person
    # constraint refuses the second's writes (one statement on PostgreSQL: all of them), whose
    # count rolls back, and it returns the first click's place.
    first = book_place_at(session.pk, acting_user=world.member, now=NOW)
    read = places.fetch_row

    def as_if_no_place_yet(*args, **kwargs):
        found = read(*args, **kwargs)
        return found | {"active_id": None} if found else found

    monkeypatch.setattr(places, "fetch_row", as_if_no_place_yet)
    second = book_place_at(session.pk, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert (second.pk, session.places_taken, Place.objects.count()) == (first.pk, 1, 1)
    assert LedgerEntry.objects.filter(kind=LedgerKind.PLACE_BOOKED).count() == 1
    assert LedgerMonth.objects.get(kind=LedgerKind.PLACE_BOOKED).entries == 1
    assert Notification.objects.filter(kind=GroupNotificationKind.PLACE_BOOKED).count() == 1


def test_booking_again_after_cancelling_sends_a_later_calendar_sequence(world, session):
    place = book_place_at(session.pk, acting_user=world.member, now=NOW)
    cancel_place(place, acting_user=world.member, now=NOW)
    again = book_place_at(session.pk, acting_user=world.member, now=NOW)
    assert "SEQUENCE:1" in confirmation_of(again).ics


def test_refusals_say_what_book_place_says(world, session):
    book_place_at(session.pk, acting_user=world.member, now=NOW)
    book_place_at(session.pk, acting_user=world.colleague, now=NOW)
    with pytest.raises(DomainError) as error:
        book_place_at(session.pk, acting_user=world.lead, now=NOW)
    assert error.value.message == (
        "The session on Wednesday 11 November 2026, 2pm to 4pm is full. Join the waitlist and we will offer "
        "you the first place that frees."
    )
    with pytest.raises(DomainError) as error:
        book_place_at(session.pk, acting_user=world.lead, now=session.starts_at)
    assert error.value.message.endswith("has already started, so it cannot be booked.")


def test_a_session_outside_the_persons_pools_is_a_404(world, session, user):
    for person in (world.outsider, user):
        with pytest.raises(Http404):
            book_place_at(session.pk, acting_user=person, now=NOW)
    with pytest.raises(Http404):
        book_place_at(session.pk + 1000, acting_user=world.member, now=NOW)
    assert Place.objects.count() == 0


def test_chosen_organisations_only_and_the_reason_for_others(world):
    chosen = OrganisationFactory(name="Chapeltown Allotments", in_pool=world.pool)
    group = make_group(world, all_pool_organisations=False, eligible_organisations=[chosen])
    session = group.sessions.first()
    with pytest.raises(DomainError) as error:
        book_place_at(session.pk, acting_user=world.member, now=NOW)
    assert error.value.message == (
        "This group is open to chosen organisations in Leeds pool only, and Harehills Drama is not one of them."
    )
    assert book_place_at(session.pk, acting_user=staff_of(chosen), now=NOW).organisation == chosen


def test_a_cohorts_sessions_are_for_its_members(world):
    group = make_group(world, kind=GroupKind.COHORT, title="Spring cohort")
    with pytest.raises(DomainError) as error:
        book_place_at(group.sessions.first().pk, acting_user=world.member, now=NOW)
    assert error.value.message.startswith("Spring cohort is a cohort that meets with the same members each time.")


def test_someone_offered_a_place_who_books_from_the_page_takes_the_offer(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    waiting = join_waitlist(session, acting_user=world.lead, now=NOW)
    cancel_place(place, acting_user=world.member, now=LATER)
    waiting.refresh_from_db()
    assert waiting.status == WaitlistStatus.OFFERED
    taken = book_place_at(session.pk, acting_user=world.lead, now=LATER)
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert (taken.user, waiting.status, session.places_taken) == (world.lead, WaitlistStatus.TAKEN, 2)
    assert LedgerEntry.objects.filter(kind=LedgerKind.WAITLIST_TAKEN).count() == 1
