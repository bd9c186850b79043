"""What people are told about supervision bookings, and the calendar entries that go with it.

Everything here runs inside the booking use case's transaction (outbox rows, docs/architecture.md
"Nothing lost"). Attendees of a group session are never told each other's names: each message
and each .ics names only its own recipient. The supervisor, who runs the session, sees who is
booked on their pages, not in calendar files.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone

from reflect import wording
from reflect.models import ContactPreferences, Notification, User
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import (
    cancel_notifications,
    outbox_row,
    queue_new_notifications,
    queue_notification,
    queue_reminders,
    reminder_rows,
)
from scheduling import slots
from scheduling.ical import CalendarEvent, Party, calendar_text, mailbox
from scheduling.models import BookingStatus, SessionMode, SupervisionBooking
from scheduling.notification_kinds import BookingNotificationKind
from scheduling.video_links import video_link

# Unsent messages about a booking that a change or a cancellation makes wrong.
WITHDRAWN_ON_CHANGE = [NotificationKind.REMINDER, BookingNotificationKind.BOOKED, BookingNotificationKind.CHANGED]


def booking_when(booking: SupervisionBooking | slots.Slot) -> str:
    """A booking's (or a slot's) day and times in words, on the UK clock."""
    if isinstance(booking, SupervisionBooking):
        return wording.span(booking.starts_at, booking.ends_at)
    return wording.span(booking.start, booking.end)


def booking_about(booking: SupervisionBooking) -> str:
    return f"supervision:{booking.pk}"


def booking_uid(booking: SupervisionBooking | BookingFacts) -> str:
    return f"supervision-{booking.uid}@reflect"


def booking_url(booking: SupervisionBooking | BookingFacts) -> str:
    return f"{settings.SITE_URL}/supervision/sessions/{booking.pk}/"


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """What a calendar entry needs to know about a booking: read from a row or from values()."""

    pk: int
    uid: uuid.UUID
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    updated_at: datetime.datetime | None
    status: str
    mode: str
    meeting_place: str
    online_link: str
    is_group: bool
    organisation_name: str
    supervisor_user_id: int
    supervisor_name: str

    # The columns to read with values() for a feed: building model instances for 500 rows
    # costs more than the rest of the feed together.
    FIELDS: ClassVar[tuple[str, ...]] = (
        "pk",
        "uid",
        "sequence",
        "starts_at",
        "ends_at",
        "updated_at",
        "status",
        "mode",
        "meeting_place",
        "online_link",
        "is_group",
        "organisation__name",
        "supervisor__user_id",
        "supervisor__user__first_name",
        "supervisor__user__last_name",
        "supervisor__user__email",
    )

    @classmethod
    def of(cls, booking: SupervisionBooking) -> BookingFacts:
        return cls(
            pk=booking.pk,
            uid=booking.uid,
            sequence=booking.sequence,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            updated_at=booking.updated_at,
            status=booking.status,
            mode=booking.mode,
            meeting_place=booking.meeting_place,
            online_link=booking.online_link,
            is_group=booking.is_group,
            organisation_name=booking.organisation.name,
            supervisor_user_id=booking.supervisor.user_id,
            supervisor_name=booking.supervisor.user.display_name,
        )

    @classmethod
    def from_values(cls, row: dict[str, Any]) -> BookingFacts:
        full_name = f"{row['supervisor__user__first_name']} {row['supervisor__user__last_name']}".strip()
        return cls(
            pk=row["pk"],
            uid=row["uid"],
            sequence=row["sequence"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            updated_at=row["updated_at"],
            status=row["status"],
            mode=row["mode"],
            meeting_place=row["meeting_place"],
            online_link=row["online_link"],
            is_group=row["is_group"],
            organisation_name=row["organisation__name"],
            supervisor_user_id=row["supervisor__user_id"],
            supervisor_name=full_name or row["supervisor__user__email"],
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)


def where(booking: SupervisionBooking | BookingFacts) -> str:
    if booking.mode == SessionMode.IN_PERSON:
        return booking.meeting_place or "In person – the supervisor will confirm the address"
    return booking.online_link or "Online – the supervisor will send the link"


def summary_for(booking: SupervisionBooking | BookingFacts, recipient: User) -> str:
    facts = booking if isinstance(booking, BookingFacts) else BookingFacts.of(booking)
    kind = "Group supervision" if facts.is_group else "Supervision"
    if recipient.pk == facts.supervisor_user_id:
        return f"{kind}: {facts.organisation_name}"
    return f"{kind} with {facts.supervisor_name}"


def booking_event(
    booking: SupervisionBooking | BookingFacts,
    recipient: User,
    *,
    include_where: bool = True,
    alarm_hours: tuple[int, ...] = (),
) -> CalendarEvent:
    """The session as ``recipient`` sees it in their calendar (no other attendee's name).

    ``include_where=False`` leaves out the place or link: it is for the people in the session
    (a lead who booked for a member of staff gets the time, not the room). ``alarm_hours``:
    the recipient's reminders, for their own feed.
    """
    facts = booking if isinstance(booking, BookingFacts) else BookingFacts.of(booking)
    url = booking_url(facts)
    # A cancelled session needs no place or link, as a group's cancelled place has none.
    include_where = include_where and not facts.is_cancelled
    if include_where:
        description = f"{where(facts)}\n\nSee or change this session: {url}"
        location = facts.meeting_place if facts.mode == SessionMode.IN_PERSON else facts.online_link
    else:
        description, location = f"See this session: {url}", ""
    online = include_where and facts.mode != SessionMode.IN_PERSON
    return CalendarEvent(
        uid=booking_uid(facts),
        sequence=facts.sequence,
        starts_at=facts.starts_at,
        ends_at=facts.ends_at,
        summary=summary_for(facts, recipient),
        stamp=facts.updated_at or timezone.now(),
        description=description,
        location=location,
        url=url,
        cancelled=facts.is_cancelled,
        conference=video_link(facts.online_link) if online else "",
        alarm_hours=alarm_hours,
    )


def invitation_parties(booking: SupervisionBooking, recipient: User) -> tuple[Party, Party]:
    """Who an e-mailed invitation is from and to (docs/calendars.md, "E-mail").

    The supervisor runs the session, so the people booked get it from them: a reply reaches a
    person, never the no-reply sender. The supervisor's own copy names them as its chair and
    comes from the bookings mailbox: calendars do not file an invitation from oneself as one
    received, and would leave it out."""
    supervisor = booking.supervisor.user
    if recipient.pk == supervisor.pk:
        return mailbox(settings.CALENDAR_REPLY_EMAIL), Party(supervisor.display_name, supervisor.email, role="CHAIR")
    return Party(supervisor.display_name, supervisor.email), Party(recipient.display_name, recipient.email)


def booking_ics(
    booking: SupervisionBooking, recipient: User, *, method: str | None = None, include_where: bool = True
) -> str:
    organizer, attendee = invitation_parties(booking, recipient) if method else (None, None)
    return calendar_text(
        [booking_event(booking, recipient, include_where=include_where)],
        method=method,
        organizer=organizer,
        attendee=attendee,
    )


def recipients(booking: SupervisionBooking) -> list[User]:
    people = [attendee.user for attendee in booking.attendees.select_related("user").order_by("pk")]
    return [*people, booking.supervisor.user]


def _context(booking: SupervisionBooking, recipient: User) -> dict[str, Any]:
    return {
        "title": summary_for(booking, recipient),
        "when": booking_when(booking),
        "where": where(booking),
        "minutes": booking.minutes,
        "url": booking_url(booking),
        "for_supervisor": recipient.pk == booking.supervisor.user_id,
        "organisation": booking.organisation.name,
        "kind": "group supervision" if booking.is_group else "supervision",
    }


def _queue_reminders(booking: SupervisionBooking) -> None:
    for person in recipients(booking):
        queue_reminders(
            person,
            NotificationKind.REMINDER,
            about=booking_about(booking),
            starts_at=booking.starts_at,
            context=_context(booking, person),
            version=booking.sequence,
        )


def queue_link_changed(booking: SupervisionBooking) -> None:
    """The session was given a video link of its own: its unsent reminders said the old one."""
    cancel_notifications(booking_about(booking), kinds=[NotificationKind.REMINDER])
    _queue_reminders(booking)


def queue_booking_confirmations(
    booking: SupervisionBooking, attendees: Sequence[User], preferences: dict[int, ContactPreferences]
) -> None:
    """A booking just made: everyone's confirmation and reminders, in one insert.

    ``attendees`` are the people just booked, ``preferences`` everyone's contact preferences
    by user id (the attendees' and the supervisor's), both as the booking already read them,
    so nothing is read twice. The booking's row is new in this transaction, so no outbox row
    can hold these keys yet (queue_new_notifications).
    """
    queue_new_notifications(booking_confirmation_rows(booking, attendees, preferences))


def booking_confirmation_rows(
    booking: SupervisionBooking, attendees: Sequence[User], preferences: dict[int, ContactPreferences]
) -> list[Notification]:
    """``queue_booking_confirmations``'s outbox rows, not yet saved: for a booking that writes
    them with its other rows in one statement (reflect/inserts.py)."""
    rows = []
    for person in [*attendees, booking.supervisor.user]:
        context = _context(booking, person)
        rows.append(
            outbox_row(
                person,
                BookingNotificationKind.BOOKED,
                key=f"{booking_about(booking)}:booked:{person.pk}",
                context=context,
                about=booking_about(booking),
                ics=booking_ics(booking, person, method="REQUEST"),
            )
        )
        rows += reminder_rows(
            person,
            NotificationKind.REMINDER,
            about=booking_about(booking),
            starts_at=booking.starts_at,
            context=context,
            preferences=preferences[person.pk],
            version=booking.sequence,
        )
    return rows


def queue_booking_changed(booking: SupervisionBooking, *, old_when: str) -> None:
    # The old time's reminders, and any confirmation or change still waiting (a text message
    # held until morning, say), would now be wrong.
    cancel_notifications(booking_about(booking), kinds=WITHDRAWN_ON_CHANGE)
    for person in recipients(booking):
        queue_notification(
            person,
            BookingNotificationKind.CHANGED,
            key=f"{booking_about(booking)}:changed:{booking.sequence}:{person.pk}",
            context=_context(booking, person) | {"old_when": old_when},
            about=booking_about(booking),
            ics=booking_ics(booking, person, method="REQUEST"),
        )
    _queue_reminders(booking)


def queue_cancellation(booking: SupervisionBooking, *, acting_user: User) -> None:
    cancel_notifications(booking_about(booking), kinds=WITHDRAWN_ON_CHANGE)
    by_supervisor = booking.cancelled_by_supervisor
    for person in recipients(booking):
        queue_notification(
            person,
            BookingNotificationKind.CANCELLED,
            key=f"{booking_about(booking)}:cancelled:{person.pk}",
            context=_context(booking, person)
            | {
                "by_you": person.pk == acting_user.pk,
                "by_supervisor": by_supervisor,
                "reason": booking.cancel_reason,
                "late": booking.status == "late_cancelled",
            },
            about=booking_about(booking),
            ics=booking_ics(booking, person, method="CANCEL"),
        )
