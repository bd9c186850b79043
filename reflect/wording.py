"""How Reflect writes numbers, amounts, dates and times for people: one wording for pages,
e-mails, texts, CSV cells and PDFs, so the same quantity reads the same everywhere
(docs/conventions.md, "Wording of numbers and dates").

Every function is pure and takes plain values. Moments (aware datetimes) are written on a wall
clock: Europe/London unless the caller names another zone (a supervisor's or a group's).
Templates use the same functions through the ``wording`` template library.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from reflect.local_time import UK_ZONE

Number = Decimal | int | float
PENNY = Decimal("0.01")


def _decimal(value: Number) -> Decimal:
    # str() first: Decimal(0.1) would carry the float's binary error into the words.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def count(number: int, singular: str, plural: str | None = None) -> str:
    """'1 session', '3 sessions', '0 sessions'; ``plural`` for words that do not take an s."""
    word = singular if number == 1 else (plural or f"{singular}s")
    return f"{number:,} {word}"


def seconds(value: Number) -> str:
    """A length of time in seconds, as a setting gives it: '1 second', '10 seconds', '0.5 seconds'."""
    number = _decimal(value).normalize()
    return count(int(number), "second") if number == number.to_integral_value() else f"{number:f} seconds"


def plural(number: int, singular: str, plural: str | None = None) -> str:
    """The word alone, agreeing with ``number``: 'session' or 'sessions'."""
    return singular if number == 1 else (plural or f"{singular}s")


def mean(value: Number) -> str:
    """A mean score or a change in one, to one decimal place, half up: '23.4', '-1.5', '0.0'."""
    rounded = _decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return "0.0" if rounded == 0 else f"{rounded:f}"  # never "-0.0"


def change(value: Number) -> str:
    """A change in a score, with its sign: '+1.4', '-0.6', '0.0'."""
    written = mean(value)
    return written if written.startswith("-") or written == "0.0" else f"+{written}"


HALF = Decimal("0.5")


def _to_half_hour(value: Number, rounding: str) -> Decimal:
    # Count in half hours, round, and count back: 60.82 -> 121.64 halves -> 122 -> 61.
    halves = (_decimal(value) / HALF).quantize(Decimal(1), rounding=rounding)
    return halves * HALF


def _plain(number: Decimal) -> str:
    # normalize() writes 100 as 1E+2, and a zero as 0E+1: format it as a plain number.
    number = number.normalize()
    return "0" if number == 0 else f"{number:f}"


def hours_number(value: Number) -> str:
    """A number of hours without its unit, to the nearest half hour: '1', '1.5', '61'."""
    return _plain(_to_half_hour(value, ROUND_HALF_UP))


def hours_exact_number(value: Number) -> str:
    """A number of hours without its unit, exact to the hundredth the ledger keeps: '63.82',
    '64', '1.5'. Only where hours stand beside what they cost or must add up to a total on the
    same page (a pool's allocations): rounded to the half hour, 63.82 hours would read '64' next
    to £3,829.20, and a column of rounded rows would not add up to its total."""
    return _plain(_decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP))


def _hours_words(number: Decimal) -> str:
    return f"{_plain(number)} {'hour' if number == 1 else 'hours'}"


def hours_exact(value: Number) -> str:
    """``hours_exact_number`` with its unit, for a figure standing beside its cost:
    '63.82 hours', '1 hour', '0.5 hours'."""
    return _hours_words(_decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP))


def hours(value: Number) -> str:
    """'1 hour', '1.5 hours', '0 hours' — never '1 hours' nor '60.82 hours': to the nearest
    half hour (a quarter hour rounds up)."""
    return _hours_words(_to_half_hour(value, ROUND_HALF_UP))


def bookable_hours(value: Number) -> Decimal:
    """The hours ``hours_left`` writes, as a number for a table's cell or a chart: rounded DOWN
    to the half hour, never below 0 (45.82 -> 45.5, -2 -> 0)."""
    return _to_half_hour(max(_decimal(value), Decimal(0)), ROUND_FLOOR)


def hours_left(value: Number) -> str:
    """Hours that can still be booked, rounded DOWN to the half hour, so a page never promises
    more than booking accepts: 45.82 -> '45.5 hours', 0.4 -> '0 hours'. Never negative: an
    overspent balance reads '0 hours'. Every page that says how many hours are left writes them
    with this, so the lead's summary and the booking page read the same figure."""
    return _hours_words(bookable_hours(value))


def hours_at_least(value: Number) -> str:
    """A floor someone must stay above, rounded UP to the half hour so the figure given is
    accepted: 'already booked 60.6 hours' -> '60.5 hours' would be refused, so '61 hours'."""
    return _hours_words(_to_half_hour(value, ROUND_CEILING))


def money(amount: Number) -> str:
    """Pounds: '£45', '£1,234.50' (pence only when there are some)."""
    pence = _decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)
    sign, pence = ("-" if pence < 0 else ""), abs(pence)
    if pence == pence.to_integral_value():
        return f"{sign}£{pence:,.0f}"
    return f"{sign}£{pence:,.2f}"


def _on_clock(moment: datetime.datetime | datetime.date, zone: str) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(ZoneInfo(zone))
    return moment


def day(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026': the weekday always, as people plan by it."""
    local = _on_clock(moment, zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


# One way to write a date: with its weekday. `date` stays as the name most callers use.
date = day


def short_date(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'9 Dec 2026', where a table column has little room."""
    local = _on_clock(moment, zone)
    return f"{local.day} {local:%b %Y}"


def month(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'January 2027': a month with its year, the full name (never 'Jan 2027' nor '2027-01')."""
    local = _on_clock(moment, zone)
    return f"{local:%B %Y}"


def month_name(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'January': a month alone, where the sentence already makes the year plain."""
    local = _on_clock(moment, zone)
    return f"{local:%B}"


def month_on_axis(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Jan 27': a chart's axis label only, where twelve months share a line; the chart's table
    beside it names each month in full (``month``)."""
    local = _on_clock(moment, zone)
    return f"{local:%b %y}"


def clock(moment: datetime.time | datetime.datetime, zone: str | None = None) -> str:
    """'2pm', '9:30am', 'midday', 'midnight' (the GOV.UK style). A datetime is read on its own
    clock, or on ``zone``'s when one is named (a slot computed in a supervisor's zone stays on it)."""
    if isinstance(moment, datetime.datetime):
        moment = (moment.astimezone(ZoneInfo(zone)) if zone else moment).time()
    if moment.minute == 0:
        if moment.hour == 0:
            return "midnight"
        if moment.hour == 12:
            return "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def moment(when: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026, 2pm'."""
    return f"{day(when, zone)}, {clock(when, zone)}"


def moment_or_today(when: datetime.datetime, zone: str = UK_ZONE, *, now: datetime.datetime | None = None) -> str:
    """'2pm today' for a moment earlier today, else 'Wednesday 9 December 2026, 2pm'."""
    if day(when, zone) == day(now or datetime.datetime.now(datetime.UTC), zone):
        return f"{clock(when, zone)} today"
    return moment(when, zone)


def moment_this_year(when: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December, 2pm': a moment in the coming days, where the year goes without saying."""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B}, {clock(local)}"


def span(start: datetime.datetime, end: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026, 2pm to 4pm' ('to', not a dash, as GOV.UK writes ranges)."""
    return f"{day(start, zone)}, {clock(start, zone)} to {clock(end, zone)}"
