from __future__ import annotations

import datetime

import pytest

from reflect.enums import LedgerKind, NotificationStatus
from reflect.errors import DomainError
from reflect.models import AuditEvent, LedgerEntry, Notification
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.recurrence import generate_sessions
from scheduling.groups.session_changes import cancel_session, move_session
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupSession, Place, PlaceStatus, SessionStatus, WaitlistStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.core import staff_of
from tests.factories.groups import NOW
from tests.scheduling.conftest import send_what_is_waiting

pytestmark = pytest.mark.django_db


def full_session_with_waitlist(world, session, *, confirmations_sent=True):
    book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    join_waitlist(session, acting_user=world.lead, now=NOW)
    if confirmations_sent:
        send_what_is_waiting()


def messages(kind):
    return list(Notification.objects.filter(kind=kind).order_by("pk").values_list("recipient__first_name", "context"))


def test_moving_a_session_tells_places_and_waitlist_with_the_new_time_and_a_new_sequence(world, session):
    full_session_with_waitlist(world, session)
    moved = move_session(
        session,
        acting_user=world.commissioner,
        starts_on=datetime.date(2026, 11, 12),
        start_time=datetime.time(15, 0),
        note="The room is being painted.",
        now=NOW,
    )
    assert (moved.starts_at, moved.ends_at, moved.sequence) == (
        datetime.datetime(2026, 11, 12, 15, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 12, 17, 0, tzinfo=datetime.UTC),
        1,
    )
    sent = messages(GroupNotificationKind.SESSION_MOVED)
    assert [name for name, _ in sent] == ["Sam", "Chris", "Leila"]
    context = sent[0][1]
    assert context["when"] == "Thursday 12 November 2026, 3pm to 5pm"
    assert context["was"] == "Wednesday 11 November 2026, 2pm to 4pm"
    assert context["note"] == "The room is being painted."
    assert context["calendar"] == {"uid": f"group-session-{session.pk}@reflect", "sequence": 1, "method": "REQUEST"}
    assert [c["has_place"] for _, c in sent] == [True, True, False]
    # No one's name travels in anyone's message.
    assert all("Sam" not in str(c) and "Chris" not in str(c) for _, c in sent)
    assert AuditEvent.objects.filter(action="group_session.moved").count() == 1


def test_a_moved_session_is_not_made_again_by_the_year_ahead_task(world, group, session):
    move_to_the_12th(world, session)
    assert generate_sessions(group, now=NOW) == []
    assert GroupSession.objects.filter(group=group).count() == 12


def move_to_the_12th(world, session, day: int = 12) -> None:
    """Move the session (on the 11th at 2pm) to the 12th, or another day, at 2pm."""
    move_session(
        session,
        acting_user=world.commissioner,
        starts_on=datetime.date(2026, 11, day),
        start_time=datetime.time(14, 0),
        now=NOW,
    )


def move_to_the_12th_then_the_13th(world, session) -> None:
    move_to_the_12th(world, session)
    move_to_the_12th(world, session, day=13)


def test_moving_twice_sends_a_second_message_with_the_next_sequence(world, session):
    book_place(session, acting_user=world.member, now=NOW)
    send_what_is_waiting()
    move_to_the_12th_then_the_13th(world, session)
    assert [c["calendar"]["sequence"] for _, c in messages(GroupNotificationKind.SESSION_MOVED)] == [1, 2]


