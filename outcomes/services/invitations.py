"""Asking staff: at joining, then every N months (N per pool, 6 unless the commissioner changes
it), by each person's own channel through the notification outbox (docs/outcomes.md).

Round 0 falls due the day someone's organisation and they are both in the pool; round k falls
due k × N months later. The daily beat task asks each current member of a running pool for their
current round once: the unique constraint on (person, pool, round) and the outbox's key make a
second run a no-op. A person who declines is not asked again until the next round; their latest
round, open or declined, can still be answered from their wellbeing page (outcomes/answerable.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outcomes.answerable import answerable
from outcomes.bank import Measure, current_measure, enabled_measures, is_enabled
from outcomes.enums import InvitationStatus
from outcomes.models import DEFAULT_INTERVAL_MONTHS, DEFAULT_MEASURE, OutcomeInvitation, PoolOutcomeSettings
from outcomes.notification_kinds import OutcomeNotificationKind
from reflect.errors import DomainError
from reflect.local_time import LONDON
from reflect.models import Membership, Notification, Pool, PoolOrganisation, User
from reflect.services.audit import record_audit
from reflect.services.notifications import queue_notification


@dataclass(frozen=True)
class Schedule:
    interval_months: int
    measure: str


def schedule_of(pool: Pool) -> Schedule:
    row = PoolOutcomeSettings.objects.filter(pool=pool).first()
    if row is None:
        return Schedule(DEFAULT_INTERVAL_MONTHS, DEFAULT_MEASURE)
    return Schedule(row.interval_months, row.measure)


def round_due_on(start: datetime.date, interval_months: int, round_number: int) -> datetime.date:
    return start + relativedelta(months=interval_months * round_number)


def current_round(start: datetime.date, interval_months: int, today: datetime.date) -> int | None:
    """The latest round due by ``today`` for someone who joined on ``start`` (None before)."""
    if today < start:
        return None
    months = (today.year - start.year) * 12 + today.month - start.month
    number = months // interval_months
    while round_due_on(start, interval_months, number) > today:
        number -= 1
    return number


@transaction.atomic
def set_schedule(pool: Pool, *, acting_user: User, interval_months: int, measure: str) -> PoolOutcomeSettings:
    """The commissioner's choice of how often and what to ask. Rounds already asked stand."""
    if not 3 <= interval_months <= 24:
        raise DomainError("Months between asking must be between 3 and 24.")
    try:
        chosen = current_measure(measure)
    except LookupError:
        raise DomainError("Choose one of the measures offered.") from None
    if not is_enabled(chosen):
        raise DomainError("That measure needs its licence confirmed for this site before it can be used.")
    row, _ = PoolOutcomeSettings.objects.update_or_create(
        pool=pool, defaults={"interval_months": interval_months, "measure": measure}
    )
    record_audit(
        "outcomes.schedule_set", actor=acting_user, target=pool, interval_months=interval_months, measure=measure
    )
    return row


def measure_choices() -> list[tuple[str, str]]:
    return [(m.slug, m.short_title) for m in enabled_measures()]


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def queue_outcome_invitations(today: datetime.date | None = None) -> list[Notification]:
    """Ask every current member of every running pool for their current round, once.

    Bounded by the pools' current members: one invitation row and one outbox row per person
    whose round has come, none for anyone already asked in it."""
    today = today or timezone.localdate()
    pools = {p.pk: p for p in Pool.objects.filter(starts_on__lte=today, ends_on__gte=today)}
    schedules = {row.pool_id: row for row in PoolOutcomeSettings.objects.filter(pool_id__in=pools)}
    in_pool = {
        (po.pool_id, po.organisation_id): po.joined_at
        for po in PoolOrganisation.objects.filter(pool_id__in=pools).only("pool_id", "organisation_id", "joined_at")
    }
    by_organisation: dict[int, list[int]] = {}
    for pool_id, organisation_id in in_pool:
        by_organisation.setdefault(organisation_id, []).append(pool_id)
    asked = set(OutcomeInvitation.objects.filter(pool_id__in=pools).values_list("person_id", "pool_id", "round"))
    queued: list[Notification] = []
    due: dict[tuple[int, int], tuple[User, int, datetime.date]] = {}
    members = (
        Membership.objects.select_related("user")
        .current()
        .filter(organisation_id__in=by_organisation, user__is_active=True)
    )
    for membership in members.order_by("pk"):
        for pool_id in by_organisation[membership.organisation_id]:
            pool = pools[pool_id]
            setting = schedules.get(pool_id)
            interval = setting.interval_months if setting else DEFAULT_INTERVAL_MONTHS
            start = max(
                _local_date(membership.joined_at),
                _local_date(in_pool[(pool_id, membership.organisation_id)]),
                pool.starts_on,
            )
            number = current_round(start, interval, today)
            if number is None or (membership.user_id, pool_id, number) in asked:
                continue
            due.setdefault(
                (membership.user_id, pool_id), (membership.user, number, round_due_on(start, interval, number))
            )
    url = settings.SITE_URL + reverse("outcomes_home")
    for (person_id, pool_id), (person, number, due_on) in sorted(due.items()):
        setting = schedules.get(pool_id)
        measure = current_measure(setting.measure if setting else DEFAULT_MEASURE)
        if not is_enabled(measure):
            continue  # its licence is no longer confirmed here: no one is asked to answer it
        with transaction.atomic():
            invitation, created = OutcomeInvitation.objects.get_or_create(
                person=person, pool_id=pool_id, round=number, defaults={"due_on": due_on, "measure": measure.slug}
            )
            if not created:
                continue
            # The message names the measure and links to the person's own page; never a score.
            queued.append(
                queue_notification(
                    person,
                    OutcomeNotificationKind.INVITED,
                    key=f"outcomes:{pool_id}:{person_id}:round:{number}",
                    context={"pool": pools[pool_id].name, "measure": measure.short_title, "url": url},
                    about=f"outcomes.outcomeinvitation:{invitation.pk}",
                )
            )
    return queued


def waiting_for(person: User) -> list[tuple[OutcomeInvitation, Measure]]:
    """The questionnaires waiting for this person, with the measure each asks: exactly the rounds
    they can answer now (outcomes/answerable.py), open or declined, at most one a pool."""
    invitations = answerable(person.pk).select_related("pool").order_by("pool_id")
    return [(invitation, current_measure(invitation.measure)) for invitation in invitations]


@transaction.atomic
def decline_invitation(invitation: OutcomeInvitation, *, acting_user: User) -> OutcomeInvitation:
    """Not this time: they are not asked again until the next round (and may still answer)."""
    if invitation.person_id != acting_user.pk:
        raise DomainError("Only the person asked can decline.")
    updated = OutcomeInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.OPEN).update(
        status=InvitationStatus.DECLINED
    )
    invitation.refresh_from_db()
    if updated:
        record_audit("outcomes.declined", actor=acting_user, target=invitation.pool)
    return invitation
