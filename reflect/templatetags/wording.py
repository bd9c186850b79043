"""Templates write numbers, money and dates through reflect.wording, as the code does:
``{% load wording %}`` then ``{{ balance.left|hours }}``, ``{{ rate|money }}``, ``{{ day|date_in_words }}``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from reflect import wording

register = template.Library()


@register.filter
def hours(value: Decimal | int | float | None) -> str:
    return "" if value is None else wording.hours(value)


@register.filter
def hours_number(value: Decimal | int | float | None) -> str:
    return "" if value is None else wording.hours_number(value)


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
