"""The ledger's monthly totals worked out again from its entries, independently of the code
that keeps them (reflect.services.ledger), for the check that the two always agree."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from reflect.models import LedgerEntry, LedgerMonth

LONDON = ZoneInfo("Europe/London")
CENT = Decimal("0.01")


def _key(pool_id: int, organisation_id: int | None, kind: str, month: datetime.date) -> tuple[object, ...]:
    return (pool_id, organisation_id, kind, month)


def months_from_entries() -> dict[tuple[object, ...], tuple[object, ...]]:
    """(pool, organisation, kind, London month) → (entries, hours, money, quantity, first, last)."""
    totals: dict[tuple[object, ...], list[Any]] = {}
    for entry in LedgerEntry.objects.order_by("pk"):
        local = entry.occurred_at.astimezone(LONDON)
        key = _key(entry.pool_id, entry.organisation_id, entry.kind, datetime.date(local.year, local.month, 1))
        row = totals.setdefault(key, [0, Decimal(0), Decimal(0), 0, entry.occurred_at, entry.occurred_at])
        row[0] += 1
        row[1] += entry.hours
        row[2] += entry.money
        row[3] += entry.quantity
        row[4] = min(row[4], entry.occurred_at)
        row[5] = max(row[5], entry.occurred_at)
    return {
        key: (n, Decimal(hours).quantize(CENT), Decimal(money).quantize(CENT), quantity, first, last)
        for key, (n, hours, money, quantity, first, last) in totals.items()
    }


def months_recorded() -> dict[tuple[object, ...], tuple[object, ...]]:
    return {
        _key(m.pool_id, m.organisation_id, m.kind, m.month): (
            m.entries,
            m.hours.quantize(CENT),
            m.money.quantize(CENT),
            m.quantity,
            m.first_at,
            m.last_at,
        )
        for m in LedgerMonth.objects.all()
    }


def assert_months_agree_with_the_ledger() -> None:
    assert months_recorded() == months_from_entries()
