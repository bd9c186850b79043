"""Booking a place as the session's page books (``places.book_place_at``): one read kept once per
process before the lock, and on PostgreSQL one statement for the place, its ledger entry, its
month and its confirmation (docs/performance.md). The same rows, refusals and words as
``book_place``, which the rest of the groups' tests drive."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.http import Http404

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import LedgerEntry, LedgerMonth, Notification
from scheduling.groups import places
from scheduling.groups.places import book_place, book_place_at, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupKind, GroupSession, Place, PlaceStatus, WaitlistStatus
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


# On PostgreSQL the write itself asks that nobody holds an offer and that the person is not in the
# queue, and writes nothing otherwise (docs/performance.md, "the waitlist's question in the
# write"); on SQLite the waitlist is read first, as before. These hold both to the same answers:
# each would fail if the write took its place without asking.


def booked_rows() -> tuple[int, int, int, int]:
    """Places, their ledger entries, their months' count and their confirmations, as written."""
    month = LedgerMonth.objects.filter(kind=LedgerKind.PLACE_BOOKED).first()
    return (
        Place.objects.count(),
        LedgerEntry.objects.filter(kind=LedgerKind.PLACE_BOOKED).count(),
        month.entries if month else 0,
        Notification.objects.filter(kind=GroupNotificationKind.PLACE_BOOKED).count(),
    )


def full_session_with_a_place_offered(world, session):
    """The session's two places booked, the lead and a second person in the queue, then a place
    given up: it is held for the lead, offered it; the second person still waits."""
    place = book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    offered = join_waitlist(session, acting_user=world.lead, now=NOW)
    second = staff_of(world.organisation, first_name="Dee")
    waiting = join_waitlist(session, acting_user=second, now=NOW)
    cancel_place(place, acting_user=world.member, now=LATER)
    offered.refresh_from_db()
    assert offered.status == WaitlistStatus.OFFERED
    return offered, second, waiting


def test_a_place_held_for_someone_offered_it_is_not_booked_from_the_page(world, session):
    offered, _, _ = full_session_with_a_place_offered(world, session)
    before = booked_rows()
    newcomer = staff_of(world.organisation, first_name="Noor")
    with pytest.raises(DomainError) as error:
        book_place_at(session.pk, acting_user=newcomer, now=LATER)
    assert error.value.message == (
        "The session on Wednesday 11 November 2026, 2pm to 4pm is full. Join the waitlist and we will offer "
        "you the first place that frees."
    )
    session.refresh_from_db()
    offered.refresh_from_db()
    assert (booked_rows(), session.places_taken, offered.status) == (before, 1, WaitlistStatus.OFFERED)
    # The place is still the lead's to take.
    taken = book_place_at(session.pk, acting_user=world.lead, now=LATER)
    offered.refresh_from_db()
    assert (taken.user, offered.status, Place.objects.filter(session=session, user=world.lead).count()) == (
        world.lead,
        WaitlistStatus.TAKEN,
        1,
    )


def test_someone_waiting_behind_an_offer_does_not_skip_the_queue(world, session):
    offered, second, waiting = full_session_with_a_place_offered(world, session)
    before = booked_rows()
    with pytest.raises(DomainError) as error:
        book_place_at(session.pk, acting_user=second, now=LATER)
    assert error.value.message.startswith("The session on Wednesday 11 November 2026, 2pm to 4pm is full.")
    session.refresh_from_db()
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert (booked_rows(), session.places_taken, offered.status, waiting.status) == (
        before,
        1,
        WaitlistStatus.OFFERED,
        WaitlistStatus.WAITING,
    )


def test_someone_waiting_who_books_a_free_place_leaves_the_queue(world, session):
    # The lead's offer has run out (its task has not yet passed it on), so the place is free; the
    # second person, still in the queue, books it and leaves the queue, as before.
    offered, second, waiting = full_session_with_a_place_offered(world, session)
    after_the_offer = offered.offered_until + datetime.timedelta(minutes=1)
    places, entries, month, confirmations = booked_rows()
    place = book_place_at(session.pk, acting_user=second, now=after_the_offer)
    session.refresh_from_db()
    waiting.refresh_from_db()
    assert (place.user, place.status, session.places_taken, waiting.status) == (
        second,
        PlaceStatus.BOOKED,
        2,
        WaitlistStatus.LEFT,
    )
    assert booked_rows() == (places + 1, entries + 1, month + 1, confirmations + 1)
    assert confirmation_of(place).recipient == second


