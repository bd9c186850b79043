"""Availability use cases: exact refusals, naming the rule in the way, and nothing changed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reflect import wording
from reflect.errors import DomainError
from reflect.models import AuditEvent
from scheduling import slots
from scheduling.models import AvailabilitySettings, DateOverride, WeeklyRule
from scheduling.queries import availability_for
from scheduling.services.availability import (
    add_date_override,
    add_weekly_rule,
    remove_date_override,
    remove_weekly_rule,
    set_availability_settings,
)

pytestmark = pytest.mark.django_db

T = datetime.time


def later(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


TEN, FOUR_PM = T(10), T(16)


def add_rule(supervisor, weekday=1, start=TEN, end=FOUR_PM, **dates):
    return add_weekly_rule(supervisor, acting_user=supervisor.user, weekday=weekday, start=start, end=end, **dates)


def test_a_rule_is_stored_as_wall_clock_time(supervisor):
    rule = add_rule(supervisor)
    rule.refresh_from_db()
    assert (rule.weekday, rule.start, rule.end, rule.valid_from, rule.valid_until) == (1, T(10), T(16), None, None)
    assert rule.label == "Tuesday 10am to 4pm"
    assert list(AuditEvent.objects.values_list("action", "details")) == [
        ("availability.rule_added", {"rule": "Tuesday 10am to 4pm"})
    ]


def test_an_overlapping_rule_is_refused_and_the_rule_in_the_way_is_named(supervisor):
    add_rule(supervisor)
    with pytest.raises(DomainError) as refusal:
        add_rule(supervisor, start=T(15), end=T(18))
    assert refusal.value.message == (
        "Tuesday 3pm to 6pm overlaps your rule Tuesday 10am to 4pm. Change the times, or remove that rule first."
    )
    assert refusal.value.field == "start"
    assert WeeklyRule.objects.count() == 1


def test_touching_rules_and_rules_on_other_days_or_other_dates_are_accepted(supervisor):
    add_rule(supervisor, valid_until=datetime.date(2027, 3, 31))
    add_rule(supervisor, start=T(16), end=T(18))  # touches at 16:00: not an overlap
    add_rule(supervisor, weekday=3)  # Thursday
    add_rule(supervisor, start=T(9), end=T(12), valid_from=datetime.date(2027, 4, 1))  # after the first one ends
    assert [rule.label for rule in WeeklyRule.objects.order_by("weekday", "start", "pk")] == [
        "Tuesday 9am to midday (from Thursday 1 April 2027)",
        "Tuesday 10am to 4pm (until Wednesday 31 March 2027)",
        "Tuesday 4pm to 6pm",
        "Thursday 10am to 4pm",
    ]


def test_a_rule_overlapping_in_dates_is_refused(supervisor):
    add_rule(supervisor, valid_from=datetime.date(2027, 1, 1), valid_until=datetime.date(2027, 6, 30))
    with pytest.raises(DomainError) as refusal:
        add_rule(supervisor, start=T(11), end=T(12), valid_from=datetime.date(2027, 6, 30))
    assert refusal.value.message == (
        "Tuesday 11am to midday (from Wednesday 30 June 2027) overlaps your rule Tuesday 10am to 4pm (Friday 1 January 2027 to "
        "Wednesday 30 June 2027). Change the times, or remove that rule first."
    )


def test_end_before_start_is_refused_with_both_times(supervisor):
    with pytest.raises(DomainError) as refusal:
        add_rule(supervisor, start=T(16), end=T(10))
    assert (refusal.value.message, refusal.value.field) == (
        "The end time must be after the start time (10am is not after 4pm).",
        "end",
    )
    with pytest.raises(DomainError) as refusal:
        add_rule(supervisor, start=T(10), end=T(10))
    assert refusal.value.message == "The end time must be after the start time (10am is not after 10am)."
    with pytest.raises(DomainError) as refusal:
        add_rule(supervisor, valid_from=datetime.date(2027, 5, 1), valid_until=datetime.date(2027, 4, 1))
    assert refusal.value.message == "The last date must be on or after the first date."
    assert WeeklyRule.objects.count() == 0


def test_the_database_refuses_a_rule_ending_before_it_starts(supervisor):
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyRule.objects.create(supervisor=supervisor, weekday=1, start=T(16), end=T(10))


def test_someone_else_cannot_change_a_supervisors_availability(supervisor, other_supervisor):
    with pytest.raises(DomainError) as refusal:
        add_weekly_rule(supervisor, acting_user=other_supervisor.user, weekday=1, start=T(10), end=T(16))
    assert refusal.value.message == "You can only change your own availability."
    rule = add_rule(supervisor)
    with pytest.raises(DomainError):
        remove_weekly_rule(rule, acting_user=other_supervisor.user)
    assert WeeklyRule.objects.count() == 1


def test_removing_a_rule(supervisor):
    rule = add_rule(supervisor)
    remove_weekly_rule(rule, acting_user=supervisor.user)
    assert WeeklyRule.objects.count() == 0
    assert AuditEvent.objects.filter(action="availability.rule_removed").get().details == {
        "rule": "Tuesday 10am to 4pm"
    }


def test_settings_are_saved_and_read_by_the_slot_engine(supervisor):
    set_availability_settings(
        supervisor,
        acting_user=supervisor.user,
        time_zone="Europe/Dublin",
        session_lengths=[90, 60, 60],
        buffer_minutes=10,
        minimum_notice_hours=48,
        horizon_weeks=6,
        max_sessions_per_day=3,
        max_sessions_per_week=8,
        monthly_capacity_hours=Decimal("20.5"),
    )
    row = AvailabilitySettings.objects.get(supervisor=supervisor)
    assert (row.time_zone, row.session_lengths) == ("Europe/Dublin", [60, 90])
    # The monthly capacity has one place, the profile, which matching and booking read too.
    supervisor.refresh_from_db()
    assert supervisor.monthly_capacity_hours == Decimal("20.50")
    add_rule(supervisor)
    day = later(20)
    add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(9), end=T(11))
    add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(14), end=T(15))
    assert availability_for(supervisor) == slots.Availability(
        time_zone="Europe/Dublin",
        rules=(slots.WeeklyRule(weekday=1, start=T(10), end=T(16)),),
        overrides=(slots.DateOverride(day=day, windows=((T(9), T(11)), (T(14), T(15)))),),
        session_lengths=(60, 90),
        buffer_minutes=10,
        minimum_notice=datetime.timedelta(hours=48),
        horizon=datetime.timedelta(weeks=6),
        max_per_day=3,
        max_per_week=8,
    )


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"time_zone": "Europe/Londres"},
            "“Europe/Londres” is not a time zone we know. Use a name such as Europe/London.",
            "time_zone",
        ),
        ({"session_lengths": []}, "Offer at least one session length.", "session_lengths"),
        ({"session_lengths": [60, 600]}, "A session lasts between 15 and 480 minutes (600 is not).", "session_lengths"),
        ({"horizon_weeks": 60}, "People can book between 1 and 52 weeks ahead.", "horizon_weeks"),
        (
            {"minimum_notice_hours": 24 * 7 * 8 + 1},
            "The minimum notice is longer than how far ahead people may book, so nobody could book.",
            "minimum_notice_hours",
        ),
        (
            {"max_sessions_per_day": 5, "max_sessions_per_week": 4},
            "The most sessions a day cannot be more than the most sessions a week.",
            "max_sessions_per_day",
        ),
    ],
)
def test_bad_settings_are_refused(supervisor, change, message, field):
    values = {
        "time_zone": "Europe/London",
        "session_lengths": [60],
        "buffer_minutes": 15,
        "minimum_notice_hours": 24,
        "horizon_weeks": 8,
    } | change
    with pytest.raises(DomainError) as refusal:
        set_availability_settings(supervisor, acting_user=supervisor.user, **values)
    assert (refusal.value.message, refusal.value.field) == (message, field)
    assert AvailabilitySettings.objects.count() == 0


def test_away_day_and_hours_on_the_same_day_exclude_each_other(supervisor):
    day = later(30)
    name = f"{day:%A %-d %B %Y}"
    away = add_date_override(supervisor, acting_user=supervisor.user, date=day, away=True, note="Conference")
    assert away.label == f"{name}: away all day"
    with pytest.raises(DomainError) as refusal:
        add_date_override(supervisor, acting_user=supervisor.user, date=day, away=True)
    assert refusal.value.message == f"You are already away on {name}."
    with pytest.raises(DomainError) as refusal:
        add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(9), end=T(10))
    assert refusal.value.message == f"You are away all day on {name}. Remove that first to set hours."
    remove_date_override(away, acting_user=supervisor.user)
    add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(9), end=T(10))
    with pytest.raises(DomainError) as refusal:
        add_date_override(supervisor, acting_user=supervisor.user, date=day, away=True)
    assert refusal.value.message == f"You have set hours on {name} (9am to 10am). Remove them first to be away all day."


def test_overlapping_hours_on_one_day_are_refused(supervisor):
    day = later(30)
    add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(9), end=T(12))
    with pytest.raises(DomainError) as refusal:
        add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(11), end=T(13))
    assert refusal.value.message == (
        f"11am to 1pm overlaps your hours {day:%A %-d %B %Y}: 9am to midday. Change the times, or remove those first."
    )
    with pytest.raises(DomainError) as refusal:
        add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(13), end=T(12))
    assert refusal.value.message == "The end time must be after the start time (midday is not after 1pm)."
    add_date_override(supervisor, acting_user=supervisor.user, date=day, away=False, start=T(12), end=T(13))
    assert list(DateOverride.objects.values_list("start", "end")) == [(T(9), T(12)), (T(12), T(13))]


def test_a_past_date_is_refused(supervisor):
    day = later(-1)
    with pytest.raises(DomainError) as refusal:
        add_date_override(supervisor, acting_user=supervisor.user, date=day, away=True)
    assert refusal.value.message == f"{wording.date(day)} has passed. Choose today or a later date."


def test_the_database_allows_one_away_row_a_day(supervisor):
    day = later(10)
    DateOverride.objects.create(supervisor=supervisor, date=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        DateOverride.objects.create(supervisor=supervisor, date=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        DateOverride.objects.create(supervisor=supervisor, date=day, start=T(9))  # a start without an end
