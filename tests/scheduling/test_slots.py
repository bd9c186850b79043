"""The slot engine on small cases, with the exact list of slots expected.

March 2027 in Europe/London is Greenwich Mean Time until Sunday 28 March, so local times and
UTC agree in these cases; the clock changes are in test_slots_dst.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from scheduling.slots import (
    Availability,
    Booker,
    DateOverride,
    Interval,
    Slot,
    WeeklyRule,
    _Engine,
    bookable_slots,
    iter_bookable_slots,
    next_free_slot,
)

LONDON = "Europe/London"
MONDAY = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday 1 March 2027, 08:00 GMT


def utc(day: int, hour: int, minute: int = 0, *, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def weekly(*rules: WeeklyRule, **options: Any) -> Availability:
    defaults: dict[str, Any] = {
        "session_lengths": (60,),
        "minimum_notice": timedelta(0),
        "horizon": timedelta(days=7),
    }
    defaults.update(options)
    return Availability(LONDON, rules=rules, **defaults)


def starts(slots: list[Slot]) -> list[tuple[str, int]]:
    """Each slot as ("DD HH:MM" in UTC, minutes): short enough to read the whole list."""
    return [(f"{slot.start:%d %H:%M}", slot.minutes) for slot in slots]


def test_a_window_offers_a_slot_every_half_hour_that_fits() -> None:
    availability = weekly(WeeklyRule(0, time(10), time(12)))
    assert bookable_slots(availability, now=MONDAY) == [
        Slot(utc(1, 10), utc(1, 11), 60),
        Slot(utc(1, 10, 30), utc(1, 11, 30), 60),
        Slot(utc(1, 11), utc(1, 12), 60),
    ]


def test_slots_are_sorted_by_start_then_length() -> None:
    availability = weekly(WeeklyRule(0, time(10), time(12)), session_lengths=(90, 60))
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("01 10:00", 60),
        ("01 10:00", 90),
        ("01 10:30", 60),
        ("01 10:30", 90),
        ("01 11:00", 60),
    ]


def test_a_booking_and_its_buffer_are_not_offered() -> None:
    availability = weekly(WeeklyRule(0, time(9), time(13)), buffer_minutes=15)
    booking = Interval(utc(1, 10, 30), utc(1, 11))
    # Blocked 10:15–11:15: 09:30 would end in the buffer; after it the grid resumes at 11:30.
    assert starts(bookable_slots(availability, now=MONDAY, bookings=[booking])) == [
        ("01 09:00", 60),
        ("01 11:30", 60),
        ("01 12:00", 60),
    ]


def test_a_busy_time_is_rounded_outwards_to_whole_minutes() -> None:
    availability = weekly(WeeklyRule(0, time(9), time(13)))
    busy = Interval(utc(1, 11, 59) + timedelta(seconds=30), utc(1, 12, 10))
    assert starts(bookable_slots(availability, now=MONDAY, busy=[busy])) == [
        ("01 09:00", 60),
        ("01 09:30", 60),
        ("01 10:00", 60),
        ("01 10:30", 60),
    ]


def test_minimum_notice_counts_from_now() -> None:
    availability = weekly(WeeklyRule(0, time(9), time(13)), minimum_notice=timedelta(hours=2))
    now = utc(1, 8, 17)
    assert starts(bookable_slots(availability, now=now)) == [
        ("01 10:30", 60),
        ("01 11:00", 60),
        ("01 11:30", 60),
        ("01 12:00", 60),
    ]


def test_a_slot_must_end_within_the_horizon() -> None:
    availability = weekly(
        WeeklyRule(0, time(9), time(13)),
        WeeklyRule(2, time(9), time(13)),
        horizon=timedelta(days=2, hours=4),  # until Wednesday 12:00
    )
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("01 09:00", 60),
        ("01 09:30", 60),
        ("01 10:00", 60),
        ("01 10:30", 60),
        ("01 11:00", 60),
        ("01 11:30", 60),
        ("01 12:00", 60),
        ("03 09:00", 60),
        ("03 09:30", 60),
        ("03 10:00", 60),
        ("03 10:30", 60),
        ("03 11:00", 60),
    ]


def test_overrides_replace_the_day_or_take_it_away() -> None:
    availability = weekly(
        WeeklyRule(0, time(9), time(11)),
        WeeklyRule(2, time(9), time(11)),
        overrides=(
            DateOverride(date(2027, 3, 3), ((time(14), time(15)),)),
            DateOverride(date(2027, 3, 8)),  # away
        ),
        horizon=timedelta(days=14),
    )
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("01 09:00", 60),
        ("01 09:30", 60),
        ("01 10:00", 60),
        ("03 14:00", 60),
        ("10 09:00", 60),
        ("10 09:30", 60),
        ("10 10:00", 60),
    ]


def test_overrides_on_one_day_add_their_windows_together() -> None:
    availability = weekly(
        overrides=(
            DateOverride(date(2027, 3, 2), ((time(9), time(10)),)),
            DateOverride(date(2027, 3, 2), ((time(10), time(11)), (time(15), time(16)))),
        ),
    )
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("02 09:00", 60),
        ("02 09:30", 60),
        ("02 10:00", 60),
        ("02 15:00", 60),
    ]


def test_rules_apply_only_between_their_dates() -> None:
    availability = weekly(
        WeeklyRule(0, time(9), time(10), valid_from=date(2027, 3, 8), valid_until=date(2027, 3, 15)),
        horizon=timedelta(weeks=4),
    )
    assert starts(bookable_slots(availability, now=MONDAY)) == [("08 09:00", 60), ("15 09:00", 60)]


def test_overlapping_rules_on_one_day_are_joined() -> None:
    availability = weekly(WeeklyRule(0, time(9), time(10)), WeeklyRule(0, time(9, 30), time(11)))
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("01 09:00", 60),
        ("01 09:30", 60),
        ("01 10:00", 60),
    ]


def test_a_day_at_its_limit_offers_nothing() -> None:
    availability = weekly(
        WeeklyRule(0, time(9), time(11)), WeeklyRule(1, time(9), time(11)), max_per_day=1, horizon=timedelta(days=2)
    )
    booking = Interval(utc(1, 9), utc(1, 10))
    assert starts(bookable_slots(availability, now=MONDAY, bookings=[booking])) == [
        ("02 09:00", 60),
        ("02 09:30", 60),
        ("02 10:00", 60),
    ]


def test_a_week_at_its_limit_offers_nothing_until_the_next_monday() -> None:
    availability = weekly(WeeklyRule(2, time(9), time(10)), max_per_week=2, horizon=timedelta(days=10))
    bookings = [
        Interval(utc(28, 13, month=2), utc(28, 14, month=2)),  # Sunday: the week before
        Interval(utc(1, 13), utc(1, 14)),  # Monday, outside the rule: still a session
        Interval(utc(2, 13), utc(2, 14)),
    ]
    assert starts(bookable_slots(availability, now=MONDAY, bookings=bookings)) == [("10 09:00", 60)]
    assert starts(bookable_slots(availability, now=MONDAY, bookings=bookings[:2])) == [
        ("03 09:00", 60),
        ("10 09:00", 60),
    ]


def test_busy_times_do_not_count_towards_the_limits() -> None:
    availability = weekly(WeeklyRule(0, time(9), time(10)), max_per_day=1, horizon=timedelta(days=1))
    busy = Interval(utc(1, 13), utc(1, 14))
    assert starts(bookable_slots(availability, now=MONDAY, busy=[busy])) == [("01 09:00", 60)]


def test_the_grid_follows_the_step_from_local_midnight() -> None:
    rule = WeeklyRule(0, time(9, 15), time(12))
    assert starts(bookable_slots(weekly(rule, step_minutes=60), now=MONDAY)) == [("01 10:00", 60), ("01 11:00", 60)]
    assert [start for start, _ in starts(bookable_slots(weekly(rule, step_minutes=15), now=MONDAY))] == [
        "01 09:15",
        "01 09:30",
        "01 09:45",
        "01 10:00",
        "01 10:15",
        "01 10:30",
        "01 10:45",
        "01 11:00",
    ]


def test_a_rule_may_run_to_midnight_but_no_slot_crosses_it() -> None:
    availability = weekly(WeeklyRule(0, time(22), time(0)), WeeklyRule(1, time(0), time(2)), session_lengths=(90,))
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("01 22:00", 90),
        ("01 22:30", 90),
        ("02 00:00", 90),
        ("02 00:30", 90),
    ]


def test_the_bookers_early_hours_are_kept_free() -> None:
    availability = weekly(WeeklyRule(0, time(8), time(10)))
    booker = Booker(LONDON, time(9))
    assert starts(bookable_slots(availability, now=MONDAY, booker=booker)) == [("01 09:00", 60)]


def test_the_bookers_early_hours_are_on_the_bookers_clock() -> None:
    availability = weekly(WeeklyRule(0, time(11), time(15)))
    booker = Booker("America/New_York", time(8))  # 08:00 EST is 13:00 UTC
    assert starts(bookable_slots(availability, now=MONDAY, booker=booker)) == [
        ("01 13:00", 60),
        ("01 13:30", 60),
        ("01 14:00", 60),
    ]


def test_no_part_of_a_session_falls_in_the_bookers_early_hours() -> None:
    availability = weekly(WeeklyRule(0, time(14), time(17)))
    booker = Booker("Asia/Tokyo", time(7))  # midnight to 07:00 in Tokyo is 15:00–22:00 UTC
    assert starts(bookable_slots(availability, now=MONDAY, booker=booker)) == [("01 14:00", 60)]


def test_the_default_booker_has_no_early_hours() -> None:
    availability = weekly(WeeklyRule(0, time(0), time(2)), horizon=timedelta(days=8))
    assert starts(bookable_slots(availability, now=MONDAY)) == [
        ("08 00:00", 60),
        ("08 00:30", 60),
        ("08 01:00", 60),
    ]
    assert Booker().time_zone == LONDON


def test_next_free_slot_is_the_first_slot_or_none() -> None:
    availability = weekly(WeeklyRule(3, time(9), time(11)), WeeklyRule(4, time(9), time(11)))
    booking = Interval(utc(4, 9), utc(4, 11))
    assert next_free_slot(availability, now=MONDAY, bookings=[booking]) == Slot(utc(5, 9), utc(5, 10), 60)
    shorter = weekly(*availability.rules, horizon=timedelta(days=5))
    assert next_free_slot(shorter, now=utc(5, 10, 1), bookings=[booking]) is None


def test_the_iterator_yields_the_same_slots_lazily() -> None:
    availability = weekly(*(WeeklyRule(day, time(9), time(17)) for day in range(5)), horizon=timedelta(weeks=8))
    slots = iter_bookable_slots(availability, now=MONDAY)
    assert next(slots) == Slot(utc(1, 9), utc(1, 10), 60)
    assert [next(slots) for _ in range(2)] == [
        Slot(utc(1, 9, 30), utc(1, 10, 30), 60),
        Slot(utc(1, 10), utc(1, 11), 60),
    ]
    assert list(iter_bookable_slots(availability, now=MONDAY)) == bookable_slots(availability, now=MONDAY)


def test_the_work_is_bounded_by_the_horizon_not_the_rules() -> None:
    rules = tuple(WeeklyRule(day % 7, time(hour), time(hour + 1)) for day in range(7) for hour in range(23))
    availability = Availability(LONDON, rules=rules, minimum_notice=timedelta(0), horizon=timedelta(days=3))
    engine = _Engine.build(availability, now=MONDAY, bookings=(), busy=(), booker=Booker())
    assert engine.days() == range(date(2027, 3, 1).toordinal(), date(2027, 3, 4).toordinal() + 1)
    slots = bookable_slots(availability, now=MONDAY)
    assert slots[0].start == utc(1, 8)
    assert slots[-1].end == utc(4, 8)
    # 00:00–23:00 every day: Monday from 08:00 has 29 starts, Tuesday and Wednesday 45 each,
    # Thursday 15 before the horizon at 08:00.
    assert len(slots) == 29 + 45 + 45 + 15


def test_nothing_when_the_notice_reaches_past_the_horizon() -> None:
    availability = weekly(WeeklyRule(0, time(9), time(17)), minimum_notice=timedelta(days=8))
    assert bookable_slots(availability, now=MONDAY) == []
    assert next_free_slot(availability, now=MONDAY) is None


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: WeeklyRule(7, time(9), time(10)), "weekday runs from 0"),
        (lambda: WeeklyRule(0, time(10), time(9)), "must end after it starts"),
        (lambda: WeeklyRule(0, time(9, 0, 30), time(10)), "whole minutes"),
        (lambda: WeeklyRule(0, time(9, tzinfo=UTC), time(10)), "wall-clock"),
        (lambda: WeeklyRule(0, time(9), time(10), date(2027, 3, 2), date(2027, 3, 1)), "cannot end before"),
        (lambda: DateOverride(date(2027, 3, 1), ((time(12), time(11)),)), "must end after it starts"),
        (lambda: Availability("Europe/Lunden"), "Unknown time zone"),
        (lambda: Availability(LONDON, session_lengths=()), "at least one session length"),
        (lambda: Availability(LONDON, session_lengths=(0,)), "at least one session length"),
        (lambda: Availability(LONDON, session_lengths=(1500,)), "longer than a day"),
        (lambda: Availability(LONDON, buffer_minutes=-5), "buffer"),
        (lambda: Availability(LONDON, minimum_notice=timedelta(hours=-1)), "notice"),
        (lambda: Availability(LONDON, horizon=timedelta(0)), "horizon"),
        (lambda: Availability(LONDON, max_per_week=-1), "cannot be negative"),
        (lambda: Availability(LONDON, step_minutes=7), "must divide a day"),
        (lambda: Booker("Nowhere/Town"), "Unknown time zone"),
    ],
)
def test_impossible_inputs_are_refused(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(ValueError, match=message):
        build()


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="now must be a time-zone-aware datetime"):
        bookable_slots(weekly(), now=datetime(2027, 3, 1, 8))
