"""Booking and cancelling places in a reflective group's sessions (DESIGN.md §4, "Capacity").

Every change to a session's places happens under a lock on the session row, taken once per
transaction, just before the availability check (pretix's rule). The count itself is held by
the database too: ``places_taken <= place_limit`` is a CheckConstraint, and one active place
per person per session is a unique constraint.
"""

from __future__ import annotations

import contextlib
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.local_time import day_in_words, span_in_words
from reflect.models import Membership, Organisation, User
from reflect.services.ledger import record_ledger_entry
from reflect.services.notifications import cancel_notifications, queue_notification
from scheduling.models import (
    CohortMembership,
    GroupKind,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from scheduling.notification_kinds import GroupNotificationKind
from scheduling.services.group_calendar import group_session_ics

# Only the concurrency control test turns this off, to show the race the lock prevents.
LOCK_SESSIONS = True


def offer_hold() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "GROUP_OFFER_HOLD_HOURS", 24))


def lock_session(session_id: int) -> GroupSession:
    """The session row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    queryset = GroupSession.objects.select_related("group", "group__pool")
    if LOCK_SESSIONS:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=session_id)


def local_when(session: GroupSession) -> str:
    return span_in_words(session.starts_at, session.ends_at, session.group.time_zone)


def eligible_organisation(session: GroupSession, user: User) -> Organisation:
    """The organisation through which the person may join this group, or a DomainError saying why not."""
    group = session.group
    # The usual answer in one query: a current membership of an organisation in the group's
    # pool (and, for a restricted group, one of those chosen). Only a refusal reads more.
    memberships = Membership.objects.filter(user=user, left_at__isnull=True, organisation__pools=group.pool_id)
    if not group.all_pool_organisations:
        memberships = memberships.filter(
            organisation__in=ReflectiveGroup.eligible_organisations.through.objects.filter(
                reflectivegroup_id=group.pk
            ).values("organisation_id")
        )
    membership = memberships.select_related("organisation").order_by("organisation__name", "pk").first()
    if membership is not None:
        return membership.organisation
    organisations = [
        m.organisation
        for m in Membership.objects.filter(user=user, left_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    ]
    if not organisations:
        raise DomainError("Reflective groups are for staff of the pool's organisations, and you are not staff of one.")
    names = ", ".join(organisation.name for organisation in organisations)
    in_pool = set(group.pool.organisations.values_list("pk", flat=True))
    if not any(organisation.pk in in_pool for organisation in organisations):
        raise DomainError(f"This group is for organisations in {group.pool.name}, and {names} is not one of them.")
    raise DomainError(
        f"This group is open to chosen organisations in {group.pool.name} only, and {names} is not one of them."
    )


def check_cohort_member(session: GroupSession, user: User) -> None:
    """A cohort's sessions are for its members: anyone else applies to join a cohort."""
    group = session.group
    if (
        group.kind == GroupKind.COHORT
        and not CohortMembership.objects.filter(group=group, user=user, left_at__isnull=True).exists()
    ):
        raise DomainError(
            f"{group.title} is a cohort that meets with the same members each time. "
            "Apply to join a cohort and the commissioner will give you a place in one."
        )


def check_session_open(session: GroupSession, now: datetime.datetime) -> None:
    group = session.group
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(f"The session on {local_when(session)} has been cancelled.")
    if session.starts_at <= now:
        raise DomainError(f"The session on {local_when(session)} has already started, so it cannot be booked.")
    opens_at = session.starts_at - datetime.timedelta(days=group.booking_opens_days)
    if now < opens_at:
        raise DomainError(
            f"Booking for the session on {local_when(session)} opens on {day_in_words(opens_at, group.time_zone)}."
        )


def held_offers(session: GroupSession, now: datetime.datetime, *, excluding_user: User | None = None) -> int:
    """Places held for people offered them, not yet taken or expired."""
    offers = WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.OFFERED, offered_until__gt=now)
    if excluding_user is not None:
        offers = offers.exclude(user=excluding_user)
    return offers.count()


def bookable_places(session: GroupSession, now: datetime.datetime) -> int:
    """Places someone could book now: the limit less places taken and places held for offers."""
    return places_free(session, held_offers(session, now))


def places_free(session: GroupSession, held: int) -> int:
    """The rule itself, given how many places are held for offers."""
    return max(0, session.place_limit - session.places_taken - held)


