"""Why a time cannot be booked, in the words a view will show (docs/architecture.md: a past or
too-soon time names the notice period)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from scheduling.slots import (
    Availability,
    Booker,
    DateOverride,
    Interval,
    Refusal,
    RefusalReason,
    WeeklyRule,
    explain_unbookable,
)

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday 1 March 2027, GMT

AVAILABILITY = Availability(
    "Europe/London",
    rules=tuple(WeeklyRule(day, time(9), time(17)) for day in range(5)),
    overrides=(DateOverride(date(2027, 3, 3)),),  # away on Wednesday
    session_lengths=(60, 90),
    buffer_minutes=15,
    minimum_notice=timedelta(hours=24),
    horizon=timedelta(weeks=8),
    max_per_day=3,
    max_per_week=5,
)

BOOKINGS = [
    Interval(datetime(2027, 3, 2, 11, tzinfo=UTC), datetime(2027, 3, 2, 12, tzinfo=UTC)),  # Tuesday
    Interval(datetime(2027, 3, 4, 15, tzinfo=UTC), datetime(2027, 3, 4, 16, tzinfo=UTC)),  # Thursday
    *(
        Interval(datetime(2027, 3, 5, hour, tzinfo=UTC), datetime(2027, 3, 5, hour + 1, tzinfo=UTC))
        for hour in (9, 11, 13)
    ),
]
BUSY = [Interval(datetime(2027, 3, 4, 13, tzinfo=UTC), datetime(2027, 3, 4, 14, tzinfo=UTC))]


def explain(start: datetime, minutes: int = 60, **options: Any) -> Refusal | None:
    return explain_unbookable(
        AVAILABILITY,
        start,
        minutes,
        now=NOW,
        bookings=BOOKINGS,
        busy=BUSY,
        **options,
    )


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "minutes", "reason", "message"),
    [
        (at(2, 9), 45, RefusalReason.LENGTH, "Sessions with this supervisor last 60 or 90 minutes."),
        (at(1, 7), 60, RefusalReason.PAST, "That time has already passed."),
        (at(1, 14), 60, RefusalReason.NOTICE, "Sessions need at least 24 hours' notice."),
        (
            at(3, 9, month=5),
            60,
            RefusalReason.HORIZON,
            "That is beyond the 8-week booking horizon: sessions can be booked up to 8 weeks ahead.",
        ),
        (at(3, 10), 60, RefusalReason.AWAY, "The supervisor is away that day."),
        (at(2, 18), 60, RefusalReason.OUTSIDE, "That time is outside the supervisor's availability."),
        (at(2, 16), 90, RefusalReason.OUTSIDE, "That time is outside the supervisor's availability."),
        (at(6, 10), 60, RefusalReason.OUTSIDE, "That time is outside the supervisor's availability."),
        (at(2, 9, 10), 60, RefusalReason.OFF_GRID, "Sessions start on the hour and half hour."),
        (at(2, 9, 0, 30), 60, RefusalReason.OFF_GRID, "Sessions start on the hour and half hour."),
        (at(2, 11), 60, RefusalReason.TAKEN, "That time has already been booked."),
        (at(2, 10, 30), 60, RefusalReason.TAKEN, "That time has already been booked."),
        (at(4, 13), 60, RefusalReason.BUSY, "The supervisor is busy at that time."),
        (
            at(2, 12),
            60,
            RefusalReason.BUFFER,
            "That is too close to another commitment: the supervisor keeps 15 minutes free between sessions.",
        ),
        (
            at(5, 15),
            60,
            RefusalReason.DAY_LIMIT,
            "The supervisor already has 3 sessions that day, the most they take in a day.",
        ),
        (
            at(2, 14),
            60,
            RefusalReason.WEEK_LIMIT,
            "The supervisor already has 5 sessions that week, the most they take in a week.",
        ),
    ],
)
def test_each_reason_is_named(start: datetime, minutes: int, reason: RefusalReason, message: str) -> None:
    assert explain(start, minutes) == Refusal(reason, message)


def test_the_bookers_early_hours_are_named_with_their_zone() -> None:
    booker = Booker("Europe/London", time(10))
    assert explain(at(8, 9), booker=booker) == Refusal(
        RefusalReason.TOO_EARLY_FOR_BOOKER,
        "That session would fall before 10am (Europe/London time), the earliest time the booker takes sessions.",
    )
    assert explain(at(8, 10), booker=booker) is None


def test_a_bookable_time_has_no_refusal() -> None:
    assert explain(at(8, 9)) is None
    assert explain(at(8, 15, 30), 90) is None


def test_the_first_reason_in_order_wins() -> None:
    # Saturday, too soon and off the grid: the notice is named first.
    assert explain(at(1, 20, 10)) == Refusal(RefusalReason.NOTICE, "Sessions need at least 24 hours' notice.")


@pytest.mark.parametrize(
    ("notice", "horizon", "notice_message", "horizon_message"),
    [
        (
            timedelta(hours=1),
            timedelta(days=10),
            "Sessions need at least 1 hour's notice.",
            "That is beyond the 10-day booking horizon: sessions can be booked up to 10 days ahead.",
        ),
        (
            timedelta(minutes=90),
            timedelta(hours=36),
            "Sessions need at least 90 minutes' notice.",
            "That is beyond the 36-hour booking horizon: sessions can be booked up to 36 hours ahead.",
        ),
        (
            timedelta(days=2),
            timedelta(weeks=1),
            "Sessions need at least 2 days' notice.",
            "That is beyond the 1-week booking horizon: sessions can be booked up to 1 week ahead.",
        ),
    ],
)
def test_notice_and_horizon_are_worded_in_their_own_units(
    notice: timedelta, horizon: timedelta, notice_message: str, horizon_message: str
) -> None:
    availability = Availability("Europe/London", minimum_notice=notice, horizon=horizon)
    assert explain_unbookable(availability, NOW + timedelta(minutes=30), 60, now=NOW) == Refusal(
        RefusalReason.NOTICE, notice_message
    )
    assert explain_unbookable(availability, NOW + timedelta(days=30), 60, now=NOW) == Refusal(
        RefusalReason.HORIZON, horizon_message
    )


@pytest.mark.parametrize(
    ("step", "phrase"),
    [(60, "on the hour"), (120, "every 2 hours from midnight"), (15, "every 15 minutes, from the hour")],
)
def test_the_grid_is_described(step: int, phrase: str) -> None:
    availability = Availability(
        "Europe/London", rules=(WeeklyRule(0, time(9), time(17)),), minimum_notice=timedelta(0), step_minutes=step
    )
    assert explain_unbookable(availability, at(1, 10, 5), 60, now=NOW) == Refusal(
        RefusalReason.OFF_GRID, f"Sessions start {phrase}."
    )
