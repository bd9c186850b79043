"""Booking and cancelling a place in a reflective group's session (docs/architecture.md, "Capacity").

The counting is capacity's (scheduling/groups/capacity.py): booking claims a place with one
conditional UPDATE that also locks the session row, and asks the waitlist under that lock (on
PostgreSQL the write asks it itself, and the waitlist is read only when someone is in it); a
cancelled place goes to whoever waits first (scheduling/groups/waitlist.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils import timezone

from reflect.errors import DomainError
from reflect.inserts import reserved_key, writes_in_one_statement
from reflect.locks import Lock, lock_on
from reflect.models import Membership, Notification, Pool, User
from reflect.queries import is_commissioner
from reflect.statements import columns_of, fetch_instances, fetch_row, instance_from, query_sql
from scheduling.groups.access import staff_pools
from scheduling.groups.calendar import own_cancellations
from scheduling.groups.capacity import (
    active_place,
    claim_place,
    give_back_place,
    lock_session,
    places_free,
    take_booked_place,
)
from scheduling.groups.eligibility import check_cohort_member, check_session_open, eligible_organisation
from scheduling.groups.notices import confirmation_row, queue_place_cancelled, session_when
from scheduling.groups.waitlist import accept_offered_place, offer_freed_places
from scheduling.models import (
    GroupKind,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    WaitlistEntry,
    WaitlistStatus,
)
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from supervision.models import SupervisorProfile


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
    return _book_or_second_click(session, acting_user, organisation.pk, mine.own_cancelled, now)


def book_place_at(session_id: int, *, acting_user: User, now: datetime.datetime | None = None) -> Place:
    """``book_place`` from the session's address, as the session's page books: a session of
    one of the person's pools (else a 404, as ``access.access_session``), with everything read
    before the lock in ONE query kept once per process (``before_booking``). The usual booking
    needs nothing more; a second click, a refusal or a cohort is answered by ``book_place``'s
    own reads, so its words are the same."""
    now = now or timezone.now()
    found = fetch_row(("group place", "before booking"), before_booking, session_id=session_id, user_id=acting_user.pk)
    if found is None:
        raise Http404("No such session.")
    session = _session_from(found)
    if found["active_id"] is not None or found["organisation_id"] is None or session.group.kind == GroupKind.COHORT:
        return book_place(session, acting_user=acting_user, now=now)
    place = Place(
        pk=found.get("new_place_id"),
        session=session,
        user=acting_user,
        organisation_id=found["organisation_id"],
        booked_at=now,
    )
    return _book_or_second_click(session, acting_user, found["organisation_id"], found["own_cancelled"], now, place)


def before_booking(session_id: int, user_id: int) -> QuerySet[GroupSession, dict[str, Any]]:
    """What booking reads before the lock, as one row: the session, its group, the pool and who
    leads the group (what ``access_session(for_action=True)`` and the confirmation read), kept
    only if the session's group is in one of the person's pools; the person's place there, if
    any, and their own cancellations (``own_places``); the organisation through which they may
    join, if one (``eligible_organisation``'s usual answer). On PostgreSQL also the new place's
    key, taken from its sequence, so that the place, its ledger entry and its confirmation go in
    one statement under the lock (capacity.take_booked_place)."""
    places = Place.objects.filter(session=OuterRef("pk"), user_id=user_id).order_by().values("session")
    chosen = ReflectiveGroup.eligible_organisations.through.objects.filter(
        reflectivegroup_id=OuterRef(OuterRef("group_id"))
    ).values("organisation_id")
    memberships = (
        Membership.objects.current()
        .filter(user_id=user_id, organisation__pools=OuterRef("group__pool_id"))
        .filter(Q(Exact(OuterRef("group__all_pool_organisations"), True)) | Q(organisation_id__in=chosen))
        .order_by("organisation__name", "pk")
        .values("organisation_id")[:1]
    )
    found: QuerySet[GroupSession, dict[str, Any]] = GroupSession.objects.filter(
        pk=session_id, group__pool_id__in=staff_pools(user_id)
    ).values(
        *_READ_WITH_SESSION,
        active_id=Subquery(
            places.annotate(found=Max("pk", filter=Q(status__in=ACTIVE_PLACE_STATUSES))).values("found")
        ),
        own_cancelled=Coalesce(
            Subquery(places.annotate(found=Count("pk", filter=own_cancellations(user_id))).values("found")), 0
        ),
        organisation_id=Subquery(memberships),
    )
    if writes_in_one_statement():
        found = found.annotate(new_place_id=reserved_key(Place))
    return found


# The rows a booking's confirmation reads with the session, as ``select_related`` would
# (``_session_from``); of whoever leads the group, only what the confirmation says of them (their
# name and address: ReflectiveGroup.facilitator_name and facilitator_email), not a whole profile.
_LEADER = ("first_name", "last_name", "email", "erased_at")
_WITH_SESSION: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (GroupSession, "", ()),
    (ReflectiveGroup, "group__", ()),
    (Pool, "group__pool__", ()),
    (SupervisorProfile, "group__facilitator__", ("user_id",)),
    (User, "group__facilitator__user__", _LEADER),
    (User, "group__host__", _LEADER),
)
_READ_WITH_SESSION = [name for model, path, only in _WITH_SESSION for name in columns_of(model, path, only)]
_ONLY = {path: only for _, path, only in _WITH_SESSION}


def _session_from(found: dict[str, Any]) -> GroupSession:
    """The session read by ``before_booking``, with its group, pool and facilitator or host."""
    session = instance_from(GroupSession, found)
    group = instance_from(ReflectiveGroup, found, "group__")
    pool = instance_from(Pool, found, "group__pool__")
    assert session is not None and group is not None and pool is not None
    facilitator = instance_from(SupervisorProfile, found, "group__facilitator__", _ONLY["group__facilitator__"])
    if facilitator is not None:
        path = "group__facilitator__user__"
        facilitator_user = instance_from(User, found, path, _ONLY[path])
        assert facilitator_user is not None  # a facilitator's profile is a person's
        facilitator.user = facilitator_user
    host = instance_from(User, found, "group__host__", _ONLY["group__host__"])
    group.pool, group.facilitator, group.host = pool, facilitator, host
    session.group = group
    return session


def _book_or_second_click(
    session: GroupSession,
    user: User,
    organisation_id: int,
    own_cancelled: int,
    now: datetime.datetime,
    place: Place | None = None,
) -> Place:
    try:
        with transaction.atomic():
            return _book(session, user, organisation_id, own_cancelled, now, place)
    except IntegrityError:
        # Two clicks at once (or a waitlist place given meanwhile): both found no place before
        # the lock, and the one-place-per-person constraint refused the second. It gets the first.
        existing = active_place(session, user)
        if existing is None:
            raise
        return existing


def _book(
    session: GroupSession,
    user: User,
    organisation_id: int,
    own_cancelled: int,
    now: datetime.datetime,
    place: Place | None,
) -> Place:
    """The locked part of ``book_place``: count the place, check the session and its waitlist, write."""
    ready = _confirmation_before_the_lock(session, place, own_cancelled)
    counted = lock_on(Lock.GROUP_SESSION) and claim_place(session)
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

    def confirm(place: Place) -> Notification:
        if ready is not None and counted and ready.still_true(session):
            return ready.row
        return confirmation_row(place, own_cancelled=own_cancelled)

    if counted and place is not None and place.pk is not None and writes_in_one_statement():
        # The usual booking: nobody holds an offer and the person is not in the queue. The
        # write asks that itself, in its own snapshot (after the lock, as the read below would),
        # and writes only then: one round trip fewer under the lock. Otherwise it writes
        # nothing, and the waitlist is read and answered as below.
        place.session = session  # as locked: its count and any change made before the lock
        written = take_booked_place(session, place, confirm, counted=True, only_if=_nobody_waiting(session, user, now))
        if written is not None:
            return written
    # One read for the waitlist, after the lock: the places held for offers, and the person's
    # own entry.
    entries = fetch_instances(
        ("group place", "waitlist"), waitlist_at_booking, session_id=session.pk, user_id=user.pk, now=now
    )
    own_offer = next((e for e in entries if e.user_id == user.pk and e.status == WaitlistStatus.OFFERED), None)
    if own_offer is not None:
        return accept_offered_place(session, own_offer, now, counted=counted)
    held = sum(1 for e in entries if e.status == WaitlistStatus.OFFERED)
    if places_free(session, held) == 0:
        # Raising rolls back the place claim_place counted.
        raise DomainError(
            f"The session on {session_when(session)} is full. Join the waitlist and we will offer you "
            "the first place that frees."
        )
    if any(e.status == WaitlistStatus.WAITING for e in entries):
        WaitlistEntry.objects.filter(session=session, user=user, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.LEFT
        )
    if place is None:
        place = Place(session=session, user=user, organisation_id=organisation_id, booked_at=now)
    else:
        place.session = session  # as locked: its count and any change made before the lock
    written = take_booked_place(session, place, confirm, counted=counted)
    assert written is not None  # no condition asked
    return written


@dataclass(frozen=True)
class _ReadyConfirmation:
    """A booking's confirmation built before the session's lock, and the session's fields it was
    built from (all but the count, the one the booking changes)."""

    row: Notification
    fields: tuple[Any, ...]

    def still_true(self, session: GroupSession) -> bool:
        """Whether the session, as the claim returned it, is the one the words were built from:
        a move, a change of place or link, or a cancellation under the lock means building anew."""
        return self.fields == _confirmed_fields(session)


def _confirmation_before_the_lock(
    session: GroupSession, place: Place | None, own_cancelled: int
) -> _ReadyConfirmation | None:
    """The confirmation's words and calendar text, built before the claim so the session's row is
    held for less Python (docs/performance.md, "the waitlist's question in the write"): everything
    they say is known before the lock (the place's key reserved, the person's own cancellations
    read, the group as read), but the session's own fields, which the claim returns to compare
    (``_ReadyConfirmation.still_true``). Only for the one-statement write, and only when the
    session had room when read: a full session's refusals build no words they never send."""
    if place is None or place.pk is None or session.places_taken >= session.place_limit:
        return None
    place.session = session
    return _ReadyConfirmation(confirmation_row(place, own_cancelled=own_cancelled), _confirmed_fields(session))


def _confirmed_fields(session: GroupSession) -> tuple[Any, ...]:
    return tuple(getattr(session, attname) for attname in _SESSION_FIELDS)


_SESSION_FIELDS = tuple(
    field.attname for field in GroupSession._meta.concrete_fields if field.attname != "places_taken"
)


def _nobody_waiting(session: GroupSession, user: User, now: datetime.datetime) -> tuple[str, list[Any]]:
    """The condition under which a booking's write needs no read of the waitlist first: no row
    of ``waitlist_at_booking`` (no place held for an offer, nor the person's own entry), as SQL
    for the write to ask (capacity.take_booked_place), its query kept once per process."""
    sql, params = query_sql(
        ("group place", "waitlist in the write"),
        _waitlist_rows,
        session_id=session.pk,
        user_id=user.pk,
        now=now,
    )
    return f"NOT EXISTS ({sql})", params


def _waitlist_rows(session_id: int, user_id: int, now: datetime.datetime) -> QuerySet[WaitlistEntry, Any]:
    return waitlist_at_booking(session_id, user_id, now).order_by().values("pk")


def waitlist_at_booking(session_id: int, user_id: int, now: datetime.datetime) -> QuerySet[WaitlistEntry]:
    """The session's places held for offers, and the person's own place in the queue."""
    return WaitlistEntry.objects.filter(session_id=session_id).filter(
        Q(status=WaitlistStatus.OFFERED, offered_until__gt=now) | Q(user_id=user_id, status=WaitlistStatus.WAITING)
    )


def cancel_place(
    place: Place,
    *,
    acting_user: User,
    reason: str = "",
    now: datetime.datetime | None = None,
    leaving_cohort: bool = False,
) -> Place:
    """Give a place up ("quiet cancel" needs no reason); the freed place goes to whoever waits first.

    ``leaving_cohort``: the person is leaving the cohort (cohorts.leave_cohort), and their
    message says so."""

    def own(place: Place) -> str:
        if place.user_id != acting_user.pk:
            raise Http404("No such place.")
        return "cohort" if leaving_cohort else "you"

    return _give_up(place, own, reason=reason, now=now or timezone.now())


def cancel_someones_place(
    place: Place, *, acting_user: User, reason: str = "", now: datetime.datetime | None = None
) -> Place:
    """The group's facilitator, or one of the pool's commissioners, cancels a person's place
    (the person is told, with their reason); as any cancellation, the place goes to whoever
    waits first."""

    def as_staff(place: Place) -> str:
        group = place.session.group
        if group.facilitator is not None and group.facilitator.user_id == acting_user.pk:
            return "facilitator"
        if is_commissioner(acting_user, group.pool):
            return "commissioner"
        raise DomainError("Only the group's facilitator or the pool's commissioners can cancel someone's place.")

    return _give_up(place, as_staff, reason=reason, now=now or timezone.now())


def _give_up(place: Place, who: Callable[[Place], str], *, reason: str, now: datetime.datetime) -> Place:
    """Cancel a booked place under the session's lock: ``who`` checks the person acting and says
    in what part ("you", "cohort", "facilitator", "commissioner"), for the message."""
    with transaction.atomic():
        session = lock_session(place.session_id)
        place = Place.objects.select_for_update().get(pk=place.pk)
        place.session = session
        by = who(place)
        if place.status == PlaceStatus.CANCELLED:
            return place
        if place.status != PlaceStatus.BOOKED or session.starts_at <= now:
            raise DomainError("This session has already started, so the place can no longer be cancelled.")
        give_back_place(session, place, now, reason=reason.strip())
        # After the place is given back (which withdraws anything unsent about it): the
        # person's calendar loses the session (docs/calendars.md, "E-mail").
        queue_place_cancelled(place, by=by, reason="" if by == "you" else reason.strip())
        offer_freed_places(session, now)
    return place