def active_place(session: GroupSession, user: User) -> Place | None:
    return Place.objects.filter(session=session, user=user, status__in=ACTIVE_PLACE_STATUSES).first()


def _take_place(
    session: GroupSession, user: User, organisation: Organisation, now: datetime.datetime, *, confirm: bool = True
) -> Place:
    """Add one place; the caller holds the session lock and has checked there is room.

    ``confirm=False`` when the place is one of many booked at once (a cohort's term), which
    are told in one message instead.
    """
    if LOCK_SESSIONS:
        GroupSession.objects.filter(pk=session.pk).update(places_taken=F("places_taken") + 1)
        session.places_taken += 1
    else:
        # Read-modify-write, as code without the lock would: the control test shows it losing.
        session.places_taken += 1
        session.save(update_fields=["places_taken"])
    place = Place.objects.create(session=session, user=user, organisation=organisation, booked_at=now)
    record_ledger_entry(
        session.group.pool,
        LedgerKind.PLACE_BOOKED,
        organisation=organisation,
        quantity=1,
        occurred_at=now,
        source=f"group-place:{place.pk}:booked",
    )
    if confirm:
        _queue_confirmation(place)
    return place


def group_context(session: GroupSession) -> dict:
    """What every message about one session says: the group, when, who facilitates, its page."""
    group = session.group
    return {
        "title": group.title,
        "when": local_when(session),
        "facilitator": group.facilitator_name,
        "url": settings.SITE_URL + reverse("group_session", args=[session.pk]),
    }


def _queue_confirmation(place: Place) -> None:
    """The booker's own confirmation: the group, the time, where — never who else is coming."""
    session = place.session
    group = session.group
    context = group_context(session) | {
        "location": group.location,
        "online_link": group.online_link,
        "ground_rules": group.ground_rules,
    }
    queue_notification(
        place.user,
        GroupNotificationKind.PLACE_BOOKED,
        key=f"group-place:{place.pk}:booked",
        context=context,
        about=f"group-place:{place.pk}",
        ics=group_session_ics(session, place.user, method="REQUEST"),
    )


def book_place(session: GroupSession, *, acting_user: User, now: datetime.datetime | None = None) -> Place:
    """Book the acting user a place; a second click returns the place they already have."""
    now = now or timezone.now()
    # Who may join depends on memberships, not on the session's places: read it before taking
    # the lock, so the lock is held only for the reads and writes of the places themselves
    # (every booking of the session queues behind it).
    organisation: Organisation | None = None
    refusal: DomainError | None = None
    try:
        organisation = eligible_organisation(session, acting_user)
        check_cohort_member(session, acting_user)
    except DomainError as error:
        refusal = error
    with transaction.atomic():
        session = lock_session(session.pk)
        existing = active_place(session, acting_user)
        if existing is not None:
            return existing
        if refusal is not None or organisation is None:
            raise refusal or DomainError("You cannot join this group.")
        check_session_open(session, now)
        # One read for the waitlist: the places held for offers, and the person's own entry.
        entries = list(
            WaitlistEntry.objects.filter(session=session).filter(
                Q(status=WaitlistStatus.OFFERED, offered_until__gt=now)
                | Q(user=acting_user, status=WaitlistStatus.WAITING)
            )
        )
        own_offer = next(
            (e for e in entries if e.user_id == acting_user.pk and e.status == WaitlistStatus.OFFERED), None
        )
        if own_offer is not None:
            return _accept(session, own_offer, now)
        held = sum(1 for e in entries if e.status == WaitlistStatus.OFFERED)
        if places_free(session, held) == 0:
            raise DomainError(
                f"The session on {local_when(session)} is full. Join the waitlist and we will offer you "
                "the first place that frees."
            )
        if any(e.status == WaitlistStatus.WAITING for e in entries):
            WaitlistEntry.objects.filter(session=session, user=acting_user, status=WaitlistStatus.WAITING).update(
                status=WaitlistStatus.LEFT
            )
        return _take_place(session, acting_user, organisation, now)


