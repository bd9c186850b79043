"""A supervisor gives one online supervision session a video link of its own.

A booking takes the supervisor's standing link when it is made (availability settings); this
replaces it for that session only. The calendar entries of the people in it take the change
(SEQUENCE + 1, a new stamp for the feeds, and the supervisor's connected calendar), and so do
the reminders still to be sent. No e-mail goes out: the feeds and the session's page carry it.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit
from scheduling.models import BookingStatus, SessionMode, SupervisionBooking
from scheduling.services.booking_notices import queue_link_changed
from scheduling.services.bookings import lock_booking
from scheduling.services.calendar_sync import queue_calendar_sync
from scheduling.video_links import checked_link, give_own_link


def set_booking_link(
    booking: SupervisionBooking, link: str, *, acting_user: User, now: datetime.datetime | None = None
) -> SupervisionBooking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock_booking(booking)
        if booking.supervisor.user_id != acting_user.pk:
            raise DomainError("Only the session's supervisor can change its video link.")
        if booking.mode != SessionMode.ONLINE:
            raise DomainError("This session is in person, so it has no video link.")
        if booking.status != BookingStatus.BOOKED or booking.starts_at <= now:
            raise DomainError("Only sessions still to come can be given a new link.")
        if give_own_link(booking, checked_link(link)):
            record_audit("supervision_booking.link_changed", actor=acting_user, target=booking)
            queue_link_changed(booking)
            queue_calendar_sync(booking.supervisor_id)
    return booking
