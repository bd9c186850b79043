from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.http import Http404

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import LedgerEntry, Notification
from reflect.services.notifications import deliver_notification
from reflect.services.preferences import preferences_for
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.models import GroupSession, Place, PlaceStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.groups import NOW, make_facilitator, make_group
from tests.register_counts import assert_register_counts_agree_with_the_places

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(world, session):
    return book_place(session, acting_user=world.member, now=NOW), book_place(
        session, acting_user=world.colleague, now=NOW
    )


def after(session):
    return session.starts_at + datetime.timedelta(hours=2)


def test_the_facilitator_marks_attendance_and_the_ledger_counts_it(world, session, booked):
    facilitator = session.group.facilitator.user
    came, missed = booked
    mark_place_attendance(came, True, acting_user=facilitator, now=after(session))
    mark_place_attendance(missed, False, acting_user=facilitator, now=after(session))
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.status, missed.status) == (PlaceStatus.ATTENDED, PlaceStatus.ABSENT)
    assert list(LedgerEntry.objects.filter(kind=LedgerKind.PLACE_ATTENDED).values_list("quantity", flat=True)) == [1]
    assert list(LedgerEntry.objects.filter(kind=LedgerKind.PLACE_MISSED).values_list("quantity", flat=True)) == [1]


def test_a_missed_session_brings_a_gentle_message_naming_the_next_session(world, session, booked):
    _, missed = booked
    mark_place_attendance(missed, False, acting_user=session.group.facilitator.user, now=after(session))
    message = Notification.objects.get(kind=GroupNotificationKind.MISSED_SESSION)
    assert message.recipient == world.colleague
    assert message.context["next_when"] == "Wednesday 9 December 2026, 2pm to 4pm"
    deliver_notification(message.pk)
    (sent,) = mail.outbox
    assert sent.subject == "We missed you at Leeds reflective practice"
    assert "That is completely fine" in sent.body
    assert "The next session is on Wednesday 9 December 2026, 2pm to 4pm" in sent.body
    assert session.group.facilitator.user.email in sent.body
    # Nobody else who booked is named.
    assert "Sam" not in sent.body and "Sam" not in sent.alternatives[0][0]


def test_no_gentle_message_for_someone_who_opted_out(world, session, booked):
    preferences = preferences_for(world.colleague)
    preferences.missed_session_messages = False
    preferences.save()
    mark_place_attendance(booked[1], False, acting_user=session.group.facilitator.user, now=after(session))
    assert Notification.objects.filter(kind=GroupNotificationKind.MISSED_SESSION).count() == 0


def test_only_the_groups_facilitator_may_mark(world, session, booked):
    other = make_group(world, title="Another group", facilitator=make_facilitator("Bo"))
    with pytest.raises(Http404):
        mark_place_attendance(booked[0], True, acting_user=other.facilitator.user, now=after(session))
    with pytest.raises(Http404):
        mark_place_attendance(booked[0], True, acting_user=world.commissioner, now=after(session))


def test_attendance_waits_for_the_session_to_begin(world, session, booked):
    with pytest.raises(DomainError) as error:
        mark_place_attendance(booked[0], True, acting_user=session.group.facilitator.user, now=NOW)
    assert error.value.message == (
        "Attendance can be marked once the session on Wednesday 11 November 2026, 2pm to 4pm has begun."
    )


def test_the_booking_confirmation_names_no_other_attendee(world, session, booked):
    confirmation = Notification.objects.get(kind=GroupNotificationKind.PLACE_BOOKED, recipient=world.member)
    deliver_notification(confirmation.pk)
    (sent,) = mail.outbox
    assert sent.subject == "Your place: Leeds reflective practice, Wednesday 11 November 2026, 2pm to 4pm"
    assert "Room 2, Leeds Community Hub" in sent.body
    assert "What is said here stays here." in sent.body
    for other in (world.colleague.first_name, world.colleague.last_name, world.colleague.email):
        assert other not in sent.body
        assert other not in sent.alternatives[0][0]


def test_the_session_counts_its_register_as_places_are_marked_and_marked_again(world, session, booked):
    facilitator = session.group.facilitator.user
    came, missed = booked
    counts = []
    for place, attended in ((came, True), (missed, False), (missed, True), (came, True)):
        mark_place_attendance(place, attended, acting_user=facilitator, now=after(session))
        session.refresh_from_db()
        counts.append((session.places_attended, session.places_absent))
    assert counts == [(1, 0), (1, 1), (2, 0), (2, 0)]


def test_the_check_catches_a_place_marked_past_the_register(world, session, booked):
    """The control for the check every test makes (tests/conftest.py): a place marked or given
    up without its service leaves the session's counts behind, and the check says so."""
    came, _ = booked
    mark_place_attendance(came, True, acting_user=session.group.facilitator.user, now=after(session))
    assert_register_counts_agree_with_the_places()
    for status in (PlaceStatus.ABSENT, PlaceStatus.CANCELLED):  # marked, or given up, past the services
        Place.objects.filter(pk=came.pk).update(status=status)
        with pytest.raises(AssertionError, match="kept ≠ counted"):
            assert_register_counts_agree_with_the_places()
    Place.objects.filter(pk=came.pk).update(status=PlaceStatus.ATTENDED)


def test_the_migration_counts_existing_registers(world, session, booked):
    came, missed = booked
    mark_place_attendance(came, True, acting_user=session.group.facilitator.user, now=after(session))
    mark_place_attendance(missed, False, acting_user=session.group.facilitator.user, now=after(session))
    GroupSession.objects.update(places_attended=0, places_absent=0)
    migration = importlib.import_module("scheduling.migrations.0007_register_counts")
    migration.count_the_registers(apps, connection.schema_editor())
    session.refresh_from_db()
    assert (session.places_attended, session.places_absent) == (1, 1)
