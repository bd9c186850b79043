"""A reflective group's details: creating a group (its first year of sessions is generated) and
changing one as it runs (its coming sessions follow), here or in the admin.

Moving or cancelling one session on its own is scheduling/groups/session_changes.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import Organisation, Pool, User
from reflect.queries import is_commissioner, is_pool_lead, is_pool_member
from reflect.services.audit import record_audit
from reflect.services.ledger import ledger_months_held_for
from reflect.services.notifications import queue_notification
from scheduling.groups.calendar import group_session_ics, session_link
from scheduling.groups.capacity import held_offers
from scheduling.groups.notices import group_context, session_when
from scheduling.groups.recurrence import check_pattern, coming_starts, generate_sessions
from scheduling.groups.session_changes import cancel_session
from scheduling.groups.waitlist import offer_freed_places
from scheduling.models import (
    CohortMembership,
    GroupKind,
    GroupPurpose,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from scheduling.notification_kinds import GroupNotificationKind


def _check_group(
    group: ReflectiveGroup, eligible: list[Organisation], *, today_for_first_date: datetime.date | None
) -> None:
    """What a group must be, created or changed; DomainError naming the field otherwise.

    Its pattern is bounded (recurrence.check_pattern, docs/security.md): at most weekly, at most
    GROUP_MAX_SESSIONS_PER_YEAR a year, within its pool; a new group's first date not before
    ``today_for_first_date`` (None when changing: the first date cannot change)."""
    if group.purpose == GroupPurpose.COMMUNITY:
        # Peer-led: a host from the pool's own staff, and no facilitator required (docs/groups.md, "Purposes").
        if group.host is None or not is_pool_member(group.host, group.pool):
            raise DomainError("Name a host who is staff of one of this pool's organisations.", field="host_email")
        # The host keeps the register, which names who came: a lead must never learn which of
        # their staff go to a group (docs/groups.md, "Purposes").
        if is_pool_lead(group.host, group.pool):
            raise DomainError(
                "Name a host who does not lead an organisation in this pool: the host sees who comes, "
                "and a lead must not see which of their staff do.",
                field="host_email",
            )
    elif group.host_id is not None:
        raise DomainError("Only a community of practice has a host.", field="host_email")
    elif group.purpose == GroupPurpose.LEARNING and group.facilitator_id is None:
        # Someone who signs in keeps the register: marking people attended is what meets their
        # learning need, which an external name alone could not (docs/learning.md). Training run
        # elsewhere is shared as an external course instead.
        raise DomainError("Choose the facilitator: the supervisor who runs the session.", field="facilitator")
    elif group.facilitator_id is None and not group.external_facilitator_name:
        raise DomainError("Choose a supervisor or name an external facilitator.", field="facilitator")
    if group.facilitator is not None and not group.facilitator.is_verified:
        raise DomainError("Choose a verified supervisor as the facilitator.", field="facilitator")
    if group.capacity < 1:
        raise DomainError("A group needs room for at least one person.", field="capacity")
    try:
        ZoneInfo(group.time_zone)
    except (ValueError, KeyError):
        raise DomainError("Enter a time zone such as Europe/London.", field="time_zone") from None
    if group.last_date is not None and group.last_date < group.first_date:
        raise DomainError("The last date must be on or after the first date.", field="last_date")
    check_pattern(group, pool_ends_on=group.pool.ends_on, today=today_for_first_date)
    pool_organisation_ids = set(group.pool.organisations.values_list("pk", flat=True))
    if any(organisation.pk not in pool_organisation_ids for organisation in eligible):
        raise DomainError("Choose organisations from this pool.", field="eligible_organisations")
    if not group.all_pool_organisations and not eligible:
        raise DomainError("Choose at least one organisation, or open the group to all.", field="eligible_organisations")


@dataclass(frozen=True)
class GroupPreview:
    """What creating a group would make, shown before it is saved."""

    starts: list[datetime.datetime]  # the first sessions' starts, at most ``shown``
    total: int  # sessions generated now (a year ahead, or to the pool's end)
    last_start: datetime.datetime | None  # the last of them
    ends_on: datetime.date  # the pool's end or the group's last date, whichever is first
    stops_at_pool_end: bool  # the series stops because the pool ends (not at a last date)


def _new_group(
    pool: Pool, acting_user: User, eligible: list[Organisation], now: datetime.datetime, fields: dict[str, Any]
) -> ReflectiveGroup:
    """The group as it would be created, checked but not saved; DomainError otherwise."""
    if not is_commissioner(acting_user, pool):
        raise DomainError("Only the pool's commissioners can create its reflective groups.")
    group = ReflectiveGroup(pool=pool, **fields)
    try:
        today = now.astimezone(ZoneInfo(group.time_zone)).date()
    except (ValueError, KeyError, OSError):
        today = None  # no such zone: _check_group says so
    _check_group(group, eligible, today_for_first_date=today or now.date())
    return group


def preview_group(
    pool: Pool,
    *,
    acting_user: User,
    eligible_organisations: Iterable[Organisation] = (),
    now: datetime.datetime | None = None,
    shown: int = 6,
    **fields: Any,
) -> GroupPreview:
    """The group's first dates before it is created, with the same checks as ``create_group``
    and nothing written (docs/groups.md, "Creating a group")."""
    now = now or timezone.now()
    group = _new_group(pool, acting_user, list(eligible_organisations), now, fields)
    starts = coming_starts(group, now=now)
    ends_on = min(pool.ends_on, group.last_date or pool.ends_on)
    return GroupPreview(
        starts=starts[:shown],
        total=len(starts),
        last_start=starts[-1] if starts else None,
        ends_on=ends_on,
        stops_at_pool_end=group.last_date is None or group.last_date >= pool.ends_on,
    )


def create_group(
    pool: Pool,
    *,
    acting_user: User,
    eligible_organisations: Iterable[Organisation] = (),
    now: datetime.datetime | None = None,
    **fields: Any,
) -> ReflectiveGroup:
    """A commissioner creates a group in their pool; its first year of sessions is generated."""
    eligible = list(eligible_organisations)
    now = now or timezone.now()
    with transaction.atomic():
        group = _new_group(pool, acting_user, eligible, now, fields)
        group.save()
        if eligible and not group.all_pool_organisations:
            group.eligible_organisations.set(eligible)
        generate_sessions(group, now=now)
        record_audit("reflective_group.created", actor=acting_user, target=group, pool=pool.pk)
    return group


# What a commissioner may change once a group runs. When and how long it meets (the pattern,
# the first date, the start, the length, the clock) and its kind are what people booked; a
# session is moved on its own, or a new group made.
CHANGEABLE = frozenset(
    {
        "title",
        "description",
        "facilitator",
        "external_facilitator_name",
        "external_facilitator_email",
        "host",
        "last_date",
        "location",
        "online_link",
        "capacity",
        "overbooking_percent",
        "booking_opens_days",
        "all_pool_organisations",
        "ground_rules",
        "confidentiality_statement",
    }
)


@dataclass(frozen=True)
class GroupChange:
    group: ReflectiveGroup
    told_where: int  # people with places told where the group now meets
    cancelled: int  # sessions after a new, earlier last date
    added: int  # sessions made by a later (or no) last date
    offered: int  # waitlist places given or offered thanks to more room


def change_group(
    group: ReflectiveGroup,
    *,
    acting_user: User,
    eligible_organisations: Iterable[Organisation] | None = None,
    now: datetime.datetime | None = None,
    **changes: Any,
) -> GroupChange:
    """Change a running group's details. Its coming sessions follow: their room (never below
    the places booked or held for an offer; more room goes to the waitlist at once), their
    end (sessions after an earlier last date are cancelled, everyone told), and where they
    meet (each person with a place is told once, with the next session's updated invitation)."""
    now = now or timezone.now()
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise DomainError("When a group meets cannot be changed; move its sessions one by one, or make a new group.")
    if not is_commissioner(acting_user, group.pool):
        raise DomainError("Only the pool's commissioners can change its reflective groups.")
    with transaction.atomic():
        # The group row first, then its coming sessions in id order: the order booking and
        # session changes take them in, so none of them can wait on us while we wait on it.
        group = ReflectiveGroup.objects.select_for_update(no_key=True).get(pk=group.pk)
        if group.kind == GroupKind.COHORT and "last_date" in changes:
            lock_cohort_members(group)
        was = {name: getattr(group, name) for name in CHANGEABLE}
        was_limit = group.place_limit
        was_eligible = set(group.eligible_organisations.values_list("pk", flat=True))
        for name, value in changes.items():
            setattr(group, name, value)
        eligible = list(eligible_organisations) if eligible_organisations is not None else None
        if group.all_pool_organisations:
            eligible = []
        _check_group(
            group,
            eligible if eligible is not None else list(group.eligible_organisations.all()),
            today_for_first_date=None,
        )
        coming = list(
            GroupSession.objects.select_for_update()
            .filter(group=group, status=SessionStatus.SCHEDULED, starts_at__gt=now)
            .order_by("pk")
        )
        for session in coming:
            session.group = group  # as changed: messages below name its new title, place, room
        limit = group.place_limit
        ending = [session for session in coming if _after_last_date(session, group)]
        staying = [session for session in coming if not _after_last_date(session, group)]
        for session in staying:
            if limit < session.places_taken + held_offers(session, now):
                raise DomainError(
                    f"The session on {session_when(session)} has more places booked or offered than that. "
                    "Keep the room as it is, or cancel that session first.",
                    field="capacity",
                )
        group.save()
        if eligible is not None:
            group.eligible_organisations.set(eligible)
        # Their messages name the next session that stays, not one being cancelled with them.
        following = min(staying, key=lambda session: session.starts_at, default=None)
        # Each cancellation records its places' organisations in organisation order, but one
        # session after another they are in no order (the first X and Z, the next Y), and a
        # single cancellation elsewhere at once (X then Y) would deadlock with us on those
        # months' rows. More room is given to each session's waitlist in turn, and a later last
        # date books a cohort's members into its new sessions: the same again, against another
        # group doing so in another order. So hold every month we may add to first, in (kind,
        # organisation) order. The places and waitlists cannot change meanwhile: their sessions
        # are locked above. (A member who joins the cohort meanwhile is held only by book_members,
        # after the rest: the one case this order does not cover.)
        with ledger_months_held_for(group.pool, _months_to_hold(group, ending, staying, limit > was_limit, was), now):
            for session in ending:
                cancel_session(
                    session, acting_user=acting_user, note="The group now ends earlier.", now=now, following=following
                )
            offered = 0
            if limit != was_limit:
                GroupSession.objects.filter(pk__in=[s.pk for s in staying]).update(place_limit=limit)
                for session in staying:
                    session.place_limit = limit
                    if limit > was_limit:
                        offered += len(offer_freed_places(session, now))
            told = 0
            if any(getattr(group, name) != was[name] for name in IN_THE_CALENDAR):
                _renew_calendar_entries(staying, now)
            if (group.location, group.online_link) != (was["location"], was["online_link"]):
                told = _tell_where_it_meets(group, staying)
            # A later (or no) last date: the sessions up to it, now rather than at the next top-up.
            added = len(generate_sessions(group, now=now)) if group.last_date != was["last_date"] else 0
        changed = sorted(name for name in CHANGEABLE if getattr(group, name) != was[name])
        if eligible is not None and {o.pk for o in eligible} != was_eligible:
            changed.append("eligible_organisations")
        record_audit("reflective_group.changed", actor=acting_user, target=group, fields=changed)
    return GroupChange(group=group, told_where=told, cancelled=len(ending), added=added, offered=offered)


def lock_cohort_members(group: ReflectiveGroup) -> None:
    """A cohort's current members, before its sessions: a new last date may book them into new
    sessions (generate_sessions), and a member leaving takes their membership, then their
    sessions (leave_cohort) — taken the other way round, the two would deadlock."""
    list(
        CohortMembership.objects.select_for_update(of=("self",))
        .filter(group=group, left_at__isnull=True)
        .order_by("pk")
        .only("pk")
    )


def _months_to_hold(
    group: ReflectiveGroup,
    ending: list[GroupSession],
    staying: list[GroupSession],
    more_room: bool,
    was: dict[str, Any],
) -> dict[str, list[int]]:
    """The ledger months ``change_group`` may add to, by kind: the places it cancels; the
    waitlists that more room is given to (a place taken and booked, or offered); the places of
    a cohort's members in the sessions a later last date adds."""
    held: dict[str, list[int]] = {
        LedgerKind.PLACE_CANCELLED: list(
            Place.objects.filter(session__in=ending, status=PlaceStatus.BOOKED).values_list(
                "organisation_id", flat=True
            )
        )
    }
    if more_room:
        for organisation_id, auto_accept in WaitlistEntry.objects.filter(
            session__in=staying, status=WaitlistStatus.WAITING
        ).values_list("organisation_id", "auto_accept"):
            kinds = (
                (LedgerKind.WAITLIST_TAKEN, LedgerKind.PLACE_BOOKED) if auto_accept else (LedgerKind.WAITLIST_OFFERED,)
            )
            for kind in kinds:
                held.setdefault(kind, []).append(organisation_id)
    if group.kind == GroupKind.COHORT and group.last_date != was["last_date"]:
        held.setdefault(LedgerKind.PLACE_BOOKED, []).extend(
            CohortMembership.objects.filter(group=group, left_at__isnull=True).values_list("organisation_id", flat=True)
        )
    return held


def sessions_a_last_date_ends(
    group: ReflectiveGroup, last_date: datetime.date | None, *, now: datetime.datetime | None = None
) -> int:
    """How many coming sessions a new last date would cancel: asked before the change is made,
    so the page can say so and ask first (issue 18, "Forgiving"). A read; one query."""
    if last_date is None:
        return 0
    zone = ZoneInfo(group.time_zone)
    # After the end of the last date on the group's own clock.
    after = datetime.datetime.combine(last_date, datetime.time.max, tzinfo=zone)
    coming = GroupSession.objects.filter(
        group=group, status=SessionStatus.SCHEDULED, starts_at__gt=now or timezone.now()
    )
    return coming.filter(starts_at__gt=after).count()


def _after_last_date(session: GroupSession, group: ReflectiveGroup) -> bool:
    if group.last_date is None:
        return False
    return session.starts_at.astimezone(ZoneInfo(group.time_zone)).date() > group.last_date


# What a session's calendar entry says of its group (scheduling/groups/calendar.py):
# a change to any of these is a new version of every coming session's entry.
IN_THE_CALENDAR = (
    "title",
    "facilitator",
    "external_facilitator_name",
    "external_facilitator_email",
    "location",
    "online_link",
)


def group_saved_in_admin(
    group: ReflectiveGroup, *, changed: Iterable[str], acting_user: User, now: datetime.datetime | None = None
) -> None:
    """The admin saved a group's details: its coming sessions' calendar entries follow, as
    after ``change_group``, and the change is audited like one."""
    now = now or timezone.now()
    changed = sorted(changed)
    if set(changed) & set(IN_THE_CALENDAR):
        coming = list(group.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now))
        _renew_calendar_entries(coming, now)
    record_audit("reflective_group.changed", actor=acting_user, target=group, fields=changed, via="admin")


