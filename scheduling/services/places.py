"""Booking and cancelling places in a reflective group's sessions (DESIGN.md §4, "Capacity").

Every change to a session's places happens under a lock on the session row, taken once per
transaction, just before the availability check (pretix's rule). The count itself is held by
the database too: ``places_taken <= place_limit`` is a CheckConstraint, and one active place
per person per session is a unique constraint.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.local_time import day_in_words, moment_in_words, span_in_words
from reflect.locks import Lock, lock_on
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
from scheduling.services.group_calendar import group_session_ics, own_cancellations


def offer_hold() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "GROUP_OFFER_HOLD_HOURS", 24))


def lock_session(session_id: int) -> GroupSession:
    """The session row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    queryset = GroupSession.objects.select_related("group", "group__pool")
    if lock_on(Lock.GROUP_SESSION):
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


@dataclass(frozen=True)
class OwnPlaces:
    """What booking needs to know of the person's own places in a session."""

    active_id: int | None  # the place they hold, if any
    own_cancelled: int  # places there they cancelled themselves (their calendar SEQUENCE)


def own_places(session: GroupSession, user: User) -> OwnPlaces:
    """The person's place in the session and their own cancellations there, in one query."""
    found = Place.objects.filter(session=session, user=user).aggregate(
        active_id=Max("pk", filter=Q(status__in=ACTIVE_PLACE_STATUSES)),
        own_cancelled=Count("pk", filter=own_cancellations(user)),
    )
    return OwnPlaces(active_id=found["active_id"], own_cancelled=found["own_cancelled"])


def _claim_place(session: GroupSession) -> bool:
    """Count one more place if the session is under its limit: one conditional UPDATE, which
    also takes the session-row lock (held to the end of the transaction) and returns the row
    as it now is (DESIGN.md §4, "Capacity"). Call inside ``transaction.atomic``.

    On success the session's fields are refreshed from the locked row, with ``places_taken``
    as it was before this place, so the checks that follow read exactly as after
    ``lock_session``; ``_take_place(counted=True)`` then records the place. False when the
    session is at its limit: nothing is counted, and no lock is held.
    """
    # Django's update() cannot return the row, hence the one statement written out; the only
    # value in it is the session's id, passed as a parameter.
    meta, quote = GroupSession._meta, connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    taken, limit = quote(meta.get_field("places_taken").column), quote(meta.get_field("place_limit").column)
    rows = list(
        GroupSession.objects.raw(
            f"UPDATE {table} SET {taken} = {taken} + 1 WHERE {key} = %s AND {taken} < {limit} RETURNING *",  # noqa: S608
            [session.pk],
        )
    )
    if not rows:
        return False
    for field in GroupSession._meta.concrete_fields:
        setattr(session, field.attname, getattr(rows[0], field.attname))
    session.places_taken -= 1
    return True


def _take_place(
    session: GroupSession,
    user: User,
    organisation: Organisation,
    now: datetime.datetime,
    *,
    confirm: bool = True,
    counted: bool = False,
    own_cancelled: int | None = None,
) -> Place:
    """Add one place; the caller holds the session lock and has checked there is room.

    ``counted`` when ``_claim_place`` has already counted it. ``confirm=False`` when the place
    is one of many booked at once (a cohort's term), which are told in one message instead.
    ``own_cancelled``: the person's own cancellations in the session, when already read.
    """
    if counted:
        session.places_taken += 1
    elif lock_on(Lock.GROUP_SESSION):
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
        source_is_new=True,  # the place was inserted just above
    )
    if confirm:
        queue_confirmation(place, own_cancelled=own_cancelled, just_booked=True)
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


def queue_confirmation(place: Place, *, own_cancelled: int | None = None, just_booked: bool = False) -> None:
    """The booker's own confirmation: the group, the time, where — never who else is coming.

    ``just_booked``: the place was inserted in this transaction, so no message can hold its key
    yet (the look-up and savepoint are skipped). Otherwise — a confirmation withdrawn unsent,
    its session moved — it is sent anew, keyed by the session's new sequence."""
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
        key=f"group-place:{place.pk}:booked" + ("" if just_booked else f":{session.sequence}"),
        context=context,
        about=f"group-place:{place.pk}",
        ics=group_session_ics(session, place.user, method="REQUEST", own_cancelled=own_cancelled),
        key_is_new=just_booked,
    )


