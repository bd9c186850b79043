"""The facilitator's register: who came, and a gentle word to those who did not.

Only that a session happened and who attended is stored, never anything about its content
(docs/architecture.md, "Confidentiality").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from reflect.enums import LedgerKind, NotificationStatus
from reflect.errors import DomainError
from reflect.models import LedgerEntry, Notification, User
from reflect.services.ledger import record_ledger_entry
from reflect.services.notifications import cancel_notifications, queue_notification
from reflect.services.preferences import preferences_for
from scheduling.groups.notices import group_context, session_when
from scheduling.models import GroupSession, Place, PlaceStatus, ReflectiveGroup, SessionStatus, runs_group
from scheduling.notification_kinds import GroupNotificationKind

# What else follows from someone coming (a learning session meets their learning need) or from
# a correction saying they did not: the apps built on scheduling register a listener here, in
# their AppConfig.ready(), since scheduling never imports them (docs/architecture.md, "Allowed
# imports"). Each is called inside the register's transaction whenever a place's mark changes
# (first marked, or corrected either way), with the place (its new status) and what it was.
AttendedListener = Callable[[Place, str, datetime.datetime], object]
_attended_listeners: list[AttendedListener] = []


def register_attended_listener(listener: AttendedListener) -> AttendedListener:
    _attended_listeners.append(listener)
    return listener


def is_facilitator(session: GroupSession, user: User) -> bool:
    """The facilitator, or a community of practice's host, keeps the register: a host only while
    they may host it (``runs_group``: on the pool's staff, leading none of its organisations)."""
    group = session.group
    facilitator = group.facilitator
    if facilitator is not None and facilitator.user_id == user.pk:
        return True
    return group.host_id == user.pk and ReflectiveGroup.objects.filter(runs_group(user), pk=group.pk).exists()


def mark_place_attendance(
    place: Place, attended: bool, *, acting_user: User, now: datetime.datetime | None = None
) -> Place:
    now = now or timezone.now()
    with transaction.atomic():
        # The place only: locking the session, group and pool rows joined here too would hold up
        # every booking and ledger entry of the pool until this mark commits.
        place = Place.objects.select_for_update(of=("self",)).select_related("session__group__pool").get(pk=place.pk)
        session = place.session
        if not is_facilitator(session, acting_user):
            raise Http404("No such place.")
        if place.status == PlaceStatus.CANCELLED:
            raise DomainError("This place was cancelled, so there is no attendance to mark.")
        if session.starts_at > now:
            raise DomainError(f"Attendance can be marked once the session on {session_when(session)} has begun.")
        first_marking = place.status == PlaceStatus.BOOKED
        was = place.status
        place.status = PlaceStatus.ATTENDED if attended else PlaceStatus.ABSENT
        place.save(update_fields=["status"])
        if place.status != was:
            _count_in_the_register(session, was, place.status)
            for listener in _attended_listeners:
                listener(place, was, now)
        if first_marking:
            record_ledger_entry(
                session.group.pool,
                _LEDGER_KIND[place.status],
                organisation=place.organisation,
                quantity=1,
                occurred_at=now,
                source=f"group-place:{place.pk}:attendance",
            )
        elif place.status != was:
            _correct_the_ledger(place, was, now)
        if not attended and preferences_for(place.user).missed_session_messages:
            _queue_missed_message(place, now)
        if attended and was == PlaceStatus.ABSENT:
            # Marked absent by mistake: the word about a missed session is withdrawn if it has
            # not gone yet. One already sent stays sent and nothing more is said: a second
            # message about a mistake would only make more of it.
            cancel_notifications(_missed_about(place), kinds=[GroupNotificationKind.MISSED_SESSION])
    return place


_LEDGER_KIND: dict[str, LedgerKind] = {
    PlaceStatus.ATTENDED: LedgerKind.PLACE_ATTENDED,
    PlaceStatus.ABSENT: LedgerKind.PLACE_MISSED,
}


def _correct_the_ledger(place: Place, was: str, now: datetime.datetime) -> None:
    """A changed mark is two new, dated entries, never an edit (docs/architecture.md, "The
    ledger"): the old mark taken back (quantity -1) and the new one counted (+1), so the
    totals of attended and missed places stay exact after any number of corrections.

    Each correction has its own numbered sources, so a retry of the same correction records
    nothing twice; the place's row lock (taken by the caller) keeps the numbering in order.
    """
    prefix = f"group-place:{place.pk}:attendance-correction:"
    number = LedgerEntry.objects.filter(source__startswith=prefix, source__endswith=":marked").count() + 1
    pool = place.session.group.pool
    for kind, quantity, step in ((_LEDGER_KIND[was], -1, "taken-back"), (_LEDGER_KIND[place.status], 1, "marked")):
        record_ledger_entry(
            pool,
            kind,
            organisation=place.organisation,
            quantity=quantity,
            occurred_at=now,
            source=f"{prefix}{number}:{step}",
            note="Attendance corrected on the register.",
        )


REGISTER_COUNTS: dict[str, str] = {PlaceStatus.ATTENDED: "places_attended", PlaceStatus.ABSENT: "places_absent"}


def _count_in_the_register(session: GroupSession, was: str, now_marked: str) -> None:
    """Move the place from one of the session's counts to the other (or into one, when first
    marked), in the database: two facilitators' marks at once add up rather than overwrite."""
    change = {REGISTER_COUNTS[now_marked]: F(REGISTER_COUNTS[now_marked]) + 1}
    if was in REGISTER_COUNTS:
        change[REGISTER_COUNTS[was]] = F(REGISTER_COUNTS[was]) - 1
    GroupSession.objects.filter(pk=session.pk).update(**change)


def _missed_about(place: Place) -> str:
    return f"group-place:{place.pk}:missed"


def _queue_missed_message(place: Place, now: datetime.datetime) -> None:
    session = place.session
    group = session.group
    following = (
        GroupSession.objects.filter(group=group, status=SessionStatus.SCHEDULED, starts_at__gt=session.starts_at)
        .order_by("starts_at")
        .first()
    )
    context = group_context(session) | {
        "next_when": session_when(following) if following else "",
        "facilitator_email": group.facilitator_email,
    }
    if following is not None:
        # The message says "the next session is on …" above its link: the link is that session's.
        context["url"] = group_context(following)["url"]
    about = _missed_about(place)
    # Once per place; a message withdrawn by a correction to "attended" and then marked absent
    # again is queued afresh under a new key (the first key still names the withdrawn row).
    withdrawn = Notification.objects.filter(about=about, status=NotificationStatus.CANCELLED).count()
    queue_notification(
        place.user,
        GroupNotificationKind.MISSED_SESSION,
        key=about + (f":{withdrawn}" if withdrawn else ""),
        context=context,
        about=about,
    )
