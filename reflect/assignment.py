"""Assigning items to bins for the most total weight: a generic solver, pure and exact.

Nothing here knows what the items and bins are. Supervision matching places an organisation's
hours with supervisors (supervision/matching.py); cohort filling places people in cohort groups
(scheduling/groups/cohort_filling.py). Both build an ``AssignmentProblem`` and read back an
``AssignmentSolution``: frozen dataclasses, no database (docs/matching.md).

The problem
    Items that each need ``size`` units, bins with a capacity in units, candidate (item, bin)
    pairs with a weight per unit (a pair that is not a candidate is forbidden), and optional caps
    on the units one group of items (e.g. an organisation) may take in one bin. The solver
    maximises total weight. Items of one unit (people filling reflective-group cohorts) are never
    split, so for them the flow solves the one-bin-per-item problem exactly; larger items may be
    split only when ``splittable=True`` (one bin per item with unequal sizes is a generalised
    assignment problem, NP-hard, which no flow solves exactly). A non-increasing ``group_bonus``
    adds weight for each group's first, second, … unit placed anywhere, which spreads places
    fairly across organisations and is still solved exactly (convex costs on the flow). Among
    equally good assignments, lower-keyed items (e.g. earlier applicants) are placed first, and
    the same problem in any input order gets the same answer.

    For cohorts: an item per applicant (size 1, group = their organisation), a bin per cohort
    (capacity = places), a candidate only where the cohort's times suit the person ("no
    sessions before" included), ``group_cap`` = most colleagues per cohort, and a
    ``group_bonus`` such as (10, 5) for fairness.

How it is solved
    As a min-cost flow (OR-tools' ``SimpleMinCostFlow``; costs are negated weights per unit):
    see ``solve_assignment``. ``solve_assignment_greedy`` is the baseline it is measured
    against: best-weighted pairs first, as much as fits. A caller with very many candidates
    (the pool-wide supervision assignment builds 100,000) passes them as ``CandidateArrays``
    to ``solve_arrays`` / ``solve_arrays_greedy`` instead of one object each. When any pair may
    be a candidate and there are millions (10,000 organisations × 3,000 supervisors),
    ``solve_dense`` takes their weights as a matrix, gives the flow a few per item, and proves
    the answer optimal over all of them (adding pairs until it can).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import min_cost_flow


@dataclass(frozen=True)
class Item:
    """Something to place: an organisation's hours, or one person in a cohort (size 1)."""

    key: int
    size: int
    group: Hashable | None = None  # e.g. the person's organisation, for per-bin group caps


@dataclass(frozen=True)
class Bin:
    """Somewhere to place it: a supervisor's hours, or a cohort's places."""

    key: int
    capacity: int


@dataclass(frozen=True)
class Candidate:
    """An allowed (item, bin) pair and what each unit placed there is worth."""

    item: int
    bin: int
    weight: int


@dataclass(frozen=True)
class GroupCap:
    """At most ``cap`` units of one group's items in one bin (e.g. colleagues per cohort)."""

    bin: int
    group: Hashable
    cap: int


@dataclass(frozen=True)
class AssignmentProblem:
    items: tuple[Item, ...]
    bins: tuple[Bin, ...]
    candidates: tuple[Candidate, ...]
    group_cap: int | None = None  # applies to every (bin, group) without its own GroupCap
    group_caps: tuple[GroupCap, ...] = ()
    splittable: bool = False
    # Extra weight for a group's 1st, 2nd, … unit placed anywhere, non-increasing: spreads places
    # fairly across groups (issue 7: cohorts "spread places fairly across organisations").
    group_bonus: tuple[int, ...] = ()


@dataclass(frozen=True)
class Placement:
    item: int
    bin: int
    units: int
    weight: int  # per unit


@dataclass(frozen=True)
class AssignmentSolution:
    placements: tuple[Placement, ...]
    total_weight: int  # Σ units × weight over the placements, plus the groups' bonus
    group_bonus: int = 0  # the part of total_weight that came from AssignmentProblem.group_bonus


@dataclass(frozen=True)
class CandidateArrays:
    """Candidates as parallel arrays of positions in ``problem.items`` / ``problem.bins``: the
    pool builds 100,000 of them, too many to make one object each."""

    item: np.ndarray
    bin: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, problem: AssignmentProblem) -> CandidateArrays:
        item_position = {item.key: position for position, item in enumerate(problem.items)}
        bin_position = {bin_.key: position for position, bin_ in enumerate(problem.bins)}
        return cls(
            item=np.array([item_position[c.item] for c in problem.candidates], dtype=np.int64),
            bin=np.array([bin_position[c.bin] for c in problem.candidates], dtype=np.int64),
            weight=np.array([c.weight for c in problem.candidates], dtype=np.int64),
        )


