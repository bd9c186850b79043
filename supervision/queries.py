"""Permission-filtered querysets for the supervision app."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reflect.models import Membership, Organisation, User
from supervision.models import NeedsAssessment


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
