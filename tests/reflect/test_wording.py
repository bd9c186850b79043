"""One wording for numbers, money, dates and times (reflect.wording)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from reflect import wording

WINTER = datetime.datetime(2026, 12, 9, 14, 0, tzinfo=datetime.UTC)  # 14:00 in London (GMT)
SUMMER = datetime.datetime(2027, 7, 14, 13, 30, tzinfo=datetime.UTC)  # 14:30 in London (BST)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (Decimal("1"), "1 hour"),
        (Decimal("1.00"), "1 hour"),
        (Decimal("1.5"), "1.5 hours"),
        (Decimal("0"), "0 hours"),
        (Decimal("60.8200"), "61 hours"),
        (Decimal("45.82"), "46 hours"),
        (Decimal("100"), "100 hours"),
        (Decimal("2.25"), "2.5 hours"),  # a quarter hour rounds up
        (Decimal("2.24"), "2 hours"),
        (Decimal("0.75"), "1 hour"),  # rounds to one: never "1 hours"
        (0.1, "0 hours"),
        (3, "3 hours"),
    ],
)
def test_hours_to_the_nearest_half_hour(value, words):
    assert wording.hours(value) == words


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (Decimal("45.82"), "45.5 hours"),
        (Decimal("60.49"), "60 hours"),
        (Decimal("1.99"), "1.5 hours"),
        (Decimal("1"), "1 hour"),
        (Decimal("0.4"), "0 hours"),
        (Decimal("-3"), "0 hours"),  # an overspent balance has nothing left, not minus hours
    ],
)
def test_hours_left_round_down_so_a_page_never_promises_more_than_can_be_booked(value, words):
    assert wording.hours_left(value) == words


def test_hours_at_least_round_up_so_the_figure_given_is_accepted():
    assert [wording.hours_at_least(v) for v in (Decimal("60.6"), Decimal("60.5"), Decimal("0.2"))] == [
        "61 hours",
        "60.5 hours",
        "0.5 hours",
    ]


def test_hours_number_has_no_unit_and_no_exponent():
    assert [wording.hours_number(v) for v in (Decimal("1E+2"), Decimal("1.50"), 0, Decimal("60.82"))] == [
        "100",
        "1.5",
        "0",
        "61",
    ]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("0"), "£0"),
        (Decimal("45"), "£45"),
        (Decimal("45.00"), "£45"),
        (Decimal("12.5"), "£12.50"),
        (Decimal("0.05"), "£0.05"),
        (Decimal("1234567"), "£1,234,567"),
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("1000000"), "£1,000,000"),
        (Decimal("-12.5"), "-£12.50"),
    ],
)
def test_money(amount, words):
    assert wording.money(amount) == words


def test_counts_and_plurals():
    assert [wording.count(n, "session") for n in (0, 1, 2, 1234)] == [
        "0 sessions",
        "1 session",
        "2 sessions",
        "1,234 sessions",
    ]
    assert wording.count(2, "match", "matches") == "2 matches"
    assert (wording.plural(1, "place"), wording.plural(5, "place")) == ("place", "places")


def test_dates_on_the_london_clock_by_default():
    assert wording.date(WINTER) == "Wednesday 9 December 2026"
    assert wording.short_date(WINTER) == "9 Dec 2026"
    assert wording.day(WINTER) == "Wednesday 9 December 2026"
    assert wording.date(datetime.date(2027, 1, 14)) == "Thursday 14 January 2027"
    assert wording.clock(SUMMER, "Europe/London") == "2:30pm"
    assert wording.clock(SUMMER) == "1:30pm"  # a datetime on its own clock (UTC here) unless a zone is named
    assert wording.moment(SUMMER) == "Wednesday 14 July 2027, 2:30pm"
    assert wording.moment_this_year(SUMMER) == "Wednesday 14 July, 2:30pm"
    assert wording.span(WINTER, WINTER + datetime.timedelta(hours=2)) == "Wednesday 9 December 2026, 2pm to 4pm"


def test_a_month_in_full_with_its_year():
    assert wording.month(datetime.date(2027, 1, 1)) == "January 2027"
    assert wording.month(WINTER) == "December 2026"
    # 23:30 UTC on 31 December 2026 is still December in London, already January in Auckland.
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert (wording.month(late), wording.month(late, "Pacific/Auckland")) == ("December 2026", "January 2027")
    assert wording.month_name(datetime.date(2026, 4, 30)) == "April"
    assert wording.month_on_axis(datetime.date(2027, 1, 1)) == "Jan 27"
    assert Template("{% load wording %}{{ m|month }}").render(Context({"m": datetime.date(2026, 4, 1)})) == "April 2026"


@pytest.mark.parametrize(
    ("time", "words"),
    [
        (datetime.time(14, 0), "2pm"),
        (datetime.time(9, 30), "9:30am"),
        (datetime.time(9, 5), "9:05am"),
        (datetime.time(12, 0), "midday"),
        (datetime.time(12, 30), "12:30pm"),
        (datetime.time(0, 0), "midnight"),
        (datetime.time(0, 15), "12:15am"),
        (datetime.time(23, 59), "11:59pm"),
    ],
)
def test_times_in_the_govuk_style(time, words):
    assert wording.clock(time) == words


def test_another_clock_when_named():
    # 23:30 UTC on 9 December is already 10 December in Auckland.
    late = datetime.datetime(2026, 12, 9, 23, 30, tzinfo=datetime.UTC)
    assert wording.moment(late, "Pacific/Auckland") == "Thursday 10 December 2026, 12:30pm"


def test_template_filters_write_the_same_words():
    template = Template(
        "{% load wording %}{{ left|hours_left }}|{{ used|hours }}|{{ t|clock }}|{{ when|clock }}|"
        "{{ when|moment_in_words }}|{{ n|count:'match,matches' }}|{{ day|date_in_words }}"
    )
    text = template.render(
        Context(
            {
                "left": Decimal("45.82"),
                "used": Decimal("1"),
                "t": datetime.time(12, 0),
                "when": WINTER,
                "n": 2,
                "day": datetime.date(2027, 1, 14),
            }
        )
    )
    assert text == ("45.5 hours|1 hour|midday|2pm|Wednesday 9 December 2026, 2pm|2 matches|Thursday 14 January 2027")


def test_a_moment_earlier_today_says_today_and_any_other_day_says_the_date() -> None:
    now = datetime.datetime(2026, 12, 9, 15, 0, tzinfo=datetime.UTC)
    this_morning = datetime.datetime(2026, 12, 9, 9, 30, tzinfo=datetime.UTC)
    yesterday = datetime.datetime(2026, 12, 8, 14, 0, tzinfo=datetime.UTC)
    assert wording.moment_or_today(this_morning, now=now) == "9:30am today"
    assert wording.moment_or_today(yesterday, now=now) == "Tuesday 8 December 2026, 2pm"


@pytest.mark.parametrize(
    ("value", "words"),
    [(1, "1 second"), (10, "10 seconds"), (10.0, "10 seconds"), (0.5, "0.5 seconds"), (3600, "3,600 seconds")],
)
def test_seconds(value, words):
    assert wording.seconds(value) == words


def test_bookable_hours_are_the_number_hours_left_writes():
    values = (Decimal("62.82"), Decimal("0.4"), Decimal("-2"), Decimal("16"))
    assert [wording.bookable_hours(v) for v in values] == [Decimal("62.5"), 0, 0, 16]
    assert [wording.hours_left(v) for v in values] == [
        f"{wording.hours_number(wording.bookable_hours(v))} hours" for v in values
    ]


def test_hours_exact_number_keeps_the_ledgers_hundredths():
    values = (Decimal("63.82"), Decimal("64.00"), Decimal("1.50"), Decimal("0"), Decimal("600"))
    assert [wording.hours_exact_number(v) for v in values] == ["63.82", "64", "1.5", "0", "600"]


def test_hours_exact_carries_its_unit():
    values = (Decimal("63.82"), Decimal("1.00"), Decimal("0.5"), Decimal("0"), Decimal("60.825"))
    assert [wording.hours_exact(v) for v in values] == ["63.82 hours", "1 hour", "0.5 hours", "0 hours", "60.83 hours"]
