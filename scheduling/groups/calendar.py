"""Reflective-group sessions as calendar entries: for the feed and for e-mailed invitations.

The entry names the group and its facilitator, never anyone else who is coming. The place or
link is included because only people with a place receive it (docs/architecture.md, "Confidentiality").
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from reflect.models import User
from scheduling.ical import CalendarEvent, Party, calendar_text, mailbox
from scheduling.models import GroupSession, Place, PlaceStatus, SessionStatus
from scheduling.video_links import video_link


def group_session_event(
    session: GroupSession,
    *,
    cancelled: bool | None = None,
    sequence: int | None = None,
    stamp: datetime.datetime | None = None,
    with_place: bool = True,
    alarm_hours: tuple[int, ...] = (),
) -> CalendarEvent:
    """One session as a calendar event. ``with_place`` only for people with a place (and the
    facilitator): the group's published schedule says when, never where or the link.
    ``alarm_hours``: the person's reminders, for their own feed."""
    group = session.group
    url = f"{settings.SITE_URL}/groups/sessions/{session.pk}/"
    description = f"{group.led_by_words}.\n\nDetails: {url}"
    link = session_link(session) if with_place else ""
    if link:
        description = f"Join online: {link}\n\n{description}"
    return CalendarEvent(
        uid=session.ics_uid,
        sequence=session.sequence if sequence is None else sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=group.title,
        stamp=stamp or session.updated_at or timezone.now(),
        description=description,
        location=(group.location or link) if with_place else "",
        url=url,
        cancelled=session.status == SessionStatus.CANCELLED if cancelled is None else cancelled,
        conference=video_link(link),
        alarm_hours=alarm_hours if with_place else (),
    )


def session_link(session: GroupSession) -> str:
    """The session's own video link if it has one, else the group's standing link. Only for
    people with a place and the facilitator."""
    return session.online_link or session.group.online_link


# The reason given to places given back because their session was cancelled: that change is
# the session's own (its SEQUENCE goes up), not the person's.
SESSION_CANCELLED = "The session was cancelled."


def own_cancellations(user: User | int) -> Q:
    """A person's places cancelled on their own — by them, the facilitator or a commissioner — not
    given back with a cancelled session (whose own SEQUENCE went up instead)."""
    return Q(user=user, status=PlaceStatus.CANCELLED) & ~Q(cancel_reason=SESSION_CANCELLED)


def personal_sequence(session: GroupSession, user: User, *, own_cancelled: int | None = None) -> int:
    """The SEQUENCE of this person's copy of the session: the session's own, plus one for each
    of their places in it cancelled on its own (own_cancellations) — so the cancellation, and
    booking again after it, move forward, and a later change still supersedes. The feed uses the same rule as an annotation
    (calendar_feed.cancelled_places_of). ``own_cancelled``: that count, when already read
    (booking reads it with the person's places, before the session lock)."""
    if own_cancelled is None:
        own_cancelled = Place.objects.filter(own_cancellations(user), session=session).count()
    return session.sequence + own_cancelled


def group_session_file(session: GroupSession, user: User) -> str:
    """The session as a download, the same entry as in the person's feed (no METHOD): at their
    own SEQUENCE for someone with a place, at the session's for its facilitator."""
    group = session.group
    facilitating = (group.facilitator is not None and group.facilitator.user_id == user.pk) or group.host_id == user.pk
    sequence = session.sequence if facilitating else personal_sequence(session, user)
    return calendar_text([group_session_event(session, sequence=sequence)])


def group_session_ics(session: GroupSession, recipient: User, *, method: str, own_cancelled: int | None = None) -> str:
    """An e-mailed invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for one person."""
    event = group_session_event(
        session,
        cancelled=method == "CANCEL",
        stamp=timezone.now(),
        sequence=personal_sequence(session, recipient, own_cancelled=own_cancelled),
        # A cancellation needs no place or link, and may go to someone taken off the session.
        with_place=method != "CANCEL",
    )
    return calendar_text(
        [event],
        method=method,
        organizer=session_organizer(session),
        attendee=Party(recipient.display_name, recipient.email),
    )


def session_organizer(session: GroupSession) -> Party:
    """The facilitator runs the session, so invitations come from them (a reply reaches a
    person); a group with no facilitator's address gets the bookings mailbox, never the
    no-reply sender (docs/calendars.md, "E-mail")."""
    group = session.group
    if group.facilitator_email:
        return Party(group.facilitator_name or group.facilitator_email, group.facilitator_email)
    return mailbox(settings.CALENDAR_REPLY_EMAIL)
