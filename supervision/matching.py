"""Matching organisations with supervisors: pure functions over plain data (docs/matching.md).

Nothing here touches the database. Callers (services, views, the benchmark) build the frozen
dataclasses below and get frozen dataclasses back.

Hard filters (docs/matching.md)
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
    of docs/performance.md. Split organisations are listed (``PoolAssignment.split``; about one in
    eight in the benchmark), so a commissioner can adjust them before sending requests. Because
    each used pair passes rate_j × H_i ≤ money_i, any split of at most H_i hours also fits the
    money left. An organisation may also get fewer hours than it wants when capacity is short;
    its pairs' hours say so.

    ``assign_pool_greedy`` is the baseline: best-scoring pairs first, as many hours as fit.
    ``assign_pool_whole`` is for a commissioner who wants no splits: a heuristic, NOT proven
    optimal, which pins split organisations to one supervisor and re-solves; it returns the
    split optimum beside its total, an upper bound that says how far from optimal it can be
    (within 3–4 % on the benchmark).

The solver
    The pool-wide assignment is an ``AssignmentProblem`` for the generic solver in
    reflect/assignment.py (items = organisations' half hours, bins = supervisors' half hours,
    candidates weighted by score), which cohort filling uses too. Every pair's score is one
    matrix (``_score_matrix``); ``solve_dense`` starts the flow from each organisation's best
    supervisors and proves the optimum over every usable pair (docs/matching.md).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal

import numpy as np
import numpy.typing as npt

from reflect import wording
from reflect.assignment import (
    AssignmentProblem,
    AssignmentSolution,
    Bin,
    Candidate,
    CandidateArrays,
    Item,
    Placement,
    solve_arrays,
    solve_arrays_greedy,
    solve_dense,
)

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

# Pool-wide assignment counts hours in half hours: docs/questionnaire.md has 1.5 hours a month as a norm.
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
            reasons.append(f"Costs {wording.money(cost)} a month")
        else:
            reasons.append(f"Costs {wording.money(cost)} a month, within your allocation")
    else:
        assert needs.allocation_money_left is not None
        reasons.append(
            f"Costs {wording.money(cost)} a month, more than the {wording.money(needs.allocation_money_left)} left in your allocation"
        )

    if offer.capacity_hours_left >= needs.hours_per_month:
        score += CAPACITY_POINTS
        reasons.append(f"Has {wording.hours(offer.capacity_hours_left)} free this month")
    else:
        reasons.append(
            f"Has only {wording.hours(offer.capacity_hours_left)} free this month; you want {wording.hours(needs.hours_per_month)}"
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


def _and_listing(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def explain_proposal(
    needs: OrganisationNeeds,
    offer: SupervisorOffer,
    hours: Decimal,
    *,
    supervisor_name: str,
    organisation_name: str,
    split: bool = False,
) -> str:
    """One proposal of pool-wide matching in words for the commissioner reading it: what the
    supervisor brings that this organisation asked for, their free hours, how they would meet,
    and what is proposed. No scores or internal terms (issue 18)."""
    fits: list[str] = []
    asked = [need.specialism for need in needs.specialisms if need.frequency > 0]
    covered = [name for name in asked if name in offer.specialisms]
    if covered:
        fits.append(f"works with {_and_listing(covered)}")
    elif asked:
        fits.append("covers none of the specialisms asked for")
    if needs.runs_groups and offer.group_work_experience:
        fits.append("has run group work")
    shared = sorted(needs.communities & offer.communities)
    if shared:
        fits.append(f"has worked with {_and_listing(shared)}")
    elif offer.community_experience:
        fits.append("has worked with community organisations")
    spoken = sorted(needs.languages & offer.languages)
    if spoken:
        fits.append(f"speaks {_and_listing(spoken)}")
    fits.append(f"has {wording.hours(offer.capacity_hours_left)} a month free")
    if needs.in_person_area is not None and needs.in_person_area in offer.in_person_areas:
        fits.append(f"can meet in person in {needs.in_person_area}")
    elif offer.online:
        fits.append("meets online")
    share = " (part of its hours; another supervisor gives the rest)" if split else ""
    return (
        f"{supervisor_name}: {_and_listing(fits)}. Proposed: {wording.hours(hours)} a month of "
        f"{needs.format.label} for {organisation_name}{share}."
    )


# --- pool-wide assignment of supervisors to organisations -----------------------------------


@dataclass(frozen=True)
class AssignedPair:
    organisation_id: int
    supervisor_id: int
    hours: Decimal
    score: int
    # What the reasons are worded from: kept, not compared (the pair is the four fields above).
    needs: OrganisationNeeds = field(repr=False, compare=False)
    offer: SupervisorOffer = field(repr=False, compare=False)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The pair's score in words (``score_pair``), worded when read: a pool of 10,000
        organisations has about as many pairs, wording them all took a tenth of its
        assignment's time, and the pages word a proposal with ``explain_proposal``."""
        match = score_pair(replace(self.needs, hours_per_month=hours_wanted(self.needs)), self.offer)
        assert match.score == self.score  # the matrix's score and the readable one agree
        return match.reasons


