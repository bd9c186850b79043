"""The soonest free slot across supervisors (scheduling/next_free.py) against the brute force of
running the slot engine for every supervisor, on the slot engine's own random scenarios."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.next_free import EngineInput, KnownNextFree, remember_next_free, soonest_first_slot, soonest_free_slot
from scheduling.slots import Availability, Booker, Interval, Slot, WeeklyRule, next_free_slot
from tests.scheduling.test_slots_properties import Scenario, scenarios


def brute_force(inputs: dict[int, EngineInput], *, now: datetime, booker: Booker) -> tuple[int, Slot] | None:
    found = []
    for supervisor_id, engine_input in inputs.items():
        slot = next_free_slot(
            engine_input.availability, now=now, bookings=engine_input.bookings, busy=engine_input.busy, booker=booker
        )
        if slot is not None:
            found.append((slot.start, supervisor_id, slot))
    if not found:
        return None
    _, supervisor_id, slot = min(found, key=lambda entry: entry[:2])
    return supervisor_id, slot


def counting(inputs: dict[int, EngineInput], asked: list[int]) -> Callable[[int], EngineInput]:
    def engine_input(supervisor_id: int) -> EngineInput:
        asked.append(supervisor_id)
        return inputs[supervisor_id]

    return engine_input


@settings(max_examples=60, deadline=None)
@given(st.lists(scenarios(), min_size=1, max_size=5), st.integers(0, 4 * 24 * 60))
def test_the_soonest_slot_is_the_brute_force_one_until_anything_changes(
    supervisors: list[Scenario], minutes_later: int
) -> None:
    remembered_at = supervisors[0].now
    inputs = {
        number: EngineInput(scenario.availability, scenario.bookings, scenario.busy)
        for number, scenario in enumerate(supervisors, start=1)
    }
    known = [remember_next_free(number, engine_input, now=remembered_at) for number, engine_input in inputs.items()]
    now = remembered_at + timedelta(minutes=minutes_later)
    for booker in {scenario.booker for scenario in supervisors} | {Booker()}:
        asked: list[int] = []
        engine_input = counting(inputs, asked)
        assert soonest_free_slot(known, now=now, booker=booker, engine_input=engine_input) == brute_force(
            inputs, now=now, booker=booker
        )
        assert len(asked) == len(set(asked))  # nobody's engine runs twice


MONDAY = datetime(2027, 1, 4, 8, tzinfo=UTC)


def weekdays(start: int, end: int) -> Availability:
    return Availability(
        "Europe/London",
        rules=tuple(WeeklyRule(weekday, time(start), time(end)) for weekday in range(5)),
        minimum_notice=timedelta(hours=1),
    )


def test_only_the_supervisors_who_could_be_sooner_are_computed() -> None:
    """Three hundred supervisors, one free from 10:00, the rest from 14:00: the one free soonest
    is found by running the engine for that supervisor and one more, whose remembered time
    shows that nobody after it can be sooner."""
    inputs = {number: EngineInput(weekdays(14, 17)) for number in range(1, 301)}
    inputs[150] = EngineInput(weekdays(10, 17))
    known = [remember_next_free(number, engine_input, now=MONDAY) for number, engine_input in inputs.items()]
    asked: list[int] = []
    soonest = soonest_free_slot(known, now=MONDAY, booker=Booker(), engine_input=counting(inputs, asked))
    assert soonest == (150, Slot(datetime(2027, 1, 4, 10, tzinfo=UTC), datetime(2027, 1, 4, 11, tzinfo=UTC), 60))
    assert asked == [150]


def test_a_booking_changes_what_is_remembered_and_an_early_booker_waits() -> None:
    inputs = {1: EngineInput(weekdays(9, 17)), 2: EngineInput(weekdays(9, 17))}
    taken = EngineInput(weekdays(9, 17), bookings=(Interval(MONDAY + timedelta(hours=1), MONDAY + timedelta(hours=2)),))
    known = [remember_next_free(1, taken, now=MONDAY), remember_next_free(2, inputs[2], now=MONDAY)]
    assert [entry.earliest_start(MONDAY) for entry in known] == [
        datetime(2027, 1, 4, 10, tzinfo=UTC),
        datetime(2027, 1, 4, 9, tzinfo=UTC),
    ]
    # Two hours on, an hour's notice rules out 10:00 and 10:30: both could start at 11:00.
    two_hours_on = MONDAY + timedelta(hours=2)
    assert [entry.earliest_start(two_hours_on) for entry in known] == [datetime(2027, 1, 4, 11, tzinfo=UTC)] * 2
    late_riser = Booker(no_sessions_before=time(11))
    soonest = soonest_free_slot(known, now=MONDAY, booker=late_riser, engine_input={1: taken, 2: inputs[2]}.__getitem__)
    assert soonest == (1, Slot(datetime(2027, 1, 4, 11, tzinfo=UTC), datetime(2027, 1, 4, 12, tzinfo=UTC), 60))


def test_a_search_cut_short_gives_nothing_rather_than_a_later_time() -> None:
    """Nothing remembered of three supervisors, each free from 10:00 but the last from 09:00:
    after two engines the search is not settled (the third could be sooner), so it gives None;
    with three it finds the third's 09:00. Settled within the limit, the limit changes nothing."""
    inputs = {1: EngineInput(weekdays(10, 17)), 2: EngineInput(weekdays(10, 17)), 3: EngineInput(weekdays(9, 17))}
    unknown = [(KnownNextFree.nothing_known(number, MONDAY), number, number) for number in inputs]

    def first_slot(number: int) -> Slot | None:
        return next_free_slot(inputs[number].availability, now=MONDAY, booker=Booker())

    asked: list[int] = []

    def counted(number: int) -> Slot | None:
        asked.append(number)
        return first_slot(number)

    assert soonest_first_slot(unknown, now=MONDAY, first_slot=counted, at_most=2) is None
    assert asked == [1, 2]
    nine = Slot(datetime(2027, 1, 4, 9, tzinfo=UTC), datetime(2027, 1, 4, 10, tzinfo=UTC), 60)
    assert soonest_first_slot(unknown, now=MONDAY, first_slot=first_slot, at_most=3) == (3, nine)
    known = [(remember_next_free(number, inputs[number], now=MONDAY), number, number) for number in inputs]
    assert soonest_first_slot(known, now=MONDAY, first_slot=first_slot, at_most=1) == (3, nine)
