"""The embedded SQLite default under concurrent bookings (issue 17; docs/security.md).

Five people confirm at the same moment, each on their own connection to a file-based SQLite
database (the in-memory test database cannot show "database is locked": it is one shared
cache). WAL, the busy timeout, IMMEDIATE transactions and the use case's retry must give no
lost, no doubled booking and no database error.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.services.bookings import BookingChoice, book_supervision
from tests.concurrency.lock_waits import all_at_once, tally
from tests.factories.bookings import NOW, agree, supervisor_with_availability, utc
from tests.factories.core import OrganisationFactory, staff_of

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking"),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 5


@contextlib.contextmanager
def on_a_sqlite_file(path: Path) -> Iterator[None]:
    """Copy the test database to a file and point every new connection at it for the block.

    The in-memory database lives as long as its connection does, so that connection is set aside
    (not closed) and put back afterwards; the file gets the settings' init_command as any
    connection does."""
    connection.ensure_connection()
    memory = connection.connection
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    name = connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def five_organisations(world, *, same_slot: bool):
    supervisor = supervisor_with_availability()
    attempts = []
    for number in range(CLIENTS):
        organisation = OrganisationFactory(name=f"Organisation {number}", in_pool=world.pool)
        agreement = agree(world.pool, organisation, supervisor)
        person = staff_of(organisation)
        start = utc(6, 10) if same_slot else utc(6 + number % 3, 10 + 2 * (number // 3))
        choice = BookingChoice(starts_at=start, minutes=60, attendees=[person])
        attempts.append(lambda a=agreement, c=choice, p=person: book_supervision(a, c, acting_user=p, now=NOW))
    return supervisor, attempts


def live(supervisor) -> int:
    return SupervisionBooking.objects.filter(supervisor=supervisor, status=BookingStatus.BOOKED).count()


def test_five_concurrent_confirms_of_one_slot_give_one_booking_and_no_error(world, tmp_path):
    supervisor, attempts = five_organisations(world, same_slot=True)
    with on_a_sqlite_file(tmp_path / "reflect.sqlite3"):
        assert connection.cursor().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        outcomes = tally(all_at_once(attempts), done="booked", refused="refused")
        assert outcomes == {"booked": 1, "refused": CLIENTS - 1, "error": 0}
        assert live(supervisor) == 1


def test_five_concurrent_confirms_of_different_slots_all_land(world, tmp_path):
    supervisor, attempts = five_organisations(world, same_slot=False)
    with on_a_sqlite_file(tmp_path / "reflect.sqlite3"):
        outcomes = tally(all_at_once(attempts), done="booked", refused="refused")
        assert outcomes == {"booked": CLIENTS, "refused": 0, "error": 0}
        assert live(supervisor) == CLIENTS
