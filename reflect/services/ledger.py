"""The usage ledger: the one way any app records a countable event (docs/architecture.md)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, F, QuerySet, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.inserts import insert_sql, write_in_one_statement, writes_in_one_statement
from reflect.models import LedgerEntry, LedgerMonth, Organisation, Pool
from reflect.models.ledger import ledger_month

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
    hold it yet, so the savepoint that guards against a second recording is skipped. The entry
    is added to its month's totals (LedgerMonth) in the same transaction, so the totals always
    agree with the entries.
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
    # The unique source key is the idempotency guard; a savepoint keeps the caller's
    # transaction usable when the insert is refused (and the month is then left as it was).
    guarded = source is not None and not source_is_new
    try:
        with transaction.atomic(savepoint=guarded):
            entry.save()
            _add_to_month(entry)
    except IntegrityError:
        if not guarded:
            raise
        return None
    return entry


def record_new_ledger_entries(entries: list[LedgerEntry]) -> None:
    """Append several entries of one organisation whose sources are new (``source_is_new``: each
    names a row the caller has just inserted, so no entry can hold it): one statement for the
    entries and their months on PostgreSQL (an insert and an upsert on SQLite), where
    ``record_ledger_entry`` takes two statements an entry. ``money`` is worked out here, as there. The months are added to in their lock
    order (reflect/locks.py: by kind), so two such batches cannot deadlock."""
    (entries_sql, entries_params), (months_sql, months_params) = new_ledger_entries_writes(entries)
    if writes_in_one_statement():
        # One round trip inside the caller's locks: the entries' insert as a CTE of the months'
        # upsert. The upsert does not read the entries (their totals are added up in Python), and
        # PostgreSQL runs a data-modifying CTE to completion whether or not it is read. The
        # entries' keys are not read back: nothing after a new entry uses them.
        write_in_one_statement([(entries_sql, entries_params), (months_sql, months_params)])
        return
    LedgerEntry.objects.bulk_create(entries)
    with connection.cursor() as cursor:
        cursor.execute(months_sql, months_params)


def new_ledger_entries_writes(entries: list[LedgerEntry]) -> list[tuple[str, list[Any]]]:
    """The two writes of ``record_new_ledger_entries`` (the same entries, the same rules), as SQL
    for a caller that runs them inside a statement of its own (reflect/inserts.py,
    ``write_in_one_statement``): the entries' insert, then their months' upsert."""
    for entry in entries:
        entry.money = (entry.hours * entry.pool.hourly_rate).quantize(CENT)
    totals: dict[tuple[int, int, str, datetime.date], list[LedgerEntry]] = {}
    for entry in entries:
        assert entry.organisation_id is not None, "an organisation's entries only (the months' upsert key)"
        key = (entry.pool_id, entry.organisation_id, entry.kind, ledger_month(entry.occurred_at))
        totals.setdefault(key, []).append(entry)
    months = _months_upsert(sorted(totals.items(), key=lambda item: (_kind_rank(item[0][2]), item[0][1])))
    return [insert_sql(entries), months]


# One statement for any number of months: insert each, or add to it when it is there (the
# partial unique constraint for an organisation's months is the conflict target). The same SQL
# on PostgreSQL and SQLite but for the two-argument minimum and maximum.
_MONTHS_UPSERT = """INSERT INTO reflect_ledgermonth
    (pool_id, organisation_id, kind, month, entries, hours, money, quantity, first_at, last_at)
VALUES {rows}
ON CONFLICT (pool_id, organisation_id, kind, month) WHERE organisation_id IS NOT NULL DO UPDATE SET
    entries = reflect_ledgermonth.entries + excluded.entries,
    hours = reflect_ledgermonth.hours + excluded.hours,
    money = reflect_ledgermonth.money + excluded.money,
    quantity = reflect_ledgermonth.quantity + excluded.quantity,
    first_at = {least}(reflect_ledgermonth.first_at, excluded.first_at),
    last_at = {greatest}(reflect_ledgermonth.last_at, excluded.last_at)
