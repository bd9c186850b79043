"""The waitlist of a full session: joining, leaving, passing freed places on, taking an offer, and
offers expiring.

Each runs under the same session lock as booking and cancelling (scheduling/groups/capacity.py).
A freed place goes to whoever waits first: someone who chose to be booked straight away gets
it; anyone else is offered it, held for them for ``GROUP_OFFER_HOLD_HOURS``, and a task passes
it on when the offer runs out.
"""

from __future__ import annotations

import contextlib
import datetime

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from kombu.exceptions import OperationalError

from reflect import wording
from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import User
from reflect.services.ledger import record_ledger_entry
from reflect.services.notifications import cancel_notifications, queue_notification
from scheduling.groups.capacity import active_place, bookable_places, lock_session, take_place
from scheduling.groups.eligibility import check_cohort_member, check_session_open, eligible_organisation
from scheduling.groups.events import emit_offer_event
from scheduling.groups.notices import group_context, queue_confirmation, session_when
from scheduling.models import GroupSession, Place, SessionStatus, WaitlistEntry, WaitlistStatus
from scheduling.models.groups import ACTIVE_WAITLIST_STATUSES
from scheduling.notification_kinds import GroupNotificationKind

# The task that passes a run-out offer on (scheduling/groups/tasks.py). It is queued by its name:
# the task module sits above this one (it runs ``expire_offers``), so this one cannot import it.
EXPIRE_OFFERS_TASK = "scheduling.expire_group_offers"


def offer_hold() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "GROUP_OFFER_HOLD_HOURS", 24))


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
            record_waitlist_entry(entry, LedgerKind.WAITLIST_TAKEN, now)
            place = take_place(session, entry.user, entry.organisation, now)
            queue_confirmation(place, just_booked=True)
        else:
            entry.status = WaitlistStatus.OFFERED
            entry.offered_until = now + offer_hold()
            entry.save(update_fields=["status", "offered_until", "first_offered_at"])
            record_waitlist_entry(entry, LedgerKind.WAITLIST_OFFERED, now)
            queue_notification(
                entry.user,
                GroupNotificationKind.PLACE_OFFERED,
                key=f"group-waitlist:{entry.pk}:offered",
                context=group_context(session)
                | {"offered_until": wording.moment(entry.offered_until, session.group.time_zone)},
                about=f"group-waitlist:{entry.pk}",
            )
            _schedule_expiry(session.pk, entry.offered_until)
            emit_offer_event(session, entry, now)
        changed.append(entry)
    return changed


def record_waitlist_entry(entry: WaitlistEntry, kind: LedgerKind, now: datetime.datetime) -> None:
    """The ledger's record of one step on the waitlist (joined, offered, taken)."""
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
        with contextlib.suppress(OperationalError):  # the periodic sweep passes the offer on
            current_app.tasks[EXPIRE_OFFERS_TASK].apply_async(args=[session_id], eta=when, retry=False)

    transaction.on_commit(publish)


def accept_offered_place(
    session: GroupSession, entry: WaitlistEntry, now: datetime.datetime, *, counted: bool = False
) -> Place:
    """Turn a held offer into a place; the caller holds the lock and the held place is counted free.

    ``counted`` when ``capacity.claim_place`` has already counted the place."""
    entry.status = WaitlistStatus.TAKEN
    entry.save(update_fields=["status"])
    record_waitlist_entry(entry, LedgerKind.WAITLIST_TAKEN, now)
    cancel_notifications(f"group-waitlist:{entry.pk}")
    place = take_place(session, entry.user, entry.organisation, now, counted=counted)
    queue_confirmation(place, just_booked=True)
    return place


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
            raise DomainError(f"You already have a place in the session on {session_when(session)}.")
        if bookable_places(session, now) > 0:
            raise DomainError(f"The session on {session_when(session)} has places left: book one instead.")
        entry = WaitlistEntry.objects.create(
            session=session, user=acting_user, organisation=organisation, joined_at=now, auto_accept=auto_accept
        )
        record_waitlist_entry(entry, LedgerKind.WAITLIST_JOINED, now)
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
        assert entry.offered_until is not None  # a place is offered until a set time
        if entry.offered_until <= now:
            offer_freed_places(session, now)  # expires it and passes the place on
            raise DomainError(
                f"Sorry, the place held for you in the session on {session_when(session)} was passed on "
                "when the offer ran out."
            )
        check_session_open(session, now)
        return accept_offered_place(session, entry, now)


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