def test_a_booking_that_finds_someone_waiting_writes_what_it_writes_when_nobody_is(world):
    # The same rows whichever way the write went: the place, entry, month and confirmation of a
    # person in the queue of one session against theirs in a twin session (another group of the
    # same title and times) whose queue they are not in.
    quiet, queued = (make_group(world, capacity=1, title="Twins").sessions.first() for _ in range(2))
    for session in (quiet, queued):
        book_place(session, acting_user=world.colleague, now=NOW)
    waiting = join_waitlist(queued, acting_user=world.member, now=NOW)
    for session in (quiet, queued):
        # The limit raised by hand: a place free, the member still waiting in one of them.
        session.place_limit = 2
        session.save(update_fields=["place_limit"])
    plain = book_place_at(quiet.pk, acting_user=world.member, now=LATER)
    from_the_queue = book_place_at(queued.pk, acting_user=world.member, now=LATER)
    waiting.refresh_from_db()
    assert waiting.status == WaitlistStatus.LEFT
    for place, session in ((plain, quiet), (from_the_queue, queued)):
        place.refresh_from_db()
        assert (place.session, place.user, place.organisation, place.status, place.booked_at) == (
            session,
            world.member,
            world.organisation,
            PlaceStatus.BOOKED,
            LATER,
        )
        entry = LedgerEntry.objects.get(source=f"group-place:{place.pk}:booked")
        assert (entry.organisation, entry.quantity, entry.occurred_at) == (world.organisation, 1, LATER)
    first, second = confirmation_of(plain), confirmation_of(from_the_queue)
    assert (second.recipient, second.due_at, second.dispatched_at) == (
        first.recipient,
        first.due_at,
        first.dispatched_at,
    )
    # The two groups differ only in their session's page (its address in the words).
    assert second.context | {"url": ""} == first.context | {"url": ""}
    month = LedgerMonth.objects.get(organisation=world.organisation, kind=LedgerKind.PLACE_BOOKED)
    assert (month.entries, month.quantity) == (4, 4)


# The confirmation's words and calendar text are built before the claim, from the session as read
# then (docs/performance.md); the claim returns the session's row, and where any of its fields
# changed in between (a move, say, committed while the booking waited for the lock) they are
# built anew from the row as locked.


def test_the_confirmation_is_built_once_and_before_the_claim(world, session, monkeypatch):
    calls = []
    build, claim = places.confirmation_row, places.claim_place
    monkeypatch.setattr(places, "confirmation_row", lambda *a, **k: calls.append("words") or build(*a, **k))
    monkeypatch.setattr(places, "claim_place", lambda *a, **k: calls.append("claim") or claim(*a, **k))
    place = book_place_at(session.pk, acting_user=world.member, now=NOW)
    # On SQLite the place's key is not known before it is written: the words come after.
    expected = ["words", "claim"] if connection.vendor == "postgresql" else ["claim", "words"]
    assert (calls, confirmation_of(place).recipient) == (expected, world.member)


def test_a_session_moved_before_the_claim_is_confirmed_at_its_new_time(world, session, monkeypatch):
    later = session.starts_at + datetime.timedelta(days=1)
    claim = places.claim_place

    def moved_first(locked):
        # As if the session were moved (its own row: the time, the SEQUENCE) after the read
        # before the lock, and committed before the claim.
        GroupSession.objects.filter(pk=locked.pk).update(
            starts_at=later, ends_at=later + (session.ends_at - session.starts_at), sequence=F("sequence") + 1
        )
        return claim(locked)

    monkeypatch.setattr(places, "claim_place", moved_first)
    place = book_place_at(session.pk, acting_user=world.member, now=NOW)
    confirmation = confirmation_of(place)
    assert confirmation.context["when"] == "Thursday 12 November 2026, 2pm to 4pm"
    assert "SEQUENCE:1" in confirmation.ics
    assert "DTSTART;TZID=Europe/London:20261112T140000" in confirmation.ics.replace("\r\n ", "")
