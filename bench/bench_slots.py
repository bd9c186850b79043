"""Slot engine figures of DESIGN.md §7: eight weeks of slots for one supervisor (5 weekly
rules, 10 overrides, 40 bookings) in ≤ 2 ms, and the next free slot for 300 supervisors in
≤ 300 ms. Pure Python, no database: run with `python bench/bench_slots.py`."""

from __future__ import annotations

import random
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.slots import (
    Availability,
    Booker,
    DateOverride,
    Interval,
    WeeklyRule,
    bookable_slots,
    next_free_slot,
)

ZONE = "Europe/London"
NOW = datetime(2027, 3, 1, 8, 17, tzinfo=UTC)  # eight weeks that include the March clock change
REPETITIONS = 2_000
SUPERVISORS = 300


def supervisor(seed: int) -> tuple[Availability, list[Interval]]:
    """Five weekday rules 09:00–17:00, ten overrides (away days and short days), 40 bookings
    on the rule hours, 60- and 90-minute sessions, a 15-minute buffer, limits of 4 a day and
    12 a week — a busy but realistic supervisor."""
    rng = random.Random(seed)
    rules = tuple(WeeklyRule(weekday, time(9), time(17)) for weekday in range(5))
    first_day = NOW.date() + timedelta(days=2)
    override_days = rng.sample(range(56), 10)
    overrides = tuple(
        DateOverride(first_day + timedelta(days=offset))
        if index % 2
        else DateOverride(first_day + timedelta(days=offset), ((time(13), time(16)),))
        for index, offset in enumerate(override_days)
    )
    bookings: list[Interval] = []
    taken: set[tuple[date, int]] = set()
    while len(bookings) < 40:
        day = first_day + timedelta(days=rng.randrange(56))
        if day.weekday() >= 5:
            continue
        hour = rng.randrange(9, 16)
        if (day, hour) in taken:
            continue
        taken.add((day, hour))
        # Booked in UTC; an hour's difference in summer time does not matter for the load.
        start = datetime.combine(day, time(hour), UTC)
        bookings.append(Interval(start, start + timedelta(minutes=60)))
    availability = Availability(
        ZONE,
        rules=rules,
        overrides=overrides,
        session_lengths=(60, 90),
        buffer_minutes=15,
        minimum_notice=timedelta(hours=24),
        horizon=timedelta(weeks=8),
        max_per_day=4,
        max_per_week=12,
    )
    return availability, bookings


def _timings(function: object, repetitions: int) -> list[float]:
    assert callable(function)
    results = []
    for _ in range(repetitions):
        started = clock.perf_counter()
        function()
        results.append(clock.perf_counter() - started)
    return results


def main() -> dict[str, tuple[float, str]]:
    booker = Booker(no_sessions_before=time(8))
    availability, bookings = supervisor(1)
    count = len(bookable_slots(availability, now=NOW, bookings=bookings, booker=booker))
    _timings(lambda: bookable_slots(availability, now=NOW, bookings=bookings, booker=booker), 100)  # warm up
    eight_weeks = sorted(
        _timings(lambda: bookable_slots(availability, now=NOW, bookings=bookings, booker=booker), REPETITIONS)
    )

    # 300 supervisors whose first days are full or away, so the search has to walk a little.
    population = [supervisor(seed) for seed in range(SUPERVISORS)]

    def all_next_free() -> None:
        for availability_n, bookings_n in population:
            next_free_slot(availability_n, now=NOW, bookings=bookings_n, booker=booker)

    all_next_free()  # warm up
    next_free = sorted(_timings(all_next_free, 20))

    figures = {
        "slots 8 weeks slots returned": (float(count), "slots"),
        "slots 8 weeks median": (round(statistics.median(eight_weeks) * 1000, 3), "ms"),
        "slots 8 weeks p95": (round(eight_weeks[int(len(eight_weeks) * 0.95)] * 1000, 3), "ms"),
        "slots next free 300 supervisors median": (round(statistics.median(next_free) * 1000, 2), "ms"),
        "slots next free 300 supervisors max": (round(next_free[-1] * 1000, 2), "ms"),
    }
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}")
    return figures


if __name__ == "__main__":
    main()
