"""Matching organisations with supervisors: pure functions over plain data (DESIGN.md §6).

Nothing here touches the database. Callers (services, views, the benchmark, the reflective-group
cohort filling of issue 7) build the frozen dataclasses below and get frozen dataclasses back.

Hard filters (DESIGN.md §6)
    A supervisor is matched with an organisation only if they are verified, accepting
    organisations, have agreed to work with non-clinical providers, have capacity left this
    month, can deliver the way the organisation asked (online, or in person in its area) and
    offer the format it wants (1:1, group supervision, reflective-group facilitation or ad-hoc
    consultation). Every failed filter is reported, so a lead can see "why not".

Score (an additive integer out of 100; every point comes with a plain-English reason)
    ======================================  ======  ==============================================
    part                                    points  how
    ======================================  ======  ==============================================
    specialisms covered                     40      40 × (frequency weight covered ÷ weight asked);
                                                    each specialism weighs how often the
                                                    organisation meets it (0 never … 3 very often)
    group-work fit                          15      the organisation runs groups and the
                                                    supervisor has group-work experience
    community / third-sector experience     10      yes or no
    communities served                      10      10 × (communities shared ÷ communities served)
    languages                               10      10 × (languages spoken ÷ languages needed)
    cost within allocation                  10      hourly rate × hours wanted ≤ money left
    capacity left                           5       hours left this month ≥ hours wanted
    ======================================  ======  ==============================================

    Fractions are rounded half up to whole points, so scores are exact and deterministic. A part
    that the organisation did not ask for (no groups, no communities, no languages, no
    specialisms) gives no points to anyone, so it never changes the order. Ties are broken by
    supervisor id.

Pool-wide assignment (the model, stated plainly)
    Each organisation wants H_i hours a month (capped by the hours left in its allocation);
    each supervisor has C_j hours left. Hours are counted in whole half hours (rounded down). A pair (i, j) may
    be used only if it passes the hard filters and its cost fits the organisation's money left
    (rate_j × H_i ≤ money_i). Every hour given by j to i is worth the pair's score. We maximise
    the total of score × hours over all pairs, subject to: no supervisor beyond C_j, no
    organisation beyond H_i.

    An organisation's hours MAY BE SPLIT between supervisors (in half-hour units). That is the
    choice that makes the problem exactly and quickly solvable: it is a transportation problem,
    solved optimally as a min-cost flow (OR-tools' ``SimpleMinCostFlow``; costs are negated
    scores per unit). Insisting on one supervisor per organisation with unequal hours is a
    generalised assignment problem (NP-hard): in our trials an exact integer programme (HiGHS,
    through scipy) on the benchmark's 1,000 × 300 pool was still 10–15 % from a proven optimum
    after 120 s, and a random instance took 67–115 s to prove — far beyond the 2-second target
    of DESIGN.md §7. Split organisations are listed (``PoolAssignment.split``; about one in
    eight in the benchmark), so a commissioner can adjust them before sending requests. Because
    each used pair passes rate_j × H_i ≤ money_i, any split of at most H_i hours also fits the
    money left. An organisation may also get fewer hours than it wants when capacity is short;
    its pairs' hours say so.

    ``assign_pool_greedy`` is the baseline: best-scoring pairs first, as many hours as fit.
    ``assign_pool_whole`` is for a commissioner who wants no splits: a heuristic, NOT proven
    optimal, which pins split organisations to one supervisor and re-solves; it returns the
    split optimum beside its total, an upper bound that says how far from optimal it can be
    (within 3–4 % on the benchmark).

Reusable core (``solve_assignment``)
    Items that each need ``size`` units, bins with a capacity in units, candidate (item, bin)
    pairs with a weight per unit (a pair that is not a candidate is forbidden), and optional caps
    on the units one group of items (e.g. an organisation) may take in one bin. The solver
    maximises total weight. Items of one unit (people filling reflective-group cohorts, issue 7)
    are never split, so for them the flow solves the one-bin-per-item problem exactly; larger
    items may be split only when ``splittable=True``. A non-increasing ``group_bonus`` adds
    weight for each group's first, second, … unit placed anywhere, which spreads places fairly
    across organisations and is still solved exactly (convex costs on the flow). Among equally
    good assignments, lower-keyed items (e.g. earlier applicants) are placed first, and the same
    problem in any input order gets the same answer.

    For cohorts (issue 7): an item per applicant (size 1, group = their organisation), a bin per
    cohort (capacity = places), a candidate only where the cohort's times suit the person
    ("no sessions before" included), ``group_cap`` = most colleagues per cohort, and a
    ``group_bonus`` such as (10, 5) for fairness.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import numpy as np
from ortools.graph.python import min_cost_flow

# --- the score's weights (see the table above) ---------------------------------------------------
SPECIALISM_POINTS = 40
GROUP_WORK_POINTS = 15
COMMUNITY_SECTOR_POINTS = 10
COMMUNITIES_POINTS = 10
LANGUAGE_POINTS = 10
COST_POINTS = 10
CAPACITY_POINTS = 5
MAX_SCORE = (
    SPECIALISM_POINTS
    + GROUP_WORK_POINTS
    + COMMUNITY_SECTOR_POINTS
    + COMMUNITIES_POINTS
    + LANGUAGE_POINTS
    + COST_POINTS
    + CAPACITY_POINTS
)

# Pool-wide assignment counts hours in half hours: DESIGN.md §5 has 1.5 hours a month as a norm.
UNITS_PER_HOUR = 2


class Offer(enum.StrEnum):
    """What a supervisor offers, and the format an organisation wants."""

    ONE_TO_ONE = "one_to_one"
    GROUP_SUPERVISION = "group_supervision"
    REFLECTIVE_GROUP = "reflective_group"
    CONSULTATION = "consultation"

    @property
    def label(self) -> str:
        return OFFER_LABELS[self]


OFFER_LABELS: dict[Offer, str] = {
    Offer.ONE_TO_ONE: "1:1 supervision",
    Offer.GROUP_SUPERVISION: "group supervision",
    Offer.REFLECTIVE_GROUP: "reflective-group facilitation",
    Offer.CONSULTATION: "ad-hoc case consultation",
}


@dataclass(frozen=True)
class SpecialismNeed:
    """A presentation the organisation asked for, weighted by how often it meets it (0–3)."""

    specialism: str
    frequency: int


@dataclass(frozen=True)
class OrganisationNeeds:
    organisation_id: int
    specialisms: tuple[SpecialismNeed, ...] = ()
    runs_groups: bool = False
    communities: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    online_ok: bool = True
    in_person_area: str | None = None
    format: Offer = Offer.ONE_TO_ONE
    hours_per_month: Decimal = Decimal("1.5")
    allocation_hours_left: Decimal | None = None  # None: the pool sets no limit in hours
    allocation_money_left: Decimal | None = None  # None: the pool sets no limit in money


@dataclass(frozen=True)
class SupervisorOffer:
    supervisor_id: int
    verified: bool = True
    accepting: bool = True
    agrees_non_clinical: bool = True
    specialisms: frozenset[str] = frozenset()
    offers: frozenset[Offer] = frozenset({Offer.ONE_TO_ONE})
    group_work_experience: bool = False
    community_experience: bool = False
    communities: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    online: bool = True
    in_person_areas: frozenset[str] = frozenset()
    hourly_rate: Decimal = Decimal(60)
    capacity_hours_left: Decimal = Decimal(0)


@dataclass(frozen=True)
class Match:
    supervisor_id: int
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    supervisor_id: int
    reasons: tuple[str, ...]


# --- filters and score -----------------------------------------------------------------------


def filter_reasons(needs: OrganisationNeeds, offer: SupervisorOffer) -> tuple[str, ...]:
    """Why this supervisor cannot be matched with this organisation (empty when they can)."""
    reasons: list[str] = []
    if not offer.verified:
        reasons.append("Registration not yet verified")
    if not offer.accepting:
        reasons.append("Not accepting new organisations")
    if not offer.agrees_non_clinical:
        reasons.append("Has not agreed to work with non-clinical providers")
    if offer.capacity_hours_left <= 0:
        reasons.append("No hours left this month")
    if not _can_deliver(needs, offer):
        reasons.append(_delivery_refusal(needs))
    if needs.format not in offer.offers:
        reasons.append(f"Does not offer {needs.format.label}")
    return tuple(reasons)


def _can_deliver(needs: OrganisationNeeds, offer: SupervisorOffer) -> bool:
    if needs.online_ok and offer.online:
        return True
    return needs.in_person_area is not None and needs.in_person_area in offer.in_person_areas


def _delivery_refusal(needs: OrganisationNeeds) -> str:
    wanted = []
    if needs.online_ok:
        wanted.append("online")
    if needs.in_person_area is not None:
        wanted.append(f"in person in {needs.in_person_area}")
    if not wanted:
        return "You have not said how you want to meet"
    return "Cannot meet " + " or ".join(wanted)


def _points(max_points: int, part: int, whole: int) -> int:
    """max_points × part ÷ whole, rounded half up, in integers only."""
    return (2 * max_points * part + whole) // (2 * whole)


def _hours(hours: Decimal) -> str:
    text = f"{hours.normalize():f}"
    return f"{text} hour" if hours == 1 else f"{text} hours"


def _money(amount: Decimal) -> str:
    pence = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"£{pence:,.0f}" if pence == pence.to_integral_value() else f"£{pence:,.2f}"


def _listing(words: Iterable[str]) -> str:
    return ", ".join(words)


def _share(count: int, total: int, singular: str, plural: str) -> str:
    """ "the language", "all 3 specialisms", "2 of 4 communities"."""
    if count == total == 1:
        return f"the {singular}"
    if count == total:
        return f"all {total} {plural}"
    return f"{count} of {total} {plural}"


def monthly_cost(needs: OrganisationNeeds, offer: SupervisorOffer) -> Decimal:
    return offer.hourly_rate * needs.hours_per_month


def cost_fits(needs: OrganisationNeeds, offer: SupervisorOffer) -> bool:
    money = needs.allocation_money_left
    return money is None or monthly_cost(needs, offer) <= money


def score_pair(needs: OrganisationNeeds, offer: SupervisorOffer) -> Match:
    """The additive score of the module docstring, with one reason per part that counted."""
    score = 0
    reasons: list[str] = []

    asked = [need for need in needs.specialisms if need.frequency > 0]
    if asked:
        covered = [need for need in asked if need.specialism in offer.specialisms]
        weight_asked = sum(need.frequency for need in asked)
        weight_covered = sum(need.frequency for need in covered)
        score += _points(SPECIALISM_POINTS, weight_covered, weight_asked)
        if covered:
            share = _share(len(covered), len(asked), "specialism", "specialisms")
            reasons.append(f"Covers {share} you asked for: {_listing(need.specialism for need in covered)}")
        elif len(asked) == 1:
            reasons.append("Does not cover the specialism you asked for")
        else:
            reasons.append(f"Covers none of the {len(asked)} specialisms you asked for")

    if needs.runs_groups:
        if offer.group_work_experience:
            score += GROUP_WORK_POINTS
            reasons.append("Has group-work experience, and you run groups")
        else:
            reasons.append("No group-work experience, and you run groups")

    if offer.community_experience:
        score += COMMUNITY_SECTOR_POINTS
        reasons.append("Has worked with community and voluntary organisations")

    if needs.communities:
        shared = sorted(needs.communities & offer.communities)
        score += _points(COMMUNITIES_POINTS, len(shared), len(needs.communities))
        if shared:
            share = _share(len(shared), len(needs.communities), "community", "communities")
            reasons.append(f"Has worked with {share} you serve: {_listing(shared)}")

    if needs.languages:
        spoken = sorted(needs.languages & offer.languages)
        score += _points(LANGUAGE_POINTS, len(spoken), len(needs.languages))
        if spoken:
            share = _share(len(spoken), len(needs.languages), "language", "languages")
            reasons.append(f"Speaks {share} you need: {_listing(spoken)}")
        elif len(needs.languages) == 1:
            reasons.append("Does not speak the language you need")
        else:
            reasons.append(f"Speaks none of the {len(needs.languages)} languages you need")

    cost = monthly_cost(needs, offer)
    if cost_fits(needs, offer):
        score += COST_POINTS
        if needs.allocation_money_left is None:
            reasons.append(f"Costs {_money(cost)} a month")
        else:
            reasons.append(f"Costs {_money(cost)} a month, within your allocation")
    else:
        assert needs.allocation_money_left is not None
        reasons.append(
            f"Costs {_money(cost)} a month, more than the {_money(needs.allocation_money_left)} left in your allocation"
        )

    if offer.capacity_hours_left >= needs.hours_per_month:
        score += CAPACITY_POINTS
        reasons.append(f"Has {_hours(offer.capacity_hours_left)} free this month")
    else:
        reasons.append(
            f"Has only {_hours(offer.capacity_hours_left)} free this month; you want {_hours(needs.hours_per_month)}"
        )

    return Match(supervisor_id=offer.supervisor_id, score=score, reasons=tuple(reasons))


def rank_supervisors(needs: OrganisationNeeds, offers: Iterable[SupervisorOffer]) -> list[Match]:
    """Supervisors who pass the hard filters, best first; ties go to the lower supervisor id."""
    matches = [score_pair(needs, offer) for offer in offers if not filter_reasons(needs, offer)]
    matches.sort(key=lambda match: (-match.score, match.supervisor_id))
    return matches


def excluded_supervisors(needs: OrganisationNeeds, offers: Iterable[SupervisorOffer]) -> list[Exclusion]:
    """Supervisors the hard filters leave out, with why, in supervisor id order."""
    exclusions = []
    for offer in offers:
        reasons = filter_reasons(needs, offer)
        if reasons:
            exclusions.append(Exclusion(supervisor_id=offer.supervisor_id, reasons=reasons))
    exclusions.sort(key=lambda exclusion: exclusion.supervisor_id)
    return exclusions


# --- the reusable assignment core ------------------------------------------------------------


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
class _CandidateArrays:
    """Candidates as parallel arrays of positions in ``problem.items`` / ``problem.bins``: the
    pool builds 100,000 of them, too many to make one object each."""

    item: np.ndarray
    bin: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, problem: AssignmentProblem) -> _CandidateArrays:
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


def _solution(problem: AssignmentProblem, candidates: _CandidateArrays, units: np.ndarray) -> tuple[Placement, ...]:
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
    return _solve(problem, _CandidateArrays.of(problem))


def _in_key_order(
    problem: AssignmentProblem, candidates: _CandidateArrays
) -> tuple[AssignmentProblem, _CandidateArrays]:
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
        _CandidateArrays(item=items[order], bin=bins[order], weight=candidates.weight[order]),
    )


def _solve(problem: AssignmentProblem, candidates: _CandidateArrays) -> AssignmentSolution:
    problem, candidates = _in_key_order(problem, candidates)
    item_count, bin_count = len(problem.items), len(problem.bins)
    sizes = np.array([item.size for item in problem.items], dtype=np.int64)
    capacities = np.array([bin_.capacity for bin_ in problem.bins], dtype=np.int64)
    item_rank = np.arange(item_count)  # positions are in key order now
    bin_rank = np.arange(bin_count)
    total_units = int(sizes.sum())
    scale = total_units * (item_count + bin_count) + 1
    largest = max([int(np.abs(candidates.weight).max(initial=0)), *problem.group_bonus, 1])
    if largest * scale * (total_units + 1) * (item_count + bin_count + 2) >= 2**62:
        scale = 1  # the tie-break would overflow OR-tools' 64-bit costs: keep the optimum, drop it
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
    placements = _solution(problem, candidates, units)
    earned = _earned_bonus(problem, placements)
    total = int((units * candidates.weight).sum()) + earned
    penalties = int((units * tie_break).sum()) if scale > 1 else 0
    # The flow's cost, read back: a check that the network says what this docstring says.
    assert (bonus_if_all_placed - total) * scale + penalties == flow.optimal_cost()
    return AssignmentSolution(placements=placements, total_weight=total, group_bonus=earned)


def solve_assignment_greedy(problem: AssignmentProblem) -> AssignmentSolution:
    """The baseline: candidates by weight (then item key, then bin key), each taking what still fits."""
    _check(problem)
    return _greedy(problem, _CandidateArrays.of(problem))


def _greedy(problem: AssignmentProblem, candidates: _CandidateArrays) -> AssignmentSolution:
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


# --- pool-wide assignment of supervisors to organisations -----------------------------------


@dataclass(frozen=True)
class AssignedPair:
    organisation_id: int
    supervisor_id: int
    hours: Decimal
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PoolAssignment:
    pairs: tuple[AssignedPair, ...]  # by organisation id, then supervisor id
    total_fit: Decimal  # Σ score × hours over the pairs
    unassigned: tuple[int, ...]  # organisations that got no hours, by id
    split: tuple[int, ...]  # organisations whose hours come from more than one supervisor


def _units(hours: Decimal) -> int:
    return int((hours * UNITS_PER_HOUR).to_integral_value(rounding=ROUND_FLOOR))


def hours_wanted(needs: OrganisationNeeds) -> Decimal:
    """What assignment tries to give: the hours wanted, within the hours left in the allocation,
    rounded down to whole half hours."""
    hours = needs.hours_per_month
    if needs.allocation_hours_left is not None:
        hours = min(hours, needs.allocation_hours_left)
    return Decimal(max(0, _units(hours))) / UNITS_PER_HOUR


def _pence(amount: Decimal) -> int:
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of pence")
    return int(pence)


class _Vocabulary:
    """Indexes words (specialisms, communities, languages) so sets become 0/1 rows of a matrix."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            self.index.setdefault(word, len(self.index))

    def matrix(self, sets: Sequence[frozenset[str]]) -> np.ndarray:
        rows = np.zeros((len(sets), max(1, len(self.index))), dtype=np.int64)
        for row, words in enumerate(sets):
            for word in words:
                if word in self.index:
                    rows[row, self.index[word]] = 1
        return rows

    def vector(self, weights: dict[str, int]) -> np.ndarray:
        vector = np.zeros(max(1, len(self.index)), dtype=np.int64)
        for word, weight in weights.items():
            vector[self.index[word]] += weight
        return vector