def _check(problem: AssignmentProblem) -> None:
    item_keys = {item.key for item in problem.items}
    bin_keys = {bin_.key for bin_ in problem.bins}
    if len(item_keys) != len(problem.items) or len(bin_keys) != len(problem.bins):
        raise ValueError("item and bin keys must be unique")
    if any(item.size < 0 for item in problem.items) or any(bin_.capacity < 0 for bin_ in problem.bins):
        raise ValueError("sizes and capacities cannot be negative")
    if (problem.group_cap is not None and problem.group_cap < 0) or any(cap.cap < 0 for cap in problem.group_caps):
        raise ValueError("group caps cannot be negative")
    pairs = {(candidate.item, candidate.bin) for candidate in problem.candidates}
    if len(pairs) != len(problem.candidates):
        raise ValueError("each (item, bin) pair may be a candidate once")
    if not all(item in item_keys and bin_ in bin_keys for item, bin_ in pairs):
        raise ValueError("a candidate names an unknown item or bin")
    if not problem.splittable and any(item.size > 1 for item in problem.items):
        # One bin per item with unequal sizes is a generalised assignment problem (NP-hard):
        # no flow solves it exactly, so we refuse rather than pretend (see the module docstring).
        raise ValueError("items larger than one unit must be splittable")
    bonus = problem.group_bonus
    if any(later > earlier for earlier, later in itertools.pairwise(bonus)) or any(b < 0 for b in bonus):
        # A non-increasing, non-negative bonus is a concave reward, i.e. convex costs on the flow:
        # exactly solvable. Anything else would reward piling places on one group.
        raise ValueError("a group bonus must not increase and cannot be negative")


def _earned_bonus(problem: AssignmentProblem, placements: Iterable[Placement]) -> int:
    if not problem.group_bonus:
        return 0
    groups = {item.key: item.group for item in problem.items}
    placed: dict[Hashable, int] = {}
    for placement in placements:
        group = groups[placement.item]
        if group is not None:
            placed[group] = placed.get(group, 0) + placement.units
    return sum(sum(problem.group_bonus[:units]) for units in placed.values())


def _group_cap_of(problem: AssignmentProblem) -> dict[tuple[int, Hashable], int]:
    """The cap of every (bin key, group) that has one."""
    caps = {(cap.bin, cap.group): cap.cap for cap in problem.group_caps}
    if problem.group_cap is not None:
        for group in {item.group for item in problem.items if item.group is not None}:
            for bin_ in problem.bins:
                caps.setdefault((bin_.key, group), problem.group_cap)
    return caps


def _solution(problem: AssignmentProblem, candidates: CandidateArrays, units: np.ndarray) -> tuple[Placement, ...]:
    placed = np.flatnonzero(units > 0)
    return tuple(
        Placement(
            item=problem.items[int(candidates.item[index])].key,
            bin=problem.bins[int(candidates.bin[index])].key,
            units=int(units[index]),
            weight=int(candidates.weight[index]),
        )
        for index in placed
    )


def solve_assignment(problem: AssignmentProblem) -> AssignmentSolution:
    """An optimal assignment, as a min-cost flow.

    Network: each item is a source of ``size`` units; each unit flows either to the sink
    directly (left unplaced, cost 0) or along a candidate arc to its bin (cost −weight), and on
    to the sink within the bin's capacity. Units of a capped group pass through a (bin, group)
    node whose arc to the bin carries the cap. Flows are integral, so the optimum is a real
    assignment; candidate arcs carry at most the item's size (1 when it is unsplittable).

    A group bonus is paid on the unplaced side: a group's unplaced units pass through its own
    node to the sink over unit arcs costing the bonus of the placements they forgo (the k-th
    unit left out forgoes bonus[S − k], S the group's size). The bonus does not increase, so
    these costs do not decrease with k: a convex cost, which a min-cost flow handles exactly.

    Ties: weights are multiplied by a scale larger than any possible sum of tie-break
    penalties, and each placed unit pays the position of its item and of its bin in key order;
    so among the optimal assignments the solver prefers placing lower-keyed items (e.g. the
    earlier applicant) and using lower-keyed bins. The network is built in key order, so the
    same problem in any input order gets the same answer.
    """
    _check(problem)
    return solve_arrays(problem, CandidateArrays.of(problem))


