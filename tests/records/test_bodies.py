"""The bodies' rules as data, against their published worked examples (records/bodies/*.json)."""

from __future__ import annotations

import datetime

import pytest

from records.bodies import bodies, body, month_totals, months_between


def test_every_body_is_offered_in_order_with_its_sources():
    assert list(bodies()) == ["bacp", "ukcp", "babcp", "hcpc", "none"]
    for rule in bodies().values():
        assert rule.code != "none" or not rule.sources
        assert rule.code == "none" or rule.sources, rule.code


@pytest.mark.parametrize("code", ["bacp", "babcp"])
def test_each_published_worked_example_in_the_data_holds(code):
    rule = body(code)
    assert rule.worked_examples
    for example in rule.worked_examples:
        assert (
            rule.claimable_minutes(example["minutes"], example["supervisees"], is_group=True) == example["claimable"]
        ), example


def test_bacp_half_the_time_up_to_four_then_divided_by_the_group():
    bacp = body("bacp")
    # bacp.co.uk/supervision: two hours, groups of up to four claim one hour; a group of six, 20 minutes.
    assert [bacp.claimable_minutes(120, n, is_group=True) for n in (2, 3, 4)] == [60, 60, 60]
    assert bacp.claimable_minutes(120, 5, is_group=True) == 24
    assert bacp.claimable_minutes(120, 6, is_group=True) == 20
    # Rounded down to whole minutes: 90 ÷ 7 = 12.86 claims 12, never 13.
    assert bacp.claimable_minutes(90, 7, is_group=True) == 12
    assert bacp.claimable_minutes(60, 1, is_group=False) == 60


def test_babcp_divides_by_the_group_and_doubles_never_above_the_time():
    babcp = body("babcp")
    assert babcp.claimable_minutes(120, 4, is_group=True) == 60  # example one
    assert babcp.claimable_minutes(105, 3, is_group=True) == 70  # example two: 1 h 10 min
    assert babcp.claimable_minutes(90, 2, is_group=True) == 90  # example three: all of it
    assert babcp.claimable_minutes(90, 1, is_group=True) == 90  # not 180


@pytest.mark.parametrize("code", ["ukcp", "hcpc", "none"])
def test_bodies_without_a_formula_count_every_minute_and_set_no_minimum(code):
    rule = body(code)
    assert rule.claimable_minutes(120, 6, is_group=True) == 120
    assert rule.monthly_minimum_minutes is None


def test_an_unknown_code_counts_as_no_body():
    assert body("gone").code == "none"


def _months(*claims: int) -> tuple[list, dict]:
    months = months_between(datetime.date(2027, 1, 1), datetime.date(2027, len(claims), 1))
    return months, dict(zip(months, claims, strict=True))


def test_bacp_each_calendar_month_stands_alone_no_averaging():
    # "Neither a target nor an average": 2 hours then 1 hour is short in the second month.
    months, claimed = _months(120, 60, 90)
    totals = month_totals(body("bacp"), claimed, months)
    assert [(t.claimable_minutes, t.meets_minimum, t.shortfall_minutes) for t in totals] == [
        (120, True, 0),
        (60, False, 30),
        (90, True, 0),
    ]


def test_bacp_an_hour_every_three_weeks_does_not_meet_the_minimum():
    # BACP (Therapy Today, May 2006): one hour every three weeks will not meet the minimum.
    # From Monday 4 January 2027 every 21 days: January has 2 sessions, February 1, March 2.
    days = [datetime.date(2027, 1, 4) + datetime.timedelta(days=21 * n) for n in range(5)]
    months = months_between(days[0], days[-1])
    claimed: dict[datetime.date, int] = {}
    for day in days:
        claimed[day.replace(day=1)] = claimed.get(day.replace(day=1), 0) + 60
    totals = month_totals(body("bacp"), claimed, months)
    assert [t.claimable_minutes for t in totals] == [120, 60, 120]
    assert [t.meets_minimum for t in totals] == [True, False, True]


def test_babcp_may_average_over_the_months_so_far():
    months, claimed = _months(120, 60, 60)
    totals = month_totals(body("babcp"), claimed, months)
    assert [(t.average_minutes, t.meets_minimum, t.shortfall_minutes) for t in totals] == [
        (120, True, 0),
        (90, True, 0),
        (80, False, 10),
    ]


def test_months_between_counts_both_ends_across_a_year():
    assert months_between(datetime.date(2026, 11, 30), datetime.date(2027, 2, 1)) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]