def _vector_points(max_points: int, part: np.ndarray, whole: int) -> np.ndarray:
    return (2 * max_points * part + whole) // (2 * whole)


def _pool_candidates(needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]) -> _CandidateArrays:
    """Every usable (organisation, supervisor) pair, weighted by its score, for the hours of
    ``hours_wanted``. The same filters and score as ``filter_reasons``, ``cost_fits`` and
    ``score_pair``, computed a whole row of supervisors at a time (the tests hold them equal):
    scoring 300,000 pairs one by one in Python would take seconds."""
    specialisms, communities, languages = _Vocabulary(), _Vocabulary(), _Vocabulary()
    for needs in needs_list:
        specialisms.add(need.specialism for need in needs.specialisms)
        communities.add(needs.communities)
        languages.add(needs.languages)
    has_specialism = specialisms.matrix([offer.specialisms for offer in offers])
    has_community = communities.matrix([offer.communities for offer in offers])
    has_language = languages.matrix([offer.languages for offer in offers])
    open_to_all = np.array(
        [
            offer.verified and offer.accepting and offer.agrees_non_clinical and offer.capacity_hours_left > 0
            for offer in offers
        ],
        dtype=bool,
    )
    offers_format = {format_: np.array([format_ in offer.offers for offer in offers], dtype=bool) for format_ in Offer}
    online = np.array([offer.online for offer in offers], dtype=bool)
    in_area: dict[str, np.ndarray] = {}
    group_points = np.array([GROUP_WORK_POINTS if offer.group_work_experience else 0 for offer in offers])
    sector_points = np.array([COMMUNITY_SECTOR_POINTS if offer.community_experience else 0 for offer in offers])
    rate_pence = np.array([_pence(offer.hourly_rate) for offer in offers], dtype=np.int64)
    # Hours wanted are whole half hours, so comparing whole half hours of capacity is exact.
    capacity_units = np.array([_units(offer.capacity_hours_left) for offer in offers], dtype=np.int64)
    item_rows: list[np.ndarray] = []
    bin_rows: list[np.ndarray] = []
    weight_rows: list[np.ndarray] = []
    for position, needs in enumerate(needs_list):
        wanted = hours_wanted(needs)
        units = _units(wanted)
        if units == 0:
            continue
        usable = open_to_all & offers_format[needs.format]
        delivery = online if needs.online_ok else np.zeros(len(offers), dtype=bool)
        if needs.in_person_area is not None:
            area = needs.in_person_area
            if area not in in_area:
                in_area[area] = np.array([area in offer.in_person_areas for offer in offers], dtype=bool)
            delivery = delivery | in_area[area]
        usable &= delivery
        if needs.allocation_money_left is not None:
            # rate × hours ≤ money, in whole pence × half hours so nothing is rounded.
            usable &= rate_pence * units <= _pence(needs.allocation_money_left) * UNITS_PER_HOUR
        if not usable.any():
            continue

        score = np.full(len(offers), COST_POINTS, dtype=np.int64)  # every usable pair's cost fits
        asked: dict[str, int] = {}
        for need in needs.specialisms:
            if need.frequency > 0:
                asked[need.specialism] = asked.get(need.specialism, 0) + need.frequency
        if asked:
            score += _vector_points(SPECIALISM_POINTS, has_specialism @ specialisms.vector(asked), sum(asked.values()))
        if needs.runs_groups:
            score += group_points
        score += sector_points
        if needs.communities:
            shared = has_community @ communities.vector(dict.fromkeys(needs.communities, 1))
            score += _vector_points(COMMUNITIES_POINTS, shared, len(needs.communities))
        if needs.languages:
            spoken = has_language @ languages.vector(dict.fromkeys(needs.languages, 1))
            score += _vector_points(LANGUAGE_POINTS, spoken, len(needs.languages))
        score += np.where(capacity_units >= units, CAPACITY_POINTS, 0)
        columns = np.flatnonzero(usable)
        item_rows.append(np.full(len(columns), position, dtype=np.int64))
        bin_rows.append(columns)
        weight_rows.append(score[columns])
    empty = np.zeros(0, dtype=np.int64)
    return _CandidateArrays(
        item=np.concatenate([empty, *item_rows]),
        bin=np.concatenate([empty, *bin_rows]).astype(np.int64),
        weight=np.concatenate([empty, *weight_rows]),
    )


