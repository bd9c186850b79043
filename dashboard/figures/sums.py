"""The sums every figure module builds its queries from, and the arithmetic on what they return."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from dashboard.tables import CENT, RawRow
from reflect.services.ledger import HoursBalance, balance_from

ZERO = Decimal("0")


def hours_sum(condition: Q, field: str = "hours") -> Coalesce:
    return Coalesce(Sum(field, filter=condition), Value(ZERO), output_field=DecimalField())


def quantity_sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("quantity", filter=condition), Value(0), output_field=IntegerField())


def as_hours(value: object) -> Decimal:
    """A sum of hours (or money) from the database, to the cent; nothing is zero."""
    if type(value) is Decimal and value:
        # The common case, called thousands of times a look: a Decimal's text is itself.
        return value.quantize(CENT)
    return Decimal(str(value or 0)).quantize(CENT)


def later(a: datetime.datetime | None, b: datetime.datetime | None) -> datetime.datetime | None:
    """The later of two moments, either of which may be missing."""
    return b if a is None or (b is not None and b > a) else a


def balance_of(row: RawRow, *, consumed: object) -> HoursBalance:
    """An organisation's hours as the booking service counts them (reflect.services.ledger)."""
    return balance_from(
        allocated=as_hours(row["allocated"]),
        reserved=as_hours(row["reserved_gross"]),
        released=as_hours(row["released"]),
        consumed=as_hours(consumed),
    )
