"""The dense solver (``solve_dense``): a few candidates per item, widened until the flow's
potentials prove the optimum over every pair. Checked against HiGHS (scipy) and against the
plain flow on every allowed pair."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reflect.assignment import (
    AssignmentProblem,
    AssignmentSolution,
    Bin,
    Candidate,
    CandidateArrays,
    Item,
    solve_arrays,
    solve_dense,
)
from tests.reflect.assignment_checks import assert_feasible, highs_optimum


def as_candidates(problem: AssignmentProblem, weights: np.ndarray) -> AssignmentProblem:
    """The same problem with every allowed pair as a listed candidate, for the independent checks."""
    return AssignmentProblem(
        items=problem.items,
        bins=problem.bins,
        candidates=tuple(
            Candidate(problem.items[row].key, problem.bins[column].key, int(weights[row, column]))
            for row, column in zip(*np.nonzero(weights >= 0), strict=True)
        ),
        splittable=True,
    )


@st.composite
def dense_problems(draw: st.DrawFn) -> tuple[AssignmentProblem, np.ndarray]:
    item_count, bin_count = draw(st.integers(1, 7)), draw(st.integers(1, 6))
    # Keys out of order, so the solver's own sorting into key order is exercised too.
    item_keys = draw(st.permutations(range(1, item_count + 1)))
    bin_keys = draw(st.permutations(range(1, bin_count + 1)))
    problem = AssignmentProblem(
        items=tuple(Item(key, draw(st.integers(0, 4))) for key in item_keys),
        bins=tuple(Bin(key, draw(st.integers(0, 5))) for key in bin_keys),
        candidates=(),
        splittable=True,
    )
    weights = draw(arrays(np.int8, (item_count, bin_count), elements=st.integers(-1, 12)))
    return problem, weights


@settings(max_examples=150, deadline=None)
@given(dense_problems(), st.integers(1, 3))
def test_the_dense_optimum_is_the_optimum_over_every_pair(
    case: tuple[AssignmentProblem, np.ndarray], per_item: int
) -> None:
    problem, weights = case
    dense = solve_dense(problem, weights, per_item=per_item, all_pairs_up_to=0)
    listed = as_candidates(problem, weights)
    assert_feasible(listed, dense.solution)
    assert dense.solution.total_weight == highs_optimum(listed)
    every_pair = solve_arrays(problem, CandidateArrays.of(listed))
    assert dense.solution.total_weight == every_pair.total_weight
    # The rounds maximise the weight alone and the last flow breaks ties: the same tie-break
    # as the plain flow on every pair (lower-keyed items and bins first).
    assert tie_break_penalty(problem, dense.solution) == tie_break_penalty(problem, every_pair)


def tie_break_penalty(problem: AssignmentProblem, solution: AssignmentSolution) -> int:
    """Σ units × (the item's place + the bin's place in key order): what the tie-break minimises."""
    item_place = {key: place for place, key in enumerate(sorted(item.key for item in problem.items))}
    bin_place = {key: place for place, key in enumerate(sorted(bin_.key for bin_ in problem.bins))}
    return sum(p.units * (item_place[p.item] + bin_place[p.bin]) for p in solution.placements)


def seeded_problem() -> tuple[AssignmentProblem, np.ndarray]:
    """Forty organisations and thirty supervisors of seeded random weights."""
    rng = np.random.default_rng(20)
    weights = rng.integers(0, 60, size=(40, 30)).astype(np.int8)
    weights[rng.random((40, 30)) < 0.3] = -1
    problem = AssignmentProblem(
        items=tuple(Item(key, int(size)) for key, size in enumerate(rng.integers(1, 5, 40), start=1)),
        bins=tuple(Bin(key, int(capacity)) for key, capacity in enumerate(rng.integers(0, 6, 30), start=1)),
        candidates=(),
        splittable=True,
    )
    return problem, weights


def test_too_few_first_candidates_are_widened_until_proved_optimal() -> None:
    """One candidate each to start with: the first flow cannot be optimal, and the rounds add
    what it lacks."""
    problem, weights = seeded_problem()
    dense = solve_dense(problem, weights, per_item=1, all_pairs_up_to=0)
    listed = as_candidates(problem, weights)
    assert dense.rounds > 1
    assert dense.candidates < len(listed.candidates)
    assert (
        dense.solution.total_weight
        == highs_optimum(listed)
        == solve_arrays(problem, CandidateArrays.of(listed)).total_weight
    )


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.float64])
def test_weights_of_any_number_type_give_the_same_optimum(dtype: type) -> None:
    """The check marks closed pairs with the least value of the weights' type (int8 and int16
    as given, others widened): the same answer whatever the type."""
    problem, weights = seeded_problem()
    as_int8 = solve_dense(problem, weights, per_item=1, all_pairs_up_to=0)
    widened = solve_dense(problem, weights.astype(dtype), per_item=1, all_pairs_up_to=0)
    assert widened.rounds > 1
    assert widened.solution == as_int8.solution
    assert as_int8.solution.total_weight == highs_optimum(as_candidates(problem, weights))


def test_group_caps_and_bonus_and_a_wrong_shape_are_refused() -> None:
    problem = AssignmentProblem(items=(Item(1, 1),), bins=(Bin(1, 1),), candidates=(), splittable=True)
    weights = np.zeros((1, 1), dtype=np.int8)
    with pytest.raises(ValueError, match="group caps"):
        solve_dense(
            AssignmentProblem(items=(Item(1, 1, group="a"),), bins=(Bin(1, 1),), candidates=(), group_cap=1), weights
        )
    with pytest.raises(ValueError, match="a row per item"):
        solve_dense(problem, np.zeros((2, 1), dtype=np.int8))
    with pytest.raises(ValueError, match="at least one candidate"):
        solve_dense(problem, weights, per_item=0)
