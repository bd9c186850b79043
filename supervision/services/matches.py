"""Builds the pure matcher's inputs from the database (supervision/matching.py does the rest).

An organisation's needs come from its latest questionnaire result (docs/questionnaire.md "the result
pre-fills matching") and its own details; what is left of its allocation comes from the
ledger minus its agreements (supervision/queries.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from reflect.models import Organisation, Pool
from reflect.services.ledger import allocated_hours_by_organisation, hours_balance
from supervision.enums import AgreementStatus, Outcome, RequestStatus
from supervision.matching import (
    Exclusion,
    Match,
    Offer,
    OrganisationNeeds,
    PoolAssignment,
    SpecialismNeed,
    SupervisorOffer,
    assign_pool,
    assign_pool_greedy,
    excluded_supervisors,
    rank_supervisors,
)
from supervision.models import NeedsAssessment, SupervisionAgreement, SupervisionRequest, SupervisorProfile
from supervision.queries import (
    agreement_commitment,
    current_agreements,
    latest_result_for,
    listed_supervisors,
    months_covered,
    organisation_hours_left,
    supervisors_with_hours_left,
)
from supervision.scoring import Result, result_from_snapshot

if TYPE_CHECKING:
    from supervision.queries import SupervisorWithHoursLeft

# The questionnaire's format keys, as the matcher's offers.
FORMAT_OFFERS = {
    "one_to_one": Offer.ONE_TO_ONE,
    "group": Offer.GROUP_SUPERVISION,
    "consultation": Offer.CONSULTATION,
}
HALF_HOUR = Decimal("0.5")


def area_key(area: str) -> str:
    """ "Leeds – Harehills" and "harehills" both mean Harehills."""
    return area.replace("—", "–").split("–")[-1].strip().title()


def _language_key(language: str) -> str:
    return language.strip().title()


def offer_for(profile: SupervisorWithHoursLeft) -> SupervisorOffer:
    """A profile annotated by ``supervisors_with_hours_left`` (communities prefetched)."""
    return SupervisorOffer(
        supervisor_id=profile.pk,
        verified=profile.is_verified,
        accepting=profile.accepting_organisations,
        agrees_non_clinical=profile.agrees_non_clinical,
        specialisms=frozenset(profile.specialisms),
        offers=frozenset(Offer(value) for value in profile.offers if value in Offer._value2member_map_),
        group_work_experience=profile.group_work_experience,
        community_experience=profile.community_experience,
        communities=frozenset(c.name for c in profile.communities.all()),
        languages=frozenset(_language_key(language) for language in profile.languages),
        online=profile.online,
        in_person_areas=frozenset(area_key(area) for area in profile.in_person_areas),
        hourly_rate=profile.hourly_rate,
        capacity_hours_left=profile.hours_left,
    )


def _format_and_hours(result: Result) -> tuple[Offer, Decimal]:
    """The first format the result recommends, and the hours a month of all its formats (in
    half hours, at least one half hour)."""
    formats = [f for f in result.formats if f.key in FORMAT_OFFERS]
    if not formats:
        return Offer.CONSULTATION, Decimal("1")
    hours = sum((f.units * f.hours_per_month for f in formats), Decimal(0))
    hours = max(HALF_HOUR, (hours / HALF_HOUR).to_integral_value(rounding=ROUND_FLOOR) * HALF_HOUR)
    return FORMAT_OFFERS[formats[0].key], hours


def monthly_allowance(pool: Pool, hours_left: Decimal, today: datetime.date | None = None) -> Decimal:
    """The allocation left, spread over the pool's months left (this one included)."""
    today = today or timezone.localdate()
    months = months_covered(max(today, pool.starts_on), pool.ends_on)
    if months == 0 or hours_left <= 0:
        return Decimal("0")
    return (hours_left / months).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def needs_from(
    organisation: Organisation, assessment: NeedsAssessment, pool: Pool | None, hours_left: Decimal | None
) -> OrganisationNeeds:
    result = result_from_snapshot(assessment.result)
    wanted_format, hours = _format_and_hours(result)
    delivery = str(assessment.answers.get("delivery", ""))
    allowance = monthly_allowance(pool, hours_left) if pool is not None and hours_left is not None else None
    return OrganisationNeeds(
        organisation_id=organisation.pk,
        specialisms=tuple(SpecialismNeed(name, weight) for name, weight in result.specialism_weights),
        runs_groups=assessment.answers.get("group_work") == "yes" or organisation.runs_group_work,
        communities=frozenset(c.name for c in organisation.communities.all()),
        online_ok=delivery != "in_person",
        in_person_area=None if delivery == "online" else area_key(organisation.area),
        format=wanted_format,
        hours_per_month=hours,
        allocation_hours_left=allowance,
        allocation_money_left=None if allowance is None or pool is None else allowance * pool.hourly_rate,
    )


@dataclass(frozen=True)
class RankedMatches:
    assessment: NeedsAssessment
    needs: OrganisationNeeds
    matches: list[tuple[Match, SupervisorProfile]]
    exclusions: list[tuple[Exclusion, SupervisorProfile]]
    # Two figures, never both called "left": what may still be booked (the ledger's one
    # definition, reflect.services.ledger.HoursBalance.left, as every page shows it), and what is
    # not yet promised to a supervision agreement (what a new agreement must fit in).
    hours_left: Decimal | None
    hours_not_promised: Decimal | None


