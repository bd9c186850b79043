"""Permission-filtered querysets for the supervision app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reflect.models import Membership, Organisation, Pool, User
from reflect.services.ledger import CENT, allocated_hours, hours_sum
from supervision.enums import AgreementStatus
from supervision.models import NeedsAssessment, SupervisionAgreement, SupervisorProfile
from supervision.scoring import result_from_snapshot

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class HoursLeft(TypedDict):
    """What ``supervisors_with_hours_left`` annotates each profile with."""

    hours_committed: Decimal
    hours_left: Decimal


if TYPE_CHECKING:  # for annotations only: import it under TYPE_CHECKING too
    SupervisorWithHoursLeft: TypeAlias = WithAnnotations[SupervisorProfile, HoursLeft]


def organisations_led_by(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=Membership.objects.leads().filter(user=user).values("organisation_id"))


def assessments_visible_to(user: User) -> QuerySet[NeedsAssessment]:
    """Everything a signed-in person may open: their own, and their led organisations'."""
    return NeedsAssessment.objects.select_related("organisation", "version").filter(
        Q(owner=user) | Q(organisation__in=organisations_led_by(user))
    )


def latest_result_for(organisation: Organisation) -> NeedsAssessment | None:
    """The organisation's newest completed assessment (matching reads its specialisms)."""
    return (
        NeedsAssessment.objects.filter(organisation=organisation, completed_at__isnull=False)
        .order_by("-completed_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class MatchingNeeds:
    """What the organisation's latest questionnaire result asks of a supervisor (docs/questionnaire.md, docs/matching.md)."""

    assessment_id: int
    outcome: str
    specialism_weights: tuple[tuple[str, int], ...]
    runs_groups: bool
    delivery: str  # "online", "in_person", "either", or "" when not answered


def matching_needs_for(organisation: Organisation) -> MatchingNeeds | None:
    """Pre-fills matching from the latest result's snapshot (never re-scored)."""
    latest = latest_result_for(organisation)
    if latest is None:
        return None
    result = result_from_snapshot(latest.result)
    return MatchingNeeds(
        assessment_id=latest.pk,
        outcome=result.outcome,
        specialism_weights=result.specialism_weights,
        runs_groups=latest.answers.get("group_work") == "yes",
        delivery=str(latest.answers.get("delivery", "")),
    )


# --- Supervisors, capacity and allocation (docs/matching.md) -------------------------------------


def current_agreements(today: datetime.date | None = None) -> QuerySet[SupervisionAgreement]:
    """Agreements that still take hours: active, and not past their end date (notice given
    with a future end date keeps the hours until then)."""
    today = today or timezone.localdate()
    return SupervisionAgreement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), status=AgreementStatus.ACTIVE
    )


def supervisors_with_hours_left() -> QuerySet[SupervisorWithHoursLeft]:
    """Every profile, annotated with ``hours_left``: monthly capacity minus the hours a month of
    its current agreements. One query whatever the number of supervisors."""
    committed = (
        current_agreements()
        .filter(supervisor=OuterRef("pk"))
        .order_by()
        .values("supervisor")
        .annotate(total=Sum("hours_per_month"))
        .values("total")
    )
    return (
        SupervisorProfile.objects.select_related("user")
        .prefetch_related("communities")
        .annotate(
            hours_committed=Coalesce(Subquery(committed), Value(Decimal("0")), output_field=DecimalField()),
        )
        .annotate(
            hours_left=ExpressionWrapper(
                F("monthly_capacity_hours") - F("hours_committed"), output_field=DecimalField()
            )
        )
    )


def listed_supervisors() -> QuerySet[SupervisorWithHoursLeft]:
    """Verified, and agreed to work with non-clinical providers: what leads and staff may see."""
    return supervisors_with_hours_left().filter(verified_at__isnull=False, agrees_non_clinical=True)


def supervisor_hours_left(profile: SupervisorProfile) -> Decimal:
    committed = current_agreements().filter(supervisor=profile).aggregate(total=Sum("hours_per_month"))["total"]
    return (profile.monthly_capacity_hours - hours_sum(committed)).quantize(CENT)


def months_covered(first: datetime.date, last: datetime.date) -> int:
    """Calendar months touched from ``first`` to ``last``, both included (0 when last < first)."""
    if last < first:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def agreement_commitment(
    pool: Pool, hours_per_month: Decimal, starts_on: datetime.date, ends_on: datetime.date | None
) -> Decimal:
    """The hours an agreement takes from an allocation: hours a month × the calendar months it
    runs within the pool's period (to its end date, or the pool's end)."""
    first = max(starts_on, pool.starts_on)
    last = min(ends_on or pool.ends_on, pool.ends_on)
    return (hours_per_month * months_covered(first, last)).quantize(CENT)


def organisation_hours_left(pool: Pool, organisation: Organisation) -> Decimal:
    """The organisation's allocation in the pool (from the ledger) minus what its current
    agreements in the pool commit for the rest of their time in the pool's period."""
    committed = sum(
        (
            agreement_commitment(pool, a.hours_per_month, a.starts_on, a.ends_on)
            for a in current_agreements().filter(pool=pool, organisation=organisation)
        ),
        Decimal("0"),
    )
    return (allocated_hours(pool, organisation) - committed).quantize(CENT)
