"""Slot engine figures of docs/performance.md: eight weeks of slots for one supervisor (5 weekly
rules, 10 overrides, 40 bookings) in ≤ 2 ms; the next free slot for 300 supervisors, the engine
run for each; and the soonest free slot across 3,000 supervisors in ≤ 30 ms from what is
remembered per supervisor (scheduling/next_free.py), with the 300-supervisor brute force as the
baseline of the same run. Pure Python, no database: run with `python bench/bench_slots.py`."""

from __future__ import annotations

import random
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.next_free import EngineInput, remember_next_free, soonest_free_slot
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
REPETITIONS = 3_000
SUPERVISORS = 300
CITY_SUPERVISORS = 3_000


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


def _timings(function: Callable[[], object], repetitions: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's CPU seconds per call, each sorted. CPU time is reported
    too because the machine may be shared: it is what the engine itself costs."""
    wall, cpu = [], []
    for _ in range(repetitions):
        started, started_cpu = clock.perf_counter(), clock.thread_time()
        function()
        cpu.append(clock.thread_time() - started_cpu)
        wall.append(clock.perf_counter() - started)
    return sorted(wall), sorted(cpu)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _p95(values: list[float]) -> float:
    return values[int(len(values) * 0.95)]


def main() -> dict[str, tuple[float, str]]:
    booker = Booker(no_sessions_before=time(8))
    availability, bookings = supervisor(1)

    def eight_weeks() -> object:
        return bookable_slots(availability, now=NOW, bookings=bookings, booker=booker)

    count = len(bookable_slots(availability, now=NOW, bookings=bookings, booker=booker))
    _timings(eight_weeks, 100)  # warm up
    wall, cpu = _timings(eight_weeks, REPETITIONS)

    population = [supervisor(seed) for seed in range(SUPERVISORS)]

    def all_next_free() -> object:
        return [next_free_slot(one, now=NOW, bookings=booked, booker=booker) for one, booked in population]

    found = sum(slot is not None for slot in all_next_free())
    next_wall, next_cpu = _timings(all_next_free, 20)

    # The worst case for "next free": nobody has a slot in eight weeks (an imported calendar
    # covers every window), so each search walks the whole horizon and finds nothing.
    horizon_end = NOW + timedelta(weeks=9)
    covered = [Interval(NOW - timedelta(days=1), horizon_end)]

    def all_next_free_none() -> object:
        return [
            next_free_slot(one, now=NOW, bookings=booked, busy=covered, booker=booker) for one, booked in population
        ]

    assert all(slot is None for slot in all_next_free_none())
    none_wall, none_cpu = _timings(all_next_free_none, 10)

    # Across 3,000 supervisors: remember each one's earliest possible start once (as after a
    # change), then ask an hour later, for a booker who takes nothing before 08:00.
    city = {}
    for number in range(CITY_SUPERVISORS):
        availability_of_one, booked = supervisor(number)
        city[number] = EngineInput(availability_of_one, tuple(booked))
    remember_started = clock.perf_counter()
    known = [remember_next_free(number, engine_input, now=NOW) for number, engine_input in city.items()]
    remember_seconds = clock.perf_counter() - remember_started
    asked_at = NOW + timedelta(hours=1)
    engine_runs: list[int] = []

    def engine_input(number: int) -> EngineInput:
        engine_runs.append(number)
        return city[number]

    def soonest() -> object:
        return soonest_free_slot(known, now=asked_at, booker=booker, engine_input=engine_input)

    soonest_found = soonest()
    runs_per_query = len(engine_runs)
    brute_force = min(
        ((slot.start, number), (number, slot))
        for number, one in city.items()
        if (slot := next_free_slot(one.availability, now=asked_at, bookings=one.bookings, booker=booker)) is not None
    )[1]
    assert soonest_found == brute_force  # the same answer as the engine run for every supervisor
    soonest_wall, soonest_cpu = _timings(soonest, 50)

    figures = {
        "next_free_slot_3000_supervisors_ms": (_ms(statistics.median(soonest_wall)), "ms"),
        "next_free_slot_3000_supervisors_over_300_by_engine": (
            round(statistics.median(soonest_wall) / statistics.median(next_wall), 3),
            "times",
        ),
        "slots next free x3000: median CPU": (_ms(statistics.median(soonest_cpu)), "ms"),
        "slots next free x3000: engine runs per query": (float(runs_per_query), "supervisors"),
        "slots next free x3000: remembering, per supervisor": (_ms(remember_seconds / CITY_SUPERVISORS), "ms"),
        "slots 8 weeks: slots returned": (float(count), "slots"),
        "slots 8 weeks: median": (_ms(statistics.median(wall)), "ms"),
        "slots 8 weeks: p95": (_ms(_p95(wall)), "ms"),
        "slots 8 weeks: median CPU": (_ms(statistics.median(cpu)), "ms"),
        "slots 8 weeks: p95 CPU": (_ms(_p95(cpu)), "ms"),
        "slots next free x300: supervisors with a slot": (float(found), "supervisors"),
        "slots next free x300: median": (_ms(statistics.median(next_wall)), "ms"),
        "slots next free x300: median CPU": (_ms(statistics.median(next_cpu)), "ms"),
        "slots next free x300, none free in 8 weeks: median": (_ms(statistics.median(none_wall)), "ms"),
        "slots next free x300, none free in 8 weeks: median CPU": (_ms(statistics.median(none_cpu)), "ms"),
    }
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}")
    return figures


if __name__ == "__main__":
    main()
