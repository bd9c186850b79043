"""Permission-filtered querysets for the supervision app."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from reflect.models import Membership, Organisation, User
from supervision.models import NeedsAssessment
from supervision.scoring import result_from_snapshot


def organisations_led_by(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, is_lead=True, left_at__isnull=True).values("organisation_id")
    )


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
    """What the organisation's latest questionnaire result asks of a supervisor (DESIGN.md §5–§6)."""

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