def test_a_move_withdraws_messages_still_waiting_that_give_the_old_time_and_says_what_they_said(world, session):
    """Confirmations held back (texts in quiet hours, say) and an earlier move's message not yet
    sent give a time that no longer holds. Someone never told of their place gets the
    confirmation (ground rules and all) at the new time; someone never told of the first move
    hears of the second from the time they last heard."""
    full_session_with_waitlist(world, session, confirmations_sent=False)
    move_to_the_12th_then_the_13th(world, session)
    sent = list(
        Notification.objects.order_by("pk").values_list("kind", "recipient__first_name", "context__when", "status")
    )
    booked, moved, pending, cancelled = (
        GroupNotificationKind.PLACE_BOOKED,
        GroupNotificationKind.SESSION_MOVED,
        NotificationStatus.PENDING,
        NotificationStatus.CANCELLED,
    )
    eleventh, twelfth, thirteenth = (
        "Wednesday 11 November 2026, 2pm to 4pm",
        "Thursday 12 November 2026, 2pm to 4pm",
        "Friday 13 November 2026, 2pm to 4pm",
    )
    assert sent == [
        (booked, "Sam", eleventh, cancelled),
        (booked, "Chris", eleventh, cancelled),
        (booked, "Sam", twelfth, cancelled),
        (booked, "Chris", twelfth, cancelled),
        (moved, "Leila", twelfth, cancelled),
        (booked, "Sam", thirteenth, pending),
        (booked, "Chris", thirteenth, pending),
        (moved, "Leila", thirteenth, pending),
    ]
    confirmation, _, told = Notification.objects.filter(status=pending).order_by("pk")
    assert confirmation.context["ground_rules"] == session.group.ground_rules
    assert "SEQUENCE:2" in confirmation.ics
    assert told.context["was"] == eleventh


def test_a_move_keeps_an_offer_still_to_be_sent(world, session):
    full_session_with_waitlist(world, session)
    cancel_place(Place.objects.get(user=world.member), acting_user=world.member, now=NOW)
    move_to_the_12th(world, session)
    offer = Notification.objects.get(kind=GroupNotificationKind.PLACE_OFFERED)
    assert (offer.recipient, offer.status) == (world.lead, NotificationStatus.PENDING)
    [(name, context)] = messages(GroupNotificationKind.SESSION_MOVED)[1:]
    assert (name, context["was"]) == ("Leila", "Wednesday 11 November 2026, 2pm to 4pm")


def test_moving_into_the_past_or_onto_another_session_says_why_and_changes_nothing(world, group, session):
    cases = [
        (datetime.date(2026, 11, 1), "Choose a time in the future."),
        (datetime.date(2026, 12, 9), "The group already has a session at that time."),
    ]
    for day, message in cases:
        with pytest.raises(DomainError) as error:
            move_session(
                session, acting_user=world.commissioner, starts_on=day, start_time=datetime.time(14, 0), now=NOW
            )
        assert error.value.message == message
    session.refresh_from_db()
    assert (session.sequence, Notification.objects.count()) == (0, 0)


def test_only_the_pools_commissioner_moves_or_cancels(world, session):
    for person in (world.other_commissioner, world.member):
        with pytest.raises(DomainError):
            cancel_session(session, acting_user=person, now=NOW)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_cancelling_a_session_gives_places_back_closes_the_waitlist_and_tells_everyone(world, group, session):
    full_session_with_waitlist(world, session)
    cancel_session(session, acting_user=world.commissioner, note="Our facilitator is unwell.", now=NOW)
    session.refresh_from_db()
    assert (session.status, session.places_taken, session.sequence) == (SessionStatus.CANCELLED, 0, 1)
    assert sorted(session.places.values_list("status", "cancel_reason")) == [
        (PlaceStatus.CANCELLED, "The session was cancelled."),
        (PlaceStatus.CANCELLED, "The session was cancelled."),
    ]
    assert list(session.waitlist.values_list("status", flat=True)) == [WaitlistStatus.CLOSED]
    sent = messages(GroupNotificationKind.SESSION_CANCELLED)
    assert [name for name, _ in sent] == ["Sam", "Chris", "Leila"]
    assert sent[0][1]["next_when"] == "Wednesday 9 December 2026, 2pm to 4pm"
    assert sent[0][1]["calendar"]["method"] == "CANCEL"
    # The booking confirmations not yet sent are not sent now.
    assert set(
        Notification.objects.filter(kind=GroupNotificationKind.PLACE_BOOKED).values_list("status", flat=True)
    ) <= {NotificationStatus.CANCELLED, NotificationStatus.SENT}
    assert LedgerEntry.objects.filter(kind=LedgerKind.PLACE_CANCELLED, note="session cancelled").count() == 2
    with pytest.raises(DomainError) as error:
        book_place(session, acting_user=staff_of(world.organisation), now=NOW)
    assert error.value.message == "The session on Wednesday 11 November 2026, 2pm to 4pm has been cancelled."


