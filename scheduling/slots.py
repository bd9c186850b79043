"""The slot engine: a pure function from a supervisor's availability to bookable slots.

Plain data in (frozen dataclasses), plain data out (``Slot`` tuples); no database, no clock of
its own — the caller passes ``now``. Views and services feed it rules, overrides, busy times
and bookings they have loaded; it is tested and benchmarked on its own (docs/performance.md).

How time is read (docs/architecture.md "Time": availability is wall-clock in the supervisor's zone)
-----------------------------------------------------------------------------------------
- Weekly rules and date overrides are wall-clock times in the supervisor's IANA zone, so a
  Monday 10:00 rule is 10:00 on the supervisor's clock in winter and in summer (09:00 UTC in
  British Summer Time, 10:00 UTC in Greenwich Mean Time).
- A window ``[start, end)`` on a date is *exactly the moments at which the supervisor's clock
  shows that date and a time inside the window*. This settles the two awkward nights:
  - clocks going forward (Europe/London, last Sunday of March, 01:00 → 02:00): times in the
    skipped hour never show, so a window from 01:30 to 03:00 opens at 02:00 local (01:00 UTC)
    and lasts one real hour; a window inside the skipped hour is empty;
  - clocks going back (last Sunday of October, 02:00 → 01:00): times in the repeated hour show
    twice, so both occurrences belong to the window — 00:00 to 03:00 lasts four real hours, and
    a window from 01:30 to 04:00 is two pieces (01:30–02:00 summer time, then 01:30 winter time
    onwards), because the clock reads 01:00–01:29 in between.
- ``end=time(0)`` means midnight at the end of the day. A window never crosses midnight and no
  session crosses the supervisor's midnight: a session belongs to one local day, the day whose
  daily limit it counts against.
- Sessions last real minutes (a 60-minute session is 60 minutes even across a clock change).
- Slots start on a grid of the supervisor's wall clock: every ``step_minutes`` minutes counted
  from local midnight (the default 30 means on the hour and on the half hour). The step must
  divide a day. A window opening off the grid (09:15) offers its first slot at the next grid
  time (09:30); after a booking and its buffer the next slot is again the next grid time. In
  the repeated hour of October both occurrences of a grid time are offered: they are different
  moments (01:30 BST and 01:30 GMT).
- Assumes at most one change of UTC offset in any three days (true of every current zone).

What makes a slot bookable (each is a property test in tests/scheduling/)
----------------------------------------------------------------------------
It lies wholly inside one window of its day (override windows replace that day's rules; an
override with no windows means away all day); it overlaps no booking and no busy time, nor the
buffer before or after either; it starts at least ``minimum_notice`` after ``now`` and ends at
most ``horizon`` after ``now``; its day has fewer bookings than ``max_per_day`` and its week
(Monday to Sunday, supervisor's time) fewer than ``max_per_week`` — busy times from an imported
calendar are not sessions and do not count; and no part of it falls between midnight and the
booker's "no sessions before" time on the booker's own clock (default zone Europe/London).

Cost: the work is per local day of the horizon (rules are grouped by weekday, time-zone offsets
are looked up per day boundary, never per minute), so it is bounded by the horizon whatever the
number of rules, and ``next_free_slot`` stops at the first day that has a slot.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reflect import wording
from scheduling.intervals import Interval, contains, normalise, overlaps, subtract

__all__ = [
    "DEFAULT_BOOKER_ZONE",
    "Availability",
    "Booker",
    "DateOverride",
    "Interval",
    "Refusal",
    "RefusalReason",
    "Slot",
    "WeeklyRule",
    "bookable_slots",
    "explain_unbookable",
    "iter_bookable_slots",
    "next_free_slot",
    "reach",
]

DEFAULT_BOOKER_ZONE = "Europe/London"
MINUTES_PER_DAY = 24 * 60

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_MINUTE = timedelta(minutes=1)

# A span tagged with the zone's UTC offset (minutes) that holds throughout it.
_Piece = tuple[int, int, int]
_Window = tuple[int, int]


# --- Input --------------------------------------------------------------------------------


def _minute_of_day(value: time, *, is_end: bool) -> int:
    if value.tzinfo is not None:
        raise ValueError("Availability times are wall-clock times: give them without a time zone.")
    if value.second or value.microsecond:
        raise ValueError("Availability times are whole minutes.")
    minutes = value.hour * 60 + value.minute
    return MINUTES_PER_DAY if is_end and minutes == 0 else minutes


def _window_minutes(start: time, end: time) -> _Window:
    window = (_minute_of_day(start, is_end=False), _minute_of_day(end, is_end=True))
    if window[0] >= window[1]:
        raise ValueError(f"A window must end after it starts ({wording.clock(start)}–{wording.clock(end)}).")
    return window


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Free every ``weekday`` (0 = Monday … 6 = Sunday) from ``start`` to ``end``, wall clock.

    ``valid_from`` and ``valid_until`` are inclusive local dates; ``end=time(0)`` is midnight.
    """

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday runs from 0 (Monday) to 6 (Sunday).")
        _window_minutes(self.start, self.end)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("A rule cannot end before it starts.")


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Replaces the weekly rules on ``day``: no windows means away all day, otherwise these hours.

    Several overrides for the same day add their windows together.
    """

    day: date
    windows: tuple[tuple[time, time], ...] = ()

    def __post_init__(self) -> None:
        for start, end in self.windows:
            _window_minutes(start, end)

    @property
    def away(self) -> bool:
        return not self.windows


@dataclass(frozen=True, slots=True)
class Availability:
    """Everything a supervisor has said about when they can be booked."""

    time_zone: str
    rules: tuple[WeeklyRule, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    session_lengths: tuple[int, ...] = (60,)  # minutes
    buffer_minutes: int = 0  # kept free before and after every booking and busy time
    minimum_notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(weeks=8)
    max_per_day: int | None = None
    max_per_week: int | None = None
    step_minutes: int = 30

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from error
        if not self.session_lengths or any(length <= 0 for length in self.session_lengths):
            raise ValueError("Offer at least one session length, in whole minutes.")
        if any(length > MINUTES_PER_DAY for length in self.session_lengths):
            raise ValueError("A session cannot last longer than a day.")
        if self.buffer_minutes < 0:
            raise ValueError("The buffer cannot be negative.")
        if self.minimum_notice < timedelta(0):
            raise ValueError("The minimum notice cannot be negative.")
        if self.horizon <= timedelta(0):
            raise ValueError("The horizon must be in the future.")
        for limit in (self.max_per_day, self.max_per_week):
            if limit is not None and limit < 0:
                raise ValueError("A limit on sessions cannot be negative.")
        if self.step_minutes <= 0 or MINUTES_PER_DAY % self.step_minutes:
            raise ValueError("The slot step must divide a day (5, 10, 15, 20, 30, 60 … minutes).")


@dataclass(frozen=True, slots=True)
class Booker:
    """The person the session is for: no part of it may fall between their midnight and
    ``no_sessions_before`` on their own clock."""

    time_zone: str = DEFAULT_BOOKER_ZONE
    no_sessions_before: time | None = None

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from error
        if self.no_sessions_before is not None:
            _minute_of_day(self.no_sessions_before, is_end=False)


# --- Output -------------------------------------------------------------------------------


class Slot(NamedTuple):
    """A bookable session: UTC start and end, and its length in minutes.

    A named tuple rather than a dataclass because an eight-week answer holds a thousand of them
    and tuples are twice as quick to build; it is just as immutable.
    """

    start: datetime
    end: datetime
    minutes: int


class RefusalReason(enum.StrEnum):
    LENGTH = "length"
    PAST = "past"
    NOTICE = "notice"
    HORIZON = "horizon"
    AWAY = "away"
    OUTSIDE = "outside"
    OFF_GRID = "off_grid"
    TAKEN = "taken"
    BUSY = "busy"
    BUFFER = "buffer"
    DAY_LIMIT = "day_limit"
    WEEK_LIMIT = "week_limit"
    TOO_EARLY_FOR_BOOKER = "too_early_for_booker"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a start time cannot be booked: a code for views to branch on (TAKEN → show the next
    free slots) and a sentence to show as it is."""

    reason: RefusalReason
    message: str


