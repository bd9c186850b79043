"""The waitlist of a full session: joining, leaving, taking an offer, and offers expiring.

Each runs under the same session lock as booking and cancelling (scheduling/services/places.py).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import User
from reflect.services.notifications import cancel_notifications
from scheduling.models import GroupSession, Place, WaitlistEntry, WaitlistStatus
from scheduling.models.groups import ACTIVE_WAITLIST_STATUSES
from scheduling.services.places import (
    _accept,
    _record_waitlist,
    active_place,
    bookable_places,
    check_cohort_member,
    check_session_open,
    eligible_organisation,
    local_when,
    lock_session,
    offer_freed_places,
)


def join_waitlist(
    session: GroupSession, *, acting_user: User, auto_accept: bool = False, now: datetime.datetime | None = None
) -> WaitlistEntry:
    """Wait for a place in a full session; joining twice returns the first entry."""
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_session(session.pk)
        existing = WaitlistEntry.objects.filter(
            session=session, user=acting_user, status__in=ACTIVE_WAITLIST_STATUSES
        ).first()
        if existing is not None:
            return existing
        organisation = eligible_organisation(session, acting_user)
        check_cohort_member(session, acting_user)
        check_session_open(session, now)
        if active_place(session, acting_user) is not None:
            raise DomainError(f"You already have a place in the session on {local_when(session)}.")
        if bookable_places(session, now) > 0:
            raise DomainError(f"The session on {local_when(session)} has places left: book one instead.")
        entry = WaitlistEntry.objects.create(
            session=session, user=acting_user, organisation=organisation, joined_at=now, auto_accept=auto_accept
        )
        _record_waitlist(entry, LedgerKind.WAITLIST_JOINED, now)
    return entry


def _own_entry(entry: WaitlistEntry, acting_user: User) -> tuple[GroupSession, WaitlistEntry]:
    session = lock_session(entry.session_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.user_id != acting_user.pk:
        raise Http404("No such waitlist entry.")
    return session, entry


def leave_waitlist(entry: WaitlistEntry, *, acting_user: User, now: datetime.datetime | None = None) -> WaitlistEntry:
    """Stop waiting; a place being held for this person passes to the next one."""
    now = now or timezone.now()
    with transaction.atomic():
        session, entry = _own_entry(entry, acting_user)
        if entry.status not in ACTIVE_WAITLIST_STATUSES:
            return entry
        entry.status = WaitlistStatus.LEFT
        entry.save(update_fields=["status"])
        cancel_notifications(f"group-waitlist:{entry.pk}")
        offer_freed_places(session, now)
    return entry


def accept_offer(entry: WaitlistEntry, *, acting_user: User, now: datetime.datetime | None = None) -> Place:
    """Take the place held for you."""
    now = now or timezone.now()
    with transaction.atomic():
        session, entry = _own_entry(entry, acting_user)
        if entry.status == WaitlistStatus.TAKEN:
            place = active_place(session, acting_user)
            if place is not None:
                return place
        if entry.status != WaitlistStatus.OFFERED:
            raise DomainError("There is no place on offer to you for this session.")
        if entry.offered_until <= now:
            offer_freed_places(session, now)  # expires it and passes the place on
            raise DomainError(
                f"Sorry, the place held for you in the session on {local_when(session)} was passed on "
                "when the offer ran out."
            )
        check_session_open(session, now)
        return _accept(session, entry, now)


def expire_offers(session_id: int, *, now: datetime.datetime | None = None) -> list[WaitlistEntry]:
    """Expire the session's offers that ran out and pass their places on (the expiry task's work)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            session = lock_session(session_id)
        except GroupSession.DoesNotExist:
            return []
        return offer_freed_places(session, now)


def sweep_waitlists(*, now: datetime.datetime | None = None) -> int:
    """Backstop: every future session with someone waiting or an offer run out gets its places passed on."""
    now = now or timezone.now()
    session_ids = (
        WaitlistEntry.objects.filter(session__starts_at__gt=now, status__in=ACTIVE_WAITLIST_STATUSES)
        .values_list("session_id", flat=True)
        .distinct()
    )
    changed = 0
    for session_id in list(session_ids):
        changed += len(expire_offers(session_id, now=now))
    return changed