def _renew_calendar_entries(sessions: list[GroupSession], now: datetime.datetime) -> None:
    """SEQUENCE + 1 and a new stamp, so subscribed calendars and feeds (ETag, Last-Modified)
    take the changed entry."""
    GroupSession.objects.filter(pk__in=[s.pk for s in sessions]).update(sequence=F("sequence") + 1, updated_at=now)
    for session in sessions:
        session.sequence += 1
        session.updated_at = now


def _tell_where_it_meets(group: ReflectiveGroup, sessions: list[GroupSession]) -> int:
    """Each person with a place hears once, with their next session's new invitation attached."""
    if not sessions:
        return 0
    by_pk = {session.pk: session for session in sessions}
    theirs: dict[int, list[Place]] = {}
    for place in (
        Place.objects.filter(session_id__in=by_pk, status=PlaceStatus.BOOKED)
        .select_related("user")
        .order_by("session__starts_at", "pk")
    ):
        theirs.setdefault(place.user_id, []).append(place)
    for places in theirs.values():
        first = places[0]
        session = by_pk[first.session_id]
        queue_notification(
            first.user,
            GroupNotificationKind.WHERE_CHANGED,
            key=f"group-session:{session.pk}:{session.sequence}:where:{first.user_id}",
            context=_where_it_meets(group, session, [by_pk[place.session_id] for place in places]),
            about=f"group-place:{first.pk}",
            ics=group_session_ics(session, first.user, method="REQUEST"),
        )
    _tell_the_facilitator(group, sorted(sessions, key=lambda session: session.starts_at))
    return len(theirs)


def _where_it_meets(group: ReflectiveGroup, first: GroupSession, sessions: list[GroupSession]) -> dict[str, Any]:
    """The message's context: the group at its first session here, where it now meets, and when."""
    return group_context(first) | {
        "location": group.location,
        "online_link": session_link(first),
        "sessions": [session_when(session) for session in sessions],
    }


def _tell_the_facilitator(group: ReflectiveGroup, sessions: list[GroupSession]) -> None:
    """The facilitator runs the sessions: they hear the new place too — an external one has
    no calendar feed in Reflect, so this message is how they learn it."""
    if not group.facilitator_email:
        return
    first = sessions[0]
    queue_notification(
        group.facilitator.user if group.facilitator is not None else None,
        GroupNotificationKind.WHERE_CHANGED,
        key=f"group-session:{first.pk}:{first.sequence}:where:facilitator",
        context=_where_it_meets(group, first, sessions) | {"facilitating": True, "hosted": group.is_hosted, "url": ""},
        email="" if group.facilitator_id else group.facilitator_email,
        about=f"group:{group.pk}",
    )