def book_place(session: GroupSession, *, acting_user: User, now: datetime.datetime | None = None) -> Place:
    """Book the acting user a place; a second click returns the place they already have."""
    now = now or timezone.now()
    # The person's own places and who may join (their memberships) are read before the lock:
    # other people's bookings change neither, and every booking of the session queues behind
    # the lock, so it is held only for counting the place and writing it down.
    mine = own_places(session, acting_user)
    if mine.active_id is not None:
        return Place.objects.get(pk=mine.active_id)
    organisation = eligible_organisation(session, acting_user)
    check_cohort_member(session, acting_user)
    try:
        with transaction.atomic():
            return _book(session, acting_user, organisation, mine.own_cancelled, now)
    except IntegrityError:
        # Two clicks at once (or a waitlist place given meanwhile): both found no place before
        # the lock, and the one-place-per-person constraint refused the second. It gets the first.
        existing = active_place(session, acting_user)
        if existing is None:
            raise
        return existing


def _book(
    session: GroupSession, user: User, organisation: Organisation, own_cancelled: int, now: datetime.datetime
) -> Place:
    """The locked part of ``book_place``: count the place, check the session and its waitlist, write."""
    counted = lock_on(Lock.GROUP_SESSION) and _claim_place(session)
    if not counted:
        # The session is at its limit (or the control test runs without locks): lock and read
        # it, to give the person a place held for them or tell them it is full — unless the
        # place that filled it is their own, taken by a click a moment ago (or given to them
        # from the waitlist): that click's answer is the place, not "full".
        session = lock_session(session.pk)
        existing = active_place(session, user)
        if existing is not None:
            return existing
    check_session_open(session, now)
    # One read for the waitlist: the places held for offers, and the person's own entry.
    entries = list(
        WaitlistEntry.objects.filter(session=session).filter(
            Q(status=WaitlistStatus.OFFERED, offered_until__gt=now) | Q(user=user, status=WaitlistStatus.WAITING)
        )
    )
    own_offer = next((e for e in entries if e.user_id == user.pk and e.status == WaitlistStatus.OFFERED), None)
    if own_offer is not None:
        return _accept(session, own_offer, now, counted=counted)
    held = sum(1 for e in entries if e.status == WaitlistStatus.OFFERED)
    if places_free(session, held) == 0:
        # Raising rolls back the place _claim_place counted.
        raise DomainError(
            f"The session on {local_when(session)} is full. Join the waitlist and we will offer you "
            "the first place that frees."
        )
    if any(e.status == WaitlistStatus.WAITING for e in entries):
        WaitlistEntry.objects.filter(session=session, user=user, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.LEFT
        )
    return _take_place(session, user, organisation, now, counted=counted, own_cancelled=own_cancelled)


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
        entry.first_offered_at = entry.first_offered_at or now
        if entry.auto_accept:
            entry.status = WaitlistStatus.TAKEN
            entry.save(update_fields=["status", "first_offered_at"])
            _record_waitlist(entry, LedgerKind.WAITLIST_TAKEN, now)
            _take_place(session, entry.user, entry.organisation, now)
        else:
            entry.status = WaitlistStatus.OFFERED
            entry.offered_until = now + offer_hold()
            entry.save(update_fields=["status", "offered_until", "first_offered_at"])
            _record_waitlist(entry, LedgerKind.WAITLIST_OFFERED, now)
            queue_notification(
                entry.user,
                GroupNotificationKind.PLACE_OFFERED,
                key=f"group-waitlist:{entry.pk}:offered",
                context=group_context(session)
                | {"offered_until": moment_in_words(entry.offered_until, session.group.time_zone)},
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


def _accept(session: GroupSession, entry: WaitlistEntry, now: datetime.datetime, *, counted: bool = False) -> Place:
    """Turn a held offer into a place; the caller holds the lock and the held place is counted free.

    ``counted`` when ``_claim_place`` has already counted the place."""
    entry.status = WaitlistStatus.TAKEN
    entry.save(update_fields=["status"])
    _record_waitlist(entry, LedgerKind.WAITLIST_TAKEN, now)
    cancel_notifications(f"group-waitlist:{entry.pk}")
    return _take_place(session, entry.user, entry.organisation, now, counted=counted)
