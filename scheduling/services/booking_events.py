"""What a supervision booking tells the outside world (reflect/events.py; docs/webhooks.md).

The commissioner's payload names nobody: the booking's id, its organisation, hours and times.
The lead's adds the supervisor and the people booked, whom the lead's own pages show (a lead
books for their staff and may move or cancel any of their organisation's sessions).
"""

from __future__ import annotations

import datetime
from typing import Any

from reflect.events import Audience, EventKind, emit, iso, organisation_ref
from scheduling.models import SupervisionBooking


def booking_payload(booking: SupervisionBooking, audience: Audience) -> dict[str, Any]:
    """The booking as ``audience`` may see it. Called after commit (reflect.events)."""
    payload: dict[str, Any] = {
        "booking": {
            "id": booking.pk,
            "status": booking.status,
            "starts_at": iso(booking.starts_at),
            "ends_at": iso(booking.ends_at),
            "minutes": booking.minutes,
            "hours": str(booking.hours),
            "group_supervision": booking.is_group,
            "mode": booking.mode,
            "cancelled_at": iso(booking.cancelled_at),
        },
        "pool_id": booking.pool_id,
        "organisation": organisation_ref(booking.organisation_id, booking.organisation.name),
    }
    if audience == Audience.LEAD:
        payload["booking"]["supervisor"] = booking.supervisor.user.display_name
        payload["booking"]["attendees"] = sorted(
            attendee.user.display_name for attendee in booking.attendees.select_related("user")
        )
    return payload


def emit_booking_event(kind: EventKind, booking: SupervisionBooking, now: datetime.datetime) -> None:
    """Inside the booking's transaction: the event goes out once it commits."""
    emit(
        kind,
        pool_id=booking.pool_id,
        organisation_id=booking.organisation_id,
        payload_for_role=lambda audience: booking_payload(booking, audience),
        now=now,
    )