def _in_key_order(problem: AssignmentProblem, candidates: CandidateArrays) -> tuple[AssignmentProblem, CandidateArrays]:
    item_keys, bin_keys = [item.key for item in problem.items], [bin_.key for bin_ in problem.bins]
    if all(a < b for a, b in itertools.pairwise(item_keys)) and all(a < b for a, b in itertools.pairwise(bin_keys)):
        # Already in key order (solve_dense's every round): only the candidates to sort, by
        # one key (quicker than lexsort), and not at all when they come sorted (its first round).
        key = candidates.item * len(bin_keys) + candidates.bin
        if bool(np.all(key[1:] > key[:-1])):
            return problem, candidates
        order = np.argsort(key, kind="stable")
        return problem, CandidateArrays(
            item=candidates.item[order], bin=candidates.bin[order], weight=candidates.weight[order]
        )
    item_order = sorted(range(len(problem.items)), key=lambda position: problem.items[position].key)
    bin_order = sorted(range(len(problem.bins)), key=lambda position: problem.bins[position].key)
    new_item = np.empty(len(item_order), dtype=np.int64)
    new_item[item_order] = np.arange(len(item_order))
    new_bin = np.empty(len(bin_order), dtype=np.int64)
    new_bin[bin_order] = np.arange(len(bin_order))
    items, bins = new_item[candidates.item], new_bin[candidates.bin]
    order = np.lexsort((bins, items))
    return (
        replace(
            problem,
            items=tuple(problem.items[position] for position in item_order),
            bins=tuple(problem.bins[position] for position in bin_order),
        ),
        CandidateArrays(item=items[order], bin=bins[order], weight=candidates.weight[order]),
    )


def solve_arrays(problem: AssignmentProblem, candidates: CandidateArrays) -> AssignmentSolution:
    """``solve_assignment`` with the candidates given as arrays (``problem.candidates`` is not
    read), for a caller that built them itself: they are not checked, so each must name an item
    and a bin of the problem once."""
    return _solve_network(problem, candidates).solution


@dataclass(frozen=True)
class _Solved:
    """A solved network, in key order, with what checking its optimum needs."""

    problem: AssignmentProblem  # items and bins in key order
    candidates: CandidateArrays  # positions in that order, sorted by item then bin
    units: np.ndarray  # placed on each candidate
    scale: int  # weights were multiplied by it and tie-broken (1: no tie-break)
    total_weight: int
    group_bonus: int

    @property
    def solution(self) -> AssignmentSolution:
        placements = _solution(self.problem, self.candidates, self.units)
        return AssignmentSolution(placements=placements, total_weight=self.total_weight, group_bonus=self.group_bonus)


def _tie_break_scale(problem: AssignmentProblem, largest_weight: int) -> int:
    """What weights are multiplied by so that the tie-break (a unit's item and bin positions)
    never outweighs one unit of weight; 1 (no tie-break) when the costs would overflow OR-tools'
    64 bits, keeping the optimum and dropping the tie-break (at 10,000 × 3,000, say)."""
    total_units = sum(item.size for item in problem.items)
    nodes = len(problem.items) + len(problem.bins)
    scale = total_units * nodes + 1
    largest = max([largest_weight, *problem.group_bonus, 1])
    return 1 if largest * scale * (total_units + 1) * (nodes + 2) >= 2**62 else scale


