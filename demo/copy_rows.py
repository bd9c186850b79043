"""How the scale demos write their large tables: through the ORM's ``bulk_create`` (the city, on
any database), or with PostgreSQL's COPY (the national scale's millions of rows).

COPY needs each row's key before it is written (places name their session, ledger entries their
waitlist entry), so :class:`CopyWriter` reserves a block of the table's identity sequence and
hands the keys out itself. The ledger's monthly totals are then added up from the entries by one
grouped INSERT: the same sums as ``reflect.services.ledger`` keeps, which the tests' after-each
check (tests/ledger_months.py) compares with the entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

from reflect.models import LedgerEntry, LedgerMonth, Pool
from reflect.models.ledger import LEDGER_ZONE
from reflect.services.ledger import record_ledger_entries

BATCH = 5000


class OrmWriter:
    """``bulk_create`` and ``bulk_update``: any database, all of the ledger written at the end."""

    ledger_batch = 10**9  # the whole ledger in one call, with its months

    def insert(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        model._default_manager.bulk_create(objects, batch_size=BATCH)

    def give_keys(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        self.insert(model, objects)

    def complete(self, model: type[models.Model], objects: Sequence[models.Model], fields: list[str]) -> None:
        model._default_manager.bulk_update(objects, fields, batch_size=BATCH)

    def ledger(self, pool: Pool, entries: list[LedgerEntry]) -> None:
        record_ledger_entries(pool, entries, batch_size=BATCH)

    def ledger_months(self, pool: Pool) -> None:
        """Written with the entries (``record_ledger_entries``)."""


class CopyWriter:
    """COPY, PostgreSQL only: each table's rows streamed once, whole, in batches."""

    ledger_batch = 100_000

    def __init__(self) -> None:
        if connection.vendor != "postgresql":
            raise RuntimeError("The national-scale seed writes with COPY and needs PostgreSQL.")

    def give_keys(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        """Reserve a block of keys from the table's sequence (nothing is written yet)."""
        if not objects:
            return
        table = model._meta.db_table
        with connection.cursor() as cursor:
            # setval(nextval + n - 1) takes n keys at once; the seed is the table's only writer.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, len(objects)],
            )
            last = cursor.fetchone()[0]
        for key, obj in enumerate(objects, start=last - len(objects) + 1):
            obj.pk = key

    def complete(self, model: type[models.Model], objects: Sequence[models.Model], fields: list[str]) -> None:
        """Write rows given their keys earlier (``fields`` are in them already)."""
        self._copy(model, objects)

    def insert(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        self.give_keys(model, objects)
        self._copy(model, objects)

    def ledger(self, pool: Pool, entries: list[LedgerEntry]) -> None:
        self.insert(LedgerEntry, entries)

    def ledger_months(self, pool: Pool) -> None:
        """The pool's monthly totals, added up from its entries by the database (one statement)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {LedgerMonth._meta.db_table} "  # noqa: S608 - the app's own table names
                "(pool_id, organisation_id, kind, month, entries, hours, money, quantity, first_at, last_at) "
                "SELECT pool_id, organisation_id, kind, "
                "date_trunc('month', occurred_at AT TIME ZONE %s)::date, "
                "count(*), sum(hours), sum(money), sum(quantity), min(occurred_at), max(occurred_at) "
                f"FROM {LedgerEntry._meta.db_table} WHERE pool_id = %s "
                "GROUP BY pool_id, organisation_id, kind, 4",
                [str(LEDGER_ZONE), pool.pk],
            )

    def _copy(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        fields = model._meta.concrete_fields
        columns = ", ".join(f"{field.column}" for field in fields)
        with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                # pre_save gives auto_now fields their moment, and every other field its value.
                copy.write_row([field.pre_save(obj, True) for field in fields])


# What the seed writes its tables with.
Writer = OrmWriter | CopyWriter