# Building the tuple directly skips NamedTuple's Python-level __new__: a third of the cost of
# an eight-week answer.
_new_slot = tuple.__new__


# --- Time-zone arithmetic in whole minutes since the epoch -----------------------------------


def _floor_minutes(moment: datetime) -> int:
    if moment.microsecond:
        return (moment - _EPOCH) // _ONE_MINUTE
    # Whole seconds are exact in a float timestamp, and timestamp() is several times quicker
    # than timedelta arithmetic: this runs for every booking of every supervisor asked.
    return int(moment.timestamp()) // 60


def _ceil_minutes(moment: datetime) -> int:
    if moment.microsecond:
        return -((_EPOCH - moment) // _ONE_MINUTE)
    return -(-int(moment.timestamp()) // 60)


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a time-zone-aware datetime.")


class _ZoneClock:
    """One zone's UTC offsets, looked up per day boundary and remembered (the tz database does
    not change while the process runs)."""

    __slots__ = ("_days", "_early", "_samples", "zone")

    _CACHE_LIMIT = 20_000

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._samples: dict[int, int] = {}
        self._days: dict[int, tuple[int, tuple[_Piece, ...]]] = {}
        self._early: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def offset_at(self, minute: int) -> int:
        """The zone's UTC offset, in minutes, at the instant ``minute`` (UTC, since the epoch)."""
        offset = datetime.fromtimestamp(minute * 60, self.zone).utcoffset()
        assert offset is not None
        return offset // _ONE_MINUTE

    def _sample(self, minute: int) -> int:
        offset = self._samples.get(minute)
        if offset is None:
            if len(self._samples) > self._CACHE_LIMIT:
                self._samples.clear()
            offset = self._samples[minute] = self.offset_at(minute)
        return offset

    def ordinal_at(self, minute: int) -> int:
        """The local date (as an ordinal) that the clock shows at the instant ``minute``."""
        # The local date is the UTC date or one either side; the remembered days answer
        # without a time-zone look-up.
        utc_ordinal = minute // MINUTES_PER_DAY + _EPOCH_ORDINAL
        for ordinal in (utc_ordinal, utc_ordinal + 1, utc_ordinal - 1):
            for low, high, _ in self.day(ordinal)[1]:
                if low <= minute < high:
                    return ordinal
        return (minute + self.offset_at(minute)) // MINUTES_PER_DAY + _EPOCH_ORDINAL  # pragma: no cover

    def day(self, ordinal: int) -> tuple[int, tuple[_Piece, ...]]:
        """Local midnight of ``ordinal`` in local epoch minutes, and the instants at which the
        clock shows that date, as pieces of constant offset (two on a day the clocks change)."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        midnight = (ordinal - _EPOCH_ORDINAL) * MINUTES_PER_DAY
        # Offsets a day either side of the date: equal means no change anywhere near it.
        before_at, after_at = midnight - MINUTES_PER_DAY, midnight + 2 * MINUTES_PER_DAY
        before, after = self._sample(before_at), self._sample(after_at)
        pieces: tuple[_Piece, ...]
        if before == after:
            pieces = ((midnight - before, midnight + MINUTES_PER_DAY - before, before),)
        else:
            change = self._change_between(before_at, after_at, before)
            first = (midnight - before, min(midnight + MINUTES_PER_DAY - before, change), before)
            second = (max(midnight - after, change), midnight + MINUTES_PER_DAY - after, after)
            pieces = tuple(piece for piece in (first, second) if piece[0] < piece[1])
        if len(self._days) > self._CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = (midnight, pieces)
        return midnight, pieces

    def _change_between(self, low: int, high: int, offset_before: int) -> int:
        """The first minute in ``(low, high]`` with a new offset (binary search, ~12 look-ups)."""
        while high - low > 1:
            middle = (low + high) // 2
            if self.offset_at(middle) == offset_before:
                low = middle
            else:
                high = middle
        return high

    def day_pieces(self, ordinal: int, windows: Sequence[_Window]) -> list[_Piece]:
        """The instants at which the clock shows ``ordinal`` and a time inside one of the
        (normalised) wall-clock ``windows``, as sorted pieces tagged with their offset."""
        midnight, pieces = self.day(ordinal)
        result: list[_Piece] = []
        for low, high, offset in pieces:
            base = midnight - offset
            for start, end in windows:
                start = max(base + start, low)
                end = min(base + end, high)
                if start < end:
                    result.append((start, end, offset))
        return result

    def early_hours(self, ordinal: int, before: int) -> list[tuple[int, int]]:
        """When the clock shows ``ordinal`` and a time before ``before`` minutes past midnight
        (a booker's "no sessions before"), remembered: bookers share a few such times."""
        key = (ordinal, before)
        spans = self._early.get(key)
        if spans is None:
            if len(self._early) > self._CACHE_LIMIT:
                self._early.clear()
            pieces = self.day_pieces(ordinal, [(0, before)])
            spans = self._early[key] = normalise([(low, high) for low, high, _ in pieces])
        return spans


@lru_cache(maxsize=128)
def _clock(key: str) -> _ZoneClock:
    return _ZoneClock(ZoneInfo(key))


# --- The engine ------------------------------------------------------------------------------


def _cut(pieces: list[_Piece], spans: list[tuple[int, int]]) -> list[_Piece]:
    """The pieces minus the normalised ``spans``; what is left keeps its piece's offset."""
    return [(start, end, offset) for low, high, offset in pieces for start, end in subtract([(low, high)], spans)]


def _week_of(ordinal: int) -> int:
    """The Monday starting the week of ``ordinal``: weeks run Monday to Sunday."""
    return ordinal - (ordinal - 1) % 7


@dataclass(slots=True)
class _Engine:
    """The inputs compiled once into integer minutes, ready to be asked about any day."""

    availability: Availability
    now: datetime
    booker: Booker
    clock: _ZoneClock = field(init=False)
    earliest: int = field(init=False)
    latest: int = field(init=False)
    lengths: tuple[int, ...] = field(init=False)
    durations: tuple[tuple[int, timedelta], ...] = field(init=False)
    taken: list[tuple[int, int]] = field(init=False)
    busy: list[tuple[int, int]] = field(init=False)
    blocked: list[tuple[int, int]] = field(init=False)
    blocked_ends: list[int] = field(init=False)
    day_counts: dict[int, int] = field(init=False)
    week_counts: dict[int, int] = field(init=False)
    rules_by_weekday: tuple[tuple[tuple[int, int, int, int], ...], ...] = field(init=False)
    overrides: dict[int, list[_Window]] = field(init=False)
    booker_clock: _ZoneClock = field(init=False)
    booker_before: int = field(init=False)

    @classmethod
    def build(
        cls,
        availability: Availability,
        *,
        now: datetime,
        bookings: Iterable[Interval],
        busy: Iterable[Interval],
        booker: Booker,
    ) -> _Engine:
        _aware(now, "now")
        engine = cls(availability, now, booker)
        engine._compile(list(bookings), list(busy))
        return engine

    def _compile(self, bookings: list[Interval], busy: list[Interval]) -> None:
        availability = self.availability
        self.clock = _clock(availability.time_zone)
        # Rounding inwards keeps every promise exact: a slot starting on a whole minute is at
        # least the notice after `now` exactly when it is at or after the ceiling.
        self.earliest = _ceil_minutes(self.now + availability.minimum_notice)
        self.latest = _floor_minutes(self.now + availability.horizon)
        self.lengths = tuple(sorted(set(availability.session_lengths)))
        self.durations = tuple((length, timedelta(minutes=length)) for length in self.lengths)

        # Bookings and busy times are rounded outwards, so a busy time ending at 10:00:30
        # still blocks the minute it touches.
        taken = [(_floor_minutes(item.start), _ceil_minutes(item.end)) for item in bookings]
        self.taken = normalise(taken)
        self.busy = normalise([(_floor_minutes(item.start), _ceil_minutes(item.end)) for item in busy])
        buffer = availability.buffer_minutes
        self.blocked = normalise([(start - buffer, end + buffer) for start, end in (*self.taken, *self.busy)])
        self.blocked_ends = [end for _, end in self.blocked]

        # Limits count sessions by the supervisor's local day and week of their start.
        self.day_counts = {}
        self.week_counts = {}
        if availability.max_per_day is not None or availability.max_per_week is not None:
            for start, _ in taken:
                ordinal = self.clock.ordinal_at(start)
                self.day_counts[ordinal] = self.day_counts.get(ordinal, 0) + 1
                week = _week_of(ordinal)
                self.week_counts[week] = self.week_counts.get(week, 0) + 1

        by_weekday: list[list[tuple[int, int, int, int]]] = [[] for _ in range(7)]
        for rule in availability.rules:
            start, end = _window_minutes(rule.start, rule.end)
            valid_from = rule.valid_from.toordinal() if rule.valid_from else 0
            valid_until = rule.valid_until.toordinal() if rule.valid_until else date.max.toordinal()
            by_weekday[rule.weekday].append((start, end, valid_from, valid_until))
        self.rules_by_weekday = tuple(tuple(sorted(rules)) for rules in by_weekday)

        overrides: dict[int, list[_Window]] = {}
        for override in availability.overrides:
            windows = overrides.setdefault(override.day.toordinal(), [])
            windows.extend(_window_minutes(start, end) for start, end in override.windows)
        self.overrides = {ordinal: normalise(windows) for ordinal, windows in overrides.items()}

        self.booker_clock = _clock(self.booker.time_zone)
        before = self.booker.no_sessions_before
        self.booker_before = 0 if before is None else _minute_of_day(before, is_end=False)

    # Per-day questions -------------------------------------------------------------------

    def windows(self, ordinal: int) -> list[_Window]:
        """The day's wall-clock windows, normalised: its override's, else its weekly rules'."""
        override = self.overrides.get(ordinal)
        if override is not None:
            return override
        weekday = (ordinal - 1) % 7
        windows = [
            (start, end)
            for start, end, valid_from, valid_until in self.rules_by_weekday[weekday]
            if valid_from <= ordinal <= valid_until
        ]
        return windows if len(windows) < 2 else normalise(windows)

    def limit_reached(self, ordinal: int) -> RefusalReason | None:
        availability = self.availability
        if availability.max_per_day is not None and self.day_counts.get(ordinal, 0) >= availability.max_per_day:
            return RefusalReason.DAY_LIMIT
        if (
            availability.max_per_week is not None
            and self.week_counts.get(_week_of(ordinal), 0) >= availability.max_per_week
        ):
            return RefusalReason.WEEK_LIMIT
        return None

    def blocked_between(self, start: int, end: int) -> list[tuple[int, int]]:
        """Bookings and busy times, with their buffers, that touch ``[start, end)``."""
        blocked = self.blocked
        index = bisect.bisect_right(self.blocked_ends, start)
        nearby = []
        while index < len(blocked) and blocked[index][0] < end:
            nearby.append(blocked[index])
            index += 1
        return nearby

    def booker_early_hours(self, start: int, end: int) -> list[tuple[int, int]]:
        """The booker's early hours (midnight to their "no sessions before" time, on their clock)
        of every booker day that ``[start, end)`` may touch, normalised; some may lie outside
        ``[start, end)``, which is harmless to whoever subtracts them."""
        # A local date is the UTC date or one either side, so these days include every one
        # that [start, end) can show, without looking an offset up.
        first = start // MINUTES_PER_DAY + _EPOCH_ORDINAL - 1
        last = (end - 1) // MINUTES_PER_DAY + _EPOCH_ORDINAL + 1
        clock, before = self.booker_clock, self.booker_before
        result: list[tuple[int, int]] = []
        for ordinal in range(first, last + 1):
            result += clock.early_hours(ordinal, before)
        return result

    def free_pieces(self, ordinal: int) -> list[_Piece]:
        """What is bookable on that day: its windows, within notice and horizon, minus
        everything blocked; each piece tagged with its UTC offset for the slot grid."""
        windows = self.windows(ordinal)
        if not windows or self.limit_reached(ordinal):
            return []
        earliest, latest = self.earliest, self.latest
        pieces = []
        for low, high, offset in self.clock.day_pieces(ordinal, windows):
            low = max(low, earliest)
            high = min(high, latest)
            if low < high:
                pieces.append((low, high, offset))
        if not pieces:
            return []
        blocked = self.blocked_between(pieces[0][0], pieces[-1][1])
        if blocked:
            pieces = _cut(pieces, blocked)
        # The booker's early hours only for what is left: a fully booked day costs nothing more.
        if pieces and self.booker_before:
            pieces = _cut(pieces, self.booker_early_hours(pieces[0][0], pieces[-1][1]))
        return pieces

    def days(self) -> range:
        """The supervisor's local dates from the earliest start to the horizon — the bound on
        all the work, whatever the number of rules."""
        if self.earliest >= self.latest:
            return range(0)
        return range(self.clock.ordinal_at(self.earliest), self.clock.ordinal_at(self.latest) + 1)

    def day_slots(self, ordinal: int) -> list[Slot]:
        pieces = self.free_pieces(ordinal)
        if not pieces:
            return []
        # A session may run on across the moment the clocks change, where one piece ends and
        # the next begins: measure each piece's room up to the end of its run of pieces.
        run_ends = [0] * len(pieces)
        run_end = 0
        for index in range(len(pieces) - 1, -1, -1):
            if index == len(pieces) - 1 or pieces[index + 1][0] != pieces[index][1]:
                run_end = pieces[index][1]
            run_ends[index] = run_end
        step = self.availability.step_minutes
        step_duration = timedelta(minutes=step)
        lengths = self.durations
        shortest = lengths[0][0]
        result: list[Slot] = []
        append, new_slot, slot_type = result.append, _new_slot, Slot
        for (low, high, offset), run_end in zip(pieces, run_ends, strict=True):
            # The grid is the supervisor's wall clock: local minutes divisible by the step.
            start = low + (-(low + offset)) % step
            start_at = _EPOCH + timedelta(minutes=start)
            while start < high and start + shortest <= run_end:
                for length, duration in lengths:
                    if start + length > run_end:
                        break
                    append(new_slot(slot_type, (start_at, start_at + duration, length)))
                start += step
                start_at += step_duration
        return result

    def slots(self) -> Iterator[Slot]:
        for ordinal in self.days():
            yield from self.day_slots(ordinal)

    def all_slots(self) -> list[Slot]:
        result: list[Slot] = []
        for ordinal in self.days():
            result.extend(self.day_slots(ordinal))
        return result

    # Explanations --------------------------------------------------------------------------

    def explain(self, start_at: datetime, minutes: int) -> Refusal | None:
        _aware(start_at, "The start")
        availability = self.availability
        if minutes not in self.lengths:
            return Refusal(
                RefusalReason.LENGTH,
                f"Sessions with this supervisor last {_or_list(f'{length}' for length in self.lengths)} minutes.",
            )
        if start_at < self.now:
            return Refusal(RefusalReason.PAST, "That time has already passed.")
        start = _floor_minutes(start_at)
        if start_at != _EPOCH + timedelta(minutes=start):
            return Refusal(RefusalReason.OFF_GRID, f"Sessions start {_grid_phrase(availability.step_minutes)}.")
        end = start + minutes
        if start < self.earliest:
            return Refusal(
                RefusalReason.NOTICE,
                f"Sessions need at least {_possessive(availability.minimum_notice)} notice.",
            )
        if end > self.latest:
            amount = _amount(availability.horizon)
            return Refusal(
                RefusalReason.HORIZON,
                f"That is beyond the {_hyphenated(availability.horizon)} booking horizon: "
                f"sessions can be booked up to {amount} ahead.",
            )
        ordinal = self.clock.ordinal_at(start)
        windows = self.windows(ordinal)
        if not windows and ordinal in self.overrides:
            return Refusal(RefusalReason.AWAY, "The supervisor is away that day.")
        runs = normalise((low, high) for low, high, _ in self.clock.day_pieces(ordinal, windows))
        if not contains(runs, (start, end)):
            return Refusal(RefusalReason.OUTSIDE, "That time is outside the supervisor's availability.")
        if (start + self.clock.offset_at(start)) % availability.step_minutes:
            return Refusal(RefusalReason.OFF_GRID, f"Sessions start {_grid_phrase(availability.step_minutes)}.")
        session = (start, end)
        if any(overlaps(session, taken) for taken in self.taken):
            return Refusal(RefusalReason.TAKEN, "That time has already been booked.")
        if any(overlaps(session, busy) for busy in self.busy):
            return Refusal(RefusalReason.BUSY, "The supervisor is busy at that time.")
        if any(overlaps(session, blocked) for blocked in self.blocked):
            return Refusal(
                RefusalReason.BUFFER,
                f"That is too close to another commitment: the supervisor keeps "
                f"{availability.buffer_minutes} minutes free between sessions.",
            )
        limit = self.limit_reached(ordinal)
        if limit is RefusalReason.DAY_LIMIT:
            return Refusal(
                limit,
                f"The supervisor already has {self.day_counts.get(ordinal, 0)} sessions that day, "
                f"the most they take in a day.",
            )
        if limit is RefusalReason.WEEK_LIMIT:
            return Refusal(
                limit,
                f"The supervisor already has {self.week_counts.get(_week_of(ordinal), 0)} sessions "
                f"that week, the most they take in a week.",
            )
        if self.booker_before and any(overlaps(session, early) for early in self.booker_early_hours(start, end)):
            before = self.booker.no_sessions_before
            assert before is not None
            return Refusal(
                RefusalReason.TOO_EARLY_FOR_BOOKER,
                f"That session would fall before {wording.clock(before)} ({self.booker.time_zone} time), "
                "the earliest time the booker takes sessions.",
            )
        return None


# --- Wording ---------------------------------------------------------------------------------


def _amount(duration: timedelta) -> str:
    """ "8 weeks", "2 days", "24 hours" (one day reads better in hours), "1 hour", "90 minutes"."""
    for unit, size, least in (
        ("week", timedelta(weeks=1), 1),
        ("day", timedelta(days=1), 2),
        ("hour", timedelta(hours=1), 1),
    ):
        count, rest = divmod(duration, size)
        if count >= least and not rest:
            return wording.count(count, unit)
    count = duration // _ONE_MINUTE
    return wording.count(count, "minute")


def _possessive(duration: timedelta) -> str:
    """ "24 hours'" and "1 hour's", as in "24 hours' notice"."""
    amount = _amount(duration)
    return f"{amount}'" if amount.endswith("s") else f"{amount}'s"


def _hyphenated(duration: timedelta) -> str:
    """ "8-week", as in "the 8-week booking horizon"."""
    count, unit = _amount(duration).split(" ")
    return f"{count}-{unit.removesuffix('s')}"


def _or_list(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _grid_phrase(step: int) -> str:
    if step == 30:
        return "on the hour and half hour"
    if step == 60:
        return "on the hour"
    if step % 60 == 0:
        return f"every {step // 60} hours from midnight"
    return f"every {step} minutes, from the hour"


# --- Public functions ------------------------------------------------------------------------


def iter_bookable_slots(
    availability: Availability,
    *,
    now: datetime,
    bookings: Iterable[Interval] = (),
    busy: Iterable[Interval] = (),
    booker: Booker | None = None,
) -> Iterator[Slot]:
    """Bookable slots in order of start (then length), computed a day at a time as they are
    consumed: ``itertools.islice(…, 3)`` for "the next free slots" does three slots' work."""
    return _Engine.build(availability, now=now, bookings=bookings, busy=busy, booker=booker or Booker()).slots()


def bookable_slots(
    availability: Availability,
    *,
    now: datetime,
    bookings: Iterable[Interval] = (),
    busy: Iterable[Interval] = (),
    booker: Booker | None = None,
) -> list[Slot]:
    """Every bookable slot from ``now`` to the horizon, sorted by start then length."""
    return _Engine.build(availability, now=now, bookings=bookings, busy=busy, booker=booker or Booker()).all_slots()


def next_free_slot(
    availability: Availability,
    *,
    now: datetime,
    bookings: Iterable[Interval] = (),
    busy: Iterable[Interval] = (),
    booker: Booker | None = None,
) -> Slot | None:
    """The first bookable slot, or None; stops at the first day that has one."""
    return next(
        iter_bookable_slots(availability, now=now, bookings=bookings, busy=busy, booker=booker or Booker()), None
    )


def explain_unbookable(
    availability: Availability,
    start: datetime,
    minutes: int,
    *,
    now: datetime,
    bookings: Iterable[Interval] = (),
    busy: Iterable[Interval] = (),
    booker: Booker | None = None,
) -> Refusal | None:
    """Why a session of ``minutes`` starting at ``start`` cannot be booked, or None when it can.

    Exactly the slots of ``bookable_slots`` get None (a property test holds the two together);
    when several reasons apply, the first in this order is given: length, past, notice,
    horizon, away, outside availability, off the grid, taken, busy, buffer, daily limit,
    weekly limit, the booker's early hours.
    """
    engine = _Engine.build(availability, now=now, bookings=bookings, busy=busy, booker=booker or Booker())
    return engine.explain(start, minutes)


def reach(availability: Availability, start: datetime, minutes: int) -> tuple[datetime, datetime]:
    """The span ``[since, until)`` outside which no booking or busy time can change
    ``explain_unbookable(availability, start, minutes, …)``: those within the buffer of the
    session, and, when the supervisor limits sessions a day or a week, those starting on that
    day or in that week on their clock (a day and more either side, whatever the zone's offset
    or its clock changes). A booking checks its one time against only these; a property test
    holds the answer equal to the one from every booking and busy time."""
    _aware(start, "The start")
    buffer = timedelta(minutes=availability.buffer_minutes)
    # No session is longer than a day (Availability refuses such lengths, the answer for one is
    # LENGTH whatever is booked): a length from outside cannot stretch the span without bound.
    since, until = start - buffer, start + timedelta(minutes=min(minutes, MINUTES_PER_DAY)) + buffer
    if availability.max_per_day is not None or availability.max_per_week is not None:
        day = start.astimezone(ZoneInfo(availability.time_zone)).date()
        first, last = day, day
        if availability.max_per_week is not None:
            first, last = day - timedelta(days=day.weekday()), day + timedelta(days=6 - day.weekday())
        # A local date's moments lie within 14 hours of its UTC date's.
        since = min(since, datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=2))
        until = max(until, datetime.combine(last, time(0), tzinfo=UTC) + timedelta(days=3))
    return since, until
