"""Supervision requests and agreements (docs/product.md, docs/architecture.md "Capacity", docs/matching.md).

An agreement's hours must fit both the organisation's allocation left in the pool and the
supervisor's hours left this month. Both are checked under row locks taken in one fixed order
— the PoolOrganisation row, then the SupervisorProfile row — inside one transaction, so two
acceptances for the last hours cannot both succeed (docs/architecture.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.errors import DomainError
from reflect.models import Organisation, Pool, PoolOrganisation, User
from reflect.queries import current_leads, is_commissioner, is_current_lead
from reflect.services.audit import record_audit
from reflect.services.notifications import queue_notification
from supervision.enums import AgreementStatus, RequestStatus
from supervision.matching import Offer
from supervision.models import SupervisionAgreement, SupervisionRequest, SupervisorProfile
from supervision.notification_kinds import SupervisionNotificationKind
from supervision.queries import agreement_commitment, organisation_hours_left, supervisor_hours_left
from supervision.services.matches import PoolAssignmentPreview

# A new agreement's first review, in months: a quarter, as the report's supervisors suggest.
FIRST_REVIEW_MONTHS = 3


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_start(pool: Pool, today: datetime.date | None = None) -> datetime.date:
    """The first of next month, within the pool's period: when a new agreement usually starts."""
    start = add_months((today or timezone.localdate()).replace(day=1), 1)
    return min(max(start, pool.starts_on), pool.ends_on)


# --- notifications: outbox rows written inside the use case's transaction (docs/architecture.md) -------


def _link(name: str, *args: int) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _notify_request_sent(request: SupervisionRequest) -> None:
    """The supervisor hears of a new request."""
    queue_notification(
        request.supervisor.user,
        SupervisionNotificationKind.REQUEST_SENT,
        key=f"supervision-request:{request.pk}:sent",
        context={
            "organisation": request.organisation.name,
            "format": request.get_format_display().lower(),
            "hours": wording.hours(request.hours_per_month),
            "starts_on": wording.date(request.starts_on),
            "url": _link("supervisor_request", request.pk),
        },
        about=f"supervision.supervisionrequest:{request.pk}",
    )


def _notify_request_answered(request: SupervisionRequest) -> None:
    """The organisation's leads hear the supervisor's answer, and so does whoever asked: a
    commissioner who sent it from the pool-wide assignment is sent to that page, since the
    organisation's own supervision page is for its leads."""
    leads = _leads(request.organisation)
    recipients = {lead.pk: (lead, _link("organisation_supervision", request.organisation_id)) for lead in leads}
    asker = request.requested_by
    if asker is not None and asker.pk not in recipients and is_commissioner(asker, request.pool):
        recipients[asker.pk] = (asker, _link("pool_assignment", request.pool_id))
    for recipient, url in recipients.values():
        queue_notification(
            recipient,
            SupervisionNotificationKind.REQUEST_ANSWERED,
            key=f"supervision-request:{request.pk}:answered:{recipient.pk}",
            context={
                "supervisor": request.supervisor.user.display_name,
                "answer": request.get_status_display().lower(),
                "reply": request.reply,
                "organisation": request.organisation.name,
                "url": url,
            },
            about=f"supervision.supervisionrequest:{request.pk}",
        )


def _notify_agreement_ending(agreement: SupervisionAgreement, ends_on: datetime.date, *, acting_user: User) -> None:
    """The other side hears that the agreement will end on ``ends_on``."""
    if agreement.supervisor.user_id == acting_user.pk:
        recipients, other_side = _leads(agreement.organisation), agreement.supervisor.user.display_name
        url = _link("organisation_supervision", agreement.organisation_id)
    else:
        recipients, other_side = [agreement.supervisor.user], agreement.organisation.name
        url = _link("supervisor_agreements")
    for recipient in recipients:
        queue_notification(
            recipient,
            SupervisionNotificationKind.AGREEMENT_ENDING,
            key=f"supervision-agreement:{agreement.pk}:ending:{ends_on}:{recipient.pk}",
            context={"other_side": other_side, "ends_on": wording.date(ends_on), "url": url},
            about=f"supervision.supervisionagreement:{agreement.pk}",
        )


# What the apps built on supervision do when an agreement is given notice: scheduling cancels
# the sessions booked after its end (each person told, with a METHOD:CANCEL). Filled in their
# AppConfig.ready(): supervision cannot import them (docs/architecture.md, "Allowed imports").
AgreementEnding = Callable[[SupervisionAgreement, User, datetime.datetime], None]
_on_agreement_ending: list[AgreementEnding] = []


def when_agreement_ends(step: AgreementEnding) -> AgreementEnding:
    """Register ``step(agreement, acting_user, now)``, run in end_agreement's transaction."""
    _on_agreement_ending.append(step)
    return step


def _leads(organisation: Organisation) -> list[User]:
    return [m.user for m in current_leads(organisation.pk)]


# --- checks -----------------------------------------------------------------------------------