def test_a_cancelled_or_started_session_cannot_be_changed(world, session):
    with pytest.raises(DomainError) as error:
        cancel_session(session, acting_user=world.commissioner, now=session.starts_at)
    assert error.value.message == (
        "The session on Wednesday 11 November 2026, 2pm to 4pm has already started, so it cannot be changed."
    )
    cancel_session(session, acting_user=world.commissioner, now=NOW)
    with pytest.raises(DomainError):
        move_session(
            session,
            acting_user=world.commissioner,
            starts_on=datetime.date(2026, 11, 12),
            start_time=datetime.time(14, 0),
            now=NOW,
        )


def test_the_emails_say_what_changed_and_name_nobody_else(world, session, django_capture_on_commit_callbacks):
    from django.core import mail

    full_session_with_waitlist(world, session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        move_session(
            session,
            acting_user=world.commissioner,
            starts_on=datetime.date(2026, 11, 12),
            start_time=datetime.time(15, 0),
            now=NOW,
        )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(session, acting_user=world.commissioner, now=NOW)
    to_sam = [m for m in mail.outbox if world.member.email in m.to]
    assert [m.subject for m in to_sam] == [
        "Moved: Leeds reflective practice, now Thursday 12 November 2026, 3pm to 5pm",
        "Cancelled: Leeds reflective practice, Thursday 12 November 2026, 3pm to 5pm",
    ]
    assert "that was on Wednesday 11 November 2026, 2pm to 4pm has moved" in to_sam[0].body
    assert "You still have your place." in to_sam[0].body
    to_leila = [m for m in mail.outbox if world.lead.email in m.to]
    assert "You are still on the waitlist for it" in to_leila[0].body
    assert "The waitlist for it is closed." in to_leila[1].body
    people = {world.member.email: "Sam", world.colleague.email: "Chris", world.lead.email: "Leila"}
    assert len(mail.outbox) == 6
    for message in mail.outbox:
        others = [name for email, name in people.items() if email not in message.to]
        assert [name for name in others if name in message.body] == []


def test_people_with_places_get_calendar_files_that_update_and_remove_the_session(world, session):
    """The booking confirmation adds the session; a move updates it (same UID, SEQUENCE 1); a
    cancellation removes it (METHOD:CANCEL, SEQUENCE 2). Waiting people get no file: the
    session is not in their calendar. No file names anyone else."""
    from icalendar import Calendar

    full_session_with_waitlist(world, session)
    uid = f"group-session-{session.pk}@reflect"

    def event(kind, person):
        ics = Notification.objects.get(kind=kind, recipient=person).ics
        calendar = Calendar.from_ical(ics)
        [found] = calendar.walk("VEVENT")
        assert "Chris" not in ics and world.colleague.email not in ics  # the other attendee
        return str(calendar["METHOD"]), str(found["UID"]), found["SEQUENCE"], found["DTSTART"].dt

    assert event(GroupNotificationKind.PLACE_BOOKED, world.member)[:3] == ("REQUEST", uid, 0)
    move_session(
        session,
        acting_user=world.commissioner,
        starts_on=datetime.date(2026, 11, 12),
        start_time=datetime.time(15),
        now=NOW,
    )
    assert event(GroupNotificationKind.SESSION_MOVED, world.member) == (
        "REQUEST",
        uid,
        1,
        datetime.datetime(2026, 11, 12, 15, tzinfo=datetime.UTC),
    )
    session.refresh_from_db()
    cancel_session(session, acting_user=world.commissioner, now=NOW)
    assert event(GroupNotificationKind.SESSION_CANCELLED, world.member)[:3] == ("CANCEL", uid, 2)
    assert Notification.objects.get(kind=GroupNotificationKind.SESSION_CANCELLED, recipient=world.lead).ics == ""


def test_a_time_the_clocks_skip_or_a_date_years_away_is_refused(world, session):
    for starts_on, start_time, field in [
        (datetime.date(2027, 3, 28), datetime.time(1, 30), "start_time"),  # clocks go forward at 01:00
        (datetime.date(9999, 12, 31), datetime.time(23), "starts_on"),
    ]:
        with pytest.raises(DomainError) as refused:
            move_session(session, acting_user=world.commissioner, starts_on=starts_on, start_time=start_time, now=NOW)
        assert refused.value.field == field
    session.refresh_from_db()
    assert session.sequence == 0
