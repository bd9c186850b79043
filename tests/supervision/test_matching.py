"""The matcher without a database: filters, score and reasons, and the optimal pool assignment
checked against an independent solver (HiGHS through scipy). The generic solver it uses has its
own tests (tests/reflect/test_assignment.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflect.assignment import AssignmentProblem, Bin, Candidate, Item
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
    assign_pool_whole,
    cost_fits,
    excluded_supervisors,
    filter_reasons,
    hours_wanted,
    pool_problem,
    rank_supervisors,
    score_pair,
)
from tests.reflect.assignment_checks import highs_optimum

NEEDS = OrganisationNeeds(
    organisation_id=7,
    specialisms=(
        SpecialismNeed("psychosis", 3),
        SpecialismNeed("self-harm", 2),
        SpecialismNeed("mania", 0),  # never met: not asked for
        SpecialismNeed("dissociation", 1),
        SpecialismNeed("hearing voices", 2),
    ),
    runs_groups=True,
    communities=frozenset({"refugees", "South Asian", "young people"}),
    languages=frozenset({"Urdu"}),
    online_ok=True,
    in_person_area="Leeds South",
    format=Offer.ONE_TO_ONE,
    hours_per_month=Decimal("1.5"),
    allocation_hours_left=Decimal(6),
    allocation_money_left=Decimal(200),
)

OFFER = SupervisorOffer(
    supervisor_id=11,
    specialisms=frozenset({"psychosis", "self-harm", "dissociation", "eating disorders"}),
    offers=frozenset({Offer.ONE_TO_ONE, Offer.GROUP_SUPERVISION}),
    group_work_experience=True,
    community_experience=True,
    communities=frozenset({"refugees"}),
    languages=frozenset({"Urdu", "Punjabi"}),
    online=True,
    hourly_rate=Decimal(60),
    capacity_hours_left=Decimal(4),
)


# --- hard filters ----------------------------------------------------------------------------


def test_a_supervisor_passing_every_filter_has_no_reasons() -> None:
    assert filter_reasons(NEEDS, OFFER) == ()


def test_every_failed_filter_is_reported_in_order() -> None:
    offer = replace(
        OFFER,
        verified=False,
        accepting=False,
        agrees_non_clinical=False,
        capacity_hours_left=Decimal(0),
        online=False,
        in_person_areas=frozenset({"Bradford"}),
        offers=frozenset({Offer.CONSULTATION}),
    )
    assert filter_reasons(NEEDS, offer) == (
        "Registration not yet verified",
        "Not accepting new organisations",
        "Has not agreed to work with non-clinical providers",
        "No hours left this month",
        "Cannot meet online or in person in Leeds South",
        "Does not offer 1:1 supervision",
    )


@pytest.mark.parametrize(
    ("online_ok", "area", "supervisor_online", "supervisor_areas", "reasons"),
    [
        (True, None, True, set(), ()),
        (True, None, False, {"Leeds South"}, ("Cannot meet online",)),
        (False, "Leeds South", True, set(), ("Cannot meet in person in Leeds South",)),
        (False, "Leeds South", False, {"Leeds South", "Bradford"}, ()),
        (True, "Leeds South", False, {"Leeds South"}, ()),
        (False, None, True, {"Leeds South"}, ("You have not said how you want to meet",)),
    ],
)
def test_delivery_must_be_possible(
    online_ok: bool, area: str | None, supervisor_online: bool, supervisor_areas: set[str], reasons: tuple[str, ...]
) -> None:
    needs = replace(NEEDS, online_ok=online_ok, in_person_area=area)
    offer = replace(OFFER, online=supervisor_online, in_person_areas=frozenset(supervisor_areas))
    assert filter_reasons(needs, offer) == reasons


def test_the_format_wanted_must_be_offered() -> None:
    needs = replace(NEEDS, format=Offer.REFLECTIVE_GROUP)
    assert filter_reasons(needs, OFFER) == ("Does not offer reflective-group facilitation",)


def test_excluded_supervisors_say_why_in_id_order() -> None:
    offers = [
        replace(OFFER, supervisor_id=30, accepting=False),
        replace(OFFER, supervisor_id=20),
        replace(OFFER, supervisor_id=10, verified=False, capacity_hours_left=Decimal("-1")),
    ]
    assert excluded_supervisors(NEEDS, offers) == [
        Exclusion(10, ("Registration not yet verified", "No hours left this month")),
        Exclusion(30, ("Not accepting new organisations",)),
    ]


# --- score and reasons -----------------------------------------------------------------------


def test_score_and_reasons_of_a_strong_match() -> None:
    # specialisms 40 × 6/8 = 30; groups 15; sector 10; communities 10 × 1/3 → 3; language 10;
    # £60 × 1.5 = £90 within £200: 10; 4 hours ≥ 1.5: 5.
    assert score_pair(NEEDS, OFFER) == Match(
        supervisor_id=11,
        score=83,
        reasons=(
            "Covers 3 of 4 specialisms you asked for: psychosis, self-harm, dissociation",
            "Has group-work experience, and you run groups",
            "Has worked with community and voluntary organisations",
            "Has worked with 1 of 3 communities you serve: refugees",
            "Speaks the language you need: Urdu",
            "Costs £90 a month, within your allocation",
            "Has 4 hours free this month",
        ),
    )


def test_score_and_reasons_of_a_weak_match() -> None:
    offer = replace(
        OFFER,
        specialisms=frozenset({"eating disorders"}),
        group_work_experience=False,
        community_experience=False,
        communities=frozenset(),
        languages=frozenset(),
        hourly_rate=Decimal("142.50"),
        capacity_hours_left=Decimal(1),
    )
    assert score_pair(NEEDS, offer) == Match(
        supervisor_id=11,
        score=0,
        reasons=(
            "Covers none of the 4 specialisms you asked for",
            "No group-work experience, and you run groups",
            "Does not speak the language you need",
            "Costs £213.75 a month, more than the £200 left in your allocation",
            "Has only 1 hour free this month; you want 1.5 hours",
        ),
    )


def test_parts_the_organisation_did_not_ask_for_give_no_points_and_no_reasons() -> None:
    needs = OrganisationNeeds(organisation_id=1, hours_per_month=Decimal(2))
    assert score_pair(needs, OFFER) == Match(
        supervisor_id=11,
        score=25,  # sector 10 + cost 10 + capacity 5
        reasons=(
            "Has worked with community and voluntary organisations",
            "Costs £120 a month",
            "Has 4 hours free this month",
        ),
    )


@pytest.mark.parametrize(
    ("communities", "languages", "reasons"),
    [
        (
            {"refugees", "young people"},
            {"Urdu", "Polish"},
            (
                "Has worked with all 2 communities you serve: refugees, young people",
                "Speaks 1 of 2 languages you need: Urdu",
            ),
        ),
        (
            {"refugees"},
            {"Polish"},
            ("Has worked with the community you serve: refugees", "Does not speak the language you need"),
        ),
        ({"older people"}, {"Polish", "BSL"}, ("Speaks none of the 2 languages you need",)),
    ],
)
def test_reasons_read_well_for_one_some_all_and_none(
    communities: set[str], languages: set[str], reasons: tuple[str, ...]
) -> None:
    needs = OrganisationNeeds(organisation_id=1, communities=frozenset(communities), languages=frozenset(languages))
    offer = replace(
        OFFER,
        community_experience=False,
        communities=frozenset({"refugees", "young people"}),
        capacity_hours_left=Decimal(10),
    )
    assert score_pair(needs, offer).reasons == (*reasons, "Costs £90 a month", "Has 10 hours free this month")


def test_fractions_of_points_round_half_up() -> None:
    needs = OrganisationNeeds(
        organisation_id=1,
        communities=frozenset({"a", "b", "c", "d"}),  # 1 of 4 → 2.5 → 3
        specialisms=(SpecialismNeed("x", 1), SpecialismNeed("y", 2)),  # 40 × 1/3 = 13.3 → 13
        allocation_money_left=Decimal(0),
    )
    offer = replace(OFFER, specialisms=frozenset({"x"}), communities=frozenset({"a"}), community_experience=False)
    assert score_pair(needs, offer).score == 3 + 13 + 5


def test_cost_exactly_at_the_money_left_fits() -> None:
    needs = replace(NEEDS, allocation_money_left=Decimal(90))
    assert cost_fits(needs, OFFER) is True
    assert cost_fits(replace(needs, allocation_money_left=Decimal("89.99")), OFFER) is False


def test_ranking_is_best_first_with_ties_to_the_lower_id_and_excludes_filtered() -> None:
    offers = [
        replace(OFFER, supervisor_id=5, community_experience=False),  # 73
        replace(OFFER, supervisor_id=4),  # 83
        replace(OFFER, supervisor_id=3, verified=False),  # filtered out
        replace(OFFER, supervisor_id=9),  # 83
        replace(OFFER, supervisor_id=2, languages=frozenset()),  # 73
    ]
    ranking = rank_supervisors(NEEDS, offers)
    assert [(match.supervisor_id, match.score) for match in ranking] == [(4, 83), (9, 83), (2, 73), (5, 73)]


# --- pool-wide assignment --------------------------------------------------------------------

SPECIALISMS = ["psychosis", "self-harm", "dissociation"]
COMMUNITIES = ["refugees", "young people"]
LANGUAGES = ["Urdu", "Polish"]
AREAS = ["Leeds South", "Bradford"]


def subset(draw: st.DrawFn, words: list[str]) -> frozenset[str]:
    return frozenset(draw(st.lists(st.sampled_from(words), max_size=len(words))))


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[OrganisationNeeds], list[SupervisorOffer]]:
    half_hours = st.integers(0, 8).map(lambda units: Decimal(units) / 2)
    needs_list = [
        OrganisationNeeds(
            organisation_id=key,
            specialisms=tuple(SpecialismNeed(name, draw(st.integers(0, 3))) for name in SPECIALISMS),
            runs_groups=draw(st.booleans()),
            communities=subset(draw, COMMUNITIES),
            languages=subset(draw, LANGUAGES),
            online_ok=draw(st.booleans()),
            in_person_area=draw(st.sampled_from([None, *AREAS])),
            format=draw(st.sampled_from([Offer.ONE_TO_ONE, Offer.GROUP_SUPERVISION])),
            hours_per_month=draw(st.sampled_from([Decimal("1"), Decimal("1.5"), Decimal("1.25"), Decimal(3)])),
            allocation_hours_left=draw(st.one_of(st.none(), half_hours)),
            allocation_money_left=draw(st.one_of(st.none(), st.integers(0, 300).map(Decimal))),
        )
        for key in range(1, draw(st.integers(1, 5)) + 1)
    ]
    offers = [
        SupervisorOffer(
            supervisor_id=key,
            verified=draw(st.booleans()) or draw(st.booleans()),
            accepting=True,
            agrees_non_clinical=True,
            specialisms=subset(draw, SPECIALISMS),
            offers=frozenset(draw(st.lists(st.sampled_from([Offer.ONE_TO_ONE, Offer.GROUP_SUPERVISION]), min_size=1))),
            group_work_experience=draw(st.booleans()),
            community_experience=draw(st.booleans()),
            communities=subset(draw, COMMUNITIES),
            languages=subset(draw, LANGUAGES),
            online=draw(st.booleans()),
            in_person_areas=subset(draw, AREAS),
            hourly_rate=Decimal(draw(st.sampled_from(["45", "60", "72.50", "95"]))),
            capacity_hours_left=draw(
                st.sampled_from([Decimal(0), Decimal("0.75"), Decimal(1), Decimal(2), Decimal(5)])
            ),
        )
        for key in range(1, draw(st.integers(1, 3)) + 1)
    ]
    return needs_list, offers


def reference_candidates(needs_list: list[OrganisationNeeds], offers: list[SupervisorOffer]) -> list[Candidate]:
    """Pairs and weights from the readable one-pair functions."""
    result = []
    for needs in needs_list:
        wanted = replace(needs, hours_per_month=hours_wanted(needs))
        if wanted.hours_per_month == 0:
            continue
        for offer in offers:
            if not filter_reasons(wanted, offer) and cost_fits(wanted, offer):
                result.append(Candidate(needs.organisation_id, offer.supervisor_id, score_pair(wanted, offer).score))
    return result


@settings(max_examples=100, deadline=None)
@given(pools())
def test_pool_scoring_row_at_a_time_equals_scoring_pair_by_pair(
    pool: tuple[list[OrganisationNeeds], list[SupervisorOffer]],
) -> None:
    assert list(pool_problem(*pool).candidates) == reference_candidates(*pool)


def assert_pool_feasible(
    needs_list: list[OrganisationNeeds], offers: list[SupervisorOffer], result: PoolAssignment
) -> None:
    offer_by_id = {offer.supervisor_id: offer for offer in offers}
    for needs in needs_list:
        pairs = [pair for pair in result.pairs if pair.organisation_id == needs.organisation_id]
        hours = sum((pair.hours for pair in pairs), Decimal(0))
        assert hours <= needs.hours_per_month
        if needs.allocation_hours_left is not None:
            assert hours <= needs.allocation_hours_left
        if needs.allocation_money_left is not None:
            cost = sum((pair.hours * offer_by_id[pair.supervisor_id].hourly_rate for pair in pairs), Decimal(0))
            assert cost <= needs.allocation_money_left
        for pair in pairs:
            assert filter_reasons(needs, offer_by_id[pair.supervisor_id]) == ()
        assert (needs.organisation_id in result.unassigned) == (not pairs)
        assert (needs.organisation_id in result.split) == (len(pairs) > 1)
    for offer in offers:
        given_hours = sum(
            (pair.hours for pair in result.pairs if pair.supervisor_id == offer.supervisor_id), Decimal(0)
        )
        assert given_hours <= offer.capacity_hours_left
    assert result.total_fit == sum((pair.score * pair.hours for pair in result.pairs), Decimal(0))


@settings(max_examples=100, deadline=None)
@given(pools(), st.integers(1, 3))
def test_pool_assignment_respects_capacity_and_allocation_and_is_optimal(
    pool: tuple[list[OrganisationNeeds], list[SupervisorOffer]], per_organisation: int
) -> None:
    """Optimal whatever number of best supervisors the solver starts from (1 and 2 leave some
    out, so its widening is what reaches the optimum)."""
    needs_list, offers = pool
    result = assign_pool(needs_list, offers, per_organisation=per_organisation, all_pairs_up_to=0)
    assert_pool_feasible(needs_list, offers, result)
    independent = AssignmentProblem(
        items=tuple(Item(needs.organisation_id, int(hours_wanted(needs) * 2)) for needs in needs_list),
        bins=tuple(Bin(offer.supervisor_id, int(offer.capacity_hours_left * 2)) for offer in offers),
        candidates=tuple(reference_candidates(needs_list, offers)),
        splittable=True,
    )
    assert result.total_fit == Decimal(highs_optimum(independent)) / 2
    greedy = assign_pool_greedy(needs_list, offers)
    assert_pool_feasible(needs_list, offers, greedy)
    assert greedy.total_fit <= result.total_fit


@settings(max_examples=100, deadline=None)
@given(pools(), st.integers(0, 3))
def test_whole_pool_assignment_splits_no_one_and_is_bounded_by_the_split_optimum(
    pool: tuple[list[OrganisationNeeds], list[SupervisorOffer]], rounds: int
) -> None:
    needs_list, offers = pool
    whole = assign_pool_whole(needs_list, offers, max_rounds=rounds)
    assert_pool_feasible(needs_list, offers, whole.assignment)
    assert whole.assignment.split == ()
    assert whole.upper_bound == assign_pool(needs_list, offers).total_fit
    assert whole.assignment.total_fit <= whole.upper_bound


def test_whole_pool_assignment_pins_a_split_organisation_to_its_best_supervisor() -> None:
    needs = OrganisationNeeds(organisation_id=1, hours_per_month=Decimal(3))
    offers = [
        SupervisorOffer(supervisor_id=1, capacity_hours_left=Decimal(2)),  # scores 10 (cost)
        SupervisorOffer(supervisor_id=2, capacity_hours_left=Decimal(2), community_experience=True),  # 20
    ]
    split = assign_pool([needs], offers)
    assert [(p.supervisor_id, p.hours) for p in split.pairs] == [(1, Decimal(1)), (2, Decimal(2))]
    assert split.total_fit == Decimal(50)
    whole = assign_pool_whole([needs], offers)
    assert [(p.supervisor_id, p.hours) for p in whole.assignment.pairs] == [(2, Decimal(2))]
    assert whole.assignment.total_fit == Decimal(40)
    assert whole.upper_bound == Decimal(50)


def test_pool_assignment_beats_greedy_and_says_why() -> None:
    needs_a = OrganisationNeeds(
        organisation_id=1,
        specialisms=(SpecialismNeed("psychosis", 3),),
        hours_per_month=Decimal(2),
        allocation_money_left=Decimal(200),
    )
    needs_b = replace(needs_a, organisation_id=2, online_ok=False, in_person_area="Bradford")
    near = SupervisorOffer(
        supervisor_id=1,
        specialisms=frozenset({"psychosis"}),
        in_person_areas=frozenset({"Bradford"}),
        hourly_rate=Decimal(60),
        capacity_hours_left=Decimal(2),
    )
    far = replace(near, supervisor_id=2, in_person_areas=frozenset(), specialisms=frozenset())
    # A scores 55 with supervisor 1 and 15 with supervisor 2; B can only meet supervisor 1.
    greedy = assign_pool_greedy([needs_a, needs_b], [near, far])
    assert [(p.organisation_id, p.supervisor_id, p.hours) for p in greedy.pairs] == [(1, 1, Decimal(2))]
    assert greedy.total_fit == Decimal(110)
    assert greedy.unassigned == (2,)

    optimal = assign_pool([needs_a, needs_b], [near, far])
    assert [(p.organisation_id, p.supervisor_id, p.hours, p.score, p.reasons) for p in optimal.pairs] == [
        (
            1,
            2,
            Decimal(2),
            15,
            (
                "Does not cover the specialism you asked for",
                "Costs £120 a month, within your allocation",
                "Has 2 hours free this month",
            ),
        ),
        (
            2,
            1,
            Decimal(2),
            55,
            (
                "Covers the specialism you asked for: psychosis",
                "Costs £120 a month, within your allocation",
                "Has 2 hours free this month",
            ),
        ),
    ]
    assert optimal.total_fit == Decimal(140)
    assert optimal.unassigned == ()
    assert optimal.split == ()


def test_pool_hours_are_capped_by_the_allocation_and_can_be_split() -> None:
    needs = OrganisationNeeds(organisation_id=1, hours_per_month=Decimal(4), allocation_hours_left=Decimal(3))
    offers = [
        SupervisorOffer(supervisor_id=1, capacity_hours_left=Decimal(2)),
        SupervisorOffer(supervisor_id=2, capacity_hours_left=Decimal("1.5"), community_experience=True),
    ]
    result = assign_pool([needs], offers)
    # 3 hours wanted; neither has 3 hours free. Supervisor 2 scores 20 (sector, cost), supervisor 1
    # scores 10 (cost): all 1.5 hours of 2 (30), and 1.5 of 1's 2 hours (15).
    assert [(p.supervisor_id, p.hours, p.score) for p in result.pairs] == [
        (1, Decimal("1.5"), 10),
        (2, Decimal("1.5"), 20),
    ]
    assert result.split == (1,)
    assert result.total_fit == Decimal(45)


def test_duplicate_ids_are_refused() -> None:
    needs = OrganisationNeeds(organisation_id=1)
    with pytest.raises(ValueError, match="each organisation may appear once"):
        assign_pool([needs, needs], [OFFER])
    with pytest.raises(ValueError, match="each supervisor may appear once"):
        assign_pool([needs], [OFFER, OFFER])
