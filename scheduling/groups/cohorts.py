"""Cohort groups: applying with your times, the commissioner's preview and confirmation, and
booking members' places in each session (the filling itself is pure:
scheduling/groups/cohort_filling.py).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import Membership, Organisation, Pool, User
from reflect.queries import is_commissioner
from reflect.services.audit import record_audit
from reflect.services.ledger import ledger_months_held
from reflect.services.notifications import queue_notification
from reflect.services.preferences import preferences_for
from scheduling.groups.capacity import active_place, held_offers, lock_session, places_free, take_place
from scheduling.groups.cohort_filling import Applicant, Availability, Cohort, CohortTimes, fill_cohorts
from scheduling.groups.notices import session_when
from scheduling.groups.places import cancel_place
from scheduling.models import (
    ApplicationStatus,
    CohortApplication,
    CohortMembership,
    GroupKind,
    GroupSession,
    GroupStatus,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
)
from scheduling.notification_kinds import GroupNotificationKind

DEFAULT_ORGANISATION_CAP = 2


def cohort_groups(pool: Pool, *, now: datetime.datetime | None = None) -> list[ReflectiveGroup]:
    """The pool's running cohorts that can still take people: those whose term has not ended."""
    today = timezone.localdate(now or timezone.now())
    return list(
        ReflectiveGroup.objects.filter(pool=pool, kind=GroupKind.COHORT, status=GroupStatus.ACTIVE)
        .exclude(last_date__lt=today)
        .select_related("facilitator__user")
        .prefetch_related("eligible_organisations")
        .order_by("pk")
    )


def staff_organisation_in(pool: Pool, user: User) -> Organisation:
    membership = (
        Membership.objects.current()
        .filter(user=user, organisation__pools=pool)
        .select_related("organisation")
        .order_by("organisation__name")
        .first()
    )
    if membership is None:
        raise DomainError(f"Cohorts in {pool.name} are for staff of its organisations, and you are not staff of one.")
    return membership.organisation


def apply_for_cohort(
    pool: Pool,
    *,
    acting_user: User,
    weekdays: Iterable[int] = (),
    earliest_start: datetime.time | None = None,
    latest_end: datetime.time | None = None,
    now: datetime.datetime | None = None,
) -> CohortApplication:
    """Apply (or change the times of a waiting application) to join one of the pool's cohorts."""
    now = now or timezone.now()
    days = sorted({int(day) for day in weekdays})
    if any(not 0 <= day <= 6 for day in days):
        raise DomainError("Choose days of the week from the list.", field="weekdays")
    if earliest_start and latest_end and latest_end <= earliest_start:
        raise DomainError("The latest finish must be after the earliest start.", field="latest_end")
    with transaction.atomic():
        organisation = staff_organisation_in(pool, acting_user)
        if not cohort_groups(pool, now=now):
            raise DomainError(f"{pool.name} has no cohort groups to join at the moment.")
        # Two submissions at once (a double click, two tabs) queue on the person's own row, which
        # always exists, so they make one application; locking the application itself cannot
        # hold when there is none yet.
        User.objects.select_for_update().get(pk=acting_user.pk)
        existing = (
            CohortApplication.objects.select_for_update()
            .filter(pool=pool, user=acting_user, status__in=[ApplicationStatus.WAITING, ApplicationStatus.ASSIGNED])
            .first()
        )
        if existing is not None and existing.status == ApplicationStatus.ASSIGNED:
            assert existing.cohort is not None  # an assigned application has its cohort
            raise DomainError(f"You already have a place in the cohort {existing.cohort.title}.")
        application = existing or CohortApplication(pool=pool, user=acting_user, applied_at=now)
        application.organisation = organisation
        application.weekdays = days
        application.earliest_start = earliest_start
        application.latest_end = latest_end
        application.save()
        record_audit("cohort_application.saved", actor=acting_user, target=application, pool=pool.pk)
    return application


def withdraw_application(application: CohortApplication, *, acting_user: User) -> CohortApplication:
    with transaction.atomic():
        application = CohortApplication.objects.select_for_update().get(pk=application.pk)
        if application.user_id != acting_user.pk:
            raise DomainError("That is not your application.")
        if application.status == ApplicationStatus.WAITING:
            application.status = ApplicationStatus.WITHDRAWN
            application.save(update_fields=["status"])
    return application


