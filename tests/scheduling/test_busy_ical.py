"""Reading busy times from iCalendar data: recurrence, VTIMEZONE, all-day, free and cancelled."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scheduling.busy_ical import CalendarDataError, busy_intervals_from_ical
from scheduling.intervals import Interval

DATA = Path(__file__).parent / "data" / "busy.ics"
UTC = datetime.UTC


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# The test calendar read from Monday 15 March 2027 for eight weeks. The clocks go forward on
# Sunday 28 March, so the 11:00 (London) meeting is 11:00 UTC before and 10:00 UTC after; the
# 23 March meeting is excluded (EXDATE); the all-day conference blocks 25 March, midnight to
# midnight in London; the free and the cancelled events block nothing; the 2026 and 2028 events
# fall outside the window.
EXPECTED = [
    Interval(at(2027, 3, 16, 11), at(2027, 3, 16, 12)),
    Interval(at(2027, 3, 25, 0), at(2027, 3, 26, 0)),
    Interval(at(2027, 3, 30, 10), at(2027, 3, 30, 11)),
    Interval(at(2027, 4, 6, 10), at(2027, 4, 6, 11)),
]


def read(data: bytes, start=None, end=None, time_zone="Europe/London"):
    return busy_intervals_from_ical(
        data, window_start=start or at(2027, 3, 15), window_end=end or at(2027, 5, 10), time_zone=time_zone
    )


def test_the_test_calendar_gives_exactly_these_busy_times():
    assert read(DATA.read_bytes()) == EXPECTED


def test_all_day_events_are_read_on_the_supervisors_clock():
    # In New York (UTC-4 on 25 March 2027) the conference day runs 04:00 to 04:00 UTC.
    assert read(DATA.read_bytes(), time_zone="America/New_York")[1] == Interval(at(2027, 3, 25, 4), at(2027, 3, 26, 4))


def test_busy_times_are_clipped_to_the_window():
    assert read(DATA.read_bytes(), start=at(2027, 3, 16, 11, 30), end=at(2027, 3, 25, 12)) == [
        Interval(at(2027, 3, 16, 11, 30), at(2027, 3, 16, 12)),
        Interval(at(2027, 3, 25, 0), at(2027, 3, 25, 12)),
    ]


def test_overlapping_events_are_joined():
    data = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//t//EN\r
BEGIN:VEVENT\r
UID:a\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270316T090000Z\r
DTEND:20270316T110000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270316T100000Z\r
DURATION:PT2H\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:c\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270316T150000\r
DTEND:20270316T160000\r
END:VEVENT\r
END:VCALENDAR\r
"""
    # The third is a floating time: 15:00 on the supervisor's clock, which is GMT in March before the 28th.
    assert read(data) == [
        Interval(at(2027, 3, 16, 9), at(2027, 3, 16, 12)),
        Interval(at(2027, 3, 16, 15), at(2027, 3, 16, 16)),
    ]


@pytest.mark.parametrize("data", [b"<html><body>Sign in</body></html>", b"", b"BEGIN:VCARD\r\nEND:VCARD\r\n"])
def test_data_that_is_not_a_calendar_is_refused_in_words(data):
    with pytest.raises(CalendarDataError) as refusal:
        read(data)
    assert str(refusal.value) == "The address did not return a calendar in iCalendar format."


def test_a_runaway_recurrence_is_bounded():
    data = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//t//EN\r
BEGIN:VEVENT\r
UID:every-minute\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270316T090000Z\r
DTEND:20270316T090030Z\r
RRULE:FREQ=MINUTELY\r
END:VEVENT\r
END:VCALENDAR\r
"""
    with pytest.raises(CalendarDataError) as refusal:
        read(data)
    assert str(refusal.value) == (
        "The calendar has more than 5000 events in the booking period, so it was not imported."
    )
