from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.http import Http404

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import LedgerEntry, Notification
from scheduling.groups import places
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import accept_offer, expire_offers, join_waitlist, leave_waitlist, sweep_waitlists
from scheduling.models import GroupSession, Place, PlaceStatus, SessionStatus, WaitlistEntry, WaitlistStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group

pytestmark = pytest.mark.django_db

LATER = NOW + datetime.timedelta(hours=1)


def ledger(kind):
    return list(LedgerEntry.objects.filter(kind=kind).values_list("organisation__name", "quantity"))


def test_booking_takes_a_place_counts_it_and_confirms_without_other_names(world, session):
    book_place(session, acting_user=world.colleague, now=NOW)
    place = book_place(session, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert (place.status, place.organisation, place.booked_at) == (PlaceStatus.BOOKED, world.organisation, NOW)
    assert session.places_taken == 2
    assert ledger(LedgerKind.PLACE_BOOKED) == [("Harehills Drama", 1), ("Harehills Drama", 1)]
    confirmation = Notification.objects.get(recipient=world.member, kind=GroupNotificationKind.PLACE_BOOKED)
    assert confirmation.context["title"] == "Leeds reflective practice"
    assert confirmation.context["when"] == "Wednesday 11 November 2026, 2pm to 4pm"
    assert "Chris" not in str(confirmation.context)


def test_a_second_click_returns_the_same_place(world, session):
    first = book_place(session, acting_user=world.member, now=NOW)
    second = book_place(session, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert (second.pk, session.places_taken, Place.objects.count()) == (first.pk, 1, 1)


def test_a_click_that_finds_no_place_before_the_lock_but_loses_at_the_insert_returns_the_first(
    world, session, monkeypatch
):
    # What two clicks at once do on PostgreSQL (tests/concurrency): both read "no place" before
    # the lock; the one-place-per-person constraint refuses the second insert, whose count and
    # writes roll back, and it returns the first click's place.
    first = book_place(session, acting_user=world.member, now=NOW)
    monkeypatch.setattr(places, "own_places", lambda session, user: places.OwnPlaces(active_id=None, own_cancelled=0))
    second = book_place(session, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert (second.pk, session.places_taken, Place.objects.count()) == (first.pk, 1, 1)
    assert ledger(LedgerKind.PLACE_BOOKED) == [("Harehills Drama", 1)]
    assert Notification.objects.filter(kind=GroupNotificationKind.PLACE_BOOKED).count() == 1


def test_a_second_click_that_finds_the_session_filled_by_the_first_returns_that_place(world, session, monkeypatch):
    # The last place: the first click took it, so the second click's conditional count finds
    # the session at its limit. Its answer is the person's place, not "the session is full".
    book_place(session, acting_user=world.colleague, now=NOW)
    first = book_place(session, acting_user=world.member, now=NOW)
    monkeypatch.setattr(places, "own_places", lambda session, user: places.OwnPlaces(active_id=None, own_cancelled=0))
    second = book_place(session, acting_user=world.member, now=NOW)
    session.refresh_from_db()
    assert (second.pk, session.places_taken, Place.objects.count()) == (first.pk, 2, 2)


def test_booking_again_after_cancelling_sends_a_later_calendar_sequence(world, session):
    # The person's own cancellations are read with their places, before the lock.
    place = book_place(session, acting_user=world.member, now=NOW)
    cancel_place(place, acting_user=world.member, now=NOW)
    again = book_place(session, acting_user=world.member, now=NOW)
    confirmations = Notification.objects.filter(kind=GroupNotificationKind.PLACE_BOOKED).order_by("pk")
    assert [n.about for n in confirmations] == [f"group-place:{place.pk}", f"group-place:{again.pk}"]
    assert ["SEQUENCE:0" in confirmations[0].ics, "SEQUENCE:1" in confirmations[1].ics] == [True, True]


def test_a_full_session_offers_the_waitlist(world, session):
    book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    with pytest.raises(DomainError) as error:
        book_place(session, acting_user=world.lead, now=NOW)
    assert error.value.message == (
        "The session on Wednesday 11 November 2026, 2pm to 4pm is full. Join the waitlist and we will offer "
        "you the first place that frees."
    )
    session.refresh_from_db()
    assert session.places_taken == 2


def test_overbooking_allowance_adds_places(world):
    group = make_group(world, capacity=2, overbooking_percent=50)
    session = group.sessions.first()
    for person in (world.member, world.colleague, world.lead):
        book_place(session, acting_user=person, now=NOW)
    session.refresh_from_db()
    assert (session.place_limit, session.places_taken) == (3, 3)


def test_a_session_not_yet_open_says_when_it_opens(world, group):
    december = group.sessions.all()[1]
    with pytest.raises(DomainError) as error:
        book_place(december, acting_user=world.member, now=NOW)
    assert error.value.message == (
        "Booking for the session on Wednesday 9 December 2026, 2pm to 4pm opens on Wednesday 11 November 2026."
    )


def test_past_and_cancelled_sessions_say_why(world, session):
    with pytest.raises(DomainError) as error:
        book_place(session, acting_user=world.member, now=session.starts_at)
    assert error.value.message == (
        "The session on Wednesday 11 November 2026, 2pm to 4pm has already started, so it cannot be booked."
    )
    GroupSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    with pytest.raises(DomainError) as error:
        book_place(session, acting_user=world.member, now=NOW)
    assert error.value.message == "The session on Wednesday 11 November 2026, 2pm to 4pm has been cancelled."


def test_staff_outside_the_pool_are_told_why(world, session):
    with pytest.raises(DomainError) as error:
        book_place(session, acting_user=world.outsider, now=NOW)
    assert (
        error.value.message == "This group is for organisations in Leeds pool, and Otley Care Farm is not one of them."
    )
    assert Place.objects.count() == 0


def test_staff_of_an_organisation_not_chosen_are_told_why(world):
    from tests.factories.core import OrganisationFactory

    chosen = OrganisationFactory(name="Chapeltown Allotments", in_pool=world.pool)
    group = make_group(world, all_pool_organisations=False, eligible_organisations=[chosen])
    with pytest.raises(DomainError) as error:
        book_place(group.sessions.first(), acting_user=world.member, now=NOW)
    assert error.value.message == (
        "This group is open to chosen organisations in Leeds pool only, and Harehills Drama is not one of them."
    )
    gardener = staff_of(chosen)
    assert book_place(group.sessions.first(), acting_user=gardener, now=NOW).organisation == chosen


def test_someone_who_is_nobodys_staff_is_told_why(world, session, user):
    with pytest.raises(DomainError) as error:
        book_place(session, acting_user=user, now=NOW)
    assert error.value.message == (
        "Reflective groups are for staff of the pool's organisations, and you are not staff of one."
    )


def full_session_with_waiters(world, session, *, auto_accept=False):
    member_place = book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    first = join_waitlist(session, acting_user=world.lead, auto_accept=auto_accept, now=NOW)
    extra = staff_of(world.organisation, first_name="Nadia")
    second = join_waitlist(session, acting_user=extra, now=NOW + datetime.timedelta(minutes=1))
    return member_place, first, second, extra


def test_a_cancelled_place_is_offered_to_the_first_person_waiting_and_held_24_hours(world, session):
    member_place, first, second, _ = full_session_with_waiters(world, session)
    cancel_place(member_place, acting_user=world.member, now=LATER)
    first.refresh_from_db()
    second.refresh_from_db()
    session.refresh_from_db()
    assert (first.status, first.offered_until) == (WaitlistStatus.OFFERED, LATER + datetime.timedelta(hours=24))
    assert (first.first_offered_at, second.first_offered_at) == (LATER, None)  # the dashboard's wait
    assert second.status == WaitlistStatus.WAITING
    assert session.places_taken == 1
    offer = Notification.objects.get(kind=GroupNotificationKind.PLACE_OFFERED)
    assert offer.recipient == world.lead
    assert offer.context["offered_until"] == "Tuesday 3 November 2026, 11am"
    # The held place is not for anyone else.
    with pytest.raises(DomainError):
        book_place(session, acting_user=world.member, now=LATER)
    place = accept_offer(first, acting_user=world.lead, now=LATER)
    session.refresh_from_db()
    first.refresh_from_db()
    assert (place.user, first.status, session.places_taken) == (world.lead, WaitlistStatus.TAKEN, 2)
    assert ledger(LedgerKind.PLACE_CANCELLED) == [("Harehills Drama", 1)]
    assert ledger(LedgerKind.WAITLIST_TAKEN) == [("Harehills Drama", 1)]


def test_quiet_cancel_needs_no_reason_and_records_one_given(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    cancel_place(place, acting_user=world.member, now=LATER)
    place.refresh_from_db()
    assert (place.status, place.cancelled_at, place.cancel_reason) == (PlaceStatus.CANCELLED, LATER, "")


def test_someone_elses_place_cannot_be_cancelled(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    with pytest.raises(Http404):
        cancel_place(place, acting_user=world.colleague, now=LATER)


def test_auto_accept_books_the_freed_place_straight_away(world, session):
    member_place, first, _, _ = full_session_with_waiters(world, session, auto_accept=True)
    cancel_place(member_place, acting_user=world.member, now=LATER)
    first.refresh_from_db()
    session.refresh_from_db()
    assert (first.status, first.first_offered_at) == (WaitlistStatus.TAKEN, LATER)
    assert Place.objects.get(session=session, user=world.lead).status == PlaceStatus.BOOKED
    assert session.places_taken == 2


def test_an_offer_not_taken_passes_on(world, session):
    member_place, first, second, extra = full_session_with_waiters(world, session)
    cancel_place(member_place, acting_user=world.member, now=LATER)
    expire_offers(session.pk, now=LATER + datetime.timedelta(hours=24))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (WaitlistStatus.EXPIRED, WaitlistStatus.OFFERED)
    # A lapsed offer still counts as the day a place came their way.
    assert (first.first_offered_at, second.first_offered_at) == (LATER, LATER + datetime.timedelta(hours=24))
    with pytest.raises(DomainError) as error:
        accept_offer(first, acting_user=world.lead, now=LATER + datetime.timedelta(hours=25))
    assert error.value.message == "There is no place on offer to you for this session."
    assert accept_offer(second, acting_user=extra, now=LATER + datetime.timedelta(hours=25)).user == extra


def test_the_sweep_passes_expired_offers_on(world, session):
    member_place, _first, second, _ = full_session_with_waiters(world, session)
    cancel_place(member_place, acting_user=world.member, now=LATER)
    assert sweep_waitlists(now=LATER + datetime.timedelta(hours=1)) == 0
    assert sweep_waitlists(now=LATER + datetime.timedelta(hours=24)) == 1
    second.refresh_from_db()
    assert second.status == WaitlistStatus.OFFERED


def test_leaving_with_an_offer_passes_it_on(world, session):
    member_place, first, second, _ = full_session_with_waiters(world, session)
    cancel_place(member_place, acting_user=world.member, now=LATER)
    leave_waitlist(first, acting_user=world.lead, now=LATER)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (WaitlistStatus.LEFT, WaitlistStatus.OFFERED)


def test_joining_the_waitlist_needs_a_full_session_and_no_place(world, session):
    with pytest.raises(DomainError) as error:
        join_waitlist(session, acting_user=world.member, now=NOW)
    assert (
        error.value.message
        == "The session on Wednesday 11 November 2026, 2pm to 4pm has places left: book one instead."
    )
    book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    with pytest.raises(DomainError) as error:
        join_waitlist(session, acting_user=world.member, now=NOW)
    assert error.value.message == "You already have a place in the session on Wednesday 11 November 2026, 2pm to 4pm."
    entry = join_waitlist(session, acting_user=world.lead, now=NOW)
    assert join_waitlist(session, acting_user=world.lead, now=NOW).pk == entry.pk
    assert WaitlistEntry.objects.count() == 1


def test_the_migration_dates_existing_offers_from_the_ledger(world, session):
    member_place, first, second, _ = full_session_with_waiters(world, session)
    cancel_place(member_place, acting_user=world.member, now=LATER)
    accept_offer(first, acting_user=world.lead, now=LATER + datetime.timedelta(hours=2))
    WaitlistEntry.objects.update(first_offered_at=None)
    migration = importlib.import_module("scheduling.migrations.0006_waitlist_first_offered")
    migration.first_offers_from_the_ledger(apps, connection.schema_editor())
    first.refresh_from_db()
    second.refresh_from_db()
    # The offer's entry, not the later taking of it; the one never offered keeps no date.
    assert (first.first_offered_at, second.first_offered_at) == (LATER, None)
