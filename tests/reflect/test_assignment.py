"""The generic assignment solver without a database: hand-made instances, and random ones checked
against an independent solver (HiGHS through scipy, and brute force on tiny instances)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflect.assignment import (
    AssignmentProblem,
    AssignmentSolution,
    Bin,
    Candidate,
    GroupCap,
    Item,
    Placement,
    solve_assignment,
    solve_assignment_greedy,
)
from tests.reflect.assignment_checks import assert_feasible, brute_force_optimum, highs_optimum


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
def test_malformed_problems_are_refused(change: dict[str, Any], message: str) -> None:
    problem = AssignmentProblem(items=(Item(1, 1),), bins=(Bin(1, 1),), candidates=(Candidate(1, 1, 3),))
    with pytest.raises(ValueError, match=message):
        solve_assignment(replace(problem, **change))
    with pytest.raises(ValueError, match=message):
        solve_assignment_greedy(replace(problem, **change))


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
