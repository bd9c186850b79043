"""The INSERT Django would run, kept once per process for plain values (reflect/inserts.py): the
same SQL and parameters as the compiler's own, every time; anything else compiled afresh."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery

from reflect import inserts
from reflect.enums import LedgerKind
from reflect.inserts import insert_sql, write_in_one_statement, writes_in_one_statement
from reflect.models import LedgerEntry, LedgerMonth, Notification
from reflect.services.ledger import new_ledger_entries_writes
from reflect.services.notifications import outbox_row

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(inserts, "_kept_inserts", {})


def fresh(objs, **options):
    """The compiler's own SQL and parameters, with nothing kept."""
    kept, inserts._kept_inserts = inserts._kept_inserts, {}
    try:
        return insert_sql(objs, **options)
    finally:
        inserts._kept_inserts = kept


def entry(world, source):
    return LedgerEntry(
        pool=world.pool, organisation=world.organisation, kind=LedgerKind.PLACE_BOOKED, quantity=1,
        occurred_at=WHEN, source=source,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _now_fixed():
    # auto_now columns take the time of each build: the same in both here.
    with mock.patch("django.utils.timezone.now", return_value=WHEN):
        yield


def plain(params):
    # JSON goes to psycopg wrapped (Jsonb), compared by what it wraps.
    return [getattr(param, "obj", param) for param in params]


def test_a_kept_insert_is_the_compilers_for_each_new_row(world, monkeypatch):
    compiled = []
    monkeypatch.setattr(inserts, "InsertQuery", lambda model: compiled.append(model) or InsertQuery(model))
    insert_sql([entry(world, "a")])  # compiled, and kept
    for source in ("b", "c"):
        row = entry(world, source)
        before = len(compiled)
        sql, params = insert_sql([row])
        assert len(compiled) == before  # not compiled again
        assert (sql, params) == fresh([row])
        assert source in params
    assert len(compiled) == 3  # the first, and the two fresh ones to compare with


def test_a_value_that_is_an_expression_is_compiled_each_time(world):
    insert_sql([entry(world, "a")])
    row = entry(world, "b")
    row.note = RawSQL("%s", ["worked out by the database"])
    sql, params = insert_sql([row])
    assert (sql, params) == fresh([row])
    assert "worked out by the database" in params


def test_an_outbox_row_kept_and_fresh_alike(world):
    rows = [outbox_row(world.member, "group_place_booked", key=f"k{n}", context={"n": n}, about="x") for n in (1, 2)]
    insert_sql(rows[:1], returning_pk=True)
    sql, params = insert_sql(rows[1:], returning_pk=True)
    fresh_sql, fresh_params = fresh(rows[1:], returning_pk=True)
    assert (sql, plain(params)) == (fresh_sql, plain(fresh_params))
    assert "RETURNING" in sql and "k2" in params


@pytest.mark.skipif(connection.vendor != "postgresql", reason="data-modifying CTEs: PostgreSQL")
def test_writes_in_one_statement_all_land_or_none(world):
    assert writes_in_one_statement()
    first, second, clash = (
        outbox_row(world.member, "group_place_booked", key=key, about="x") for key in ("one", "two", "one")
    )
    [(pk,)] = write_in_one_statement([insert_sql([first]), insert_sql([second], returning_pk=True)])
    assert Notification.objects.get(pk=pk).idempotency_key == "two"
    with pytest.raises(IntegrityError), transaction.atomic():
        write_in_one_statement(
            [insert_sql([outbox_row(world.lead, "group_place_booked", key="three")]), insert_sql([clash])]
        )
    assert sorted(Notification.objects.values_list("idempotency_key", flat=True)) == ["one", "two"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="data-modifying CTEs: PostgreSQL")
@pytest.mark.parametrize("holds", [True, False])
def test_writes_only_if_a_condition_holds_write_the_same_rows_or_none(world, holds):
    # Each one-row insert becomes INSERT … SELECT … FROM condition WHERE holds: where the condition
    # holds, the rows written are those of the plain statement (a ledger entry, a month upserted
    # after its ON CONFLICT, an outbox row returning its key); where not, nothing, not even a key
    # taken from a sequence.
    plain_writes = [
        *new_ledger_entries_writes([entry(world, "plain")]),
        insert_sql(
            [outbox_row(world.member, "group_place_booked", key="plain", context={"n": 1}, about="x")],
            returning_pk=True,
        ),
    ]
    [(plain_pk,)] = write_in_one_statement(plain_writes)
    guarded = outbox_row(world.member, "group_place_booked", key="guarded", context={"n": 1}, about="x")
    written = write_in_one_statement(
        [*new_ledger_entries_writes([entry(world, "guarded")]), insert_sql([guarded], returning_pk=True)],
        only_if=("%s = %s", [1, 1 if holds else 2]),
    )
    month = LedgerMonth.objects.get(organisation=world.organisation, kind=LedgerKind.PLACE_BOOKED)
    notifications = Notification.objects.order_by("pk")
    if holds:
        assert written == [(plain_pk + 1,)]
        first, second = LedgerEntry.objects.order_by("pk")
        assert [(e.source, e.quantity, e.occurred_at, e.money) for e in (first, second)] == [
            ("plain", 1, WHEN, first.money),
            ("guarded", 1, WHEN, first.money),
        ]
        assert (month.entries, month.quantity) == (2, 2)
        assert [(n.idempotency_key, n.context, n.recipient) for n in notifications] == [
            ("plain", {"n": 1}, world.member),
            ("guarded", {"n": 1}, world.member),
        ]
    else:
        assert written == []
        assert list(LedgerEntry.objects.values_list("source", flat=True)) == ["plain"]
        assert (month.entries, month.quantity) == (1, 1)
        assert list(notifications.values_list("idempotency_key", flat=True)) == ["plain"]
        # No key was taken: the next outbox row has the one after the plain statement's.
        [(next_pk,)] = write_in_one_statement([insert_sql([guarded], returning_pk=True)])
        assert next_pk == plain_pk + 1


def test_several_rows_kept_and_fresh_alike(world, monkeypatch):
    """Several rows of plain values (PostgreSQL sends each column's values as one array): kept
    once, the same SQL and parameters as the compiler's own for other rows, with or without
    RETURNING their keys, and not compiled again."""
    batches = [[entry(world, f"{batch}-{n}") for n in range(3)] for batch in ("a", "b")]
    outbox = [
        [outbox_row(world.member, "group_place_booked", key=f"{batch}{n}", context={"n": n}) for n in range(2)]
        for batch in ("a", "b")
    ]
    insert_sql(batches[0])
    insert_sql(outbox[0], returning_pk=True)
    compiled = []
    monkeypatch.setattr(inserts, "InsertQuery", lambda model: compiled.append(model) or InsertQuery(model))
    for rows, options in ((batches[1], {}), (outbox[1], {"returning_pk": True})):
        sql, params = insert_sql(rows, **options)
        assert not compiled  # kept: not compiled again
        fresh_sql, fresh_params = fresh(rows, **options)
        assert (sql, [plain(p) if isinstance(p, list) else p for p in params]) == (
            fresh_sql,
            [plain(p) if isinstance(p, list) else p for p in fresh_params],
        )
        compiled.clear()
    if connection.vendor == "postgresql":
        sql, params = insert_sql(outbox[1], returning_pk=True)
        assert "UNNEST" in sql and "RETURNING" in sql
        assert write_in_one_statement([(sql, params)]) == [
            (pk,) for pk in Notification.objects.order_by("pk").values_list("pk", flat=True)
        ]