def _is_lead(user: User, organisation: Organisation) -> bool:
    return is_current_lead(user, organisation.pk)


def check_hours_fit(
    *,
    pool: Pool,
    organisation: Organisation,
    supervisor: SupervisorProfile,
    hours_per_month: Decimal,
    starts_on: datetime.date,
) -> None:
    """Refuse, saying how many hours are left, when the hours do not fit. Callers that go on to
    write must hold the locks of ``_lock_capacity_rows`` first."""
    left = supervisor_hours_left(supervisor)
    if hours_per_month > left:
        raise DomainError(
            f"{supervisor.user.display_name} has {wording.hours_left(left)} a month left, "
            f"fewer than the {wording.hours(hours_per_month)} asked for.",
            field="hours_per_month",
        )
    needed = agreement_commitment(pool, hours_per_month, starts_on, None)
    allocation_left = organisation_hours_left(pool, organisation)
    if needed > allocation_left:
        raise DomainError(
            f"{organisation.name} has {wording.hours_left(allocation_left)} of its allocation from {pool.name} "
            f"not yet promised to a supervision agreement; {wording.hours(hours_per_month)} a month from {wording.date(starts_on)} to the pool's end "
            f"needs {wording.hours(needed)}.",
            field="hours_per_month",
        )


def _lock_capacity_rows(pool: Pool, organisation: Organisation, supervisor: SupervisorProfile) -> None:
    """Lock the organisation's place in the pool, then the supervisor's profile: always in this
    order, so two transactions never wait on each other in a cycle (docs/architecture.md)."""
    PoolOrganisation.objects.select_for_update().get(pool=pool, organisation=organisation)
    SupervisorProfile.objects.select_for_update().get(pk=supervisor.pk)


# --- use cases --------------------------------------------------------------------------------


@transaction.atomic
def send_request(
    *,
    acting_user: User,
    organisation: Organisation,
    supervisor: SupervisorProfile,
    pool: Pool,
    format: str,
    hours_per_month: Decimal,
    starts_on: datetime.date,
    review_on: datetime.date,
    message: str = "",
) -> SupervisionRequest:
    """A lead — or the pool's commissioner, sending a pool-wide assignment — asks a supervisor."""
    if not (_is_lead(acting_user, organisation) or is_commissioner(acting_user, pool)):
        raise DomainError("Only the organisation's lead can ask a supervisor.")
    # The organisation's pool row, locked (the first lock acceptance takes too): two requests
    # sent at once for the same pair cannot both pass the "already waiting" check below.
    if PoolOrganisation.objects.select_for_update().filter(pool=pool, organisation=organisation).first() is None:
        raise DomainError(f"{organisation.name} is not in {pool.name}.", field="pool")
    if not supervisor.is_listed:
        raise DomainError("This supervisor is not listed at the moment.")
    if not supervisor.accepting_organisations:
        raise DomainError(f"{supervisor.user.display_name} is not accepting new organisations at the moment.")
    if format not in supervisor.offers:
        raise DomainError(f"{supervisor.user.display_name} does not offer {Offer(format).label}.", field="format")
    if hours_per_month <= 0:
        raise DomainError("Ask for more than 0 hours a month.", field="hours_per_month")
    if not pool.starts_on <= starts_on <= pool.ends_on:
        raise DomainError(
            f"Start within the pool's period: {wording.date(pool.starts_on)} to {wording.date(pool.ends_on)}.",
            field="starts_on",
        )
    if review_on <= starts_on:
        raise DomainError("The review date must be after the start.", field="review_on")
    if SupervisionRequest.objects.filter(
        organisation=organisation, supervisor=supervisor, pool=pool, status=RequestStatus.PENDING
    ).exists():
        raise DomainError(f"{organisation.name} already has a request waiting with {supervisor.user.display_name}.")
    # An early answer for the lead; acceptance checks again, under the locks.
    check_hours_fit(
        pool=pool,
        organisation=organisation,
        supervisor=supervisor,
        hours_per_month=hours_per_month,
        starts_on=starts_on,
    )
    request = SupervisionRequest.objects.create(
        organisation=organisation,
        supervisor=supervisor,
        pool=pool,
        requested_by=acting_user,
        format=format,
        hours_per_month=hours_per_month,
        starts_on=starts_on,
        review_on=review_on,
        message=message,
    )
    record_audit("supervision_request.sent", actor=acting_user, target=request)
    _notify_request_sent(request)
    return request


def _refusal(request: SupervisionRequest) -> str:
    if request.status == RequestStatus.DECLINED:
        return "This request was declined, so it cannot be accepted."
    if request.status == RequestStatus.WITHDRAWN:
        return "This request was withdrawn by the organisation, so it cannot be accepted."
    return "This request has already been accepted."