def _solve_network(problem: AssignmentProblem, candidates: CandidateArrays, *, break_ties: bool = True) -> _Solved:
    """The flow of ``solve_assignment``; without ``break_ties`` it maximises the weight alone
    (scale 1), which OR-tools solves about twice as fast: its cost scaling takes a pass per few
    bits of the largest cost, and the tie-break's scale adds some thirty bits."""
    problem, candidates = _in_key_order(problem, candidates)
    item_count, bin_count = len(problem.items), len(problem.bins)
    sizes = np.array([item.size for item in problem.items], dtype=np.int64)
    capacities = np.array([bin_.capacity for bin_ in problem.bins], dtype=np.int64)
    item_rank = np.arange(item_count)  # positions are in key order now
    bin_rank = np.arange(bin_count)
    total_units = int(sizes.sum())
    scale = _tie_break_scale(problem, int(np.abs(candidates.weight).max(initial=0))) if break_ties else 1
    sink = item_count + bin_count
    next_node = sink + 1

    heads = item_count + candidates.bin
    caps = _group_cap_of(problem)
    extra: list[tuple[int, int, int, int]] = []  # tail, head, capacity, cost
    if caps:
        # Units of a capped (bin, group) pass through its own node, whose arc to the bin has the cap.
        heads = heads.copy()
        group_nodes: dict[tuple[int, Hashable], int] = {}
        for index in range(len(heads)):
            item = problem.items[int(candidates.item[index])]
            bin_ = problem.bins[int(candidates.bin[index])]
            key = (bin_.key, item.group)
            if item.group is None or key not in caps:
                continue
            if key not in group_nodes:
                group_nodes[key] = next_node
                extra.append((next_node, item_count + int(candidates.bin[index]), caps[key], 0))
                next_node += 1
            heads[index] = group_nodes[key]

    bonus_if_all_placed = 0
    unplaced_head = np.full(item_count, sink, dtype=np.int64)
    if problem.group_bonus:
        group_sizes: dict[Hashable, int] = {}
        unplaced_nodes: dict[Hashable, int] = {}
        for position, item in enumerate(problem.items):
            if item.group is None:
                continue
            if item.group not in unplaced_nodes:
                unplaced_nodes[item.group] = next_node
                next_node += 1
            unplaced_head[position] = unplaced_nodes[item.group]
            group_sizes[item.group] = group_sizes.get(item.group, 0) + item.size
        for group, node in unplaced_nodes.items():
            bonus = problem.group_bonus[: group_sizes[group]]
            bonus_if_all_placed += sum(bonus)
            extra.append((node, sink, group_sizes[group] - len(bonus), 0))  # beyond the bonus: nothing forgone
            extra.extend((node, sink, 1, forgone * scale) for forgone in bonus)

    tie_break = item_rank[candidates.item] + bin_rank[candidates.bin] if scale > 1 else 0
    extra_arcs = np.array(extra, dtype=np.int64).reshape(-1, 4)
    tails = np.concatenate(
        [candidates.item, extra_arcs[:, 0], np.arange(item_count), item_count + np.arange(bin_count)]
    )
    heads = np.concatenate([heads, extra_arcs[:, 1], unplaced_head, np.full(bin_count, sink)])
    arc_capacities = np.concatenate([sizes[candidates.item], extra_arcs[:, 2], sizes, capacities])
    costs = np.concatenate(
        [-candidates.weight * scale + tie_break, extra_arcs[:, 3], np.zeros(item_count + bin_count, dtype=np.int64)]
    )

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), arc_capacities.astype(np.int64), costs.astype(np.int64)
    )
    supplies = np.zeros(next_node, dtype=np.int64)
    supplies[:item_count] = sizes
    supplies[sink] = -total_units
    flow.set_nodes_supplies(np.arange(next_node, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:  # every unit can always go straight to the sink, so this is a bug
        raise RuntimeError(f"min-cost flow failed with status {status}")

    candidate_count = len(candidates.weight)
    units = flow.flows(np.arange(candidate_count, dtype=np.int32)) if candidate_count else np.zeros(0, np.int64)
    earned = _earned_bonus(problem, _solution(problem, candidates, units)) if problem.group_bonus else 0
    total = int((units * candidates.weight).sum()) + earned
    penalties = int((units * tie_break).sum()) if scale > 1 else 0
    # The flow's cost, read back: a check that the network says what this docstring says.
    assert (bonus_if_all_placed - total) * scale + penalties == flow.optimal_cost()
    return _Solved(problem, candidates, units, scale, total, earned)


def solve_assignment_greedy(problem: AssignmentProblem) -> AssignmentSolution:
    """The baseline: candidates by weight (then item key, then bin key), each taking what still fits."""
    _check(problem)
    return solve_arrays_greedy(problem, CandidateArrays.of(problem))


def solve_arrays_greedy(problem: AssignmentProblem, candidates: CandidateArrays) -> AssignmentSolution:
    """``solve_assignment_greedy`` with the candidates given as arrays, unchecked (as ``solve_arrays``)."""
    problem, candidates = _in_key_order(problem, candidates)
    caps = _group_cap_of(problem)
    item_keys = np.array([item.key for item in problem.items], dtype=np.int64)
    bin_keys = np.array([bin_.key for bin_ in problem.bins], dtype=np.int64)
    item_left = [item.size for item in problem.items]
    bin_left = [bin_.capacity for bin_ in problem.bins]
    group_left = dict(caps)
    units = np.zeros(len(candidates.weight), dtype=np.int64)
    order = np.lexsort((bin_keys[candidates.bin], item_keys[candidates.item], -candidates.weight))
    for index in order.tolist():
        if candidates.weight[index] <= 0:
            break
        item_position, bin_position = int(candidates.item[index]), int(candidates.bin[index])
        room = min(item_left[item_position], bin_left[bin_position])
        key = (problem.bins[bin_position].key, problem.items[item_position].group)
        if key in group_left:
            room = min(room, group_left[key])
        if room <= 0:
            continue
        item_left[item_position] -= room
        bin_left[bin_position] -= room
        if key in group_left:
            group_left[key] -= room
        units[index] = room
    placements = _solution(problem, candidates, units)
    earned = _earned_bonus(problem, placements)
    return AssignmentSolution(
        placements=placements, total_weight=int((units * candidates.weight).sum()) + earned, group_bonus=earned
    )


# --- many items × many bins: a few candidates each, proved optimal --------------------------------


@dataclass(frozen=True)
class DenseSolution:
    solution: AssignmentSolution
    rounds: int  # flows solved: 1 when the first candidates were enough
    candidates: int  # pairs handed to the last flow


def solve_dense(
    problem: AssignmentProblem, weights: np.ndarray, *, per_item: int = 12, all_pairs_up_to: int = 200_000
) -> DenseSolution:
    """An optimal assignment when any (item, bin) pair may be a candidate: ``weights[i, j]`` is
    the weight per unit of ``problem.items[i]`` in ``problem.bins[j]``, negative where the pair
    is forbidden (``problem.candidates`` is not read). The same optimum as ``solve_arrays`` on
    every allowed pair, without handing the flow millions of arcs (10,000 × 3,000 pairs).

    How it stays exact: the flow first gets each item's ``per_item`` best pairs and each bin's
    best items. An optimal flow has node potentials ``d`` (shortest distances in its residual
    network) under which no residual arc has a negative reduced cost; that is the certificate
    of optimality. A pair left out would be one more arc ``i → j`` of cost ``c_ij``; if
    ``c_ij + d_i − d_j ≥ 0`` for every pair left out, the same potentials certify the flow
    optimal on the whole network, so the answer is the optimum. Pairs that fail are added and
    the flow solved again, until none fail (at worst every allowed pair is in: the plain
    solve). Every pair is checked each round, in small integers (``_pairs_failing_the_certificate``),
    and the pairs nearly failing are added with those that fail, which saves rounds. After
    the first flow, first candidates far from tight are dropped once; the check covers them
    like any pair left out. OR-tools' flow cannot start from the last answer, so fewer and
    smaller flows are what make it quick: at 10,000 × 3,000, three flows, the last two on
    about 90,000 arcs.

    The rounds maximise the weight alone (about twice as quick a flow); the tie-break of
    ``solve_assignment`` is settled by one last flow over the arcs every optimum may use
    (``_tie_broken``), skipped when the tie-break would overflow 64-bit costs anyway.

    With no more than ``all_pairs_up_to`` allowed pairs, one flow over all of them is quicker
    than rounds, and that is what runs. Items and bins only: no group caps or group bonus (the
    pool-wide matching needs neither)."""
    if problem.group_cap is not None or problem.group_caps or problem.group_bonus:
        raise ValueError("group caps and a group bonus need solve_arrays")
    _check(replace(problem, candidates=()))
    if weights.shape != (len(problem.items), len(problem.bins)):
        raise ValueError("the weights must have a row per item and a column per bin")
    if per_item < 1:
        raise ValueError("each item needs at least one candidate to start from")
    item_order = np.argsort([item.key for item in problem.items], kind="stable")
    bin_order = np.argsort([bin_.key for bin_ in problem.bins], kind="stable")
    problem = replace(
        problem,
        items=tuple(problem.items[position] for position in item_order),
        bins=tuple(problem.bins[position] for position in bin_order),
    )
    sizes = np.array([item.size for item in problem.items], dtype=np.int64)
    in_order = np.array_equal(item_order, np.arange(len(item_order))) and np.array_equal(
        bin_order, np.arange(len(bin_order))
    )
    # Positions are key order from here on; a copy only when the caller's order differs, or
    # when an item of no units has usable pairs (they are marked forbidden).
    if not in_order:
        weights = weights[np.ix_(item_order, bin_order)]
    if np.any(weights[sizes == 0] >= 0):
        weights = weights.copy() if in_order else weights
        weights[sizes == 0] = -1
    if weights.dtype not in (np.int8, np.int16):
        weights = weights.astype(np.int16 if weights.dtype == np.uint8 else np.int64)

    usable = sum(int(np.count_nonzero(weights[rows] >= 0)) for rows in _row_blocks(weights))
    if usable <= all_pairs_up_to:  # one flow over every pair is quicker than rounds
        item, bin_ = np.nonzero(weights >= 0)
        solved = _solve_network(problem, CandidateArrays(item, bin_, weights[item, bin_].astype(np.int64)))
        return DenseSolution(solved.solution, 1, len(item))

    tie_break_scale = _tie_break_scale(problem, int(weights.max(initial=0)))
    per_bin = -(-per_item * len(problem.items) // max(1, len(problem.bins)))
    item, bin_, open_weights = _first_candidates(weights, per_item, per_bin)
    closed = _closed(weights)
    rounds = 0
    while True:
        rounds += 1
        # The rounds maximise the weight alone (quicker flows); the tie-break is settled once
        # the weight is proved optimal over every pair (_tie_broken).
        solved = _solve_network(
            problem, CandidateArrays(item, bin_, weights[item, bin_].astype(np.int64)), break_ties=False
        )
        potentials = _Potentials.of(solved)
        missing_item, missing_bin, tight = _pairs_failing_the_certificate(potentials, open_weights, per_item)
        if not len(missing_item):
            if tie_break_scale == 1:  # nothing to break ties by: this flow is the answer
                return DenseSolution(solved.solution, rounds, len(item))
            final = _tie_broken(problem, weights, solved, potentials, tight)
            return DenseSolution(final.solution, rounds + 1, len(final.candidates.item))
        if rounds == 1:
            # Once, so the rounds still end: the first candidates far from tight and carrying
            # nothing are dropped (the check covers every pair left out, so any the optimum
            # needs come back). The later flows then get about 90,000 arcs, not 300,000.
            item, bin_, units = solved.candidates.item, solved.candidates.bin, solved.units
            far = (units == 0) & (potentials.excess(item, bin_, weights[item, bin_]) < -_PRUNE)
            open_weights[item[far], bin_[far]] = weights[item[far], bin_[far]]
            item, bin_ = item[~far], bin_[~far]
        open_weights[missing_item, missing_bin] = closed
        item, bin_ = np.concatenate([item, missing_item]), np.concatenate([bin_, missing_bin])


# Rows of the weight matrix handled at once: keeps each intermediate array to a few megabytes.
_BLOCK_CELLS = 1 << 20


def _row_blocks(weights: np.ndarray) -> Iterator[slice]:
    rows = max(1, _BLOCK_CELLS // max(1, weights.shape[1]))
    for first in range(0, weights.shape[0], rows):
        yield slice(first, first + rows)


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-d mask, by way of the flat one: fifteen times quicker when the
    mask is mostly false (NumPy's 2-d nonzero visits every cell twice and slowly)."""
    rows, columns = np.divmod(np.flatnonzero(mask), mask.shape[1])
    return rows, columns


def _closed(weights: np.ndarray) -> int:
    """What marks a pair in ``open_weights`` as not to be checked: forbidden, or already a
    candidate. The smallest value of the dtype, far below any pair the check could want."""
    return int(np.iinfo(weights.dtype).min) if weights.dtype.itemsize <= 2 else -(2**62)


def _first_candidates(weights: np.ndarray, per_item: int, per_bin: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs the first flow gets, as (items, bins): each item's ``per_item`` best and,
    roughly, each bin's ``per_bin`` best (with their ties). The choice is only where the flow
    starts (the certificate makes the answer exact), so each bin's are judged on a sample of the
    items. Rows are sorted a block at a time: for the pool's 8-bit scores NumPy sorts by radix,
    in linear time, which is what makes this cheaper than partitioning 30 million cells.

    Also the weights the check reads (``open_weights``): a copy with forbidden pairs and
    candidates marked ``_closed``, so that checking a pair is a subtraction and a comparison,
    not three masks (the rounds keep it up to date)."""
    item_count, bin_count = weights.shape
    item_least = np.zeros(item_count, dtype=np.int64)
    if bin_count > per_item:
        for rows in _row_blocks(weights):
            item_least[rows] = np.sort(weights[rows], axis=1, kind="stable")[:, bin_count - per_item]
    step = max(1, per_bin // 8)
    sample = np.ascontiguousarray(weights[::step].T)
    best_in_sample = max(1, per_bin // step)
    bin_least = np.zeros(bin_count, dtype=np.int64)
    if sample.shape[1] > best_in_sample:
        bin_least = np.sort(sample, axis=1, kind="stable")[:, sample.shape[1] - best_in_sample].astype(np.int64)
    item_least_of = np.maximum(item_least, 0).astype(weights.dtype)
    bin_least_of = np.maximum(bin_least, 0).astype(weights.dtype)
    closed = weights.dtype.type(_closed(weights))
    open_weights = np.empty_like(weights)
    items, bins = [], []
    for rows in _row_blocks(weights):
        block = weights[rows]
        chosen = (block >= item_least_of[rows, None]) | (block >= bin_least_of[None, :])
        chosen &= block >= 0
        block_items, block_bins = _nonzero(chosen)
        items.append(rows.start + block_items)
        bins.append(block_bins)
        # closed where chosen or forbidden, the weight elsewhere: selected with bit operations,
        # as a masked write is many times slower.
        chosen |= block < 0
        mask = -chosen.astype(weights.dtype)  # all bits set where closed
        open_weights[rows] = block ^ (mask & (block ^ closed))
    return np.concatenate(items).astype(np.int64), np.concatenate(bins).astype(np.int64), open_weights


def _potentials(solved: _Solved) -> np.ndarray:
    """Shortest distances from a root joined to every node at cost 0, in the flow's residual
    network (Bellman–Ford, a whole sweep of arcs at a time): an optimal flow has no negative
    cycle, so they exist, and no residual arc has a negative reduced cost under them."""
    problem, candidates, units, scale = solved.problem, solved.candidates, solved.units, solved.scale
    item_count, bin_count = len(problem.items), len(problem.bins)
    sink = item_count + bin_count
    sizes = np.array([item.size for item in problem.items], dtype=np.int64)
    capacities = np.array([bin_.capacity for bin_ in problem.bins], dtype=np.int64)
    placed = np.bincount(candidates.item, weights=units, minlength=item_count).astype(np.int64)
    used = np.bincount(candidates.bin, weights=units, minlength=bin_count).astype(np.int64)
    cost = _arc_costs(candidates.item, candidates.bin, candidates.weight, scale)
    bins = item_count + candidates.bin
    items = np.arange(item_count)
    bin_nodes = item_count + np.arange(bin_count)
    # (tails, heads, costs) of each kind of residual arc: one with room left runs forward, one
    # carrying flow runs backward at the opposite cost.
    room, carrying = units < sizes[candidates.item], units > 0
    arcs = [
        (candidates.item[room], bins[room], cost[room]),
        (bins[carrying], candidates.item[carrying], -cost[carrying]),
        (items[placed > 0], np.full(item_count, sink)[placed > 0], None),  # leave a unit unplaced
        (np.full(item_count, sink)[placed < sizes], items[placed < sizes], None),  # place one left out
        (bin_nodes[used < capacities], np.full(bin_count, sink)[used < capacities], None),
        (np.full(bin_count, sink)[used > 0], bin_nodes[used > 0], None),
    ]
    tails = np.concatenate([tail for tail, _, _ in arcs])
    heads = np.concatenate([head for _, head, _ in arcs])
    costs = np.concatenate([np.zeros(len(tail), np.int64) if c is None else c for tail, _, c in arcs])
    distance = np.zeros(sink + 1, dtype=np.int64)
    for _ in range(sink + 2):
        relaxed = distance.copy()
        np.minimum.at(relaxed, heads, distance[tails] + costs)
        if np.array_equal(relaxed, distance):
            return distance
        distance = relaxed
    raise RuntimeError("the flow's residual network has a negative cycle: it was not optimal")


def _arc_costs(items: np.ndarray, bins: np.ndarray, weights: np.ndarray, scale: int) -> np.ndarray:
    """The flow's cost per unit on a candidate arc, as ``_solve_network`` sets it (positions in
    key order are the tie-break's ranks)."""
    costs: np.ndarray = -weights.astype(np.int64)
    if scale > 1:
        costs = costs * scale + items + bins
    return costs


@dataclass(frozen=True)
class _Potentials:
    """A solved flow's potentials, split for checking pairs in small integers (see
    ``_pairs_failing_the_certificate``)."""

    scale: int
    item_quotient: np.ndarray
    item_rest: np.ndarray
    bin_quotient: np.ndarray
    bin_rest: np.ndarray

    @classmethod
    def of(cls, solved: _Solved) -> _Potentials:
        distance = _potentials(solved)
        item_count, bin_count = len(solved.problem.items), len(solved.problem.bins)
        scale = solved.scale
        tie_break = 1 if scale > 1 else 0
        item_quotient, item_rest = np.divmod(tie_break * np.arange(item_count) + distance[:item_count], scale)
        bin_quotient, bin_rest = np.divmod(tie_break * np.arange(bin_count) - distance[item_count:-1], scale)
        return cls(scale, item_quotient, item_rest, bin_quotient, bin_rest)

    def excess(self, items: np.ndarray, bins: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """``k = w − q_i − q_j`` of these pairs: 2 or more fails, 0 or less passes."""
        excess: np.ndarray = weights.astype(np.int64) - self.item_quotient[items] - self.bin_quotient[bins]
        return excess


def _pairs_failing_the_certificate(
    potentials: _Potentials, open_weights: np.ndarray, per_item: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The pairs to add before the next flow, as (items, bins): none when no allowed pair left
    out would have an arc of negative reduced cost (then the flow is optimal on every pair).
    Otherwise those that fail, and with them the pairs left out within ``_NEAR`` of failing
    (up to ``2 × per_item`` per item, the most negative first): a failing pair moves flow, and
    the pairs nearly as good are the ones the next flow then wants, so taking them now saves
    rounds (at 10,000 × 3,000, three flows rather than five).

    The arc ``i → j`` costs ``−w × s + i + j`` (``s`` the flow's scale; no ``i + j`` when it is
    1), so its reduced cost is negative when ``w × s > b_i + a_j`` with ``b_i = i + d_i`` and
    ``a_j = j − d_j``. Writing ``b_i = q_i × s + r_i`` (``0 ≤ r_i < s``), and so for ``a_j``,
    that is ``(w − q_i − q_j) × s > r_i + r_j``, where ``0 ≤ r_i + r_j < 2s``: sure when
    ``k = w − q_i − q_j ≥ 2``, impossible when ``k ≤ 0``, and for ``k = 1`` when
    ``r_i + r_j < s``. So every pair is checked in the smallest integers that hold ``k``
    (16 bits for the pool's scores), and only pairs with ``k = 1`` in 64 bits."""
    scale, item_rest, bin_rest = potentials.scale, potentials.item_rest, potentials.bin_rest
    weights = open_weights
    largest = (
        max(int(np.iinfo(weights.dtype).max), -_closed(weights))
        + int(np.abs(potentials.item_quotient).max(initial=0))
        + int(np.abs(potentials.bin_quotient).max(initial=0))
    )
    kind: type[np.signedinteger] = np.int16 if largest < 2**14 else np.int32 if largest < 2**30 else np.int64
    item_quotient = potentials.item_quotient.astype(kind)
    bin_quotient = potentials.bin_quotient.astype(kind)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    excess = np.empty((max(1, _BLOCK_CELLS // max(1, weights.shape[1])), weights.shape[1]), dtype=kind)
    for rows in _row_blocks(weights):
        block = weights[rows]
        block_excess_all = excess[: len(block)]
        np.subtract(block, item_quotient[rows, None], out=block_excess_all, dtype=kind)
        block_excess_all -= bin_quotient[None, :]
        block_rows, block_bins = _nonzero(block_excess_all >= 1 - _NEAR)
        # Forbidden and chosen pairs are not checked (a chosen arc's reduced cost is the flow's
        # own): marked closed, they are seldom near, and those that are go here.
        open_ = block[block_rows, block_bins] >= 0
        block_rows, block_bins = block_rows[open_], block_bins[open_]
        block_excess = block_excess_all[block_rows, block_bins]
        first = rows.start
        fails = (block_excess >= 2) | (
            (block_excess == 1) & (item_rest[first + block_rows] + bin_rest[block_bins] < scale)
        )
        found.append((first + block_rows, block_bins, block_excess, fails))
    items, bins, excess_found, failing = (np.concatenate([part[n] for part in found]) for n in range(4))
    if not failing.any():
        none = np.zeros(0, np.int64)
        tight = (excess_found >= 0) if scale == 1 else failing
        return none, none, (items[tight].astype(np.int64), bins[tight].astype(np.int64))
    # Within each item: failing pairs first, the most negative first; at most 2 × per_item.
    # Every item with a failing pair adds at least one, so the rounds end.
    order = np.lexsort((bins, ~failing, -excess_found, items))
    items, bins = items[order], bins[order]
    starts = np.searchsorted(items, items, side="left")
    keep = np.arange(len(items)) - starts < 2 * per_item
    none = np.zeros(0, np.int64)
    return items[keep].astype(np.int64), bins[keep].astype(np.int64), (none, none)


def _tie_broken(
    problem: AssignmentProblem,
    weights: np.ndarray,
    solved: _Solved,
    potentials: _Potentials,
    tight: tuple[np.ndarray, np.ndarray],
) -> _Solved:
    """The tie-broken optimum over every pair, from a flow whose weight is proved optimal over
    every pair (``potentials`` pass every pair left out; ``tight`` holds those left out whose
    reduced cost is exactly 0).

    Every optimal assignment meets complementary slackness with any optimal potentials: no
    units on an arc of positive reduced cost. So every assignment of the most weight uses only
    arcs of reduced cost 0 or less: the flow's own such candidates and the tight pairs left out.
    Among those arcs the tie-broken flow finds the tie-broken optimum over every pair, with no
    further check."""
    candidates, (tight_item, tight_bin) = solved.candidates, tight
    keep = potentials.excess(candidates.item, candidates.bin, candidates.weight) >= 0
    item = np.concatenate([candidates.item[keep], tight_item])
    bin_ = np.concatenate([candidates.bin[keep], tight_bin])
    weight = np.concatenate([candidates.weight[keep], weights[tight_item, tight_bin].astype(np.int64)])
    return _solve_network(problem, CandidateArrays(item, bin_, weight))


# How near failing (in whole units of weight) a pair left out may be and still be added with
# the failing ones: measured at 10,000 × 3,000, 3 gave the fewest rounds for the fewest arcs.
_NEAR = 3
# How far from tight (``k`` below −_PRUNE) a first candidate carrying nothing must be to be
# dropped after the first flow: measured at 10,000 × 3,000, 3 kept three rounds.
_PRUNE = 3
