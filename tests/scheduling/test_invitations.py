"""Every change to a session a person holds in their calendar reaches them as an invitation
that updates or removes it in place (RFC 6047): sent through the worker's delivery, read back
from the message's bytes as a mail client reads it, and checked against the person's feed."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from reflect.enums import NotificationStatus
from reflect.models import Notification, User
from reflect.tasks import task_dispatch_notification
from scheduling.groups.cohorts import apply_for_cohort, confirm_cohorts, leave_cohort, propose_cohorts
from scheduling.groups.places import book_place, cancel_place, cancel_someones_place
from scheduling.groups.session_changes import cancel_session, move_session
from scheduling.models import GroupSession, Place, SupervisionBooking
from scheduling.services.bookings import cancel_supervision, reschedule_supervision
from scheduling.services.calendar_feed import build_feed
from supervision.services.agreements import end_agreement
from tests.factories.bookings import NOW as BOOKING_NOW
from tests.factories.bookings import agree, book, supervisor_with_availability, utc
from tests.factories.groups import NOW, make_group
from tests.invitation_mail import Invitation, invitation_in

pytestmark = pytest.mark.django_db

NO_REPLY = "no-reply@reflect.test"
BOOKINGS = "Reflect bookings <bookings@reflect.test>"


def deliver_waiting() -> None:
    """What the worker does: each message due through the dispatch task, to the mail server (the
    reminders wait for their time)."""
    due = Notification.objects.filter(status=NotificationStatus.PENDING, due_at__lte=timezone.now())
    for pk in due.order_by("pk").values_list("pk", flat=True):
        assert task_dispatch_notification.apply(args=[pk]).get() == "sent"


@dataclass
class Change:
    """What a case did: who hears (with who they hear it from), and who else was in it."""

    told: list[tuple[User, str]]  # each recipient, and the organizer as "Name <address>"
    others: list[User]  # people in the session whose names must not reach anyone else
    method: str
    messages_each: int = 1
    feed_now: datetime.datetime = NOW  # when the feed is read: the change's own "now"


# --- Reflective groups ---


def _group_session(world) -> GroupSession:
    group = make_group(world)
    session = group.sessions.order_by("starts_at").first()
    assert session is not None
    return session


def _two_places(world) -> tuple[GroupSession, Place, Place]:
    session = _group_session(world)
    return (
        session,
        book_place(session, acting_user=world.member, now=NOW),
        book_place(session, acting_user=world.colleague, now=NOW),
    )


def place_cancelled_by_self(world) -> Change:
    session, place, _ = _two_places(world)
    ready()
    cancel_place(place, acting_user=world.member, now=NOW)
    return Change(told=[(world.member, facilitator_of(session))], others=[world.colleague], method="CANCEL")


def place_cancelled_by_facilitator(world) -> Change:
    session, place, _ = _two_places(world)
    ready()
    facilitator = session.group.facilitator.user
    cancel_someones_place(place, acting_user=facilitator, reason="The room is smaller that day.", now=NOW)
    return Change(told=[(world.member, facilitator_of(session))], others=[world.colleague], method="CANCEL")


def place_cancelled_by_commissioner(world) -> Change:
    session, place, _ = _two_places(world)
    ready()
    cancel_someones_place(place, acting_user=world.commissioner, now=NOW)
    return Change(told=[(world.member, facilitator_of(session))], others=[world.colleague], method="CANCEL")


def group_session_moved(world) -> Change:
    session, _, _ = _two_places(world)
    ready()
    move_session(
        session,
        acting_user=world.commissioner,
        starts_on=datetime.date(2026, 11, 12),
        start_time=datetime.time(15, 0),
        now=NOW,
    )
    organizer = facilitator_of(session)
    return Change(
        told=[(world.member, organizer), (world.colleague, organizer)],
        others=[world.member, world.colleague],
        method="REQUEST",
    )


def group_session_cancelled(world) -> Change:
    session, _, _ = _two_places(world)
    ready()
    cancel_session(session, acting_user=world.commissioner, now=NOW)
    organizer = facilitator_of(session)
    return Change(
        told=[(world.member, organizer), (world.colleague, organizer)],
        others=[world.member, world.colleague],
        method="CANCEL",
    )


def cohort_membership_ended(world) -> Change:
    # Two sessions in its term (the first Tuesdays of November and December).
    make_group(
        world,
        title="Tuesday evening",
        kind="cohort",
        rrule="FREQ=MONTHLY;BYDAY=+1TU",
        start_time=datetime.time(18, 0),
        duration_minutes=90,
        capacity=4,
        last_date=datetime.date(2026, 12, 31),
    )
    for person in (world.member, world.colleague):
        apply_for_cohort(world.pool, acting_user=person, weekdays=[1], now=NOW)
    proposal = propose_cohorts(world.pool, now=NOW)
    memberships = confirm_cohorts(world.pool, acting_user=world.commissioner, fingerprint=proposal.fingerprint, now=NOW)
    ready()
    [membership] = [m for m in memberships if m.user_id == world.member.pk]
    leave_cohort(membership, acting_user=world.member, now=NOW)
    group = membership.group
    organizer = formataddr((group.facilitator_name, group.facilitator_email))
    return Change(told=[(world.member, organizer)], others=[world.colleague], method="CANCEL", messages_each=2)


def facilitator_of(session: GroupSession) -> str:
    group = session.group
    return formataddr((group.facilitator_name, group.facilitator_email))


# --- Supervision ---


def _booked(world) -> SupervisionBooking:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    return book(agreement, world.member, utc(6, 10))


def _supervision_told(world, booking: SupervisionBooking) -> list[tuple[User, str]]:
    # The people booked hear it from the supervisor; the supervisor's own copy, in which they
    # are the chair, comes from the bookings mailbox (docs/calendars.md, "E-mail").
    supervisor = booking.supervisor.user
    return [(world.member, formataddr((supervisor.display_name, supervisor.email))), (supervisor, BOOKINGS)]


def supervision_booked(world) -> Change:
    ready()
    booking = _booked(world)
    return Change(told=_supervision_told(world, booking), others=[], method="REQUEST", feed_now=BOOKING_NOW)


def supervision_moved(world) -> Change:
    booking = _booked(world)
    ready()
    reschedule_supervision(booking, utc(7, 11), 60, acting_user=world.member, now=BOOKING_NOW)
    return Change(told=_supervision_told(world, booking), others=[], method="REQUEST", feed_now=BOOKING_NOW)


def supervision_cancelled_by_staff(world) -> Change:
    booking = _booked(world)
    ready()
    cancel_supervision(booking, acting_user=world.member, now=BOOKING_NOW)
    return Change(told=_supervision_told(world, booking), others=[], method="CANCEL", feed_now=BOOKING_NOW)


def supervision_cancelled_by_supervisor(world) -> Change:
    booking = _booked(world)
    ready()
    cancel_supervision(booking, acting_user=booking.supervisor.user, reason="Unwell", now=BOOKING_NOW)
    return Change(told=_supervision_told(world, booking), others=[], method="CANCEL", feed_now=BOOKING_NOW)


def agreement_ended(world) -> Change:
    booking = _booked(world)  # on Wednesday 6 January 2027, after the end given below
    ready()
    with mock.patch("django.utils.timezone.now", return_value=BOOKING_NOW):
        end_agreement(booking.agreement, acting_user=world.lead, ends_on=datetime.date(2027, 1, 5))
        deliver_waiting()  # the messages are due at that moment
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (
        "cancelled",
        "The supervision agreement ends on Tuesday 5 January 2027.",
    )
    return Change(told=_supervision_told(world, booking), others=[], method="CANCEL", feed_now=BOOKING_NOW)


def ready() -> None:
    """What was booked before the change has been sent: only the change's messages are read."""
    deliver_waiting()
    mail.outbox.clear()