def leave_cohort(
    membership: CohortMembership, *, acting_user: User, now: datetime.datetime | None = None
) -> CohortMembership:
    """A member leaves their cohort: their places in its sessions to come are given up (each
    freed place goes to whoever waits first, as any cancellation does), no new session books
    them, and they may apply again. A second click changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        membership = CohortMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.user_id != acting_user.pk:
            raise DomainError("That is not your cohort.")
        if membership.left_at is not None:
            return membership
        membership.left_at = now
        membership.save(update_fields=["left_at"])
        places = Place.objects.filter(
            user=acting_user,
            session__group_id=membership.group_id,
            status=PlaceStatus.BOOKED,
            session__starts_at__gt=now,
        ).order_by("session_id")
        # Every session first, in id order (as everywhere): cancelling writes to the ledger's
        # months, and no session lock may be waited for while holding one of those (book_members).
        for session_id in sorted({place.session_id for place in places}):
            lock_session(session_id)
        for place in places:
            cancel_place(place, acting_user=acting_user, now=now, leaving_cohort=True)
        CohortApplication.objects.filter(
            user=acting_user, cohort_id=membership.group_id, status=ApplicationStatus.ASSIGNED
        ).update(status=ApplicationStatus.WITHDRAWN)
        record_audit("cohort_membership.left", actor=acting_user, target=membership)
    return membership


def cohort_times(group: ReflectiveGroup, now: datetime.datetime) -> CohortTimes:
    """The group's meeting days (from its coming sessions, as its pattern put them) and hours."""
    zone = ZoneInfo(group.time_zone)
    starts = [
        original or start
        for start, original in group.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", "original_starts_at")[:6]
    ]
    weekdays = frozenset(start.astimezone(zone).weekday() for start in starts)
    end = datetime.datetime.combine(datetime.date(2000, 1, 1), group.start_time) + datetime.timedelta(
        minutes=group.duration_minutes
    )
    return CohortTimes(weekdays=weekdays, start=group.start_time, end=end.time())


def availability_of(application: CohortApplication) -> Availability:
    """Their stated times, with their "no sessions before" contact preference as a floor."""
    floor = preferences_for(application.user).no_sessions_before
    earliest = application.earliest_start
    if floor is not None and (earliest is None or floor > earliest):
        earliest = floor
    return Availability(
        weekdays=frozenset(application.weekdays), earliest_start=earliest, latest_end=application.latest_end
    )


@dataclass(frozen=True)
class ProposedPlace:
    application: CohortApplication
    group: ReflectiveGroup


@dataclass(frozen=True)
class CohortProposal:
    placed: list[ProposedPlace]
    unplaced: list[tuple[CohortApplication, str]]
    groups: list[ReflectiveGroup]
    fingerprint: str  # what the preview was computed from: confirming checks nothing changed


def _fingerprint(applications: list[CohortApplication], cohorts: list[Cohort], cap: int) -> str:
    parts = [f"cap={cap}"]
    parts += [f"a{a.pk}:{a.organisation_id}:{a.weekdays}:{a.earliest_start}:{a.latest_end}" for a in applications]
    parts += [f"c{c.key}:{c.places}:{sorted(c.members_by_organisation.items())}" for c in cohorts]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def propose_cohorts(
    pool: Pool, *, organisation_cap: int = DEFAULT_ORGANISATION_CAP, now: datetime.datetime | None = None
) -> CohortProposal:
    """The assignment a commissioner previews: nothing is saved."""
    now = now or timezone.now()
    groups = cohort_groups(pool, now=now)
    applications = list(
        CohortApplication.objects.filter(pool=pool, status=ApplicationStatus.WAITING)
        .select_related("user", "organisation")
        .order_by("pk")
    )
    cohorts = []
    for group in groups:
        members = CohortMembership.objects.filter(group=group, left_at__isnull=True)
        by_organisation: dict[int, int] = {}
        for organisation_id in members.values_list("organisation_id", flat=True):
            by_organisation[organisation_id] = by_organisation.get(organisation_id, 0) + 1
        cohorts.append(
            Cohort(
                key=group.pk,
                places=group.capacity - sum(by_organisation.values()),
                times=cohort_times(group, now),
                organisation_ids=None
                if group.all_pool_organisations
                else frozenset(o.pk for o in group.eligible_organisations.all()),
                members_by_organisation=by_organisation,
            )
        )
    fill = fill_cohorts(
        [Applicant(key=a.pk, organisation_id=a.organisation_id, availability=availability_of(a)) for a in applications],
        cohorts,
        organisation_cap=organisation_cap,
    )
    by_pk = {group.pk: group for group in groups}
    return CohortProposal(
        placed=[ProposedPlace(a, by_pk[fill.placements[a.pk]]) for a in applications if a.pk in fill.placements],
        unplaced=[(a, fill.unplaced[a.pk]) for a in applications if a.pk in fill.unplaced],
        groups=groups,
        fingerprint=_fingerprint(applications, cohorts, organisation_cap),
    )


