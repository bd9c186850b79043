"""Property tests of the slot engine (hypothesis), near the clock changes of several zones.

Each invariant of scheduling/slots.py is checked on its own against the engine's answer, with
plain zoneinfo conversions of each slot as the independent reading; then a brute-force oracle
(every quarter hour, every condition checked directly) must give exactly the same slots, so the
engine neither offers a slot it should not nor misses one it should; and the explanation helper
must refuse exactly the times the engine does not offer.

All times in the scenarios are whole quarter hours (of UTC and of every zone used), so checking
wall-clock readings every quarter hour is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.slots import (
    Availability,
    Booker,
    DateOverride,
    Interval,
    Slot,
    WeeklyRule,
    bookable_slots,
    explain_unbookable,
    next_free_slot,
    reach,
)

QUARTER = timedelta(minutes=15)

# Zones with whole-hour, half-hour (Lord Howe) and 45-minute (Chatham) changes, southern
# hemisphere summers, clocks changing at midnight so that a date starts at 01:00 (Santiago),
# and a zone without changes but a 5:45 offset (Kathmandu).
ZONES = [
    "Europe/London",
    "America/New_York",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Kathmandu",
]
# Clock changes of 2027 (UTC) around which `now` is drawn, plus two ordinary days.
ANCHORS = [
    datetime(2027, 3, 28, 1, tzinfo=UTC),  # London forward
    datetime(2027, 10, 31, 1, tzinfo=UTC),  # London back
    datetime(2027, 3, 14, 7, tzinfo=UTC),  # New York forward
    datetime(2027, 11, 7, 6, tzinfo=UTC),  # New York back
    datetime(2027, 4, 3, 15, tzinfo=UTC),  # Lord Howe back (half an hour)
    datetime(2027, 10, 2, 15, 30, tzinfo=UTC),  # Lord Howe forward
    datetime(2027, 4, 3, 14, tzinfo=UTC),  # Chatham back
    datetime(2027, 4, 4, 3, tzinfo=UTC),  # Santiago back (midnight becomes 23:00)
    datetime(2027, 9, 5, 4, tzinfo=UTC),  # Santiago forward (5 September starts at 01:00)
    datetime(2027, 6, 16, 12, tzinfo=UTC),
    datetime(2027, 1, 6, 12, tzinfo=UTC),
]

SETTINGS = settings(max_examples=200, deadline=None)


@dataclass(frozen=True)
class Scenario:
    availability: Availability
    now: datetime
    bookings: tuple[Interval, ...]
    busy: tuple[Interval, ...]
    booker: Booker

    def slots(self) -> list[Slot]:
        return bookable_slots(
            self.availability, now=self.now, bookings=self.bookings, busy=self.busy, booker=self.booker
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.availability.time_zone)


def quarter_time(quarters: int) -> time:
    return time((quarters * 15) // 60 % 24, (quarters * 15) % 60)


@st.composite
def windows(draw: st.DrawFn) -> tuple[time, time]:
    # Mostly working hours of one to nine hours, sometimes anything at all.
    start = draw(st.integers(28, 64) | st.integers(0, 95))
    end = min(96, start + draw(st.integers(4, 36) | st.integers(1, 96)))  # 96 quarters: midnight
    return quarter_time(start), quarter_time(end)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    anchor = draw(st.sampled_from(ANCHORS))
    now = anchor + timedelta(
        minutes=draw(st.integers(-4 * 24 * 60, 2 * 24 * 60)),
        seconds=draw(st.sampled_from([0, 0, 0, 1, 30])),
        microseconds=draw(st.sampled_from([0, 0, 0, 1, 999_999])),
    )
    today = now.date()
    nearby_dates = st.integers(-3, 7).map(lambda days: today + timedelta(days=days))
    rules = []
    for _ in range(draw(st.integers(1, 6))):
        start, end = draw(windows())
        # Mostly weekdays within the next few days, so that most scenarios offer something.
        weekday = (today.weekday() + draw(st.integers(1, 3) | st.integers(0, 6))) % 7
        valid_from = draw(st.none() | st.integers(-3, 3).map(lambda days: today + timedelta(days=days)))
        until_days = draw(st.none() | st.integers(1, 10))
        valid_until = None if until_days is None else (valid_from or today) + timedelta(days=until_days)
        rules.append(WeeklyRule(weekday, start, end, valid_from=valid_from, valid_until=valid_until))
    overrides = [
        DateOverride(draw(nearby_dates), tuple(draw(st.lists(windows(), max_size=2))))
        for _ in range(draw(st.integers(0, 3)))
    ]
    availability = Availability(
        draw(st.sampled_from(ZONES)),
        rules=tuple(rules),
        overrides=tuple(overrides),
        session_lengths=tuple(draw(st.sets(st.sampled_from([15, 30, 45, 60, 90]), min_size=1, max_size=3))),
        buffer_minutes=draw(st.sampled_from([0, 15, 30])),
        minimum_notice=timedelta(minutes=draw(st.sampled_from([0, 0, 60, 24 * 60]) | st.integers(0, 24 * 60))),
        horizon=timedelta(minutes=draw(st.integers(3 * 24 * 60, 6 * 24 * 60) | st.integers(60, 6 * 24 * 60))),
        max_per_day=draw(st.sampled_from([None, None, None, 0, 1, 2, 3])),
        max_per_week=draw(st.sampled_from([None, None, None, 0, 2, 4, 6])),
        step_minutes=draw(st.sampled_from([15, 30, 60])),
    )
    base = datetime(today.year, today.month, today.day, tzinfo=UTC)

    def intervals(count: int) -> tuple[Interval, ...]:
        result = []
        for _ in range(count):
            start = base + QUARTER * draw(st.integers(-3 * 96, 8 * 96))
            result.append(Interval(start, start + QUARTER * draw(st.integers(1, 12))))
        return tuple(result)

    booker = Booker(
        draw(st.sampled_from(ZONES)),
        draw(st.none() | st.integers(1, 48).map(quarter_time)),
    )
    return Scenario(availability, now, intervals(draw(st.integers(0, 8))), intervals(draw(st.integers(0, 4))), booker)


# --- Independent readings of the rules ---------------------------------------------------------


def minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def windows_of(availability: Availability, day: date) -> list[tuple[int, int]]:
    """The day's wall-clock windows in minutes, read straight from the dataclasses."""
    overrides = [override for override in availability.overrides if override.day == day]
    if overrides:
        pairs = [window for override in overrides for window in override.windows]
    else:
        pairs = [
            (rule.start, rule.end)
            for rule in availability.rules
            if rule.weekday == day.weekday()
            and (rule.valid_from is None or rule.valid_from <= day)
            and (rule.valid_until is None or day <= rule.valid_until)
        ]
    return [(minute_of_day(start), minute_of_day(end) or 24 * 60) for start, end in pairs]


