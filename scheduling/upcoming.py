"""Sessions in a person's weekly summary (reflect/upcoming.py's registry).

Titles name the supervisor or the group, never another attendee and never what a session is
about; a supervisor's own sessions name the organisation they are for.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from reflect.models import User
from reflect.upcoming import UpcomingItem, register_upcoming_items
from scheduling.models import BookingStatus, Place, PlaceStatus, SessionStatus, SupervisionBooking
from scheduling.services.booking_notices import summary_for
from scheduling.services.bookings import bookings_of


@register_upcoming_items
def supervision_sessions(user: User, starts: datetime.datetime, ends: datetime.datetime) -> list[UpcomingItem]:
    bookings = SupervisionBooking.objects.filter(
        bookings_of(user), status=BookingStatus.BOOKED, starts_at__gte=starts, starts_at__lt=ends
    ).select_related("supervisor__user", "organisation")
    return [
        UpcomingItem(
            starts_at=booking.starts_at,
            title=summary_for(booking, user),
            url=f"{settings.SITE_URL}/supervision/sessions/{booking.pk}/",
        )
        for booking in bookings
    ]


@register_upcoming_items
def group_places(user: User, starts: datetime.datetime, ends: datetime.datetime) -> list[UpcomingItem]:
    places = Place.objects.filter(
        user=user,
        status=PlaceStatus.BOOKED,
        session__status=SessionStatus.SCHEDULED,
        session__starts_at__gte=starts,
        session__starts_at__lt=ends,
    ).select_related("session__group")
    return [
        UpcomingItem(
            starts_at=place.session.starts_at,
            title=place.session.group.title,
            url=f"{settings.SITE_URL}/groups/sessions/{place.session_id}/",
        )
        for place in places
    ]