def confirm_cohorts(
    pool: Pool,
    *,
    acting_user: User,
    fingerprint: str,
    organisation_cap: int = DEFAULT_ORGANISATION_CAP,
    now: datetime.datetime | None = None,
) -> list[CohortMembership]:
    """Make the previewed assignment real: members, their places in each coming session, and a
    message to each. If anything changed since the preview, nothing is saved and we say so."""
    now = now or timezone.now()
    if not is_commissioner(acting_user, pool):
        raise DomainError("Only the pool's commissioners can fill its cohorts.")
    with transaction.atomic():
        # Lock the waiting applications (in id order) so none is changed or withdrawn between
        # the check against the preview and the members being made.
        list(
            CohortApplication.objects.select_for_update()
            .filter(pool=pool, status=ApplicationStatus.WAITING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        proposal = propose_cohorts(pool, organisation_cap=organisation_cap, now=now)
        if proposal.fingerprint != fingerprint:
            raise DomainError(
                "Applications or cohorts changed since you looked at the proposal. Check the new one and confirm again."
            )
        memberships = []
        for proposed in proposal.placed:
            application = proposed.application
            memberships.append(
                CohortMembership.objects.create(
                    group=proposed.group, user=application.user, organisation=application.organisation, joined_at=now
                )
            )
            application.status = ApplicationStatus.ASSIGNED
            application.cohort = proposed.group
            application.save(update_fields=["status", "cohort"])
        booked = book_members(memberships, now=now)
        for membership in memberships:
            _tell_member(membership, booked.get(membership.pk, []))
        record_audit("cohorts.filled", actor=acting_user, target=pool, placed=len(memberships))
    return memberships


def book_members(
    memberships: list[CohortMembership],
    *,
    sessions: Iterable[GroupSession] | None = None,
    now: datetime.datetime,
) -> dict[int, list[GroupSession]]:
    """Book each member a place in each coming session of their cohort (or in ``sessions``).

    Each session is locked once, in id order (the fixed lock order), and places are taken with
    the same helper as a booking, so the capacity rules hold. Returns the sessions each
    membership got a place in; a full session is skipped.
    """
    by_group: dict[int, list[CohortMembership]] = {}
    for membership in memberships:
        by_group.setdefault(membership.group_id, []).append(membership)
    if sessions is None:
        session_ids = list(
            GroupSession.objects.filter(group_id__in=by_group, status=SessionStatus.SCHEDULED, starts_at__gt=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    else:
        session_ids = sorted(session.pk for session in sessions)
    # Every session is locked before any place is written: a place's ledger entry locks its
    # organisation's month of totals until commit, and a booking holding the next session's
    # lock may be waiting for that month — so no session lock is waited for while holding one.
    locked = [lock_session(session_id) for session_id in session_ids]
    booked: dict[int, list[GroupSession]] = {}
    if not locked:
        return booked
    # Session after session, the members' organisations come in no overall order, and another
    # cohort booked (or a group given more room) at once may take them in the other: so their
    # months of booked places are held first, in organisation order (after the sessions, as
    # every booking takes them).
    organisation_ids = [membership.organisation_id for membership in memberships]
    with ledger_months_held(locked[0].group.pool, LedgerKind.PLACE_BOOKED, organisation_ids, now):
        for session in locked:
            if session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
                continue
            # The one rule for room (capacity.places_free): places held for waitlist offers are
            # not free, or accepting such an offer would go over the limit.
            held = held_offers(session, now)
            for membership in by_group.get(session.group_id, []):
                if active_place(session, membership.user) is not None:
                    continue
                if places_free(session, held) == 0:
                    break
                # No confirmation for each: the members hear of all their sessions in one message.
                take_place(session, membership.user, membership.organisation, now)
                booked.setdefault(membership.pk, []).append(session)
    return booked


def _tell_member(membership: CohortMembership, sessions: list[GroupSession]) -> None:
    group = membership.group
    queue_notification(
        membership.user,
        GroupNotificationKind.COHORT_ASSIGNED,
        key=f"cohort-membership:{membership.pk}:assigned",
        context={
            "title": group.title,
            "facilitator": group.facilitator_name,
            "hosted": group.is_hosted,
            "sessions": [session_when(session) for session in sorted(sessions, key=lambda s: s.starts_at)],
            "location": group.location,
            "online_link": group.online_link,
            "ground_rules": group.ground_rules,
            "url": settings.SITE_URL + reverse("group_my_places"),
        },
        about=f"cohort-membership:{membership.pk}",
    )


def book_members_into_new_sessions(group: ReflectiveGroup, sessions: list[GroupSession], now: datetime.datetime) -> int:
    """The year-ahead task made new sessions for a cohort: its members get places in them too."""
    if not sessions:
        return 0
    with transaction.atomic():
        # Locked, as leave_cohort locks the membership: someone leaving meanwhile is not booked.
        members = list(
            CohortMembership.objects.select_for_update(of=("self",))
            .filter(group=group, left_at__isnull=True)
            .select_related("user", "group")
            .order_by("pk")
        )
        booked = book_members(members, sessions=sessions, now=now)
    return sum(len(got) for got in booked.values())
