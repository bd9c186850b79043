"""Booking and cancelling a place in a reflective group's session (docs/architecture.md, "Capacity").

The counting is capacity's (scheduling/groups/capacity.py): booking claims a place with one
conditional UPDATE that also locks the session row, and reads the waitlist under that lock; a
cancelled place goes to whoever waits first (scheduling/groups/waitlist.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from reflect.errors import DomainError
from reflect.locks import Lock, lock_on
from reflect.models import Organisation, User
from reflect.queries import is_commissioner
from scheduling.groups.calendar import own_cancellations
from scheduling.groups.capacity import active_place, claim_place, give_back_place, lock_session, places_free, take_place
from scheduling.groups.eligibility import check_cohort_member, check_session_open, eligible_organisation
from scheduling.groups.notices import queue_confirmation, queue_place_cancelled, session_when
from scheduling.groups.waitlist import accept_offered_place, offer_freed_places
from scheduling.models import GroupSession, Place, PlaceStatus, WaitlistEntry, WaitlistStatus
from scheduling.models.groups import ACTIVE_PLACE_STATUSES


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
    # One read for the waitlist: the places held for offers, and the person's own entry.
    entries = list(
        WaitlistEntry.objects.filter(session=session).filter(
            Q(status=WaitlistStatus.OFFERED, offered_until__gt=now) | Q(user=user, status=WaitlistStatus.WAITING)
        )
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
    place = take_place(session, user, organisation, now, counted=counted)
    queue_confirmation(place, own_cancelled=own_cancelled, just_booked=True)
    return place


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
