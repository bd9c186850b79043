"""The matcher without a database: filters, score and reasons, and the optimal assignment checked
against an independent solver (HiGHS through scipy, and brute force on tiny instances)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from supervision.matching import (
    AssignedPair,
    AssignmentProblem,
    AssignmentSolution,
    Bin,
    Candidate,
    Exclusion,
    GroupCap,
    Item,
    Match,
    Offer,
    OrganisationNeeds,
    Placement,
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
    solve_assignment,
    solve_assignment_greedy,
)

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


# --- the assignment core ---------------------------------------------------------------------


def greedy_trap() -> AssignmentProblem:
    """A likes S1 (10) a little more than S2 (9); B can only go to S1 (9). Greedy gives S1 to A
    and leaves B out (10); the optimum sends A to S2 and B to S1 (18)."""
    return AssignmentProblem(
        items=(Item(1, 1), Item(2, 1)),
        bins=(Bin(1, 1), Bin(2, 1)),
        candidates=(Candidate(1, 1, 10), Candidate(1, 2, 9), Candidate(2, 1, 9)),
    )


def test_greedy_is_strictly_worse_on_a_hand_made_instance() -> None:
    assert solve_assignment(greedy_trap()) == AssignmentSolution(
        placements=(Placement(1, 2, 1, 9), Placement(2, 1, 1, 9)), total_weight=18
    )
    assert solve_assignment_greedy(greedy_trap()) == AssignmentSolution(
        placements=(Placement(1, 1, 1, 10),), total_weight=10
    )


def test_group_caps_limit_colleagues_per_cohort() -> None:
    # Four people from organisation "A", one from "B"; two cohorts of 3; at most 2 per organisation.
    people = (*(Item(key, 1, group="A") for key in (1, 2, 3, 4)), Item(5, 1, group="B"))
    problem = AssignmentProblem(
        items=people,
        bins=(Bin(100, 3), Bin(200, 3)),
        candidates=(
            *(Candidate(person.key, cohort, 5) for person in people for cohort in (100, 200)),
            Candidate(1, 300, 1),
        ),
        group_cap=2,
    )
    with pytest.raises(ValueError, match="unknown item or bin"):
        solve_assignment(problem)
    problem = replace(problem, candidates=problem.candidates[:-1])
    solution = solve_assignment(problem)
    assert solution.total_weight == 25
    per_cohort_a = {
        cohort: sum(p.units for p in solution.placements if p.bin == cohort and p.item != 5) for cohort in (100, 200)
    }
    assert per_cohort_a == {100: 2, 200: 2}


def test_a_specific_group_cap_overrides_the_default() -> None:
    people = tuple(Item(key, 1, group="A") for key in (1, 2, 3))
    problem = AssignmentProblem(
        items=people,
        bins=(Bin(100, 3),),
        candidates=tuple(Candidate(person.key, 100, 4) for person in people),
        group_cap=1,
        group_caps=(GroupCap(100, "A", 2),),
    )
    assert solve_assignment(problem).total_weight == 8
    assert solve_assignment_greedy(problem).total_weight == 8


def test_a_group_bonus_spreads_places_across_organisations() -> None:
    # One cohort of 2: three people from A would each be worth 5, one from B 4. Without a bonus A
    # takes both places (10); a bonus of 3 for each organisation's first place makes A + B better
    # (5 + 4 + 3 + 3 = 15 against 5 + 5 + 3 = 13).
    people = (Item(1, 1, group="A"), Item(2, 1, group="A"), Item(3, 1, group="A"), Item(4, 1, group="B"))
    problem = AssignmentProblem(
        items=people,
        bins=(Bin(100, 2),),
        candidates=tuple(Candidate(person.key, 100, 4 if person.group == "B" else 5) for person in people),
    )
    assert solve_assignment(problem) == AssignmentSolution(
        placements=(Placement(1, 100, 1, 5), Placement(2, 100, 1, 5)), total_weight=10
    )
    fair = replace(problem, group_bonus=(3,))
    assert solve_assignment(fair) == AssignmentSolution(
        placements=(Placement(1, 100, 1, 5), Placement(4, 100, 1, 4)), total_weight=15, group_bonus=6
    )
    assert solve_assignment_greedy(fair) == AssignmentSolution(
        placements=(Placement(1, 100, 1, 5), Placement(2, 100, 1, 5)), total_weight=13, group_bonus=3
    )


def test_ties_go_to_lower_keys_whatever_the_input_order() -> None:
    people = tuple(Item(key, 1) for key in (4, 2, 9, 7))
    problem = AssignmentProblem(
        items=people,
        bins=(Bin(300, 1), Bin(200, 1), Bin(100, 1)),
        candidates=tuple(Candidate(person.key, cohort, 5) for person in people for cohort in (300, 200, 100)),
    )
    solution = solve_assignment(problem)
    assert sorted(p.item for p in solution.placements) == [2, 4, 7]
    assert solution.total_weight == 15
    shuffled = replace(
        problem,
        items=problem.items[::-1],
        bins=(problem.bins[1], problem.bins[2], problem.bins[0]),
        candidates=problem.candidates[::-1],
    )
    assert solve_assignment(shuffled) == solution


@pytest.mark.parametrize("bonus", [(1, 2), (3, -1)])
def test_a_group_bonus_must_not_increase_or_be_negative(bonus: tuple[int, ...]) -> None:
    problem = AssignmentProblem(items=(), bins=(), candidates=(), group_bonus=bonus)
    with pytest.raises(ValueError, match="must not increase and cannot be negative"):
        solve_assignment(problem)


def test_unsplittable_items_larger_than_one_unit_are_refused() -> None:
    problem = AssignmentProblem(items=(Item(1, 2),), bins=(Bin(1, 2),), candidates=(Candidate(1, 1, 1),))
    with pytest.raises(ValueError, match="must be splittable"):
        solve_assignment(problem)
    assert solve_assignment(replace(problem, splittable=True)).total_weight == 2


def test_weights_too_large_for_the_tie_break_are_still_solved_exactly() -> None:
    # 2**55 × the tie-break scale would overflow 64-bit costs: the solver drops the tie-break only.
    problem = AssignmentProblem(
        items=(Item(1, 1), Item(2, 1)),
        bins=(Bin(1, 1), Bin(2, 1)),
        candidates=(Candidate(1, 1, 2**55), Candidate(2, 1, 2**55 + 1), Candidate(1, 2, 1)),
    )
    assert solve_assignment(problem) == AssignmentSolution(
        placements=(Placement(1, 2, 1, 1), Placement(2, 1, 1, 2**55 + 1)), total_weight=2**55 + 2
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items": (Item(1, 1), Item(1, 1))}, "keys must be unique"),
        ({"bins": (Bin(1, -1),)}, "cannot be negative"),
        ({"candidates": (Candidate(1, 1, 3), Candidate(1, 1, 4))}, "a candidate once"),
        ({"group_cap": -1}, "group caps cannot be negative"),
        ({"group_caps": (GroupCap(1, "A", -2),)}, "group caps cannot be negative"),
    ],
)
def test_malformed_problems_are_refused(change: dict[str, object], message: str) -> None:
    problem = AssignmentProblem(items=(Item(1, 1),), bins=(Bin(1, 1),), candidates=(Candidate(1, 1, 3),))
    with pytest.raises(ValueError, match=message):
        solve_assignment(replace(problem, **change))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        solve_assignment_greedy(replace(problem, **change))  # type: ignore[arg-type]


def test_an_empty_problem_assigns_nothing() -> None:
    assert solve_assignment(AssignmentProblem(items=(), bins=(), candidates=())) == AssignmentSolution((), 0)


@st.composite
def problems(draw: st.DrawFn, *, unit: bool) -> AssignmentProblem:
    item_count = draw(st.integers(1, 5))
    bin_count = draw(st.integers(1, 3))
    groups = draw(st.booleans())
    items = tuple(
        Item(
            key=key,
            size=1 if unit else draw(st.integers(0, 4)),
            group=draw(st.sampled_from(["A", "B"])) if groups else None,
        )
        for key in range(1, item_count + 1)
    )
    bins = tuple(Bin(key=key, capacity=draw(st.integers(0, 5))) for key in range(1, bin_count + 1))
    candidates = tuple(
        Candidate(item.key, bin_.key, draw(st.integers(-2, 20)))
        for item in items
        for bin_ in bins
        if draw(st.booleans())
    )
    group_cap = draw(st.one_of(st.none(), st.integers(0, 3))) if groups else None
    group_caps: tuple[GroupCap, ...] = ()
    if groups and draw(st.booleans()):
        group_caps = (GroupCap(bins[0].key, "A", draw(st.integers(0, 3))),)
    group_bonus = tuple(sorted(draw(st.lists(st.integers(0, 15), max_size=3)), reverse=True)) if groups else ()
    return AssignmentProblem(
        items=items,
        bins=bins,
        candidates=candidates,
        group_cap=group_cap,
        group_caps=group_caps,
        splittable=not unit,
        group_bonus=group_bonus,
    )


def capped_groups(problem: AssignmentProblem) -> dict[tuple[int, object], int]:
    caps = {(cap.bin, cap.group): cap.cap for cap in problem.group_caps}
    result = {}
    for item in problem.items:
        for bin_ in problem.bins:
            key = (bin_.key, item.group)
            if item.group is not None and key in caps:
                result[key] = caps[key]
            elif item.group is not None and problem.group_cap is not None:
                result[key] = problem.group_cap
    return result


def assert_feasible(problem: AssignmentProblem, solution: AssignmentSolution) -> None:
    sizes = {item.key: item.size for item in problem.items}
    groups = {item.key: item.group for item in problem.items}
    allowed = {(c.item, c.bin): c.weight for c in problem.candidates}
    for placement in solution.placements:
        assert allowed[(placement.item, placement.bin)] == placement.weight
        assert placement.units > 0
    for item in problem.items:
        assert sum(p.units for p in solution.placements if p.item == item.key) <= sizes[item.key]
        if not problem.splittable:
            assert len([p for p in solution.placements if p.item == item.key]) <= 1
    for bin_ in problem.bins:
        assert sum(p.units for p in solution.placements if p.bin == bin_.key) <= bin_.capacity
    for (bin_key, group), cap in capped_groups(problem).items():
        assert sum(p.units for p in solution.placements if p.bin == bin_key and groups[p.item] == group) <= cap
    placed: dict[object, int] = {}
    for placement in solution.placements:
        if groups[placement.item] is not None:
            placed[groups[placement.item]] = placed.get(groups[placement.item], 0) + placement.units
    bonus = sum(sum(problem.group_bonus[:units]) for units in placed.values())
    assert solution.group_bonus == bonus
    assert solution.total_weight == sum(p.units * p.weight for p in solution.placements) + bonus


def highs_optimum(problem: AssignmentProblem) -> int:
    """The same model as an integer programme, solved by HiGHS: an independent check."""
    candidates = problem.candidates
    if not candidates:
        return 0
    sizes = {item.key: item.size for item in problem.items}
    groups = {item.key: item.group for item in problem.items}
    rows: list[tuple[list[int], int]] = []
    for item in problem.items:
        rows.append(([i for i, c in enumerate(candidates) if c.item == item.key], item.size))
    for bin_ in problem.bins:
        rows.append(([i for i, c in enumerate(candidates) if c.bin == bin_.key], bin_.capacity))
    for (bin_key, group), cap in capped_groups(problem).items():
        rows.append(([i for i, c in enumerate(candidates) if c.bin == bin_key and groups[c.item] == group], cap))
    # Bonus variables: y[g, j] = 1 when group g has at least j + 1 units placed (Σ_j y ≤ placed);
    # the bonus does not increase, so the optimum takes the first ones.
    bonus_columns = [
        (group, j, problem.group_bonus[j])
        for group in sorted({str(item.group) for item in problem.items if item.group is not None})
        for j in range(len(problem.group_bonus))
    ]
    width = len(candidates) + len(bonus_columns)
    matrix = np.zeros((len(rows) + len(bonus_columns), width))
    for row, (columns, _) in enumerate(rows):
        matrix[row, columns] = 1
    upper_bounds = [bound for _, bound in rows]
    for group in {group for group, _, _ in bonus_columns}:
        bonus_row = np.zeros(width)
        for column, (bonus_group, _, _) in enumerate(bonus_columns):
            if bonus_group == group:
                bonus_row[len(candidates) + column] = 1
        for column, candidate in enumerate(candidates):
            if str(groups[candidate.item]) == group:
                bonus_row[column] = -1
        matrix[len(upper_bounds)] = bonus_row
        upper_bounds.append(0)
    matrix = matrix[: len(upper_bounds)]
    upper = [sizes[c.item] if problem.splittable else 1 for c in candidates] + [1] * len(bonus_columns)
    result = milp(
        c=-np.array([c.weight for c in candidates] + [bonus for _, _, bonus in bonus_columns], dtype=float),
        constraints=LinearConstraint(matrix, -np.inf, upper_bounds),
        integrality=np.ones(width),
        bounds=Bounds(0, upper),
    )
    assert result.status == 0
    return round(-result.fun)


def brute_force_optimum(problem: AssignmentProblem) -> int:
    """Unit items only: try every choice of one bin (or none) per item."""
    choices = [[None, *[c for c in problem.candidates if c.item == item.key]] for item in problem.items]
    capacity = {bin_.key: bin_.capacity for bin_ in problem.bins}
    groups = {item.key: item.group for item in problem.items}
    caps = capped_groups(problem)
    best = 0
    for chosen in itertools.product(*choices):
        picked = [c for c in chosen if c is not None]
        if any(sum(1 for c in picked if c.bin == key) > cap for key, cap in capacity.items()):
            continue
        if any(sum(1 for c in picked if (c.bin, groups[c.item]) == key) > cap for key, cap in caps.items()):
            continue
        placed: dict[object, int] = {}
        for c in picked:
            if groups[c.item] is not None:
                placed[groups[c.item]] = placed.get(groups[c.item], 0) + 1
        bonus = sum(sum(problem.group_bonus[:units]) for units in placed.values())
        best = max(best, sum(c.weight for c in picked) + bonus)
    return best


@settings(max_examples=100, deadline=None)
@given(problems(unit=False))
def test_splittable_assignment_is_feasible_and_optimal(problem: AssignmentProblem) -> None:
    solution = solve_assignment(problem)
    reversed_problem = replace(
        problem, items=problem.items[::-1], bins=problem.bins[::-1], candidates=problem.candidates[::-1]
    )
    assert solve_assignment(reversed_problem) == solution
    assert solve_assignment_greedy(reversed_problem) == solve_assignment_greedy(problem)
    assert_feasible(problem, solution)
    assert solution.total_weight == highs_optimum(problem)
    greedy = solve_assignment_greedy(problem)
    assert_feasible(problem, greedy)
    assert greedy.total_weight <= solution.total_weight


@settings(max_examples=100, deadline=None)
@given(problems(unit=True))
def test_unit_assignment_is_feasible_and_optimal(problem: AssignmentProblem) -> None:
    solution = solve_assignment(problem)
    assert_feasible(problem, solution)
    assert solution.total_weight == brute_force_optimum(problem) == highs_optimum(problem)
    greedy = solve_assignment_greedy(problem)
    assert_feasible(problem, greedy)
    assert greedy.total_weight <= solution.total_weight


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
@given(pools())
def test_pool_assignment_respects_capacity_and_allocation_and_is_optimal(
    pool: tuple[list[OrganisationNeeds], list[SupervisorOffer]],
) -> None:
    needs_list, offers = pool
    result = assign_pool(needs_list, offers)
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
    assert optimal.pairs == (
        AssignedPair(
            organisation_id=1,
            supervisor_id=2,
            hours=Decimal(2),
            score=15,
            reasons=(
                "Does not cover the specialism you asked for",
                "Costs £120 a month, within your allocation",
                "Has 2 hours free this month",
            ),
        ),
        AssignedPair(
            organisation_id=2,
            supervisor_id=1,
            hours=Decimal(2),
            score=55,
            reasons=(
                "Covers the specialism you asked for: psychosis",
                "Costs £120 a month, within your allocation",
                "Has 2 hours free this month",
            ),
        ),
    )
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