def _pool(
    needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]
) -> tuple[AssignmentProblem, _CandidateArrays]:
    if len({needs.organisation_id for needs in needs_list}) != len(needs_list):
        raise ValueError("each organisation may appear once")
    if len({offer.supervisor_id for offer in offers}) != len(offers):
        raise ValueError("each supervisor may appear once")
    problem = AssignmentProblem(
        items=tuple(Item(key=needs.organisation_id, size=_units(hours_wanted(needs))) for needs in needs_list),
        bins=tuple(Bin(key=offer.supervisor_id, capacity=_units(offer.capacity_hours_left)) for offer in offers),
        candidates=(),  # kept as arrays beside the problem
        splittable=True,
    )
    return problem, _pool_candidates(needs_list, offers)


def pool_problem(needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]) -> AssignmentProblem:
    """The pool as an assignment problem in half-hour units (hours may be split), to inspect."""
    problem, candidates = _pool(needs_list, offers)
    return replace(
        problem,
        candidates=tuple(
            Candidate(item=problem.items[item].key, bin=problem.bins[bin_].key, weight=weight)
            for item, bin_, weight in zip(
                candidates.item.tolist(), candidates.bin.tolist(), candidates.weight.tolist(), strict=True
            )
        ),
    )


def _pool_result(
    needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer], solution: AssignmentSolution
) -> PoolAssignment:
    needs_by_id = {needs.organisation_id: needs for needs in needs_list}
    offer_by_id = {offer.supervisor_id: offer for offer in offers}
    pairs = []
    for placement in sorted(solution.placements, key=lambda p: (p.item, p.bin)):
        needs = needs_by_id[placement.item]
        # Reasons are worded only for the pairs shown, from the same score the solver used.
        match = score_pair(replace(needs, hours_per_month=hours_wanted(needs)), offer_by_id[placement.bin])
        assert match.score == placement.weight  # the row-at-a-time score and the readable one agree
        pairs.append(
            AssignedPair(
                organisation_id=placement.item,
                supervisor_id=placement.bin,
                hours=Decimal(placement.units) / UNITS_PER_HOUR,
                score=placement.weight,
                reasons=match.reasons,
            )
        )
    counts: dict[int, int] = {}
    for pair in pairs:
        counts[pair.organisation_id] = counts.get(pair.organisation_id, 0) + 1
    return PoolAssignment(
        pairs=tuple(pairs),
        total_fit=Decimal(solution.total_weight) / UNITS_PER_HOUR,
        unassigned=tuple(sorted(n.organisation_id for n in needs_list if n.organisation_id not in counts)),
        split=tuple(sorted(org for org, count in counts.items() if count > 1)),
    )


