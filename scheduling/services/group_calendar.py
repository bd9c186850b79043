"""Reflective-group sessions as calendar entries: for the feed and for e-mailed invitations.

The entry names the group and its facilitator, never anyone else who is coming. The place or
link is included because only people with a place receive it (DESIGN.md §4).
"""

from __future__ import annotations

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone

from reflect.models import User
from scheduling.ical import CalendarEvent, calendar_text
from scheduling.models import GroupSession, SessionStatus


def group_session_event(
    session: GroupSession,
    *,
    cancelled: bool | None = None,
    sequence: int | None = None,
    stamp: datetime.datetime | None = None,
) -> CalendarEvent:
    group = session.group
    url = f"{settings.SITE_URL}/groups/sessions/{session.pk}/"
    description = f"Facilitated by {group.facilitator_name}.\n\nDetails: {url}"
    if group.online_link:
        description = f"Join online: {group.online_link}\n\n{description}"
    return CalendarEvent(
        uid=session.ics_uid,
        sequence=session.sequence if sequence is None else sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=group.title,
        stamp=stamp or session.updated_at or timezone.now(),
        description=description,
        location=group.location or group.online_link,
        url=url,
        cancelled=session.status == SessionStatus.CANCELLED if cancelled is None else cancelled,
    )


def group_session_ics(session: GroupSession, recipient: User, *, method: str, sequence: int | None = None) -> str:
    """An e-mailed invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for one person."""
    return calendar_text(
        [group_session_event(session, cancelled=method == "CANCEL", stamp=timezone.now(), sequence=sequence)],
        method=method,
        organizer=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        attendee=recipient.email,
    )
