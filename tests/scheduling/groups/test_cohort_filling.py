"""The cohort filler on plain data: times, caps on colleagues, fairness across organisations."""

from __future__ import annotations

import datetime

import pytest

from scheduling.groups.cohort_filling import (
    Applicant,
    Availability,
    Cohort,
    CohortTimes,
    fill_cohorts,
    why_times_do_not_suit,
)

T = datetime.time
TUESDAY_EVENING = CohortTimes(weekdays=frozenset({1}), start=T(18, 0), end=T(19, 30))
WEDNESDAY_MORNING = CohortTimes(weekdays=frozenset({2}), start=T(9, 30), end=T(11, 0))


def cohort(key, places, times, *, organisations=None, members=None):
    return Cohort(
        key=key,
        places=places,
        times=times,
        organisation_ids=organisations,
        members_by_organisation=members or {},
    )


def applicant(key, organisation, **availability):
    return Applicant(key=key, organisation_id=organisation, availability=Availability(**availability))


@pytest.mark.parametrize(
    ("availability", "reason"),
    [
        (Availability(), None),
        (Availability(weekdays=frozenset({1, 3})), None),
        (Availability(weekdays=frozenset({0})), "meets on Tuesday"),
        (Availability(earliest_start=T(18, 0)), None),
        (Availability(earliest_start=T(18, 30)), "starts at 6pm, before 6:30pm"),
        (Availability(latest_end=T(19, 0)), "finishes at 7:30pm, after 7pm"),
    ],
)
def test_times_suit_or_say_why(availability, reason):
    assert why_times_do_not_suit(availability, TUESDAY_EVENING) == reason


def test_each_person_goes_where_their_times_suit():
    fill = fill_cohorts(
        [applicant(1, 10, weekdays=frozenset({2})), applicant(2, 11, earliest_start=T(12, 0))],
        [cohort(100, 4, TUESDAY_EVENING), cohort(200, 4, WEDNESDAY_MORNING)],
        organisation_cap=2,
    )
    assert fill.placements == {1: 200, 2: 100}
    assert fill.unplaced == {}


def test_no_more_colleagues_per_cohort_than_the_cap_counting_members():
    fill = fill_cohorts(
        [applicant(key, 10) for key in (1, 2, 3)],
        [cohort(100, 6, TUESDAY_EVENING, members={10: 1})],
        organisation_cap=2,
    )
    assert fill.placements == {1: 100}
    assert fill.unplaced == {
        2: "The cohorts that suit them are full, or already have as many of their colleagues as allowed.",
        3: "The cohorts that suit them are full, or already have as many of their colleagues as allowed.",
    }


def test_short_places_go_round_the_organisations_first():
    # Three from organisation 10 applied before the one from 11 and the one from 12: with three
    # places, fairness gives each organisation one rather than the first three applicants.
    fill = fill_cohorts(
        [applicant(1, 10), applicant(2, 10), applicant(3, 10), applicant(4, 11), applicant(5, 12)],
        [cohort(100, 3, TUESDAY_EVENING)],
        organisation_cap=3,
    )
    assert fill.placements == {1: 100, 4: 100, 5: 100}


def test_a_cohort_for_chosen_organisations_takes_no_one_else():
    fill = fill_cohorts(
        [applicant(1, 10, weekdays=frozenset({1}))],
        [cohort(100, 4, TUESDAY_EVENING, organisations=frozenset({11}))],
        organisation_cap=2,
    )
    assert fill.unplaced == {1: "No cohort open to them meets at times that suit them."}


def test_capacity_is_never_exceeded_and_earlier_applicants_win_ties():
    fill = fill_cohorts(
        [applicant(key, key) for key in range(1, 8)],
        [cohort(100, 2, TUESDAY_EVENING), cohort(200, 3, WEDNESDAY_MORNING)],
        organisation_cap=1,
    )
    assert sorted(fill.placements) == [1, 2, 3, 4, 5]
    assert sorted(fill.placements.values()) == [100, 100, 200, 200, 200]
