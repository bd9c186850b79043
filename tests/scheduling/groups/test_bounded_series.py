"""A group's series is bounded (issue 17, docs/groups.md, docs/security.md): at most weekly, at
most GROUP_MAX_SESSIONS_PER_YEAR a year, never before the day it is made nor after its pool
ends, and the work of reading a pattern is the periods in its window, never the rule's whole
expansion. Each hostile rule of the security review is refused in words or bounded, counted."""

from __future__ import annotations

import datetime

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from reflect.errors import DomainError
from scheduling.groups.recurrence import (
    MAX_PERIODS,
    Walk,
    check_pattern,
    expand,
    keep_sessions_a_year_ahead,
    local_occurrences,
    parse_pattern,
)
from scheduling.models import GroupSession, ReflectiveGroup
from tests.factories.core import give_two_factor
from tests.factories.groups import NOW, ReflectiveGroupFactory, make_facilitator, make_group
from tests.scheduling.groups.test_views import group_form_data, post

AT_MOST_WEEKLY = "A group can meet at most once a week"


def refused(world, field: str, **fields) -> str:
    with pytest.raises(DomainError) as refusal:
        make_group(world, **fields)
    assert refusal.value.field == field
    assert not ReflectiveGroup.objects.exists() and not GroupSession.objects.exists()
    return refusal.value.message


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MINUTELY",
        "FREQ=SECONDLY",
        "FREQ=HOURLY;INTERVAL=1",
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=7",  # weekly in effect, but say weekly
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    ],
)
def test_a_rule_more_often_than_weekly_is_refused_in_words(world, rule):
    assert refused(world, "rrule", rrule=rule).startswith(AT_MOST_WEEKLY)


def test_the_reviews_minutely_rule_with_an_early_first_date_is_refused(world):
    message = refused(world, "rrule", rrule="FREQ=MINUTELY", first_date=datetime.date(2000, 1, 1))
    assert message.startswith(AT_MOST_WEEKLY)


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY;INTERVAL=1;BYHOUR=1,2,3", "FREQ=MONTHLY;BYMINUTE=0,15,30,45"])
def test_times_in_the_rule_are_refused(world, rule):
    assert refused(world, "rrule", rrule=rule) == (
        "A group meets once on its day, at its start time: leave out BYHOUR, BYMINUTE and BYSECOND."
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYMONTHDAY=1,2",  # two days running
        "FREQ=MONTHLY;BYMONTHDAY=1,-1",  # the last of one month and the first of the next
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYDAY=+1MO,+1TU",
    ],
)
def test_a_monthly_rule_with_two_sessions_in_seven_days_is_refused(world, rule):
    assert refused(world, "rrule", rrule=rule).startswith(AT_MOST_WEEKLY)


def test_a_first_date_before_today_is_refused(world):
    message = refused(world, "first_date", first_date=datetime.date(2026, 11, 1))
    assert message == "The first date cannot be before today, Monday 2 November 2026."


def test_a_first_date_after_the_pool_ends_is_refused(world):
    message = refused(world, "first_date", first_date=datetime.date(2030, 1, 1))
    assert message.startswith("The pool ends on ") and message.endswith(": choose a first date on or before then.")


def test_count_100000_is_bounded_to_a_year_of_weeks(world):
    group = make_group(world, rrule="FREQ=WEEKLY;COUNT=100000")
    # Monday 2 November 2026 (the day it is made) to Monday 1 November 2027: 53 Mondays.
    assert group.sessions.count() == 53
    walk = Walk()
    local_occurrences(group, after=NOW, before=NOW + datetime.timedelta(days=365), walk=walk)
    assert walk.periods == len(walk.found) == 53  # COUNT walks from the first date: here, the window


def test_no_session_after_the_pools_end(world):
    group = make_group(world, rrule="FREQ=WEEKLY")
    world.pool.ends_on = datetime.date(2027, 3, 31)
    world.pool.save()
    group.sessions.all().delete()
    group.pool.refresh_from_db()
    assert keep_sessions_a_year_ahead(now=NOW) == 22  # Mondays 2 November 2026 to 29 March 2027
    assert group.sessions.order_by("starts_at").last().starts_at.date() == datetime.date(2027, 3, 29)