def cancel_place(place: Place, *, acting_user: User, reason: str = "", now: datetime.datetime | None = None) -> Place:
    """Give a place up ("quiet cancel" needs no reason); the freed place goes to whoever waits first."""
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_session(place.session_id)
        place = Place.objects.select_for_update().get(pk=place.pk)
        if place.user_id != acting_user.pk:
            raise Http404("No such place.")
        if place.status == PlaceStatus.CANCELLED:
            return place
        if place.status != PlaceStatus.BOOKED or session.starts_at <= now:
            raise DomainError("This session has already started, so the place can no longer be cancelled.")
        place.status = PlaceStatus.CANCELLED
        place.cancelled_at = now
        place.cancel_reason = reason.strip()
        place.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        GroupSession.objects.filter(pk=session.pk).update(places_taken=F("places_taken") - 1)
        session.places_taken -= 1
        record_place_given_back(session, place, now)
        offer_freed_places(session, now)
    return place


def record_place_given_back(session: GroupSession, place: Place, now: datetime.datetime, *, note: str = "") -> None:
    """Count a cancelled place in the ledger and stop anything still to be sent about it."""
    record_ledger_entry(
        session.group.pool,
        LedgerKind.PLACE_CANCELLED,
        organisation=place.organisation,
        quantity=1,
        occurred_at=now,
        source=f"group-place:{place.pk}:cancelled",
        note=note,
    )
    cancel_notifications(f"group-place:{place.pk}")


def offer_freed_places(session: GroupSession, now: datetime.datetime) -> list[WaitlistEntry]:
    """Pass free places to the waitlist, oldest first. The caller holds the session lock.

    Stale offers expire first. Someone who chose to be booked straight away gets the place;
    anyone else is offered it, held for them for ``GROUP_OFFER_HOLD_HOURS``.
    """
    expired = list(WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.OFFERED, offered_until__lte=now))
    for entry in expired:
        entry.status = WaitlistStatus.EXPIRED
        entry.save(update_fields=["status"])
    if session.status == SessionStatus.CANCELLED or session.starts_at <= now:
        return []
    changed = []
    waiting = WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.WAITING).order_by("joined_at", "pk")
    for entry in waiting:
        if bookable_places(session, now) == 0:
            break
        if entry.auto_accept:
            entry.status = WaitlistStatus.TAKEN
            entry.save(update_fields=["status"])
            _record_waitlist(entry, LedgerKind.WAITLIST_TAKEN, now)
            _take_place(session, entry.user, entry.organisation, now)
        else:
            entry.status = WaitlistStatus.OFFERED
            entry.offered_until = now + offer_hold()
            entry.save(update_fields=["status", "offered_until"])
            _record_waitlist(entry, LedgerKind.WAITLIST_OFFERED, now)
            queue_notification(
                entry.user,
                GroupNotificationKind.PLACE_OFFERED,
                key=f"group-waitlist:{entry.pk}:offered",
                context=group_context(session)
                | {
                    "offered_until": f"{day_in_words(entry.offered_until, session.group.time_zone)}, "
                    f"{entry.offered_until.astimezone(ZoneInfo(session.group.time_zone)):%H:%M}"
                },
                about=f"group-waitlist:{entry.pk}",
            )
            _schedule_expiry(session.pk, entry.offered_until)
        changed.append(entry)
    return changed


def _record_waitlist(entry: WaitlistEntry, kind: LedgerKind, now: datetime.datetime) -> None:
    record_ledger_entry(
        entry.session.group.pool,
        kind,
        organisation=entry.organisation,
        quantity=1,
        occurred_at=now,
        source=f"group-waitlist:{entry.pk}:{kind}",
    )


def _schedule_expiry(session_id: int, when: datetime.datetime) -> None:
    def publish() -> None:
        from kombu.exceptions import OperationalError

        from scheduling.group_tasks import task_expire_group_offers

        with contextlib.suppress(OperationalError):  # the periodic sweep passes the offer on
            task_expire_group_offers.apply_async(args=[session_id], eta=when, retry=False)

    transaction.on_commit(publish)


def _accept(session: GroupSession, entry: WaitlistEntry, now: datetime.datetime) -> Place:
    """Turn a held offer into a place; the caller holds the lock and the held place is counted free."""
    entry.status = WaitlistStatus.TAKEN
    entry.save(update_fields=["status"])
    _record_waitlist(entry, LedgerKind.WAITLIST_TAKEN, now)
    cancel_notifications(f"group-waitlist:{entry.pk}")
    return _take_place(session, entry.user, entry.organisation, now)
