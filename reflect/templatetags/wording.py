"""Templates write numbers, money and dates through reflect.wording, as the code does:
``{% load wording %}`` then ``{{ balance.left|hours }}``, ``{{ rate|money }}``, ``{{ day|date_in_words }}``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from reflect import wording
from reflect.local_time import UK_ZONE

register = template.Library()


@register.filter
def hours(value: Decimal | int | float | None) -> str:
    return "" if value is None else wording.hours(value)


@register.filter
def hours_number(value: Decimal | int | float | None) -> str:
    return "" if value is None else wording.hours_number(value)


@register.filter
def hours_exact_number(value: Decimal | int | float | None) -> str:
    """Hours to the hundredth, where they stand beside their cost or a total (wording.hours_exact_number)."""
    return "" if value is None else wording.hours_exact_number(value)


@register.filter
def money(value: Decimal | int | float | None) -> str:
    return "" if value is None else wording.money(value)


@register.filter
def date_in_words(value: datetime.date | datetime.datetime | None) -> str:
    return "" if value is None else wording.date(value)


@register.filter
def day_in_words(value: datetime.date | datetime.datetime | None) -> str:
    return "" if value is None else wording.day(value)


@register.filter
def short_date(value: datetime.date | datetime.datetime | None) -> str:
    return "" if value is None else wording.short_date(value)


@register.filter
def month(value: datetime.date | datetime.datetime | None) -> str:
    """'January 2027'."""
    return "" if value is None else wording.month(value)


@register.filter
def hours_left(value: Decimal | int | float | None) -> str:
    """Hours that can still be booked, rounded down to the half hour (wording.hours_left)."""
    return "" if value is None else wording.hours_left(value)


# expects_localtime: a datetime arrives on the page's clock (London), as Django's own |time
# filter reads it, unless the template turned that off for a supervisor's zone.
@register.filter(expects_localtime=True)
def clock(value: datetime.time | datetime.datetime | None, zone: str | None = None) -> str:
    """'2pm', '9:30am', 'midday'; ``{{ t|clock:zone }}`` reads a datetime on a named zone's clock."""
    return "" if value is None else wording.clock(value, zone)


@register.filter
def moment_in_words(value: datetime.datetime | None, zone: str | None = None) -> str:
    """'Wednesday 9 December 2026, 2pm'."""
    return "" if value is None else wording.moment(value, zone or UK_ZONE)


@register.filter
def count(value: int | None, words: str) -> str:
    """``{{ n|count:"session" }}`` or ``{{ n|count:"match,matches" }}``: '1 session', '3 sessions'."""
    if value is None:
        return ""
    singular, _, plural = words.partition(",")
    return wording.count(value, singular, plural or None)