@dataclass(frozen=True)
class PoolAssignment:
    pairs: tuple[AssignedPair, ...]  # by organisation id, then supervisor id
    total_fit: Decimal  # Σ score × hours over the pairs
    unassigned: tuple[int, ...]  # organisations that got no hours, by id
    split: tuple[int, ...]  # organisations whose hours come from more than one supervisor


def _units(hours: Decimal) -> int:
    return int((hours * UNITS_PER_HOUR).to_integral_value(rounding=ROUND_FLOOR))


def _units_wanted(needs_list: Sequence[OrganisationNeeds]) -> list[int]:
    """Each organisation's ``hours_wanted`` in half hours. Hours and allocations repeat (a
    questionnaire's norms), so each different pair is worked out once: Decimal arithmetic for
    10,000 organisations is otherwise a noticeable part of a pool's assignment."""
    known: dict[tuple[Decimal, Decimal | None], int] = {}
    units = []
    for needs in needs_list:
        key = (needs.hours_per_month, needs.allocation_hours_left)
        if key not in known:
            known[key] = _units(hours_wanted(needs))
        units.append(known[key])
    return units


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


# Score a block of organisations against every supervisor at once: a block of this many cells
# keeps each intermediate array to a few megabytes whatever the pool's size.
_BLOCK_CELLS = 1 << 18
UNUSABLE = -1  # a pair the hard filters or the money left rule out, in the score matrix