@transaction.atomic
def accept_request(request: SupervisionRequest, *, acting_user: User, reply: str = "") -> SupervisionAgreement:
    if request.supervisor.user_id != acting_user.pk:
        raise DomainError("Only the supervisor asked can accept this request.")
    # Capacity shrinks here: lock before reading what is left (docs/architecture.md).
    _lock_capacity_rows(request.pool, request.organisation, request.supervisor)
    # Only the request's own row: a join here would also lock the profile, out of order.
    request = SupervisionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise DomainError(_refusal(request))
    supervisor = SupervisorProfile.objects.select_related("user").get(pk=request.supervisor_id)
    check_hours_fit(
        pool=request.pool,
        organisation=request.organisation,
        supervisor=supervisor,
        hours_per_month=request.hours_per_month,
        starts_on=request.starts_on,
    )
    agreement = SupervisionAgreement.objects.create(
        organisation=request.organisation,
        supervisor=supervisor,
        pool=request.pool,
        request=request,
        format=request.format,
        hours_per_month=request.hours_per_month,
        starts_on=request.starts_on,
        review_on=request.review_on,
    )
    request.status = RequestStatus.ACCEPTED
    request.reply = reply
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "reply", "responded_at"])
    record_audit("supervision_request.accepted", actor=acting_user, target=request, agreement=agreement.pk)
    _notify_request_answered(request)
    return agreement


@transaction.atomic
def decline_request(request: SupervisionRequest, *, acting_user: User, reply: str) -> SupervisionRequest:
    if request.supervisor.user_id != acting_user.pk:
        raise DomainError("Only the supervisor asked can decline this request.")
    request = SupervisionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise DomainError(f"This request is already {request.get_status_display().lower()}.")
    request.status = RequestStatus.DECLINED
    request.reply = reply
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "reply", "responded_at"])
    record_audit("supervision_request.declined", actor=acting_user, target=request)
    _notify_request_answered(request)
    return request


@transaction.atomic
def withdraw_request(request: SupervisionRequest, *, acting_user: User) -> SupervisionRequest:
    if not (_is_lead(acting_user, request.organisation) or request.requested_by_id == acting_user.pk):
        raise DomainError("Only the organisation's lead can withdraw this request.")
    request = SupervisionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise DomainError(f"This request is already {request.get_status_display().lower()}.")
    request.status = RequestStatus.WITHDRAWN
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    record_audit("supervision_request.withdrawn", actor=acting_user, target=request)
    return request


@transaction.atomic
def end_agreement(
    agreement: SupervisionAgreement, *, acting_user: User, ends_on: datetime.date, reason: str = ""
) -> SupervisionAgreement:
    """Either side gives notice: the agreement runs to ``ends_on`` and then stops taking hours."""
    if not (agreement.supervisor.user_id == acting_user.pk or _is_lead(acting_user, agreement.organisation)):
        raise DomainError("Only the supervisor or the organisation's lead can end this agreement.")
    agreement = SupervisionAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError("This agreement has already ended.")
    today = timezone.localdate()
    if ends_on < today:
        raise DomainError("The end date cannot be in the past.", field="ends_on")
    if ends_on < agreement.starts_on:
        raise DomainError(
            f"The end date cannot be before the start ({wording.date(agreement.starts_on)}).", field="ends_on"
        )
    agreement.ends_on = ends_on
    agreement.ended_by = acting_user
    agreement.end_reason = reason
    if ends_on == today:
        agreement.status = AgreementStatus.ENDED
    agreement.save(update_fields=["ends_on", "ended_by", "end_reason", "status"])
    record_audit("supervision_agreement.ending", actor=acting_user, target=agreement, ends_on=ends_on.isoformat())
    for step in _on_agreement_ending:
        step(agreement, acting_user, timezone.now())
    _notify_agreement_ending(agreement, ends_on, acting_user=acting_user)
    return agreement


@dataclass(frozen=True)
class AssignmentSent:
    sent: int
    refused: list[str]  # "<organisation> with <supervisor>: <why>", one per pair not sent


def send_pool_assignment(
    pool: Pool, preview: PoolAssignmentPreview, chosen: set[tuple[int, int]], *, acting_user: User
) -> AssignmentSent:
    """Send the commissioner's ticked pairs of the pool-wide preview as requests, each on its
    own: one refused (a request already waiting, hours run out) does not stop the others."""
    start = default_start(pool)
    sent, refused = 0, []
    for pair in preview.optimal.pairs:
        if (pair.organisation_id, pair.supervisor_id) not in chosen:
            continue
        organisation = preview.organisations[pair.organisation_id]
        supervisor = preview.supervisors[pair.supervisor_id]
        try:
            send_request(
                acting_user=acting_user,
                organisation=organisation,
                supervisor=supervisor,
                pool=pool,
                format=preview.needs[pair.organisation_id].format.value,
                hours_per_month=pair.hours,
                starts_on=start,
                review_on=add_months(start, FIRST_REVIEW_MONTHS),
                message=f"Proposed by {pool.name}'s pool-wide matching.",
            )
            sent += 1
        except DomainError as error:
            refused.append(f"{organisation.name} with {supervisor.user.display_name}: {error.message}")
    return AssignmentSent(sent=sent, refused=refused)
