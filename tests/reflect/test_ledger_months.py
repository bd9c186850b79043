"""The ledger's monthly totals (LedgerMonth): kept in step with the entries by their one writer.

Every test that uses the database also checks, when it ends, that the totals equal the sums of
the entries (tests/conftest.py), so bookings, cancellations, attendance, allocations,
rebalancing and erasure are all checked by their own tests. Here: the months' edges, the
idempotent source key, the bulk writer, the backfill of an existing ledger, concurrent writers.
"""

from __future__ import annotations

import datetime
import importlib
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction

from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, LedgerMonth
from reflect.models.ledger import ledger_month
from reflect.services.ledger import (
    ledger_months_held,
    ledger_months_held_for,
    record_ledger_entries,
    record_ledger_entry,
    record_new_ledger_entries,
)
from tests.conftest import requires_postgresql
from tests.factories.core import OrganisationFactory, PoolFactory
from tests.ledger_months import assert_months_agree_with_the_ledger, months_from_entries, months_recorded

K = LedgerKind
UTC = datetime.UTC


def test_an_entry_counts_in_its_month_in_london_not_in_utc(world) -> None:
    # 23:30 UTC on 31 March 2026 is 00:30 on 1 April in London (summer time); 23:30 UTC on
    # 31 January is still 31 January in London (winter time).
    for hours, moment in (("1.5", (2026, 3, 31, 23, 30)), ("2.25", (2026, 1, 31, 23, 30))):
        record_ledger_entry(
            world.pool,
            K.CONSUMED,
            organisation=world.organisation,
            hours=Decimal(hours),
            occurred_at=datetime.datetime(*moment, tzinfo=UTC),
        )
    months = {m.month: m.hours for m in LedgerMonth.objects.filter(pool=world.pool, kind=K.CONSUMED)}
    assert months == {datetime.date(2026, 4, 1): Decimal("1.50"), datetime.date(2026, 1, 1): Decimal("2.25")}
    assert ledger_month(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == datetime.date(2026, 4, 1)


def test_entries_of_one_month_add_up_in_one_row_and_an_event_recorded_twice_counts_once(world) -> None:
    pool, organisation = world.pool, world.organisation  # pool: £60 an hour (PoolFactory)
    first = datetime.datetime(2026, 5, 20, 9, tzinfo=UTC)
    last = datetime.datetime(2026, 5, 3, 9, tzinfo=UTC)
    assert record_ledger_entry(
        pool, K.RESERVED, organisation=organisation, hours=Decimal("2"), occurred_at=first, source="booking:1:reserved"
    )
    assert (
        record_ledger_entry(
            pool,
            K.RESERVED,
            organisation=organisation,
            hours=Decimal("2"),
            occurred_at=first,
            source="booking:1:reserved",
        )
        is None
    )
    record_ledger_entry(pool, K.RESERVED, organisation=organisation, hours=Decimal("1.25"), occurred_at=last)
    record_ledger_entry(pool, K.PLACE_BOOKED, organisation=organisation, quantity=3, occurred_at=last)
    record_ledger_entry(pool, K.PLACE_BOOKED, quantity=1, occurred_at=last)  # the pool's own entry
    rows = {
        (m.organisation_id, m.kind): (m.month, m.entries, m.hours, m.money, m.quantity, m.first_at, m.last_at)
        for m in LedgerMonth.objects.filter(pool=pool)
    }
    may = datetime.date(2026, 5, 1)
    rate = pool.hourly_rate
    assert rows == {
        (organisation.pk, K.RESERVED): (may, 2, Decimal("3.25"), Decimal("3.25") * rate, 0, last, first),
        (organisation.pk, K.PLACE_BOOKED): (may, 1, Decimal("0"), Decimal("0"), 3, last, last),
        (None, K.PLACE_BOOKED): (may, 1, Decimal("0"), Decimal("0"), 1, last, last),
    }


def test_the_check_catches_entries_written_without_their_months(world) -> None:
    """The control for the check every test makes: an entry written past the one writer shows."""
    record_ledger_entry(world.pool, K.ALLOCATED, organisation=world.organisation, hours=Decimal("10"))
    assert_months_agree_with_the_ledger()
    stray = LedgerEntry.objects.create(
        pool=world.pool,
        organisation=world.organisation,
        kind=K.ALLOCATED,
        hours=Decimal("5"),
        occurred_at=datetime.datetime(2026, 6, 1, tzinfo=UTC),
    )
    with pytest.raises(AssertionError):
        assert_months_agree_with_the_ledger()
    stray.delete()


def test_months_held_ahead_of_their_entries_keep_only_what_was_recorded(world) -> None:
    """A caller that holds the months first (a group ending earlier): a month already there
    adds the new entry; a new one holds just its entries; one nobody recorded in is not left."""
    pool = world.pool
    had, gets, gets_none = world.organisation, OrganisationFactory(), OrganisationFactory()
    earlier = datetime.datetime(2026, 11, 1, 9, tzinfo=UTC)
    now = datetime.datetime(2026, 11, 2, 10, tzinfo=UTC)
    record_ledger_entry(pool, K.PLACE_CANCELLED, organisation=had, quantity=1, occurred_at=earlier)
    held = [gets_none.pk, gets.pk, had.pk, gets.pk]
    with transaction.atomic(), ledger_months_held(pool, K.PLACE_CANCELLED, held, now):
        assert LedgerMonth.objects.filter(pool=pool, kind=K.PLACE_CANCELLED).count() == 3
        for organisation in (had, gets):
            record_ledger_entry(pool, K.PLACE_CANCELLED, organisation=organisation, quantity=1, occurred_at=now)
    rows = {
        m.organisation_id: (m.month, m.entries, m.quantity, m.first_at, m.last_at)
        for m in LedgerMonth.objects.filter(pool=pool)
    }
    november = datetime.date(2026, 11, 1)
    assert rows == {had.pk: (november, 2, 2, earlier, now), gets.pk: (november, 1, 1, now, now)}


def test_months_of_several_kinds_are_held_in_kind_then_organisation_order(world) -> None:
    """Every caller that holds months of several kinds takes them in one order (a cancelled
    place, a waitlist place taken, a place booked, an offer; organisations by id within each),
    however it lists them; the rows nobody recorded in are gone afterwards."""
    pool = world.pool
    first, second = OrganisationFactory(), OrganisationFactory()
    assert first.pk < second.pk
    now = datetime.datetime(2026, 11, 2, 10, tzinfo=UTC)
    held = {
        K.WAITLIST_OFFERED: [second.pk],
        K.PLACE_BOOKED: [second.pk, first.pk, second.pk],
        K.WAITLIST_TAKEN: [first.pk],
        K.PLACE_CANCELLED: [second.pk, first.pk],
        K.WAITLIST_JOINED: [],
    }
    with transaction.atomic(), ledger_months_held_for(pool, held, now):
        # All new, so the order their rows were made in is the order they were taken in.
        taken = list(LedgerMonth.objects.filter(pool=pool).order_by("pk").values_list("kind", "organisation_id"))
        assert taken == [
            (K.PLACE_CANCELLED, first.pk),
            (K.PLACE_CANCELLED, second.pk),
            (K.WAITLIST_TAKEN, first.pk),
            (K.PLACE_BOOKED, first.pk),
            (K.PLACE_BOOKED, second.pk),
            (K.WAITLIST_OFFERED, second.pk),
        ]
        record_ledger_entry(pool, K.PLACE_BOOKED, organisation=second, quantity=1, occurred_at=now)
    kept = LedgerMonth.objects.filter(pool=pool).values_list("kind", "organisation_id", "entries")
    assert list(kept) == [(K.PLACE_BOOKED, second.pk, 1)]


def test_the_bulk_writer_adds_to_existing_months_and_makes_new_ones(world) -> None:
    pool, organisation = world.pool, world.organisation
    other = OrganisationFactory()
    june = datetime.datetime(2026, 6, 10, 12, tzinfo=UTC)
    record_ledger_entry(pool, K.CONSUMED, organisation=organisation, hours=Decimal("1"), occurred_at=june)
    written = record_ledger_entries(
        pool,
        [
            LedgerEntry(
                pool=pool,
                organisation=organisation,
                kind=K.CONSUMED,
                hours=Decimal("2"),
                money=Decimal("120"),
                occurred_at=june + datetime.timedelta(days=1),
            ),
            LedgerEntry(
                pool=pool,
                organisation=other,
                kind=K.CONSUMED,
                hours=Decimal("3"),
                money=Decimal("180"),
                occurred_at=june,
            ),
            LedgerEntry(
                pool=pool,
                organisation=other,
                kind=K.PLACE_ATTENDED,
                quantity=1,
                occurred_at=june + datetime.timedelta(days=30),
            ),
        ],
    )
    assert written == 3
    assert_months_agree_with_the_ledger()
    assert LedgerMonth.objects.get(pool=pool, organisation=organisation, kind=K.CONSUMED).hours == Decimal("3.00")
    assert LedgerMonth.objects.filter(pool=pool).count() == 3


def test_new_entries_go_in_one_insert_and_their_months_in_one_upsert(world, django_assert_num_queries) -> None:
    """A booking's writer (record_new_ledger_entries): a month already there is added to, a new
    one is made, two entries of one month add up in one row, and money is worked out. On
    PostgreSQL the insert is a CTE of the upsert: one statement."""
    pool, organisation = world.pool, world.organisation  # £60 an hour
    june = datetime.datetime(2026, 6, 10, 12, tzinfo=UTC)
    record_ledger_entry(pool, K.RESERVED, organisation=organisation, hours=Decimal("1"), occurred_at=june)
    later, earlier = june + datetime.timedelta(days=2), june - datetime.timedelta(days=3)
    with django_assert_num_queries({"postgresql": 1, "sqlite": 2}[connection.vendor]):
        record_new_ledger_entries(
            [
                LedgerEntry(
                    pool=pool, organisation=organisation, kind=K.RESERVED, hours=Decimal("1.5"), occurred_at=later
                ),
                LedgerEntry(
                    pool=pool, organisation=organisation, kind=K.RESERVED, hours=Decimal("0.25"), occurred_at=earlier
                ),
                LedgerEntry(
                    pool=pool, organisation=organisation, kind=K.SUPERVISION_BOOKED, quantity=1, occurred_at=june
                ),
            ]
        )
    rows = {
        m.kind: (m.month, m.entries, m.hours, m.money, m.quantity, m.first_at, m.last_at)
        for m in LedgerMonth.objects.filter(pool=pool, organisation=organisation)
    }
    assert rows == {
        K.RESERVED: (datetime.date(2026, 6, 1), 3, Decimal("2.75"), Decimal("165.00"), 0, earlier, later),
        K.SUPERVISION_BOOKED: (datetime.date(2026, 6, 1), 1, Decimal("0"), Decimal("0"), 1, june, june),
    }
    assert sorted(LedgerEntry.objects.filter(pool=pool).values_list("money", flat=True)) == [
        Decimal("0"),
        Decimal("15.00"),
        Decimal("60.00"),
        Decimal("90.00"),
    ]


def test_the_migration_adds_up_an_existing_ledger(world) -> None:
    pool, other_pool = world.pool, world.other_pool
    for day, kind, hours, quantity in (
        (1, K.ALLOCATED, "40", 0),
        (2, K.RESERVED, "1.5", 0),
        (3, K.RESERVED, "0.75", 0),
        (40, K.PLACE_ATTENDED, "0", 2),
        (70, K.PLACE_ATTENDED, "0", 1),
    ):
        record_ledger_entry(
            pool,
            kind,
            organisation=world.organisation,
            hours=Decimal(hours),
            quantity=quantity,
            occurred_at=datetime.datetime(2026, 3, 1, 0, 30, tzinfo=UTC) + datetime.timedelta(days=day),
        )
    record_ledger_entry(other_pool, K.PLACE_BOOKED, quantity=1)
    expected = months_from_entries()
    assert len(expected) == 5
    LedgerMonth.objects.all().delete()
    migration = importlib.import_module("reflect.migrations.0006_ledger_months")
    migration.add_up_existing_entries(apps, connection.schema_editor())
    assert months_recorded() == expected


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_entries_of_one_month_all_count() -> None:
    """Writers in separate transactions that all find the month missing: one creates it, the
    others wait on the unique constraint and then add to it. None is lost."""
    pool = PoolFactory()
    organisation = OrganisationFactory()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                for _ in range(5):
                    record_ledger_entry(
                        pool,
                        K.PLACE_BOOKED,
                        organisation=organisation,
                        quantity=1,
                        occurred_at=datetime.datetime(2026, 5, 5, tzinfo=UTC),
                    )
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    month = LedgerMonth.objects.get(pool=pool, organisation=organisation, kind=K.PLACE_BOOKED)
    assert (month.entries, month.quantity) == (20, 20)
    assert_months_agree_with_the_ledger()


def test_hours_consumed_without_a_reservation_are_use_for_booking_and_the_dashboard(world, client) -> None:
    """One formula for what is left (reflect.services.ledger.balance_from): hours consumed by a
    hand-made entry, with nothing reserved, do not make a reservation below zero."""
    from reflect.services.ledger import HoursBalance, hours_balance
    from tests.dashboard.test_dashboard import column, rows_of
    from tests.factories.core import signed_in

    for kind, hours in ((LedgerKind.ALLOCATED, "10"), (LedgerKind.CONSUMED, "2")):
        record_ledger_entry(world.pool, kind, organisation=world.organisation, hours=Decimal(hours))
    balance = hours_balance(world.pool, world.organisation)
    assert (balance, balance.left) == (HoursBalance(Decimal("10"), Decimal("0"), Decimal("2")), Decimal("8"))
    rows = rows_of(signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/organisations.csv"))
    assert (column(rows, "Reserved (hours)")[0], column(rows, "Remaining (hours)")[0]) == ("0", "8")
