"""The usage ledger: the one way any app records a countable event (DESIGN.md §3)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, Organisation, Pool

ZERO = Decimal("0")
CENT = Decimal("0.01")


def hours_sum(value: Decimal | float | None) -> Decimal:
    """A SUM() of hours as an exact two-place Decimal (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def record_ledger_entry(
    pool: Pool,
    kind: LedgerKind | str,
    *,
    organisation: Organisation | None = None,
    hours: Decimal = ZERO,
    quantity: int = 0,
    occurred_at: datetime.datetime | None = None,
    source: str | None = None,
    note: str = "",
    source_is_new: bool = False,
) -> LedgerEntry | None:
    """Append an entry. With a ``source`` key, recording the same event twice records it once.

    Returns None when the event was already recorded. ``source_is_new`` when the source names
    a row the caller has just inserted in this transaction (a place just booked): no entry can
    hold it yet, so the savepoint that guards against a second recording is skipped.
    """
    entry = LedgerEntry(
        pool=pool,
        organisation=organisation,
        kind=kind,
        hours=hours,
        money=(hours * pool.hourly_rate).quantize(Decimal("0.01")),
        quantity=quantity,
        occurred_at=occurred_at or timezone.now(),
        source=source,
        note=note,
    )
    if source is None or source_is_new:
        entry.save()
        return entry
    # The unique source key is the idempotency guard; a savepoint keeps the caller's
    # transaction usable when the insert is refused.
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None
    return entry


def allocated_hours_by_organisation(pool: Pool) -> dict[int, Decimal]:
    rows = (
        LedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ALLOCATED, organisation__isnull=False)
        .values("organisation_id")
        .annotate(total=Sum("hours"))
    )
    return {row["organisation_id"]: hours_sum(row["total"]) for row in rows}


def allocated_hours(pool: Pool, organisation: Organisation) -> Decimal:
    total = LedgerEntry.objects.filter(pool=pool, organisation=organisation, kind=LedgerKind.ALLOCATED).aggregate(
        total=Sum("hours")
    )["total"]
    return hours_sum(total)


@dataclass(frozen=True)
class HoursBalance:
    """An organisation's hours in a pool, derived from the ledger.

    How the hour kinds move: booking a session records RESERVED; cancelling in time records
    RELEASED (the hours come back); attending, a no-show or a late cancellation records
    CONSUMED, which turns reserved hours into used ones. So ``reserved`` (still to happen) is
    RESERVED − RELEASED − CONSUMED, ``used`` is CONSUMED, and ``left`` is what may still be
    booked: allocated − reserved − used.
    """

    allocated: Decimal
    reserved: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal:
        return self.allocated - self.reserved - self.used


HOUR_KINDS = (LedgerKind.ALLOCATED, LedgerKind.RESERVED, LedgerKind.RELEASED, LedgerKind.CONSUMED)


def _balance(totals: dict[str, Decimal]) -> HoursBalance:
    consumed = totals.get(LedgerKind.CONSUMED, ZERO)
    return HoursBalance(
        allocated=totals.get(LedgerKind.ALLOCATED, ZERO),
        reserved=totals.get(LedgerKind.RESERVED, ZERO) - totals.get(LedgerKind.RELEASED, ZERO) - consumed,
        used=consumed,
    )


def hours_balance(pool: Pool, organisation: Organisation) -> HoursBalance:
    rows = (
        LedgerEntry.objects.filter(pool=pool, organisation=organisation, kind__in=HOUR_KINDS)
        .values("kind")
        .annotate(total=Sum("hours"))
    )
    return _balance({row["kind"]: hours_sum(row["total"]) for row in rows})


def hours_balances(pool: Pool) -> dict[int, HoursBalance]:
    """Every organisation's balance in the pool, in one query (hours_balance for all)."""
    totals: dict[int, dict[str, Decimal]] = {}
    rows = (
        LedgerEntry.objects.filter(pool=pool, organisation__isnull=False, kind__in=HOUR_KINDS)
        .values("organisation_id", "kind")
        .annotate(total=Sum("hours"))
    )
    for row in rows:
        totals.setdefault(row["organisation_id"], {})[row["kind"]] = hours_sum(row["total"])
    return {organisation_id: _balance(kinds) for organisation_id, kinds in totals.items()}
