"""Independent checks of an assignment: feasibility, and the optimum found another way (HiGHS
through scipy, and brute force on tiny instances). Shared by the solver's tests and the pool
assignment's (tests/supervision/test_matching.py)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from reflect.assignment import AssignmentProblem, AssignmentSolution


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