def assign_pool(needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]) -> PoolAssignment:
    """The optimal pool-wide assignment of the module docstring (hours may be split)."""
    return _pool_result(needs_list, offers, _solve(*_pool(needs_list, offers)))


def assign_pool_greedy(needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]) -> PoolAssignment:
    """The greedy baseline on the same model, for comparison only."""
    return _pool_result(needs_list, offers, _greedy(*_pool(needs_list, offers)))


@dataclass(frozen=True)
class WholeAssignment:
    assignment: PoolAssignment  # no organisation split
    upper_bound: Decimal  # the split optimum: no assignment without splits can do better


def assign_pool_whole(
    needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer], *, max_rounds: int = 3
) -> WholeAssignment:
    """Each organisation's hours from one supervisor: NOT proven optimal (that problem is NP-hard,
    see the module docstring), but with a certificate of how close it is. It starts from the
    optimal split assignment — whose total bounds every unsplit one from above — and repeatedly
    pins each split organisation to the supervisor giving it the most fit (score × hours),
    re-solving the rest optimally, until nothing is split (or, after ``max_rounds``, by keeping
    only the pinned pair)."""
    problem, candidates = _pool(needs_list, offers)
    solution = _solve(problem, candidates)
    upper_bound = Decimal(solution.total_weight) / UNITS_PER_HOUR
    position = {item.key: index for index, item in enumerate(problem.items)}
    bin_position = {bin_.key: index for index, bin_ in enumerate(problem.bins)}
    for _ in range(max_rounds):
        best: dict[int, Placement] = {}
        split: set[int] = set()
        for placement in solution.placements:
            current = best.get(placement.item)
            if current is not None:
                split.add(placement.item)
            if current is None or (placement.units * placement.weight, -placement.bin) > (
                current.units * current.weight,
                -current.bin,
            ):
                best[placement.item] = placement
        if not split:
            break
        pinned = np.full(len(problem.items), -1, dtype=np.int64)
        for item in split:
            pinned[position[item]] = bin_position[best[item].bin]
        item_pin = pinned[candidates.item]
        keep = (item_pin < 0) | (item_pin == candidates.bin)
        candidates = _CandidateArrays(candidates.item[keep], candidates.bin[keep], candidates.weight[keep])
        solution = _solve(problem, candidates)
    else:
        # Still split after max_rounds: keep each organisation's best pair. Dropping flow never
        # breaks a capacity, so this stays feasible.
        kept: dict[int, Placement] = {}
        for placement in solution.placements:
            current = kept.get(placement.item)
            if current is None or placement.units * placement.weight > current.units * current.weight:
                kept[placement.item] = placement
        placements = tuple(sorted(kept.values(), key=lambda p: (p.item, p.bin)))
        solution = AssignmentSolution(placements=placements, total_weight=sum(p.units * p.weight for p in placements))
    return WholeAssignment(assignment=_pool_result(needs_list, offers, solution), upper_bound=upper_bound)