def ranked_matches(
    organisation: Organisation,
    pool: Pool | None,
    *,
    wanted_format: Offer | None = None,
    hours_per_month: Decimal | None = None,
    languages: Iterable[str] = (),
) -> RankedMatches | None:
    """None when the organisation has no finished questionnaire yet."""
    assessment = latest_result_for(organisation)
    if assessment is None:
        return None
    not_promised = organisation_hours_left(pool, organisation) if pool is not None else None
    needs = needs_from(organisation, assessment, pool, not_promised)
    needs = replace(needs, languages=frozenset(_language_key(lang) for lang in languages if lang.strip()))
    if wanted_format is not None:
        needs = replace(needs, format=wanted_format)
    if hours_per_month is not None:
        needs = replace(needs, hours_per_month=hours_per_month)
    # Only listed supervisors (verified, and willing to work with non-clinical providers) are
    # ever shown to leads, even as "why not" (docs/matching.md): the same set the directory shows.
    profiles = {p.pk: p for p in listed_supervisors()}
    offers = [offer_for(p) for p in profiles.values()]
    return RankedMatches(
        assessment=assessment,
        needs=needs,
        matches=[(m, profiles[m.supervisor_id]) for m in rank_supervisors(needs, offers)],
        exclusions=[(e, profiles[e.supervisor_id]) for e in excluded_supervisors(needs, offers)],
        hours_left=hours_balance(pool, organisation).left if pool is not None else None,
        hours_not_promised=not_promised,
    )


# --- pool-wide assignment ----------------------------------------------------------------------


@dataclass(frozen=True)
class PoolAssignmentPreview:
    optimal: PoolAssignment
    greedy: PoolAssignment
    organisations: dict[int, Organisation]
    supervisors: dict[int, SupervisorWithHoursLeft]
    offers: dict[int, SupervisorOffer]  # what the solver saw: free hours net of waiting requests
    needs: dict[int, OrganisationNeeds]
    without_recommendation: list[Organisation]
    # Left alone (issue 18): organisations with a current agreement in the pool, and those
    # waiting for a supervisor's answer, are never proposed again.
    already_served: list[Organisation]
    waiting: list[Organisation]


def _latest_assessments(organisations: Sequence[Organisation]) -> dict[int, NeedsAssessment]:
    latest: dict[int, NeedsAssessment] = {}
    rows = NeedsAssessment.objects.filter(organisation__in=organisations, completed_at__isnull=False).order_by(
        "organisation_id", "-completed_at", "-id"
    )
    for assessment in rows:
        assert assessment.organisation_id is not None  # filtered by organisation
        latest.setdefault(assessment.organisation_id, assessment)
    return latest


def _hours_left_by_organisation(pool: Pool, organisations: Sequence[Organisation]) -> dict[int, Decimal]:
    allocated = allocated_hours_by_organisation(pool)
    committed: dict[int, Decimal] = {}
    agreements: Iterable[SupervisionAgreement] = current_agreements().filter(pool=pool, status=AgreementStatus.ACTIVE)
    for a in agreements:
        committed[a.organisation_id] = committed.get(a.organisation_id, Decimal(0)) + agreement_commitment(
            pool, a.hours_per_month, a.starts_on, a.ends_on
        )
    return {o.pk: allocated.get(o.pk, Decimal(0)) - committed.get(o.pk, Decimal(0)) for o in organisations}


def pool_assignment_preview(pool: Pool) -> PoolAssignmentPreview:
    """Every organisation in the pool whose latest result recommends clinical supervision,
    against every verified supervisor's hours left: the optimal assignment, and greedy beside it."""
    organisations = list(pool.organisations.prefetch_related("communities").order_by("name"))
    latest = _latest_assessments(organisations)
    hours_left = _hours_left_by_organisation(pool, organisations)
    served_ids = set(current_agreements().filter(pool=pool).values_list("organisation_id", flat=True))
    pending = list(
        SupervisionRequest.objects.filter(status=RequestStatus.PENDING).values_list(
            "pool_id", "organisation_id", "supervisor_id", "hours_per_month"
        )
    )
    waiting_ids = {organisation_id for pool_id, organisation_id, _, _ in pending if pool_id == pool.pk}
    # A request waiting for an answer holds the supervisor's hours: proposing them to someone
    # else would displace it if it is accepted.
    held: dict[int, Decimal] = {}
    for _, _, supervisor_id, hours in pending:
        held[supervisor_id] = held.get(supervisor_id, Decimal(0)) + hours
    needs: dict[int, OrganisationNeeds] = {}
    without: list[Organisation] = []
    served: list[Organisation] = []
    waiting: list[Organisation] = []
    for organisation in organisations:
        if organisation.pk in served_ids:
            served.append(organisation)
            continue
        if organisation.pk in waiting_ids:
            waiting.append(organisation)
            continue
        assessment = latest.get(organisation.pk)
        if assessment is None or assessment.outcome != Outcome.CLINICAL_SUPERVISION_RECOMMENDED:
            without.append(organisation)
            continue
        needs[organisation.pk] = needs_from(organisation, assessment, pool, hours_left[organisation.pk])
    profiles = {p.pk: p for p in supervisors_with_hours_left().filter(verified_at__isnull=False)}
    offers = [
        replace(
            offer, capacity_hours_left=max(Decimal(0), offer.capacity_hours_left - held.get(offer.supervisor_id, 0))
        )
        for offer in (offer_for(p) for p in profiles.values())
    ]
    needs_list = list(needs.values())
    return PoolAssignmentPreview(
        optimal=assign_pool(needs_list, offers),
        greedy=assign_pool_greedy(needs_list, offers),
        organisations={o.pk: o for o in organisations},
        supervisors=profiles,
        offers={offer.supervisor_id: offer for offer in offers},
        needs=needs,
        without_recommendation=without,
        already_served=served,
        waiting=waiting,
    )