def quarters(start: datetime, end: datetime) -> list[datetime]:
    count = (end - start) // QUARTER
    return [start + QUARTER * index for index in range(count)]


def inside_windows(scenario: Scenario, start: datetime, end: datetime) -> bool:
    """Every moment of [start, end) shows, on the supervisor's clock, the start's date and a time
    inside one of that date's windows."""
    day = start.astimezone(scenario.zone).date()
    day_windows = windows_of(scenario.availability, day)
    for moment in quarters(start, end):
        reading = moment.astimezone(scenario.zone)
        if reading.date() != day or not any(low <= minute_of_day(reading) < high for low, high in day_windows):
            return False
    return True


def clear_of_bookings_and_busy(scenario: Scenario, start: datetime, end: datetime) -> bool:
    buffer = timedelta(minutes=scenario.availability.buffer_minutes)
    return not any(
        start < item.end + buffer and item.start - buffer < end for item in (*scenario.bookings, *scenario.busy)
    )


def within_notice_and_horizon(scenario: Scenario, start: datetime, end: datetime) -> bool:
    availability = scenario.availability
    return start >= scenario.now + availability.minimum_notice and end <= scenario.now + availability.horizon


def under_limits(scenario: Scenario, start: datetime) -> bool:
    availability = scenario.availability
    day = start.astimezone(scenario.zone).date()
    booked_days = [booking.start.astimezone(scenario.zone).date() for booking in scenario.bookings]
    same_day = sum(1 for booked in booked_days if booked == day)
    same_week = sum(1 for booked in booked_days if booked.isocalendar()[:2] == day.isocalendar()[:2])
    return (availability.max_per_day is None or same_day < availability.max_per_day) and (
        availability.max_per_week is None or same_week < availability.max_per_week
    )


def after_bookers_early_hours(scenario: Scenario, start: datetime, end: datetime) -> bool:
    before = scenario.booker.no_sessions_before
    if before is None:
        return True
    zone = ZoneInfo(scenario.booker.time_zone)
    return all(minute_of_day(moment.astimezone(zone)) >= minute_of_day(before) for moment in quarters(start, end))


def on_the_grid(scenario: Scenario, start: datetime) -> bool:
    return minute_of_day(start.astimezone(scenario.zone)) % scenario.availability.step_minutes == 0


def brute_force(scenario: Scenario) -> list[Slot]:
    """Every quarter hour from now to the horizon, every length, every condition directly."""
    availability = scenario.availability
    first = scenario.now.replace(second=0, microsecond=0)
    first -= timedelta(minutes=first.minute % 15)
    result = []
    for start in quarters(first, scenario.now + availability.horizon):
        if not on_the_grid(scenario, start) or not under_limits(scenario, start):
            continue
        for length in sorted(availability.session_lengths):
            end = start + timedelta(minutes=length)
            if (
                within_notice_and_horizon(scenario, start, end)
                and inside_windows(scenario, start, end)
                and clear_of_bookings_and_busy(scenario, start, end)
                and after_bookers_early_hours(scenario, start, end)
            ):
                result.append(Slot(start, end, length))
    return result


