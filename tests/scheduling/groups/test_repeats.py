"""A group's repeat in words: words → RRULE → dates, and a rule back to words. No database."""

from __future__ import annotations

import datetime

import pytest

from scheduling.groups.recurrence import expand, parse_pattern
from scheduling.groups.repeats import Every, Repeat, first_day, repeat_in, rule_for, rule_in_words, said


def dates(repeat: Repeat, first: datetime.date, count: int = 6) -> list[datetime.date]:
    """The first ``count`` dates the rule made from the words falls on, read the bounded way."""
    dtstart = datetime.datetime.combine(first_day(repeat, first), datetime.time(14))
    end = dtstart + datetime.timedelta(days=400)
    return [moment.date() for moment in expand(parse_pattern(rule_for(repeat)), dtstart, start=dtstart, end=end)][
        :count
    ]


def test_the_second_wednesday_of_each_month():
    repeat = Repeat(Every.MONTH, weekday=2, ordinal=2)
    assert rule_for(repeat) == "FREQ=MONTHLY;BYDAY=+2WE"
    assert said(repeat) == "every month on the second Wednesday"
    assert dates(repeat, datetime.date(2027, 1, 1)) == [
        datetime.date(2027, 1, 13),
        datetime.date(2027, 2, 10),
        datetime.date(2027, 3, 10),
        datetime.date(2027, 4, 14),
        datetime.date(2027, 5, 12),
        datetime.date(2027, 6, 9),
    ]


def test_the_last_friday_of_each_month():
    repeat = Repeat(Every.MONTH, weekday=4, ordinal=-1)
    assert rule_for(repeat) == "FREQ=MONTHLY;BYDAY=-1FR"
    assert said(repeat) == "every month on the last Friday"
    assert dates(repeat, datetime.date(2027, 1, 1), 3) == [
        datetime.date(2027, 1, 29),
        datetime.date(2027, 2, 26),
        datetime.date(2027, 3, 26),
    ]


def test_every_two_weeks_on_tuesday_from_the_first_tuesday_on_or_after_the_first_date():
    repeat = Repeat(Every.WEEKS, weekday=1, weeks=2)
    assert rule_for(repeat) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert said(repeat) == "every 2 weeks on Tuesday"
    # 6 January 2027 is a Wednesday: the first Tuesday on or after it is the 12th.
    assert dates(repeat, datetime.date(2027, 1, 6), 4) == [
        datetime.date(2027, 1, 12),
        datetime.date(2027, 1, 26),
        datetime.date(2027, 2, 9),
        datetime.date(2027, 2, 23),
    ]


def test_every_week():
    repeat = Repeat(Every.WEEKS, weekday=0, weeks=1)
    assert (rule_for(repeat), said(repeat)) == ("FREQ=WEEKLY;BYDAY=MO", "every week on Monday")
    assert dates(repeat, datetime.date(2027, 1, 4), 3) == [
        datetime.date(2027, 1, 4),
        datetime.date(2027, 1, 11),
        datetime.date(2027, 1, 18),
    ]


@pytest.mark.parametrize(
    "repeat",
    [Repeat(Every.MONTH, weekday=day, ordinal=ordinal) for day in range(7) for ordinal in (1, 2, 3, 4, -1)]
    + [Repeat(Every.WEEKS, weekday=day, weeks=weeks) for day in range(7) for weeks in (1, 2, 3, 12)],
)
def test_every_repeat_reads_back_as_itself(repeat):
    assert repeat_in(rule_for(repeat)) == repeat
    parse_pattern(rule_for(repeat))  # and the bounded reader takes it


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;BYDAY=+2WE", "every month on the second Wednesday"),
        ("RRULE:freq=monthly;byday=2we", "every month on the second Wednesday"),
        ("BYDAY=-1TH;FREQ=MONTHLY;INTERVAL=1", "every month on the last Thursday"),
        ("FREQ=WEEKLY;BYDAY=SU;INTERVAL=3", "every 3 weeks on Sunday"),
        ("FREQ=WEEKLY", "every week on Wednesday"),  # the first date's day: 13 January 2027
        ("FREQ=MONTHLY;BYDAY=+2WE;COUNT=5", "by the repeat rule FREQ=MONTHLY;BYDAY=+2WE;COUNT=5"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "by the repeat rule FREQ=MONTHLY;BYMONTHDAY=1"),
        ("FREQ=MONTHLY;BYDAY=+5WE", "by the repeat rule FREQ=MONTHLY;BYDAY=+5WE"),
        ("FREQ=WEEKLY;INTERVAL=13;BYDAY=MO", "by the repeat rule FREQ=WEEKLY;INTERVAL=13;BYDAY=MO"),
        ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "by the repeat rule FREQ=WEEKLY;BYDAY=MO;BYDAY=TU"),
        ("nonsense", "by the repeat rule nonsense"),
    ],
)
def test_a_rule_in_words(rule, words):
    assert rule_in_words(rule, datetime.date(2027, 1, 13)) == words


def test_a_weekly_rule_with_no_day_needs_the_first_date_to_be_said():
    assert repeat_in("FREQ=WEEKLY") is None
    assert repeat_in("FREQ=WEEKLY", datetime.date(2027, 1, 12)) == Repeat(Every.WEEKS, weekday=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"every": Every.MONTH, "weekday": 7},
        {"every": Every.MONTH, "weekday": 2, "ordinal": 5},
        {"every": Every.MONTH, "weekday": 2, "ordinal": 0},
        {"every": Every.WEEKS, "weekday": 2, "weeks": 0},
        {"every": Every.WEEKS, "weekday": 2, "weeks": 13},
    ],
)
def test_words_out_of_range_are_refused(fields):
    with pytest.raises(ValueError):
        Repeat(**fields)


def test_a_weekly_repeat_starts_on_its_day_on_or_after_the_first_date():
    every_other_tuesday = Repeat(Every.WEEKS, weekday=1, weeks=2)
    assert first_day(every_other_tuesday, datetime.date(2027, 1, 6)) == datetime.date(2027, 1, 12)
    assert first_day(every_other_tuesday, datetime.date(2027, 1, 12)) == datetime.date(2027, 1, 12)
    assert first_day(Repeat(Every.MONTH, weekday=1), datetime.date(2027, 1, 6)) == datetime.date(2027, 1, 6)
