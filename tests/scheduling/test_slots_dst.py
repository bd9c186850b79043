"""The clocks changing in Europe/London in 2027: forward on Sunday 28 March (01:00 GMT becomes
02:00 BST, at 01:00 UTC) and back on Sunday 31 October (02:00 BST becomes 01:00 GMT, at 01:00
UTC). A weekly rule is wall-clock time (docs/architecture.md): it keeps its local hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduling.slots import (
    Availability,
    DateOverride,
    Interval,
    RefusalReason,
    Slot,
    WeeklyRule,
    bookable_slots,
    explain_unbookable,
)

LONDON = ZoneInfo("Europe/London")


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def availability(*rules: WeeklyRule, **options: Any) -> Availability:
    defaults: dict[str, Any] = {
        "session_lengths": (60,),
        "minimum_notice": timedelta(0),
        "horizon": timedelta(days=14),
    }
    defaults.update(options)
    return Availability("Europe/London", rules=rules, **defaults)


def local(slot: Slot) -> str:
    return f"{slot.start.astimezone(LONDON):%a %d %b %H:%M %Z}"


def test_a_monday_ten_oclock_rule_stays_ten_oclock_when_the_clocks_go_forward() -> None:
    monday_ten = availability(WeeklyRule(0, time(10), time(11)))
    slots = bookable_slots(monday_ten, now=utc(3, 20, 12))
    assert slots == [
        Slot(utc(3, 22, 10), utc(3, 22, 11), 60),  # GMT: 10:00 local is 10:00 UTC
        Slot(utc(3, 29, 9), utc(3, 29, 10), 60),  # BST: 10:00 local is 09:00 UTC
    ]
    assert [local(slot) for slot in slots] == ["Mon 22 Mar 10:00 GMT", "Mon 29 Mar 10:00 BST"]


def test_a_monday_ten_oclock_rule_stays_ten_oclock_when_the_clocks_go_back() -> None:
    monday_ten = availability(WeeklyRule(0, time(10), time(11)))
    slots = bookable_slots(monday_ten, now=utc(10, 23, 12))
    assert slots == [
        Slot(utc(10, 25, 9), utc(10, 25, 10), 60),
        Slot(utc(11, 1, 10), utc(11, 1, 11), 60),
    ]
    assert [local(slot) for slot in slots] == ["Mon 25 Oct 10:00 BST", "Mon 01 Nov 10:00 GMT"]


def test_a_window_starting_in_the_skipped_hour_opens_when_the_clock_reaches_it() -> None:
    # 01:30–03:00 on the night the clocks go forward: the clock never shows 01:30–01:59, so the
    # window is 02:00–03:00 BST, one real hour (01:00–02:00 UTC).
    sunday = availability(WeeklyRule(6, time(1, 30), time(3)), horizon=timedelta(days=2))
    slots = bookable_slots(sunday, now=utc(3, 27, 12))
    assert slots == [Slot(utc(3, 28, 1), utc(3, 28, 2), 60)]
    assert [local(slot) for slot in slots] == ["Sun 28 Mar 02:00 BST"]
    # The Sunday before, the same rule is 01:30–03:00 GMT: an hour and a half.
    week_before = bookable_slots(sunday, now=utc(3, 20, 12))
    assert [slot.start for slot in week_before] == [utc(3, 21, 1, 30), utc(3, 21, 2)]


def test_a_window_inside_the_skipped_hour_is_empty() -> None:
    skipped = availability(
        overrides=(DateOverride(date(2027, 3, 28), ((time(1), time(2)),)),),
        step_minutes=15,
        session_lengths=(15,),
    )
    assert bookable_slots(skipped, now=utc(3, 27, 12)) == []
    refusal = explain_unbookable(skipped, utc(3, 28, 1), 15, now=utc(3, 27, 12))
    assert refusal is not None
    assert refusal.reason is RefusalReason.OUTSIDE


def test_a_session_may_run_across_the_clocks_going_forward() -> None:
    # 00:00–04:00 local is 00:00–03:00 UTC that night: three real hours.
    night = availability(
        overrides=(DateOverride(date(2027, 3, 28), ((time(0), time(4)),)),),
        session_lengths=(90,),
    )
    slots = bookable_slots(night, now=utc(3, 27, 12))
    assert [(slot.start, slot.end) for slot in slots] == [
        (utc(3, 28, 0), utc(3, 28, 1, 30)),
        (utc(3, 28, 0, 30), utc(3, 28, 2)),
        (utc(3, 28, 1), utc(3, 28, 2, 30)),
        (utc(3, 28, 1, 30), utc(3, 28, 3)),
    ]
    assert [local(slot) for slot in slots] == [
        "Sun 28 Mar 00:00 GMT",
        "Sun 28 Mar 00:30 GMT",
        "Sun 28 Mar 02:00 BST",
        "Sun 28 Mar 02:30 BST",
    ]


def test_the_repeated_hour_is_offered_twice_when_the_clocks_go_back() -> None:
    # 00:00–03:00 local lasts four real hours that night (23:00 UTC on Saturday to 03:00 UTC).
    night = availability(
        overrides=(DateOverride(date(2027, 10, 31), ((time(0), time(3)),)),),
        step_minutes=60,
    )
    slots = bookable_slots(night, now=utc(10, 30, 12))
    assert [slot.start for slot in slots] == [utc(10, 30, 23), utc(10, 31, 0), utc(10, 31, 1), utc(10, 31, 2)]
    assert [local(slot) for slot in slots] == [
        "Sun 31 Oct 00:00 BST",
        "Sun 31 Oct 01:00 BST",
        "Sun 31 Oct 01:00 GMT",
        "Sun 31 Oct 02:00 GMT",
    ]


def test_a_window_starting_in_the_repeated_hour_has_a_gap_while_the_clock_reads_earlier() -> None:
    # 01:30–04:00 local: 01:30–01:59 BST (00:30–01:00 UTC), then the clock reads 01:00–01:29
    # GMT, outside the window, then 01:30 GMT (01:30 UTC) to 04:00 GMT.
    night = availability(overrides=(DateOverride(date(2027, 10, 31), ((time(1, 30), time(4)),)),))
    slots = bookable_slots(night, now=utc(10, 30, 12))
    assert [slot.start for slot in slots] == [utc(10, 31, 1, 30), utc(10, 31, 2), utc(10, 31, 2, 30), utc(10, 31, 3)]
    refusal = explain_unbookable(night, utc(10, 31, 0, 30), 60, now=utc(10, 30, 12))
    assert refusal is not None
    assert refusal.reason is RefusalReason.OUTSIDE
    half_hour = availability(
        overrides=(DateOverride(date(2027, 10, 31), ((time(1, 30), time(4)),)),), session_lengths=(30,)
    )
    assert bookable_slots(half_hour, now=utc(10, 30, 12))[0] == Slot(utc(10, 31, 0, 30), utc(10, 31, 1), 30)


def test_a_booking_just_after_midnight_bst_counts_for_the_local_day() -> None:
    # 23:30 UTC on Saturday 30 October is 00:30 BST on Sunday 31: Sunday is at its limit.
    weekend = availability(
        WeeklyRule(5, time(9), time(10)), WeeklyRule(6, time(9), time(10)), max_per_day=1, horizon=timedelta(days=3)
    )
    booking = Interval(utc(10, 30, 23, 30), utc(10, 31, 0, 30))
    slots = bookable_slots(weekend, now=utc(10, 29, 12), bookings=[booking])
    assert [local(slot) for slot in slots] == ["Sat 30 Oct 09:00 BST"]


def test_eight_weeks_across_the_spring_change_keep_every_local_hour() -> None:
    weekdays = availability(*(WeeklyRule(day, time(9), time(17)) for day in range(5)), horizon=timedelta(weeks=8))
    slots = bookable_slots(weekdays, now=utc(3, 1, 0))
    local_starts = {slot.start.astimezone(LONDON).time() for slot in slots}
    assert local_starts == {time(9 + half // 2, 30 * (half % 2)) for half in range(15)}
    assert len(slots) == 40 * 15


def test_a_date_that_starts_at_one_oclock_where_the_clocks_change_at_midnight() -> None:
    # Santiago goes forward at midnight on 5 September 2027: that date's clock starts at 01:00
    # (04:00 UTC), and in April midnight comes twice, so 3 April runs an hour long at the end.
    santiago = Availability(
        "America/Santiago",
        overrides=(
            DateOverride(date(2027, 9, 5), ((time(0), time(2)),)),
            DateOverride(date(2027, 4, 3), ((time(22), time(0)),)),
        ),
        minimum_notice=timedelta(0),
        horizon=timedelta(days=3),
        step_minutes=60,
    )
    assert [slot.start for slot in bookable_slots(santiago, now=utc(9, 4, 12))] == [utc(9, 5, 4)]
    assert [slot.start for slot in bookable_slots(santiago, now=utc(4, 2, 12))] == [
        utc(4, 4, 1),  # 22:00 -03
        utc(4, 4, 2),  # 23:00 -03
        utc(4, 4, 3),  # 23:00 -04, the repeated hour
    ]