def _part_points(max_points: int, asked: np.ndarray, has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One part of the score (specialisms, communities or languages) for every pair, as a table
    and an index: ``table[:, index]`` is the organisations × supervisors points. The table has a
    column per distinct set the supervisors have, not one per supervisor: sets repeat, and
    scoring every organisation against each set once is what makes the matrix cheap. ``asked``
    weighs each word per organisation (0: not asked); the points are ``_points`` of the weight
    covered over the weight asked, rounded half up, exactly: the weights covered are small
    integers (exact in float32); ``max_points × covered ÷ asked`` is then off by less than
    1e-5, and a true value that is not a whole number or a half lies at least 1 ÷ (2 × asked)
    from a half, so adding a quarter of that before rounding down gives ``_points`` (the check
    on ``asked`` below keeps that margin far above the error)."""
    sets, index = np.unique(has, axis=0, return_inverse=True)
    whole = asked.sum(axis=1, dtype=np.int64)
    kind = np.float32 if whole.max(initial=0) < 1000 else np.float64
    asked_as: npt.NDArray[np.floating] = asked.astype(kind)
    sets_as: npt.NDArray[np.floating] = sets.T.astype(kind)
    safe = np.maximum(whole, 1).astype(kind)[:, None]
    ratio, half = max_points / safe, 0.5 + 0.25 / safe
    ratio[whole == 0] = 0  # nothing asked: no points for anyone
    half[whole == 0] = 0
    table = np.empty((len(asked), len(sets)), dtype=np.int8)
    # A block of rows at a time: fresh memory is dear (a new array of tens of megabytes costs
    # more to map than to compute), so the float intermediates stay small and are reused.
    rows_at_once = max(1, _BLOCK_CELLS // max(1, len(sets)))
    for first in range(0, len(asked), rows_at_once):
        rows = slice(first, first + rows_at_once)
        # einsum's own loop rather than a matrix product: for so small a product BLAS spins
        # threads, whose waiting counts as CPU time (ten times einsum's, on a busy machine).
        points = np.einsum("iw,ws->is", asked_as[rows], sets_as)
        points *= ratio[rows]
        points += half[rows]
        table[rows] = points  # casting rounds toward zero: down, as points are not negative
    return table, index.reshape(-1)


def _score_matrix(needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]) -> np.ndarray:
    """Every (organisation, supervisor) pair's score for the hours of ``hours_wanted``, or
    ``UNUSABLE``: the same filters and score as ``filter_reasons``, ``cost_fits`` and
    ``score_pair`` (the tests hold them equal), computed for all pairs at once: 10,000 × 3,000
    pairs one row at a time would take seconds. Each part is a table over the few kinds of
    supervisor or organisation it depends on, read out by index, so most of the work is copying
    bytes. An organisation that wants no hours has no usable pair."""
    if not needs_list or not offers:
        return np.full((len(needs_list), len(offers)), UNUSABLE, dtype=np.int8)
    specialisms, communities, languages = _Vocabulary(), _Vocabulary(), _Vocabulary()
    asked_rows: list[dict[str, int]] = []
    for needs in needs_list:
        asked: dict[str, int] = {}
        for need in needs.specialisms:
            if need.frequency > 0:
                asked[need.specialism] = asked.get(need.specialism, 0) + need.frequency
        asked_rows.append(asked)
        specialisms.add(asked)
        communities.add(needs.communities)
        languages.add(needs.languages)
    parts = [
        _part_points(
            SPECIALISM_POINTS,
            np.array([specialisms.vector(asked) for asked in asked_rows]),
            specialisms.matrix([offer.specialisms for offer in offers]),
        ),
        _part_points(
            COMMUNITIES_POINTS,
            communities.matrix([needs.communities for needs in needs_list]),
            communities.matrix([offer.communities for offer in offers]),
        ),
        _part_points(
            LANGUAGE_POINTS,
            languages.matrix([needs.languages for needs in needs_list]),
            languages.matrix([offer.languages for offer in offers]),
        ),
    ]

    units = np.array(_units_wanted(needs_list), dtype=np.int64)
    # Who may be used at all, by the kind of request: format, online or not, and area.
    open_to_all = np.array(
        [
            offer.verified and offer.accepting and offer.agrees_non_clinical and offer.capacity_hours_left > 0
            for offer in offers
        ],
        dtype=bool,
    )
    online = np.array([offer.online for offer in offers], dtype=bool)
    kinds: dict[tuple[Offer, bool, str | None], int] = {}
    kind_row = np.array(
        [kinds.setdefault((needs.format, needs.online_ok, needs.in_person_area), len(kinds)) for needs in needs_list],
        dtype=np.int64,
    ).reshape(-1)
    offering = {format_: np.array([format_ in offer.offers for offer in offers], dtype=bool) for format_ in Offer}
    areas = {area for _, _, area in kinds if area is not None}
    meeting_in = {area: np.array([area in offer.in_person_areas for offer in offers], dtype=bool) for area in areas}
    nowhere = np.zeros(len(offers), dtype=bool)
    # 0 where the pair is usable, -1 (all bits set) where not: or-ed into a score, it makes the
    # unusable ones UNUSABLE without a masked write, which is thirty times slower.
    unreachable = np.zeros((len(kinds), len(offers)), dtype=np.int8)
    for (format_, online_ok, area), row in kinds.items():
        meets = offering[format_] & meeting_in.get(area, nowhere) if area is not None else nowhere
        unreachable[row] = (open_to_all & ((offering[format_] & online & online_ok) | meets)).view(np.int8) - 1
    # rate × hours ≤ money, in whole pence × half hours so nothing is rounded: the highest rate
    # in pence an organisation can afford is its money in pence × 2 ÷ its half hours, rounded down.
    rate_pence = np.array([_pence(offer.hourly_rate) for offer in offers], dtype=np.int64)
    highest_rate = np.array(
        [
            -1
            if unit_count == 0
            else rate_pence.max(initial=0)
            if needs.allocation_money_left is None
            else _pence(needs.allocation_money_left) * UNITS_PER_HOUR // unit_count
            for needs, unit_count in zip(needs_list, units.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    # The parts that depend on the supervisor alone, and whether they have the hours wanted,
    # by (runs groups, half hours wanted).
    sector = np.array([COMMUNITY_SECTOR_POINTS if offer.community_experience else 0 for offer in offers])
    group = np.array([GROUP_WORK_POINTS if offer.group_work_experience else 0 for offer in offers])
    capacity_units = np.array([_units(offer.capacity_hours_left) for offer in offers], dtype=np.int64)
    shapes: dict[tuple[bool, int], int] = {}
    shape_row = np.array(
        [
            shapes.setdefault((needs.runs_groups, unit_count), len(shapes))
            for needs, unit_count in zip(needs_list, units.tolist(), strict=True)
        ],
        dtype=np.int64,
    ).reshape(-1)
    fixed = np.zeros((len(shapes), len(offers)), dtype=np.int8)
    for (runs_groups, unit_count), row in shapes.items():
        fixed[row] = (
            COST_POINTS
            + sector
            + (group if runs_groups else 0)
            + np.where(capacity_units >= unit_count, CAPACITY_POINTS, 0)
        )

    scores = np.empty((len(needs_list), len(offers)), dtype=np.int8)
    block = max(1, _BLOCK_CELLS // max(1, len(offers)))
    for first in range(0, len(needs_list), block):
        rows = slice(first, first + block)
        score = scores[rows]
        np.take(fixed, shape_row[rows], axis=0, out=score)
        for table, index in parts:
            score += np.take(table[rows], index, axis=1)
        score |= np.take(unreachable, kind_row[rows], axis=0)
        score |= (rate_pence <= highest_rate[rows, None]).view(np.int8) - 1
    return scores


def _pool_candidates(scores: np.ndarray) -> CandidateArrays:
    """Every usable pair of a score matrix, row by row, as the solver's arrays."""
    item, bin_ = np.nonzero(scores >= 0)
    return CandidateArrays(
        item=item.astype(np.int64), bin=bin_.astype(np.int64), weight=scores[item, bin_].astype(np.int64)
    )


def _pool_scores(
    needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]
) -> tuple[AssignmentProblem, np.ndarray]:
    """The pool as a problem in half-hour units, and its score matrix (rows in ``needs_list``
    order, columns in ``offers`` order)."""
    if len({needs.organisation_id for needs in needs_list}) != len(needs_list):
        raise ValueError("each organisation may appear once")
    if len({offer.supervisor_id for offer in offers}) != len(offers):
        raise ValueError("each supervisor may appear once")
    problem = AssignmentProblem(
        items=tuple(
            Item(key=needs.organisation_id, size=units)
            for needs, units in zip(needs_list, _units_wanted(needs_list), strict=True)
        ),
        bins=tuple(
            Bin(key=offer.supervisor_id, capacity=max(0, _units(offer.capacity_hours_left))) for offer in offers
        ),
        candidates=(),  # kept as arrays beside the problem
        splittable=True,
    )
    return problem, _score_matrix(needs_list, offers)


