"""What messages about a reflective-group session say: its time in words, the context every such
message shares, and the booker's own confirmation.

Every service that tells someone about a session (booking, the waitlist, cohorts, moves and
cancellations, attendance, group changes) words it from here, so a session reads the same in
each message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from reflect import wording
from reflect.models import Notification
from reflect.services.notifications import outbox_row, queue_notification
from scheduling.groups.calendar import group_session_ics, session_link
from scheduling.models import GroupSession, Place
from scheduling.notification_kinds import GroupNotificationKind


def session_when(session: GroupSession) -> str:
    """When the session meets, in words, on the group's clock."""
    return wording.span(session.starts_at, session.ends_at, session.group.time_zone)


def group_context(session: GroupSession) -> dict[str, Any]:
    """What every message about one session says: the group, when, who facilitates, its page."""
    group = session.group
    return {
        "title": group.title,
        "when": session_when(session),
        "facilitator": group.facilitator_name,
        # A community of practice's host is "hosted by", not "facilitated by" (docs/groups.md).
        "hosted": group.is_hosted,
        "url": settings.SITE_URL + reverse("group_session", args=[session.pk]),
    }


def queue_confirmation(place: Place, *, own_cancelled: int | None = None, just_booked: bool = False) -> None:
    """The booker's own confirmation: the group, the time, where — never who else is coming.

    ``just_booked``: the place was inserted in this transaction, so no message can hold its key
    yet (the look-up and savepoint are skipped). Otherwise — a confirmation withdrawn unsent,
    its session moved — it is sent anew, keyed by the session's new sequence.
    ``own_cancelled``: the person's own cancellations in the session, when already read."""
    queue_notification(
        place.user, **_confirmation(place, own_cancelled=own_cancelled, just_booked=just_booked), key_is_new=just_booked
    )


def confirmation_row(place: Place, *, own_cancelled: int | None = None) -> Notification:
    """The confirmation of a place just booked (``queue_confirmation``'s, ``just_booked``) as an
    outbox row not yet saved, for a booking that writes it with the place in one statement
    (capacity.take_booked_place)."""
    return outbox_row(place.user, **_confirmation(place, own_cancelled=own_cancelled, just_booked=True))


def _confirmation(place: Place, *, own_cancelled: int | None, just_booked: bool) -> dict[str, Any]:
    session = place.session
    group = session.group
    context = group_context(session) | {
        "location": group.location,
        "online_link": session_link(session),
        "ground_rules": group.ground_rules,
    }
    return {
        "kind": GroupNotificationKind.PLACE_BOOKED,
        "key": f"group-place:{place.pk}:booked" + ("" if just_booked else f":{session.sequence}"),
        "context": context,
        "about": f"group-place:{place.pk}",
        "ics": group_session_ics(session, place.user, method="REQUEST", own_cancelled=own_cancelled),
    }


def queue_place_cancelled(place: Place, *, by: str, reason: str = "") -> None:
    """The person hears their place is cancelled, with a METHOD:CANCEL that takes it out of their
    calendar at the SEQUENCE their feed now shows. ``by``: "you", "cohort" (they left it),
    "facilitator" or "commissioner"; the ``reason`` of someone else is passed on."""
    session = place.session
    queue_notification(
        place.user,
        GroupNotificationKind.PLACE_CANCELLED,
        key=f"group-place:{place.pk}:cancelled",
        context=group_context(session) | {"by": by, "reason": reason},
        about=f"group-place:{place.pk}",
        ics=group_session_ics(session, place.user, method="CANCEL"),
    )