"""


def _months_upsert(
    months: list[tuple[tuple[int, int, str, datetime.date], list[LedgerEntry]]],
) -> tuple[str, list[Any]]:
    ops = connection.ops
    params: list[Any] = []  # each adapted for the database by its field type
    for (pool_id, organisation_id, kind, month), entries in months:
        hours = sum((entry.hours for entry in entries), ZERO)
        money = sum((entry.money for entry in entries), ZERO)
        moments = [entry.occurred_at for entry in entries]
        params += [
            pool_id,
            organisation_id,
            kind,
            ops.adapt_datefield_value(month),
            len(entries),
            ops.adapt_decimalfield_value(hours, 12, 2),
            ops.adapt_decimalfield_value(money, 14, 2),
            sum(entry.quantity for entry in entries),
            ops.adapt_datetimefield_value(min(moments)),
            ops.adapt_datetimefield_value(max(moments)),
        ]
    least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
    row = "(" + ", ".join(["%s"] * 10) + ")"
    return _MONTHS_UPSERT.format(rows=", ".join([row] * len(months)), least=least, greatest=greatest), params


def _month_key(entry: LedgerEntry) -> dict[str, object]:
    return {
        "pool_id": entry.pool_id,
        "organisation_id": entry.organisation_id,
        "kind": entry.kind,
        "month": ledger_month(entry.occurred_at),
    }


def _add_to_month(entry: LedgerEntry) -> None:
    key = _month_key(entry)
    when = Value(entry.occurred_at, output_field=DateTimeField())
    added = {
        "entries": F("entries") + 1,
        "hours": F("hours") + entry.hours,
        "money": F("money") + entry.money,
        "quantity": F("quantity") + entry.quantity,
        "first_at": Least("first_at", when),
        "last_at": Greatest("last_at", when),
    }
    # UPDATE first: it locks the month's row, so concurrent entries add up one after another.
    if LedgerMonth.objects.filter(**key).update(**added):
        return
    try:
        with transaction.atomic():
            LedgerMonth.objects.create(
                **key,
                entries=1,
                hours=entry.hours,
                money=entry.money,
                quantity=entry.quantity,
                first_at=entry.occurred_at,
                last_at=entry.occurred_at,
            )
    except IntegrityError:
        # Another transaction created the month's row meanwhile (the unique constraint made this
        # insert wait for it to commit): add to that row instead.
        LedgerMonth.objects.filter(**key).update(**added)


# The order in which a transaction holds months of several kinds (``ledger_months_held_for``):
# the order a single change records them in — a cancellation's place, then the waitlist's place
# taken, its booking, or an offer — so that one recording them as it goes never takes two kinds
# against it. Other kinds come after, in the order of their names.
MONTH_KIND_ORDER: tuple[str, ...] = (
    LedgerKind.PLACE_CANCELLED,
    LedgerKind.WAITLIST_TAKEN,
    LedgerKind.PLACE_BOOKED,
    LedgerKind.WAITLIST_OFFERED,
)


def _kind_rank(kind: str) -> tuple[int, str]:
    return (MONTH_KIND_ORDER.index(kind), "") if kind in MONTH_KIND_ORDER else (len(MONTH_KIND_ORDER), kind)


@contextmanager
def ledger_months_held(
    pool: Pool, kind: LedgerKind | str, organisation_ids: Iterable[int], occurred_at: datetime.datetime
) -> Iterator[None]:
    """Hold the months of one ``kind`` (``ledger_months_held_for`` with that kind only)."""
    with ledger_months_held_for(pool, {kind: organisation_ids}, occurred_at):
        yield


@contextmanager
def ledger_months_held_for(
    pool: Pool, organisations_by_kind: Mapping[str, Iterable[int]], occurred_at: datetime.datetime
) -> Iterator[None]:
    """Hold the months that entries at ``occurred_at`` will add to — of each kind, these
    organisations' — locked in (kind, organisation) order, kinds in ``MONTH_KIND_ORDER``, for a
    caller about to record several of them in an order of its own (call inside
    ``transaction.atomic``).

    Each entry locks its month's row as it is recorded (``_add_to_month``), so a transaction that
    records entries of two organisations in one order, while another records them in the other,
    deadlocks. Taking every row first, in one order all such callers share, means this
    transaction then waits for nobody on them. A month with no row yet gets one now: the first
    entry's insert would otherwise take it only when that entry is recorded, out of order again.
    Such a row is empty until the caller's entries add to it; one left empty (the caller
    recorded nothing there after all) is removed on the way out, since every month row must
    add up entries that exist.
    """
    month = ledger_month(occurred_at)
    held = {str(kind): sorted(set(ids)) for kind, ids in organisations_by_kind.items()}
    held = {kind: ids for kind, ids in held.items() if ids}
    for kind in sorted(held, key=_kind_rank):
        for organisation_id in held[kind]:
            # One at a time, creating then locking: a row created here is ours until we commit,
            # so creating them all before locking any would take them out of order.
            LedgerMonth.objects.select_for_update().get_or_create(
                pool=pool,
                organisation_id=organisation_id,
                kind=kind,
                month=month,
                defaults={"first_at": occurred_at, "last_at": occurred_at},
            )
    # No try/finally: if the caller raises, its transaction rolls back, rows created here too.
    yield
    for kind, organisation_ids in held.items():
        LedgerMonth.objects.filter(
            pool=pool, kind=kind, month=month, organisation_id__in=organisation_ids, entries=0
        ).delete()


def record_ledger_entries(pool: Pool, entries: Iterable[LedgerEntry], *, batch_size: int = 5000) -> int:
    """Append many entries of one pool at once (a bulk load, such as the city-scale demo), with
    their months' totals, in one transaction. No source-key idempotency: callers write new
    events only. Returns how many entries were written."""
    entries = list(entries)
    months: dict[tuple[object, ...], LedgerMonth] = {}
    with transaction.atomic():
        # The pool's existing months, locked, so that nothing adds to them meanwhile.
        existing = {
            (m.organisation_id, m.kind, m.month): m for m in LedgerMonth.objects.select_for_update().filter(pool=pool)
        }
        LedgerEntry.objects.bulk_create(entries, batch_size=batch_size)
        for entry in entries:
            key = (entry.organisation_id, entry.kind, ledger_month(entry.occurred_at))
            month = months.get(key) or existing.get(key)
            if month is None:
                month = LedgerMonth(**_month_key(entry), first_at=entry.occurred_at, last_at=entry.occurred_at)
            months[key] = month
            month.entries += 1
            month.hours += entry.hours
            month.money += entry.money
            month.quantity += entry.quantity
            month.first_at = min(month.first_at, entry.occurred_at)
            month.last_at = max(month.last_at, entry.occurred_at)
        # Split before creating: bulk_create gives the new rows their keys.
        new = [m for m in months.values() if m.pk is None]
        added_to = [m for m in months.values() if m.pk is not None]
        LedgerMonth.objects.bulk_create(new, batch_size=batch_size)
        LedgerMonth.objects.bulk_update(
            added_to, ["entries", "hours", "money", "quantity", "first_at", "last_at"], batch_size=batch_size
        )
    return len(entries)


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


def balance_from(*, allocated: Decimal, reserved: Decimal, released: Decimal, consumed: Decimal) -> HoursBalance:
    """The balance from the hour kinds' totals: the one formula, for booking and the dashboard.

    The hours still reserved never go below zero: hours consumed with no reservation before
    them (an entry made by hand, say) would otherwise give hours back. No service writes such
    an entry; one that did would still cancel out hours reserved for other sessions."""
    still_reserved = max(reserved - released - consumed, ZERO)
    return HoursBalance(allocated=allocated, reserved=still_reserved, used=consumed)


def balance_of_totals(totals: Mapping[str, Decimal]) -> HoursBalance:
    """The balance from each hour kind's total (``hour_totals``' rows, added up by kind)."""
    return balance_from(
        allocated=totals.get(LedgerKind.ALLOCATED, ZERO),
        reserved=totals.get(LedgerKind.RESERVED, ZERO),
        released=totals.get(LedgerKind.RELEASED, ZERO),
        consumed=totals.get(LedgerKind.CONSUMED, ZERO),
    )


def hour_totals(pool: Pool | int, organisation: Organisation | int) -> QuerySet[Any, Any]:
    """The organisation's total hours of each hour kind (rows of ``kind`` and ``total``), as a
    query a caller may combine with its own (booking reads it in a UNION with its hours)."""
    return (
        LedgerEntry.objects.filter(pool=pool, organisation=organisation, kind__in=HOUR_KINDS)
        .order_by()
        .values("kind")
        .annotate(total=Sum("hours"))
    )


def hours_balance(pool: Pool, organisation: Organisation) -> HoursBalance:
    return balance_of_totals({row["kind"]: hours_sum(row["total"]) for row in hour_totals(pool, organisation)})


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
    return {organisation_id: balance_of_totals(kinds) for organisation_id, kinds in totals.items()}