def _pool(
    needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]
) -> tuple[AssignmentProblem, CandidateArrays]:
    problem, scores = _pool_scores(needs_list, offers)
    return problem, _pool_candidates(scores)


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
        pairs.append(
            AssignedPair(
                organisation_id=placement.item,
                supervisor_id=placement.bin,
                hours=Decimal(placement.units) / UNITS_PER_HOUR,
                score=placement.weight,
                needs=needs_by_id[placement.item],
                offer=offer_by_id[placement.bin],
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


# Each organisation's best supervisors handed to the flow first (reflect/assignment.py,
# ``solve_dense``, adds any others the optimum needs, and proves it).
CANDIDATES_PER_ORGANISATION = 12


def assign_pool(
    needs_list: Sequence[OrganisationNeeds],
    offers: Sequence[SupervisorOffer],
    *,
    per_organisation: int = CANDIDATES_PER_ORGANISATION,
    all_pairs_up_to: int = 200_000,
) -> PoolAssignment:
    """The optimal pool-wide assignment of the module docstring (hours may be split). A small
    pool (up to ``all_pairs_up_to`` usable pairs) goes to the flow whole; a larger one starts
    from each organisation's ``per_organisation`` best supervisors (``solve_dense``)."""
    problem, scores = _pool_scores(needs_list, offers)
    solved = solve_dense(problem, scores, per_item=per_organisation, all_pairs_up_to=all_pairs_up_to)
    return _pool_result(needs_list, offers, solved.solution)


def assign_pool_greedy(needs_list: Sequence[OrganisationNeeds], offers: Sequence[SupervisorOffer]) -> PoolAssignment:
    """The greedy baseline on the same model, for comparison only."""
    return _pool_result(needs_list, offers, solve_arrays_greedy(*_pool(needs_list, offers)))


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
    solution = solve_arrays(problem, candidates)
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
        candidates = CandidateArrays(candidates.item[keep], candidates.bin[keep], candidates.weight[keep])
        solution = solve_arrays(problem, candidates)
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
