"""How Reflect writes numbers, amounts, dates and times for people: one wording for pages,
e-mails, texts, CSV cells and PDFs, so the same quantity reads the same everywhere
(docs/conventions.md, "Wording of numbers and dates").

Every function is pure and takes plain values. Moments (aware datetimes) are written on a wall
clock: Europe/London unless the caller names another zone (a supervisor's or a group's).
Templates use the same functions through the ``wording`` template library.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
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


def plural(number: int, singular: str, plural: str | None = None) -> str:
    """The word alone, agreeing with ``number``: 'session' or 'sessions'."""
    return singular if number == 1 else (plural or f"{singular}s")


def hours_number(value: Number) -> str:
    """A number of hours without its unit: '1', '1.5', '60.82' (no trailing zeros)."""
    number = _decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP).normalize()
    # normalize() writes 100 as 1E+2: format it as a plain number.
    return f"{number:f}"


def hours(value: Number) -> str:
    """'1 hour', '1.5 hours', '0 hours' — never '1 hours'."""
    number = _decimal(value)
    return f"{hours_number(number)} {'hour' if number == 1 else 'hours'}"


def money(amount: Number) -> str:
    """Pounds: '£45', '£1,234.50' (pence only when there are some)."""
    pence = _decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)
    if pence == pence.to_integral_value():
        return f"£{pence:,.0f}"
    return f"£{pence:,.2f}"


def _on_clock(moment: datetime.datetime | datetime.date, zone: str) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(ZoneInfo(zone))
    return moment


def date(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'9 December 2026'."""
    local = _on_clock(moment, zone)
    return f"{local.day} {local:%B %Y}"


def short_date(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'9 Dec 2026', where a table column has little room."""
    local = _on_clock(moment, zone)
    return f"{local.day} {local:%b %Y}"


def day(moment: datetime.date | datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026'."""
    local = _on_clock(moment, zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


def clock(moment: datetime.time | datetime.datetime, zone: str | None = None) -> str:
    """'14:00': the time of day on the 24-hour clock. A datetime is read on its own clock, or
    on ``zone``'s when one is named (a slot computed in a supervisor's zone stays on it)."""
    if isinstance(moment, datetime.datetime):
        moment = (moment.astimezone(ZoneInfo(zone)) if zone else moment).time()
    return f"{moment:%H:%M}"


def moment(when: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026, 14:00'."""
    return f"{day(when, zone)}, {clock(when, zone)}"


def moment_this_year(when: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December, 14:00': a moment in the coming days, where the year goes without saying."""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B}, {clock(local)}"


def span(start: datetime.datetime, end: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026, 14:00–16:00'."""
    return f"{day(start, zone)}, {clock(start, zone)}–{clock(end, zone)}"
