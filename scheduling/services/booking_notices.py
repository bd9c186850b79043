"""What people are told about supervision bookings, and the calendar entries that go with it.

Everything here runs inside the booking use case's transaction (outbox rows, DESIGN.md §4
"Nothing lost"). Attendees of a group session are never told each other's names: each message
and each .ics names only its own recipient. The supervisor, who runs the session, sees who is
booked on their pages, not in calendar files.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.utils import timezone

from reflect.models import User
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import cancel_notifications, queue_notification, queue_reminders
from scheduling.ical import CalendarEvent, calendar_text
from scheduling.models import SessionMode, SupervisionBooking
from scheduling.notification_kinds import BookingNotificationKind


def booking_about(booking: SupervisionBooking) -> str:
    return f"supervision:{booking.pk}"


def booking_uid(booking: SupervisionBooking) -> str:
    return f"supervision-{booking.uid}@reflect"


def booking_url(booking: SupervisionBooking) -> str:
    return f"{settings.SITE_URL}/supervision/sessions/{booking.pk}/"


def where(booking: SupervisionBooking) -> str:
    if booking.mode == SessionMode.IN_PERSON:
        return booking.meeting_place or "In person – the supervisor will confirm the address"
    return booking.online_link or "Online – the supervisor will send the link"


def summary_for(booking: SupervisionBooking, recipient: User) -> str:
    kind = "Group supervision" if booking.is_group else "Supervision"
    if recipient.pk == booking.supervisor.user_id:
        return f"{kind}: {booking.organisation.name}"
    return f"{kind} with {booking.supervisor.user.display_name}"


def booking_event(booking: SupervisionBooking, recipient: User) -> CalendarEvent:
    """The session as ``recipient`` sees it in their calendar (no other attendee's name)."""
    description = f"{where(booking)}\n\nSee or change this session: {booking_url(booking)}"
    return CalendarEvent(
        uid=booking_uid(booking),
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=summary_for(booking, recipient),
        stamp=booking.updated_at or timezone.now(),
        description=description,
        location=booking.meeting_place if booking.mode == SessionMode.IN_PERSON else booking.online_link,
        url=booking_url(booking),
        cancelled=booking.is_cancelled,
    )


def booking_ics(booking: SupervisionBooking, recipient: User, *, method: str | None = None) -> str:
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] if method else None
    return calendar_text(
        [booking_event(booking, recipient)],
        method=method,
        organizer=organizer,
        attendee=recipient.email if method else None,
    )


def recipients(booking: SupervisionBooking) -> list[User]:
    people = [attendee.user for attendee in booking.attendees.select_related("user").order_by("pk")]
    return [*people, booking.supervisor.user]


def _context(booking: SupervisionBooking, recipient: User) -> dict[str, Any]:
    from scheduling.services.bookings import local_when

    return {
        "title": summary_for(booking, recipient),
        "when": local_when(booking),
        "where": where(booking),
        "minutes": booking.minutes,
        "url": booking_url(booking),
        "for_supervisor": recipient.pk == booking.supervisor.user_id,
    }


def _queue_reminders(booking: SupervisionBooking) -> None:
    for person in recipients(booking):
        queue_reminders(
            person,
            NotificationKind.REMINDER,
            about=booking_about(booking),
            starts_at=booking.starts_at,
            context=_context(booking, person),
        )


def queue_booking_confirmations(booking: SupervisionBooking) -> None:
    for person in recipients(booking):
        queue_notification(
            person,
            BookingNotificationKind.BOOKED,
            key=f"{booking_about(booking)}:booked:{person.pk}",
            context=_context(booking, person),
            about=booking_about(booking),
            ics=booking_ics(booking, person, method="REQUEST"),
        )
    _queue_reminders(booking)


def queue_booking_changed(booking: SupervisionBooking, *, old_when: str) -> None:
    # The old time's reminders would now be wrong.
    cancel_notifications(booking_about(booking), kinds=[NotificationKind.REMINDER])
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
    cancel_notifications(booking_about(booking), kinds=[NotificationKind.REMINDER])
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
