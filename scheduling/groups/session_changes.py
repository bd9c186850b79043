"""A commissioner moves one session of a group, or cancels it, on its own.

Everyone with a place, an offer or a spot on the waitlist is told through the outbox, in the
change's transaction. Each change bumps the session's ``sequence`` (iCalendar SEQUENCE,
docs/architecture.md, "Time") and the notification's context carries the session's UID, sequence and
method, so the calendar module can attach an updated ``.ics`` (METHOD:REQUEST for a move,
METHOD:CANCEL for a cancellation) without these services knowing iCalendar.
"""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from reflect import wording
from reflect.enums import NotificationStatus
from reflect.errors import DomainError
from reflect.models import Notification, User
from reflect.queries import is_commissioner
from reflect.services.audit import record_audit
from reflect.services.notifications import cancel_notifications, queue_notification
from scheduling.groups.calendar import group_session_ics, session_link
from scheduling.groups.capacity import give_back_every_place, lock_session
from scheduling.groups.events import emit_session_cancelled
from scheduling.groups.notices import group_context, queue_confirmation, session_when
from scheduling.models import (
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from scheduling.models.groups import ACTIVE_WAITLIST_STATUSES
from scheduling.notification_kinds import GroupNotificationKind
from scheduling.video_links import checked_link, give_own_link

# Sessions are kept a year ahead; a move goes no further (and date arithmetic stays in range).
MOVE_HORIZON = datetime.timedelta(days=366)


def _check_commissioner(session: GroupSession, user: User) -> None:
    if not is_commissioner(user, session.group.pool):
        raise DomainError("Only the pool's commissioners can change its reflective groups' sessions.")


def _check_changeable(session: GroupSession, now: datetime.datetime) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(f"The session on {session_when(session)} has been cancelled, so it cannot be changed.")
    if session.starts_at <= now:
        raise DomainError(f"The session on {session_when(session)} has already started, so it cannot be changed.")


def calendar_context(session: GroupSession, method: str) -> dict[str, Any]:
    """What the calendar module needs to build the attached event: a stable UID, the sequence."""
    return {"calendar": {"uid": session.ics_uid, "sequence": session.sequence, "method": method}}


def _people_of(session: GroupSession) -> tuple[list[Place], list[WaitlistEntry]]:
    """Booked places and active waitlist entries, in the order they were made."""
    places = list(
        Place.objects.select_related("user", "organisation")
        .filter(session=session, status=PlaceStatus.BOOKED)
        .order_by("pk")
    )
    entries = list(
        WaitlistEntry.objects.select_related("user")
        .filter(session=session, status__in=ACTIVE_WAITLIST_STATUSES)
        .order_by("pk")
    )
    return places, entries


def _tell_everyone(
    session: GroupSession,
    kind: str,
    context: dict[str, Any],
    places: list[Place],
    entries: list[WaitlistEntry],
    *,
    last_heard: dict[str, object] | None = None,
) -> int:
    """Queue one message per person holding a place or waiting; keys carry the sequence, so a
    second move of the same session is a new message and a retried call is not.

    ``last_heard``: by what a message is about, the session's time as that person last heard
    it, where an earlier move's message to them was withdrawn unsent."""
    change = f"group-session:{session.pk}:{session.sequence}:{kind}"
    method = context["calendar"]["method"]
    last_heard = last_heard or {}

    def heard(about: str) -> dict[str, object]:
        return {"was": last_heard[about]} if about in last_heard else {}

    for place in places:
        queue_notification(
            place.user,
            kind,
            key=f"{change}:place:{place.pk}",
            context=context | {"has_place": True} | heard(f"group-place:{place.pk}"),
            about=f"group-place:{place.pk}",
            # Only people with a place have the session in their calendar: theirs is updated
            # (or removed) by the attached file, same UID, SEQUENCE one higher.
            ics=group_session_ics(session, place.user, method=method),
        )
    for entry in entries:
        queue_notification(
            entry.user,
            kind,
            key=f"{change}:waitlist:{entry.pk}",
            context=context | {"has_place": False} | heard(f"group-waitlist:{entry.pk}"),
            about=f"group-waitlist:{entry.pk}",
        )
    return len(places) + len(entries)


# What a move withdraws if still unsent, as it gives the old time. An offer still stands: it stays.
WITHDRAWN_ON_MOVE = (GroupNotificationKind.PLACE_BOOKED, GroupNotificationKind.SESSION_MOVED)
UNCONFIRMED = object()


def _withdraw_messages_with_the_old_time(places: list[Place], entries: list[WaitlistEntry]) -> dict[str, object]:
    """Withdraw the messages still waiting (a text held until morning, say) that give the
    session's old time: a place's confirmation, an earlier move's message. Returns, by what
    they were about, what the person has not yet heard: UNCONFIRMED when their confirmation
    had not gone, else the time the earliest withdrawn move said the session was at."""
    abouts = [f"group-place:{place.pk}" for place in places] + [f"group-waitlist:{entry.pk}" for entry in entries]
    unsent: dict[str, object] = {}
    waiting = Notification.objects.filter(
        about__in=abouts, status=NotificationStatus.PENDING, kind__in=WITHDRAWN_ON_MOVE
    ).order_by("pk")
    for about, kind, context in waiting.values_list("about", "kind", "context"):
        if kind == GroupNotificationKind.PLACE_BOOKED:
            unsent[about] = UNCONFIRMED
        else:
            unsent.setdefault(about, context["was"])
    cancel_notifications(abouts, kinds=WITHDRAWN_ON_MOVE)
    return unsent


def move_session(
    session: GroupSession,
    *,
    acting_user: User,
    starts_on: datetime.date,
    start_time: datetime.time,
    duration_minutes: int | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> GroupSession:
    """Give one session a new local date and time; places and the waitlist stay as they are."""
    now = now or timezone.now()
    with transaction.atomic():
        # The group row first: two sessions of one group moved to the same time at once must
        # not both pass the clash check below. Then the same lock as booking: nobody books or
        # is offered a place mid-move.
        ReflectiveGroup.objects.select_for_update(no_key=True).filter(pk=session.group_id).first()
        session = lock_session(session.pk)
        _check_commissioner(session, acting_user)
        _check_changeable(session, now)
        group = session.group
        minutes = duration_minutes or int((session.ends_at - session.starts_at).total_seconds() // 60)
        if not 15 <= minutes <= 8 * 60:
            raise DomainError("A session lasts between 15 minutes and 8 hours.", field="duration_minutes")
        if starts_on > (now + MOVE_HORIZON).date():
            raise DomainError("Choose a date within the next year.", field="starts_on")
        wall = datetime.datetime.combine(starts_on, start_time)
        zone = ZoneInfo(group.time_zone)
        starts_at = wall.replace(tzinfo=zone, fold=0).astimezone(datetime.UTC)
        if starts_at.astimezone(zone).replace(tzinfo=None) != wall:
            raise DomainError(
                f"{wording.clock(start_time)} does not exist on {wording.date(starts_on)}: the clocks go forward that night. "
                "Choose another time.",
                field="start_time",
            )
        if starts_at <= now:
            raise DomainError("Choose a time in the future.", field="starts_on")
        clash = GroupSession.objects.filter(group=group, starts_at=starts_at).exclude(pk=session.pk).first()
        if clash is not None:
            cancelled = " (it was cancelled)" if clash.status == SessionStatus.CANCELLED else ""
            raise DomainError(f"The group already has a session at that time{cancelled}.", field="starts_on")
        was = session_when(session)
        if session.original_starts_at is None:
            # Remember where the pattern put it, so the year-ahead task does not make it again.
            session.original_starts_at = session.starts_at
        session.starts_at = starts_at
        session.ends_at = starts_at + datetime.timedelta(minutes=minutes)
        session.sequence += 1
        session.save(update_fields=["starts_at", "ends_at", "original_starts_at", "sequence", "updated_at"])
        places, entries = _people_of(session)
        unsent = _withdraw_messages_with_the_old_time(places, entries)
        # Someone whose confirmation had not gone yet never heard the old time: they get the
        # confirmation, at the new one. Everyone else hears of the move, from the time they last heard.
        unconfirmed = [place for place in places if unsent.get(f"group-place:{place.pk}") == UNCONFIRMED]
        for place in unconfirmed:
            queue_confirmation(place)
        context = (
            group_context(session)
            | {"was": was, "note": note.strip(), "location": group.location, "online_link": session_link(session)}
            | calendar_context(session, "REQUEST")
        )
        told = len(unconfirmed) + _tell_everyone(
            session,
            GroupNotificationKind.SESSION_MOVED,
            context,
            [place for place in places if place not in unconfirmed],
            entries,
            last_heard=unsent,
        )
        record_audit("group_session.moved", actor=acting_user, target=session, was=was, told=told)
    return session


class _Following(Enum):
    """The default of ``cancel_session(following=...)``: look the next session up."""

    FIRST_STILL_SCHEDULED = "first still scheduled"


_FIRST_STILL_SCHEDULED: Final = _Following.FIRST_STILL_SCHEDULED


def cancel_session(
    session: GroupSession,
    *,
    acting_user: User,
    note: str = "",
    now: datetime.datetime | None = None,
    following: GroupSession | _Following | None = _FIRST_STILL_SCHEDULED,
) -> GroupSession:
    """Cancel one session: its places are given back, its waitlist closed, everyone told.

    The message names the group's next session: the first still scheduled, unless the caller
    cancelling several at once (``change_group``) names it, or None for none."""
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_session(session.pk)
        _check_commissioner(session, acting_user)
        _check_changeable(session, now)
        places, entries = _people_of(session)
        give_back_every_place(session, places, now)
        for entry in entries:
            cancel_notifications(f"group-waitlist:{entry.pk}")
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(status=WaitlistStatus.CLOSED)
        session.status = SessionStatus.CANCELLED
        session.sequence += 1
        session.save(update_fields=["status", "sequence", "updated_at"])
        context = group_context(session) | {"note": note.strip()} | calendar_context(session, "CANCEL")
        if following is _FIRST_STILL_SCHEDULED:
            following = (
                GroupSession.objects.filter(group=session.group, status=SessionStatus.SCHEDULED, starts_at__gt=now)
                .order_by("starts_at")
                .first()
            )
        context["next_when"] = session_when(following) if following else ""
        told = _tell_everyone(session, GroupNotificationKind.SESSION_CANCELLED, context, places, entries)
        record_audit("group_session.cancelled", actor=acting_user, target=session, told=told)
        emit_session_cancelled(session, now)
    return session


def set_session_link(
    session: GroupSession, link: str, *, acting_user: User, now: datetime.datetime | None = None
) -> GroupSession:
    """Give one session its own video link (blank: the group's standing link again). The
    group's facilitator or the pool's commissioners may; the calendar entries of the people
    with a place take it (SEQUENCE + 1, a new stamp for the feeds)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_session(session.pk)
        group = session.group
        facilitates = group.facilitator is not None and group.facilitator.user_id == acting_user.pk
        if not facilitates:
            _check_commissioner(session, acting_user)
        _check_changeable(session, now)
        if give_own_link(session, checked_link(link, required=False)):
            record_audit("group_session.link_changed", actor=acting_user, target=session)
    return session