def test_a_rule_that_matches_no_day_costs_a_year_of_periods_not_eight_thousand_years(world):
    # dateutil looks for the 30th of February to the year 9999 (about a second); we look a year.
    for rule in ["FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=31"]:
        group = make_group(world, title=rule, rrule=rule)
        assert group.sessions.count() == 0
        walk = Walk()
        local_occurrences(group, after=NOW, before=NOW + datetime.timedelta(days=365), walk=walk)
        assert walk.periods <= 13 and walk.found == []


def test_the_year_ahead_task_obeys_the_bounds_for_a_group_made_before_them(world):
    # Written straight to the table (as an old row, or the admin, might): no service checked it.
    hostile = ReflectiveGroupFactory(pool=world.pool, rrule="FREQ=MINUTELY", first_date=datetime.date(2000, 1, 1))
    unreadable = ReflectiveGroupFactory(pool=world.pool, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE")
    fine = ReflectiveGroupFactory(
        pool=world.pool, rrule="FREQ=MONTHLY;BYDAY=+2WE", first_date=datetime.date(2000, 1, 1)
    )
    world.pool.ends_on = datetime.date(2027, 11, 30)
    world.pool.save()
    assert keep_sessions_a_year_ahead(now=NOW) == 12
    assert (hostile.sessions.count(), unreadable.sessions.count(), fine.sessions.count()) == (0, 0, 12)


def test_the_year_ahead_task_walks_the_window_not_the_years_since_the_first_date(world):
    group = ReflectiveGroupFactory(pool=world.pool, rrule="FREQ=WEEKLY", first_date=datetime.date(1990, 1, 1))
    walk = Walk()
    starts = local_occurrences(group, after=NOW, before=NOW + datetime.timedelta(days=365), walk=walk)
    # The window's weeks, and the one before it (a week apart across its edge): not 1,900 since 1990.
    assert len(starts) == 53 and walk.periods == 55


def test_at_most_the_set_number_of_sessions_a_year(world, settings):
    settings.GROUP_MAX_SESSIONS_PER_YEAR = 12
    assert refused(world, "rrule", rrule="FREQ=WEEKLY;INTERVAL=2") == (
        "A group can meet at most 12 times a year: choose a sparser pattern."
    )
    assert make_group(world, rrule="FREQ=MONTHLY;BYDAY=+2WE").sessions.count() == 12


def test_the_create_form_says_why_and_makes_nothing(client, world):
    give_two_factor(world.commissioner)
    today = timezone.localdate()
    data = group_form_data(make_facilitator(), rrule="FREQ=MINUTELY", first_date="2000-01-01")
    response = post(client, world.commissioner, "group_create", world.pool.pk, data=data)
    assert response.status_code == 200
    assert response.context["form"].errors["rrule"][0].startswith(AT_MOST_WEEKLY)
    data = group_form_data(make_facilitator("Bo"), first_date=(today - datetime.timedelta(days=1)).isoformat())
    response = post(client, world.commissioner, "group_create", world.pool.pk, data=data)
    assert response.status_code == 200
    assert response.context["form"].errors["first_date"][0].startswith("The first date cannot be before today")
    assert not ReflectiveGroup.objects.exists() and not GroupSession.objects.exists()


def test_the_change_form_says_why_for_a_group_whose_pattern_breaks_the_bounds(client, world):
    give_two_factor(world.commissioner)
    group = ReflectiveGroupFactory(pool=world.pool, rrule="FREQ=DAILY", first_date=timezone.localdate())
    client.force_login(world.commissioner)
    response = client.get(reverse("group_change", args=[world.pool.pk, group.pk]))
    data = {name: value for name, value in response.context["form"].initial.items() if value is not None}
    data.update({"all_pool_organisations": "on", "title": "Renamed"})
    response = client.post(reverse("group_change", args=[world.pool.pk, group.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith(AT_MOST_WEEKLY)
    group.refresh_from_db()
    assert group.title != "Renamed"


# The patterns people use read as dateutil reads them (where dateutil is quick: it finds days).
@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=+2WE",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYDAY=+5MO",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=+1TU",
        "FREQ=MONTHLY;INTERVAL=12",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;WKST=SU",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=SU;WKST=MO",
        "FREQ=WEEKLY;BYMONTH=1,2,3",
        "FREQ=WEEKLY;COUNT=5",
        "FREQ=MONTHLY;BYDAY=+1MO;UNTIL=20270601",
        "FREQ=WEEKLY;UNTIL=20270105T140000",
    ],
)
@pytest.mark.parametrize("first", [datetime.date(2026, 11, 1), datetime.date(2026, 11, 5), datetime.date(2027, 2, 28)])
def test_patterns_read_as_dateutil_reads_them(rule, first):
    dtstart = datetime.datetime.combine(first, datetime.time(14, 0))
    start, end = dtstart + datetime.timedelta(days=40), dtstart + datetime.timedelta(days=800)
    ours = list(expand(parse_pattern(rule), dtstart, start=start, end=end))
    theirs = [moment for moment in rrulestr(rule, dtstart=dtstart).between(start, end, inc=True) if moment < end]
    assert ours == theirs


# fmt: off
FRAGMENTS = st.sampled_from(
    [
        "FREQ=WEEKLY",
        "FREQ=MONTHLY",
        "FREQ=DAILY",
        "FREQ=MINUTELY",
        "FREQ=YEARLY",
        "FREQ=",
        "FREQ=weekly",
        "INTERVAL=1",
        "INTERVAL=0",
        "INTERVAL=100000",
        "INTERVAL=-1",
        "INTERVAL=\u0663",
        "BYDAY=MO",
        "BYDAY=MO,TU,WE",
        "BYDAY=+2WE",
        "BYDAY=-1FR",
        "BYDAY=+53MO",
        "BYDAY=0MO",
        "BYDAY=XX",
        "BYMONTHDAY=30",
        "BYMONTHDAY=-31",
        "BYMONTHDAY=0",
        "BYMONTHDAY=1,15",
        "BYMONTHDAY=99",
        "BYMONTH=2",
        "BYMONTH=13",
        "BYSETPOS=40",
        "BYSETPOS=-1",
        "BYSETPOS=1",
        "BYHOUR=1,2,3",
        "BYYEARDAY=1",
        "BYWEEKNO=53",
        "BYEASTER=0",
        "COUNT=100000",
        "COUNT=0",
        "COUNT=1",
        "UNTIL=20270101",
        "UNTIL=99991231T235959Z",
        "UNTIL=20270230",
        "WKST=SU",
        "WKST=XX",
        "DTSTART=20000101",
        "",
        "=",
        "RRULE:",
        "\x00",
        "=;=",
        "FREQ=WEEKLY;FREQ=MONTHLY",
    ]
)
# fmt: on


@settings(max_examples=50, deadline=None)
@given(
    parts=st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=6),
    first=st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
    ends=st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
)
def test_any_rule_is_a_domain_error_or_a_bounded_series(parts, first, ends):
    rule = ";".join(parts)
    group = ReflectiveGroup(rrule=rule, first_date=first, start_time=datetime.time(14, 0), time_zone="Europe/London")
    try:
        check_pattern(group, pool_ends_on=ends, today=None)
    except DomainError as refusal:
        assert refusal.field in {"rrule", "first_date"} and refusal.message
        return
    pattern = parse_pattern(rule)
    dtstart = datetime.datetime.combine(first, datetime.time(14, 0))
    walk = Walk()
    found = list(expand(pattern, dtstart, start=dtstart, end=datetime.datetime.max, walk=walk))
    assert walk.periods <= MAX_PERIODS and len(found) <= walk.days <= MAX_PERIODS * 31