# --- The invariants ------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_slots_are_sorted_distinct_and_of_offered_lengths(scenario: Scenario) -> None:
    slots = scenario.slots()
    keys = [(slot.start, slot.minutes) for slot in slots]
    assert keys == sorted(set(keys))
    for slot in slots:
        assert slot.minutes in scenario.availability.session_lengths
        assert slot.end - slot.start == timedelta(minutes=slot.minutes)
        assert slot.start.tzinfo is UTC
        assert on_the_grid(scenario, slot.start)


@SETTINGS
@given(scenarios())
def test_no_slot_overlaps_a_booking_a_busy_time_or_a_buffer(scenario: Scenario) -> None:
    for slot in scenario.slots():
        assert clear_of_bookings_and_busy(scenario, slot.start, slot.end)


@SETTINGS
@given(scenarios())
def test_every_slot_lies_inside_a_rule_or_override_window(scenario: Scenario) -> None:
    for slot in scenario.slots():
        assert inside_windows(scenario, slot.start, slot.end)


@SETTINGS
@given(scenarios())
def test_notice_and_horizon_hold(scenario: Scenario) -> None:
    for slot in scenario.slots():
        assert within_notice_and_horizon(scenario, slot.start, slot.end)


@SETTINGS
@given(scenarios())
def test_daily_and_weekly_limits_hold(scenario: Scenario) -> None:
    for slot in scenario.slots():
        assert under_limits(scenario, slot.start)


@SETTINGS
@given(scenarios())
def test_the_bookers_no_sessions_before_holds(scenario: Scenario) -> None:
    for slot in scenario.slots():
        assert after_bookers_early_hours(scenario, slot.start, slot.end)


@SETTINGS
@given(scenarios())
def test_the_engine_offers_exactly_what_a_brute_force_search_finds(scenario: Scenario) -> None:
    assert scenario.slots() == brute_force(scenario)


@SETTINGS
@given(scenarios())
def test_next_free_slot_is_the_first_slot(scenario: Scenario) -> None:
    slots = scenario.slots()
    first = next_free_slot(
        scenario.availability, now=scenario.now, bookings=scenario.bookings, busy=scenario.busy, booker=scenario.booker
    )
    assert first == (slots[0] if slots else None)


def times_to_ask(scenario: Scenario, slots: list[Slot], data: st.DataObject) -> list[tuple[datetime, int]]:
    """Times (start, minutes) to ask the explanation about: a dozen anywhere in the week from
    just before now, some with a length not offered, and some of the slots offered."""
    lengths = sorted(scenario.availability.session_lengths)
    first = scenario.now.replace(second=0, microsecond=0) - timedelta(hours=2)
    candidates = [
        (first + QUARTER * data.draw(st.integers(0, 7 * 96)), data.draw(st.sampled_from([*lengths, 20])))
        for _ in range(12)
    ]
    return candidates + [(slot.start, slot.minutes) for slot in slots[:: max(1, len(slots) // 5)]]


@SETTINGS
@given(scenarios(), st.data())
def test_the_explanation_refuses_exactly_what_is_not_offered(scenario: Scenario, data: st.DataObject) -> None:
    slots = scenario.slots()
    offered = set(slots)
    candidates = times_to_ask(scenario, slots, data)
    for start, minutes in candidates:
        refusal = explain_unbookable(
            scenario.availability,
            start,
            minutes,
            now=scenario.now,
            bookings=scenario.bookings,
            busy=scenario.busy,
            booker=scenario.booker,
        )
        assert (refusal is None) == (Slot(start, start + timedelta(minutes=minutes), minutes) in offered)
        if refusal is not None:
            assert refusal.message.endswith(".")


@SETTINGS
@given(scenarios(), st.data())
def test_one_time_checked_against_only_what_is_within_its_reach_is_refused_exactly_when_not_offered(
    scenario: Scenario, data: st.DataObject
) -> None:
    """What a booking does under its locks: read only the bookings and busy times that touch
    ``reach`` (as its query does: ending after ``since`` and starting before ``until``) and ask
    about the one time chosen. The answer is the same as with everything, so a time is refused
    exactly when the engine would not offer it."""
    slots = scenario.slots()
    offered = set(slots)
    candidates = times_to_ask(scenario, slots, data)
    # And times that only bookings and busy times (their buffers, the limits) can stop: the
    # slots there would be with none of either.
    open_slots = bookable_slots(scenario.availability, now=scenario.now, booker=scenario.booker)
    candidates += [(slot.start, slot.minutes) for slot in open_slots[:: max(1, len(open_slots) // 40)]]
    for start, minutes in candidates:
        since, until = reach(scenario.availability, start, minutes)

        def within(intervals: tuple[Interval, ...], since: datetime = since, until: datetime = until) -> list[Interval]:
            return [interval for interval in intervals if interval.end > since and interval.start < until]

        everything, within_reach = (
            explain_unbookable(
                scenario.availability,
                start,
                minutes,
                now=scenario.now,
                bookings=bookings,
                busy=busy,
                booker=scenario.booker,
            )
            for bookings, busy in (
                (scenario.bookings, scenario.busy),
                (within(scenario.bookings), within(scenario.busy)),
            )
        )
        assert within_reach == everything
        assert (within_reach is None) == (Slot(start, start + timedelta(minutes=minutes), minutes) in offered)
