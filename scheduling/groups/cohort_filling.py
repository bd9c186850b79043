"""Filling cohort groups from applications: pure functions over plain data (issue 7).

The model, stated plainly
    Every waiting application in a pool is an item of one unit, grouped by the applicant's
    organisation; every cohort group with room is a bin whose capacity is its places not yet
    taken by members. A pair (applicant, cohort) is a candidate only when the applicant's
    organisation may join the group and the cohort's times suit them: it meets on days they
    chose, starts no earlier than they said — or than their "no sessions before" contact
    preference — and finishes no later than they said. Each placement is worth
    ``PLACEMENT_WEIGHT``; an organisation's first, second and third placements anywhere earn a
    falling bonus (``FAIRNESS_BONUS``), so when places are short they go round the
    organisations before anyone's second colleague gets one. At most ``organisation_cap``
    people from one organisation sit in one cohort (counting current members), so colleagues
    can speak freely. ``reflect.assignment.solve_assignment`` solves it exactly as a min-cost
    flow; among equally good answers, earlier applications are placed first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

from reflect import wording
from reflect.assignment import AssignmentProblem, Bin, Candidate, GroupCap, Item, solve_assignment

PLACEMENT_WEIGHT: Final = 100
FAIRNESS_BONUS: Final = (40, 20, 10)

WEEKDAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Availability:
    """When a person can come: days (0 = Monday; empty means any) and a window in the day."""

    weekdays: frozenset[int] = frozenset()
    earliest_start: datetime.time | None = None
    latest_end: datetime.time | None = None


@dataclass(frozen=True)
class CohortTimes:
    """When a cohort meets, in its local wall clock."""

    weekdays: frozenset[int]
    start: datetime.time
    end: datetime.time


def why_times_do_not_suit(availability: Availability, times: CohortTimes) -> str | None:
    """None when the cohort's times suit the person; otherwise why not, in their words."""
    if availability.weekdays and not times.weekdays <= availability.weekdays:
        days = ", ".join(WEEKDAY_NAMES[day] for day in sorted(times.weekdays - availability.weekdays))
        return f"meets on {days}"
    if availability.earliest_start is not None and times.start < availability.earliest_start:
        return f"starts at {wording.clock(times.start)}, before {wording.clock(availability.earliest_start)}"
    if availability.latest_end is not None and times.end > availability.latest_end:
        return f"finishes at {wording.clock(times.end)}, after {wording.clock(availability.latest_end)}"
    return None


@dataclass(frozen=True)
class Applicant:
    key: int  # the application's id: lower means applied earlier
    organisation_id: int
    availability: Availability


@dataclass(frozen=True)
class Cohort:
    key: int  # the group's id
    places: int  # room left for new members
    times: CohortTimes
    organisation_ids: frozenset[int] | None  # who may join; None means all the pool's organisations
    members_by_organisation: dict[int, int]  # current members, counted against the cap


@dataclass(frozen=True)
class CohortFill:
    placements: dict[int, int]  # application key → cohort key
    unplaced: dict[int, str]  # application key → why, in the applicant's words


def fill_cohorts(applicants: list[Applicant], cohorts: list[Cohort], *, organisation_cap: int) -> CohortFill:
    if organisation_cap < 1:
        raise ValueError("the cap on colleagues per cohort must be at least one")
    candidates = []
    suitable: dict[int, int] = {}
    for applicant in applicants:
        for cohort in cohorts:
            if cohort.organisation_ids is not None and applicant.organisation_id not in cohort.organisation_ids:
                continue
            if why_times_do_not_suit(applicant.availability, cohort.times) is not None:
                continue
            candidates.append(Candidate(item=applicant.key, bin=cohort.key, weight=PLACEMENT_WEIGHT))
            suitable[applicant.key] = suitable.get(applicant.key, 0) + 1
    caps = tuple(
        GroupCap(bin=cohort.key, group=organisation_id, cap=max(organisation_cap - members, 0))
        for cohort in cohorts
        for organisation_id, members in cohort.members_by_organisation.items()
    )
    problem = AssignmentProblem(
        items=tuple(Item(key=a.key, size=1, group=a.organisation_id) for a in applicants),
        bins=tuple(Bin(key=c.key, capacity=max(c.places, 0)) for c in cohorts),
        candidates=tuple(candidates),
        group_cap=organisation_cap,
        group_caps=caps,
        group_bonus=FAIRNESS_BONUS,
    )
    solution = solve_assignment(problem)
    placements = {placement.item: placement.bin for placement in solution.placements}
    unplaced = {}
    for applicant in applicants:
        if applicant.key in placements:
            continue
        if not suitable.get(applicant.key):
            unplaced[applicant.key] = "No cohort open to them meets at times that suit them."
        else:
            unplaced[applicant.key] = (
                "The cohorts that suit them are full, or already have as many of their colleagues as allowed."
            )
    return CohortFill(placements=placements, unplaced=unplaced)
