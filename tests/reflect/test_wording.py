"""One wording for numbers, money, dates and times (reflect.wording)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

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
        (Decimal("60.8200"), "60.82 hours"),
        (Decimal("100"), "100 hours"),
        (Decimal("2.005"), "2.01 hours"),
        (0.1, "0.1 hours"),
        (3, "3 hours"),
    ],
)
def test_hours(value, words):
    assert wording.hours(value) == words


def test_hours_number_has_no_unit_and_no_exponent():
    assert [wording.hours_number(v) for v in (Decimal("1E+2"), Decimal("1.50"), 0)] == ["100", "1.5", "0"]


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
        (Decimal("-12.5"), "£-12.50"),
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
    assert wording.date(WINTER) == "9 December 2026"
    assert wording.short_date(WINTER) == "9 Dec 2026"
    assert wording.day(WINTER) == "Wednesday 9 December 2026"
    assert wording.day(datetime.date(2027, 1, 14)) == "Thursday 14 January 2027"
    assert wording.clock(SUMMER, "Europe/London") == "14:30"
    assert wording.clock(SUMMER) == "13:30"  # a datetime on its own clock (UTC here) unless a zone is named
    assert wording.moment(SUMMER) == "Wednesday 14 July 2027, 14:30"
    assert wording.moment_this_year(SUMMER) == "Wednesday 14 July, 14:30"
    assert wording.span(WINTER, WINTER + datetime.timedelta(hours=2)) == "Wednesday 9 December 2026, 14:00–16:00"


def test_another_clock_when_named():
    # 23:30 UTC on 9 December is already 10 December in Auckland.
    late = datetime.datetime(2026, 12, 9, 23, 30, tzinfo=datetime.UTC)
    assert wording.moment(late, "Pacific/Auckland") == "Thursday 10 December 2026, 12:30"
    assert wording.clock(datetime.time(9, 5)) == "09:05"
