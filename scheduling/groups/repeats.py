"""How often a reflective group meets, in words: "every month on the second Wednesday", "every
2 weeks on Tuesday". Pure: words to a recurrence rule, and a rule back to words.

A commissioner chooses the words; the group keeps the RRULE they make (docs/groups.md,
"Creating a group"), so the bounded reader in ``recurrence`` is the only one that expands it.
A rule typed by hand (the advanced option) is shown in words when it is one of these shapes,
and as the rule itself otherwise.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

from reflect import wording

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Which week of the month; -1 is the last (RRULE's BYDAY=-1WE).
ORDINALS: dict[int, str] = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
# At most once a week, at least once a quarter-year or so: a group that meets less often than
# every 12 weeks is written as a monthly rule with an interval, in the advanced option.
MOST_WEEKS_APART = 12


# The most dates a group "on dates I choose" may have: a term's worth, a year of months.
MOST_CHOSEN_DATES = 12
# A group on chosen dates keeps them as RFC 5545's RDATE list with no RRULE, in the same field
# as a rule: "RDATE;VALUE=DATE:20270114,20270211". recurrence reads it the bounded way too.
_RDATE = re.compile(r"RDATE(?:;VALUE=DATE)?:([0-9]{8}(?:,[0-9]{8})*)", re.ASCII)


class Every(enum.StrEnum):
    MONTH = "month"
    WEEKS = "weeks"
    DATES = "dates"


def rule_for_dates(dates: list[datetime.date]) -> str:
    """The RDATE list of chosen dates, earliest first, each once."""
    return "RDATE;VALUE=DATE:" + ",".join(f"{day:%Y%m%d}" for day in sorted(set(dates)))


def dates_in(rule: str) -> tuple[datetime.date, ...] | None:
    """The chosen dates a rule lists (earliest first), or None when it is not a list of dates
    (a repeat rule, or a list we cannot read). At most ``MOST_CHOSEN_DATES`` of them."""
    match = _RDATE.fullmatch(rule.strip().upper())
    if match is None:
        return None
    texts = match[1].split(",")
    if len(texts) > MOST_CHOSEN_DATES:
        return None
    try:
        days = {datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])) for text in texts}
    except ValueError:
        return None
    return tuple(sorted(days))


@dataclass(frozen=True)
class Repeat:
    """A repeat in words. ``weekday`` is 0 for Monday; ``ordinal`` (monthly) is 1–4 or -1 for
    the last; ``weeks`` (weekly) is how many weeks apart, 1 to ``MOST_WEEKS_APART``."""

    every: Every
    weekday: int
    ordinal: int = 1
    weeks: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday is 0 (Monday) to 6 (Sunday)")
        if self.every == Every.MONTH and self.ordinal not in ORDINALS:
            raise ValueError("ordinal is 1 to 4, or -1 for the last")
        if self.every == Every.WEEKS and not 1 <= self.weeks <= MOST_WEEKS_APART:
            raise ValueError(f"weeks is 1 to {MOST_WEEKS_APART}")


def rule_for(repeat: Repeat) -> str:
    """The recurrence rule the words make."""
    day = WEEKDAY_CODES[repeat.weekday]
    if repeat.every == Every.MONTH:
        return f"FREQ=MONTHLY;BYDAY={repeat.ordinal:+d}{day}"
    if repeat.weeks == 1:
        return f"FREQ=WEEKLY;BYDAY={day}"
    return f"FREQ=WEEKLY;INTERVAL={repeat.weeks};BYDAY={day}"


def first_day(repeat: Repeat, first_date: datetime.date) -> datetime.date:
    """The date a group's pattern starts from. For "every 2 weeks on Tuesday" it is the first
    Tuesday on or after the first date: an RRULE counts its weeks from the week the start is
    in, so from a Wednesday it would skip the Tuesday after and begin a fortnight later, which
    is not what the words say. A monthly repeat starts from the first date as it is."""
    if repeat.every == Every.WEEKS:
        return first_date + datetime.timedelta(days=(repeat.weekday - first_date.weekday()) % 7)
    return first_date


def said(repeat: Repeat) -> str:
    """The words: "every month on the second Wednesday", "every week on Tuesday", "every 2
    weeks on Tuesday"."""
    day = WEEKDAY_NAMES[repeat.weekday]
    if repeat.every == Every.MONTH:
        return f"every month on the {ORDINALS[repeat.ordinal]} {day}"
    if repeat.weeks == 1:
        return f"every week on {day}"
    return f"every {repeat.weeks} weeks on {day}"


_MONTHLY = re.compile(r"FREQ=MONTHLY;BYDAY=([+-]?[1-4])(MO|TU|WE|TH|FR|SA|SU)")
_WEEKLY = re.compile(r"FREQ=WEEKLY(?:;INTERVAL=([0-9]{1,2}))?(?:;BYDAY=(MO|TU|WE|TH|FR|SA|SU))?")


def repeat_in(rule: str, first_date: datetime.date | None = None) -> Repeat | None:
    """The words a rule says, when it is one of the shapes the words make (parts in any order,
    ``INTERVAL=1`` and a leading ``RRULE:`` allowed); None for any other rule. A weekly rule
    with no day meets on the first date's weekday, so it needs ``first_date`` to be read."""
    text = rule.strip().upper()
    text = text.removeprefix("RRULE:")
    parts = [part.strip() for part in text.split(";") if part.strip()]
    named: dict[str, str] = {}
    for part in parts:
        name, equals, value = part.partition("=")
        if not equals or name in named:
            return None
        named[name] = value
    if named.get("INTERVAL") == "1":
        del named["INTERVAL"]
    order = ["FREQ", "INTERVAL", "BYDAY"]
    if set(named) - set(order):
        return None
    canonical = ";".join(f"{name}={named[name]}" for name in order if name in named)
    monthly = _MONTHLY.fullmatch(canonical)
    if monthly:
        ordinal = int(monthly[1])
        if ordinal == -1 or 1 <= ordinal <= 4:
            return Repeat(Every.MONTH, WEEKDAY_CODES.index(monthly[2]), ordinal=ordinal)
        return None
    weekly = _WEEKLY.fullmatch(canonical)
    if weekly:
        weeks = int(weekly[1]) if weekly[1] else 1
        if not 1 <= weeks <= MOST_WEEKS_APART:
            return None
        if weekly[2]:
            weekday = WEEKDAY_CODES.index(weekly[2])
        elif first_date is not None:
            weekday = first_date.weekday()
        else:
            return None
        return Repeat(Every.WEEKS, weekday, weeks=weeks)
    return None


def rule_in_words(rule: str, first_date: datetime.date | None = None) -> str:
    """A group's rule as a person reads it: the words where it has them, else the rule itself."""
    dates = dates_in(rule)
    if dates is not None:
        return f"on {wording.count(len(dates), 'date')} chosen in advance"
    repeat = repeat_in(rule, first_date)
    if repeat is not None:
        return said(repeat)
    return f"by the repeat rule {rule.strip()}"


def meets(rule: str, first_date: datetime.date, start: datetime.time, minutes: int) -> str:
    """When a group meets, in the words it was made with: "Meets every month on the second
    Wednesday at 14:00, for 120 minutes." (the time as reflect/wording.py writes it)."""
    length = wording.count(minutes, "minute")
    return f"Meets {rule_in_words(rule, first_date)} at {wording.clock(start)}, for {length}."