CHANGES: list[Callable[..., Change]] = [
    place_cancelled_by_self,
    place_cancelled_by_facilitator,
    place_cancelled_by_commissioner,
    group_session_moved,
    group_session_cancelled,
    cohort_membership_ended,
    supervision_booked,
    supervision_moved,
    supervision_cancelled_by_staff,
    supervision_cancelled_by_supervisor,
    agreement_ended,
]


def _the_feed_event(person: User, uid: str, now: datetime.datetime):
    events = Calendar.from_ical(build_feed(person, now=now).body).walk("VEVENT")
    [event] = [event for event in events if str(event["UID"]) == uid]
    return event


def _words(invitation: Invitation) -> str:
    """Everything a person could read in the message: headers, text, HTML and the calendar."""
    parts = [str(value) for value in invitation.mail.values()]
    for part in invitation.mail.walk():
        if not part.is_multipart():
            content = part.get_content()
            parts.append(content.decode() if isinstance(content, bytes) else content)
    return "\n".join(parts)


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_every_change_reaches_each_calendar_as_an_update_or_a_cancellation_in_place(world, change) -> None:
    happened = change(world)
    deliver_waiting()
    for person, organizer in happened.told:
        theirs = [message for message in mail.outbox if message.to == [person.email]]
        invitations = [invitation_in(message) for message in theirs if "text/calendar" in message.message().as_string()]
        assert len(invitations) == happened.messages_each, [m.subject for m in theirs]
        for invitation in invitations:
            calendar, event = invitation.calendar, invitation.event
            # The method on the part is the method inside, and the file attached is the same.
            assert invitation.method == str(calendar["METHOD"]) == happened.method
            assert invitation.attached == invitation.text
            # From someone a reply reaches, with their name; Reply-To goes there too.
            name, address = parseaddr(organizer)
            assert (event["ORGANIZER"].params["CN"], str(event["ORGANIZER"])) == (name, f"mailto:{address}")
            assert address != NO_REPLY and NO_REPLY not in str(invitation.mail["Reply-To"])
            assert parseaddr(str(invitation.mail["Reply-To"])) == (name, address)
            # Named for the recipient only: their own name, nobody else's anywhere in it.
            attendees = event.get("ATTENDEE")
            assert not isinstance(attendees, list)
            assert (str(attendees), attendees.params["CN"]) == (f"mailto:{person.email}", person.display_name)
            assert attendees.params["RSVP"] == "FALSE"
            words = _words(invitation)
            for other in happened.others:
                if other.pk != person.pk:
                    assert other.email not in words
                    assert not re.search(rf"\b{other.first_name}\b", words)
            # The same entry as their feed shows: its UID, its SEQUENCE, cancelled or not.
            feed = _the_feed_event(person, str(event["UID"]), happened.feed_now)
            assert event["SEQUENCE"] == feed["SEQUENCE"]
            assert str(feed["STATUS"]) == ("CANCELLED" if happened.method == "CANCEL" else "CONFIRMED")
            assert event["DTSTART"].dt == feed["DTSTART"].dt


def test_a_group_without_a_facilitators_address_invites_from_the_bookings_mailbox(world) -> None:
    group = make_group(world, external_facilitator_name="Bea Okafor", external_facilitator_email="")
    session = group.sessions.order_by("starts_at").first()
    book_place(session, acting_user=world.member, now=NOW)
    deliver_waiting()
    invitation = invitation_in(mail.outbox[0])
    assert (invitation.event["ORGANIZER"].params["CN"], str(invitation.event["ORGANIZER"])) == (
        "Reflect bookings",
        "mailto:bookings@reflect.test",
    )
    assert invitation.mail["Reply-To"] == BOOKINGS
