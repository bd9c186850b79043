"""The soonest free slot across many supervisors, without running the slot engine for each.

Pure, like scheduling/slots.py. For each supervisor we remember, whenever their availability,
bookings or busy times change (and once to start with), the first few times at which one of
their sessions could start: ``KnownNextFree``. Then "who can see me soonest?" runs the engine only
for the supervisors whose earliest possible start comes first, and stops as soon as the next one
could not beat the best slot found (docs/availability-and-booking.md, "The soonest free slot").

Why what we remember bounds the answer from below while nothing changes: the engine's slots at a
later ``now`` differ from its slots at the time we remembered in two ways only. Minimum notice
moves on, which takes away slots that start too soon. The horizon moves on, which adds slots
ending beyond the old horizon, so they start after ``old now + horizon − the longest session``.
And a booker's "no sessions before" only takes slots away, so we remember the slots of a booker
with no such limit. Hence the earliest possible start now is the first remembered start at or
after ``now + minimum notice`` (or, past the last one remembered, that last one), and never later
than the first start the moved horizon can add.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from scheduling.slots import Availability, Booker, Interval, Slot, iter_bookable_slots, next_free_slot

# Remembering is done for a booker who takes sessions at any hour: every other booker's slots
# are among theirs.
ANY_HOUR = Booker(no_sessions_before=None)
# Enough starts to stay sharp for a day or so of moving notice; one engine run at most, after
# that, brings the supervisor's own answer up to date.
STARTS_REMEMBERED = 24

T = TypeVar("T")


class Bound(Protocol):
    def earliest_start(self, now: datetime) -> datetime: ...


@dataclass(frozen=True)
class KnownNextFree:
    supervisor_id: int
    starts: tuple[datetime, ...]  # the first distinct slot starts, at most STARTS_REMEMBERED
    every_start: bool  # fewer than that were found: these are all of them
    notice: timedelta
    horizon_adds_after: datetime  # slots the moving horizon adds start after this

    @classmethod
    def nothing_known(cls, supervisor_id: int, now: datetime) -> KnownNextFree:
        """For a supervisor nothing is remembered of: the bound that holds for anyone, now."""
        return cls(supervisor_id, (), False, timedelta(0), now)

    def earliest_start(self, now: datetime) -> datetime:
        """No slot of this supervisor, for any booker, starts before this (while nothing changes)."""
        earliest = now + self.notice
        position = bisect.bisect_left(self.starts, earliest)
        added = max(self.horizon_adds_after, earliest)
        if position < len(self.starts):
            return min(self.starts[position], added)
        if self.every_start or not self.starts:
            return added
        return min(max(self.starts[-1], earliest), added)


@dataclass(frozen=True)
class EngineInput:
    """What the slot engine needs for one supervisor, read when it is needed."""

    availability: Availability
    bookings: tuple[Interval, ...] = ()
    busy: tuple[Interval, ...] = ()


def remember_next_free(supervisor_id: int, engine_input: EngineInput, *, now: datetime) -> KnownNextFree:
    """What to keep for a supervisor after a change to their availability, bookings or busy times."""
    availability = engine_input.availability
    starts: list[datetime] = []
    for slot in iter_bookable_slots(
        availability, now=now, bookings=engine_input.bookings, busy=engine_input.busy, booker=ANY_HOUR
    ):
        if not starts or slot.start != starts[-1]:
            if len(starts) == STARTS_REMEMBERED:
                break
            starts.append(slot.start)
    else:
        return KnownNextFree(
            supervisor_id, tuple(starts), True, availability.minimum_notice, adds_after(availability, now)
        )
    return KnownNextFree(
        supervisor_id, tuple(starts), False, availability.minimum_notice, adds_after(availability, now)
    )


def adds_after(availability: Availability, now: datetime) -> datetime:
    """Slots the horizon brings in after ``now``, as it moves on, start after this."""
    return now + availability.horizon - timedelta(minutes=max(availability.session_lengths))


def soonest_free_slot(
    known: Iterable[KnownNextFree],
    *,
    now: datetime,
    booker: Booker,
    engine_input: Callable[[int], EngineInput],
) -> tuple[int, Slot] | None:
    """The earliest slot any of these supervisors can offer this booker, with whose it is (ties
    go to the lower supervisor id; the slot is that supervisor's first, as ``next_free_slot``
    gives it), or None. ``engine_input`` is asked only for the supervisors who could still beat
    the best slot found so far."""

    def first_slot(supervisor_id: int) -> Slot | None:
        inputs = engine_input(supervisor_id)
        return next_free_slot(inputs.availability, now=now, bookings=inputs.bookings, busy=inputs.busy, booker=booker)

    return soonest_first_slot(
        ((entry, entry.supervisor_id, entry.supervisor_id) for entry in known), now=now, first_slot=first_slot
    )


def soonest_first_slot(
    candidates: Iterable[tuple[Bound, int, T]],
    *,
    now: datetime,
    first_slot: Callable[[T], Slot | None],
    at_most: int | None = None,
) -> tuple[T, Slot] | None:
    """The earliest ``first_slot(what)`` among the candidates, each ``(what its supervisor's
    remembered starts are, a number that breaks ties (lower first), what)``, with its ``what``;
    or None. ``first_slot`` is called only for candidates whose remembered bound could still
    beat the best found, so it must give one of that supervisor's slots for some booker: the
    engine's first, or the first left after rules that only take slots away (an agreement's
    dates, its hours), as the supervision page asks. ``at_most``: call ``first_slot`` no more
    than this many times; a search not settled by then gives None (never a time that might not
    be the soonest)."""
    best: tuple[datetime, int] | None = None  # start, tie-break
    found: tuple[T, Slot] | None = None
    whats: list[T] = []
    # A heap, not a sort: usually only the first one or two are ever taken off it.
    bounds: list[tuple[datetime, int, int]] = []
    for entry, order, what in candidates:
        bounds.append((entry.earliest_start(now), order, len(whats)))
        whats.append(what)
    heapq.heapify(bounds)
    asked = 0
    while bounds:
        start, order, position = heapq.heappop(bounds)
        if best is not None and (start, order) > best:
            break  # in order: nobody after this can start earlier, or as early and come first
        if at_most is not None and asked == at_most:
            return None
        asked += 1
        slot = first_slot(whats[position])
        if slot is None:
            continue
        key = (slot.start, order)
        if best is None or key < best:
            best, found = key, (whats[position], slot)
    return found
