"""A supervision booking at the framework's floor (issue 20): the statements one booking costs
are counted exactly, so that any read or write added to the locked transaction shows here.

Before issue 20 the service took 60 statements on SQLite (61 before the slot picker shared the
hours rules): six outbox rows each with its own look-up, savepoint, insert and release; two
ledger entries each in a savepoint; the supervisor's settings read three times; contact
preferences created inside the lock; the attendees read twice. Now each read is done once and
passed down, preferences are read without being created, the ledger entries need no savepoint
(the booking's row is new, so nothing can hold their source keys) and every outbox row goes in
one insert. The reminders in that insert are checked exactly below.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import (
    AuditEvent,
    ContactPreferences,
    LedgerEntry,
    LedgerMonth,
    Notification,
    Organisation,
    Pool,
    User,
)
from reflect.services.preferences import update_preferences
from scheduling.access import access_agreement_to_book
from scheduling.models import AvailabilitySettings, BookingAttendee, DateOverride, SupervisionBooking
from scheduling.services import bookings
from scheduling.services.bookings import SlotRefused, bookable_attendees
from tests.conftest import World
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.core import staff_of
from tests.scheduling.test_booking_views import iso, next_week_at

pytestmark = pytest.mark.django_db

# One booking, statement by statement:
#  1 before the locks, outside the use case's transaction: the attendees' and supervisor's
#    contact preferences with the booker's and the attendees' memberships (no booking's lock
#    protects them);
#  1 on PostgreSQL, also before the locks: the new booking's key, from its sequence, so that
#    every row the booking writes is built before the locks (before the seventh pass the lock
#    statement below took it);
# then the use case's transaction (the test's own transaction makes it a savepoint: its
# SAVEPOINT and RELEASE, where a request has BEGIN and COMMIT):
#  2 locks: the organisation's allocation; then the supervisor and the agreement in one
#    statement, which also reads the supervisor's person and availability settings (SQLite has
#    no row locks and runs each write transaction alone: there only the second, unlocked);
#  2 the slot engine's inputs: weekly hours with days off, live bookings with busy times;
#  1 the hours rules' totals: the organisation's ledger by hour kind with the agreement's
#    month (and the supervisor's month, had they set a monthly capacity);
#  1 on PostgreSQL, everything the booking writes (no savepoint: losing to the exclusion
#    constraint rolls the use case back), in ONE WITH … INSERT, built before the locks: the
#    booking (its key taken above), its attendee, the two ledger entries, their two months, the
#    audit event, and every confirmation and reminder. On SQLite, which has no
#    data-modifying WITH: the booking, its attendee, the entries, their months, the audit event
#    and the outbox, one insert each (6).
# Measured on each database (run with DATABASE_URL naming PostgreSQL). Before issue 20's fifth
# pass, 12 on PostgreSQL: the booking with its attendee, the entries with their months, the
# audit event and the outbox were four statements; before issue 20's seventh pass, 9 (the key
# came with the lock statement).
SERVICE_STATEMENTS = {"postgresql": 10, "sqlite": 13}[connection.vendor]
# The statements before the use case's transaction, so before its locks: the memberships and
# preferences, and on PostgreSQL the key.
BEFORE_THE_LOCKS = {"postgresql": 2, "sqlite": 1}[connection.vendor]
# Statements by their first word: on PostgreSQL the writes are one WITH … INSERT.
FIRST_WORDS = {
    "postgresql": {"SAVEPOINT": 1, "SELECT": 7, "WITH": 1, "RELEASE": 1},
    "sqlite": {"SAVEPOINT": 1, "SELECT": 5, "INSERT": 6, "RELEASE": 1},
}[connection.vendor]
# The statement that writes the outbox rows: on PostgreSQL the one that writes everything.
OUTBOX_WRITE = {"postgresql": "WITH", "sqlite": "INSERT"}[connection.vendor]


def test_a_booking_takes_an_exact_number_of_statements(world: World, agreement) -> None:
    book(agreement, world.colleague, utc(5, 10))  # the month's ledger rows exist already
    with CaptureQueriesContext(connection) as captured:
        book(agreement, world.member, utc(6, 10))
    statements = [query["sql"].lstrip("(").split(" ", 1)[0] for query in captured.captured_queries]
    assert len(statements) == SERVICE_STATEMENTS
    # Memberships and preferences are read before the use case's transaction, so before its
    # locks; on PostgreSQL the key is taken there too.
    assert statements[: BEFORE_THE_LOCKS + 1] == ["SELECT"] * BEFORE_THE_LOCKS + ["SAVEPOINT"]
    assert statements[-1] == "RELEASE"
    assert "reflect_contactpreferences" in captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert captured.captured_queries[1]["sql"].startswith("SELECT nextval(pg_get_serial_sequence(")
        assert "nextval" not in " ".join(query["sql"] for query in captured.captured_queries[2:])
    # The booking, its attendee, the ledger's entries, their months, the audit event and the
    # outbox (six rows in one insert); nothing written to contact preferences.
    assert {word: statements.count(word) for word in statements} == FIRST_WORDS
    assert not any(
        "reflect_contactpreferences" in query["sql"] and not query["sql"].startswith("SELECT")
        for query in captured.captured_queries
    )
    assert [q["sql"].split(" ", 1)[0] for q in captured.captured_queries if "reflect_notification" in q["sql"]] == [
        OUTBOX_WRITE
    ]


def test_the_count_does_not_grow_with_the_organisation(world: World, agreement) -> None:
    for n in range(30):
        staff_of(world.organisation, first_name=f"Extra{n}")
    book(agreement, world.colleague, utc(5, 10))
    with CaptureQueriesContext(connection) as captured:
        book(agreement, world.member, utc(6, 10))
    assert len(captured.captured_queries) == SERVICE_STATEMENTS


def test_a_supervisor_with_a_monthly_capacity_costs_no_more_statements(world: World) -> None:
    """Their month's hours join the same query as the ledger's and the agreement's; a day off
    (a date override) joins the weekly hours' query."""
    supervisor = supervisor_with_availability(monthly_capacity_hours=Decimal("2"))
    DateOverride.objects.create(supervisor=supervisor, date=datetime.date(2027, 1, 7))
    agreement = agree(world.pool, world.organisation, supervisor)
    book(agreement, world.colleague, utc(5, 10))
    with CaptureQueriesContext(connection) as captured:
        book(agreement, world.member, utc(6, 10))
    assert len(captured.captured_queries) == SERVICE_STATEMENTS
    # The capacity is read and applied: a third hour in January is refused, a day off too.
    with pytest.raises(DomainError, match="Ann Carter is fully booked for January 2027"):
        book(agreement, world.lead, utc(8, 10), attendees=[world.lead])
    with pytest.raises(SlotRefused):
        book(agreement, world.lead, utc(7, 10), attendees=[world.lead])


def test_a_member_who_is_not_a_lead_is_offered_themselves_after_one_query(
    world: World, agreement, django_assert_num_queries
) -> None:
    for n in range(30):
        staff_of(world.organisation, first_name=f"Extra{n}")
    with django_assert_num_queries(1):
        assert bookable_attendees(agreement, world.member) == [world.member]
    # A lead is offered every current member of staff (one query more, for the list).
    with django_assert_num_queries(2):
        offered = bookable_attendees(agreement, world.lead)
    assert world.member in offered and world.colleague in offered and len(offered) == 33


def test_booking_from_the_page_takes_an_exact_number_of_statements(client, world: World, agreement) -> None:
    # Times a week or two from the real clock (the session cookie and the notice period both
    # read it), on one day, so the colleague's booking has made the month's ledger rows.
    first, start = next_week_at(1, 10), next_week_at(1, 14)
    book(agreement, world.colleague, first, now=timezone.now())
    client.force_login(world.member)
    url = reverse("supervision_book_confirm", args=[agreement.pk]) + f"?start={iso(start)}&minutes=60"
    data = {"start": iso(start), "minutes": "60", "attendees": [world.member.pk], "mode": "online"}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    booking = SupervisionBooking.objects.get(starts_at=start)
    assert (response.status_code, response["Location"]) == (302, reverse("supervision_session", args=[booking.pk]))
    # The session and the person (middleware), the agreement with whether the booker leads its
    # organisation (access_agreement_to_book, which bookable_attendees then asks), then the
    # service. The form checks the posted attendee against the one person offered, read
    # already, without a query. Before issue 20's fifth pass: 5 (the lead check and the form's
    # own query besides).
    assert len(captured.captured_queries) == SERVICE_STATEMENTS + 3
    agreement_read = captured.captured_queries[2]["sql"]
    assert "supervision_supervisionagreement" in agreement_read and '"is_lead"' in agreement_read


def test_confirmations_and_reminders_are_exact(world: World, agreement) -> None:
    update_preferences(world.member, reminder_hours=[48, 3])
    supervisor_user = agreement.supervisor.user
    assert not ContactPreferences.objects.filter(user=supervisor_user).exists()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        booking = book(agreement, world.member, utc(6, 10))
    rows = Notification.objects.filter(about=f"supervision:{booking.pk}").order_by("recipient_id", "due_at")
    got = [(row.recipient_id, row.kind, row.due_at, row.dispatched_at is not None) for row in rows]
    start = utc(6, 10)
    hour = datetime.timedelta(hours=1)
    assert sorted(got, key=lambda r: (r[0], r[2], r[1])) == sorted(
        [
            # The member chose 48 and 3 hours before; the supervisor has the defaults (a week and a day).
            (world.member.pk, "supervision_booked", NOW, True),
            (world.member.pk, "reminder", start - 48 * hour, False),
            (world.member.pk, "reminder", start - 3 * hour, False),
            (supervisor_user.pk, "supervision_booked", NOW, True),
            (supervisor_user.pk, "reminder", start - 24 * hour, False),
        ],
        key=lambda r: (r[0], r[2], r[1]),
    )
    # A week before the session is already past at NOW: no reminder for it. Reading the
    # supervisor's preferences created nothing.
    assert start - 168 * hour < NOW
    assert not ContactPreferences.objects.filter(user=supervisor_user).exists()
    reminder = rows.get(recipient=world.member, due_at=start - 3 * hour)
    assert (
        reminder.idempotency_key == f"reminder:supervision:{booking.pk}:{world.member.pk}:20270106T1000Z:20270106T0700Z"
    )
    assert LedgerEntry.objects.filter(source__startswith=f"supervision:{booking.pk}:").count() == 2


def test_the_booking_written_in_one_statement_is_what_save_writes(world: World, agreement) -> None:
    """On PostgreSQL the booking and its attendee go in one WITH … INSERT built from the ORM's own
    insert (on SQLite, save() and bulk_create()): the returned booking has its new key, every
    column the database holds equals the instance's (defaults and auto_now included), and the
    attendee row points at it."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        booking = book(agreement, world.member, utc(6, 10))
    assert booking.pk is not None and not booking._state.adding
    stored = SupervisionBooking.objects.get(pk=booking.pk)
    columns = [field.attname for field in SupervisionBooking._meta.concrete_fields]
    assert {name: getattr(stored, name) for name in columns} == {name: getattr(booking, name) for name in columns}
    assert (stored.created_at, stored.updated_at, stored.hours, stored.ends_at) == (
        NOW,
        NOW,
        Decimal("1.00"),
        utc(6, 11),
    )
    assert list(stored.attendees.values_list("user_id", flat=True)) == [world.member.pk]


class _Undone(Exception):
    """Raised to roll back what a booking wrote, once it has been read."""


def _what_a_booking_writes(booking: SupervisionBooking) -> dict:
    """Every row a booking wrote, its own key and calendar UID put as KEY and UID, so that two
    bookings of the same choice at the same moment compare equal however they were written."""

    def plain(value: object) -> object:
        text = json.dumps(value, default=str, sort_keys=True).replace(str(booking.uid), "UID")
        for named in ("supervision:{}", "supervisionbooking:{}", "/sessions/{}/"):
            text = text.replace(named.format(booking.pk), named.format("KEY"))
        return json.loads(text)

    def rows(queryset) -> list[dict]:
        return plain([{k: v for k, v in row.items() if k != "id"} for row in queryset.order_by("pk").values()])

    stored = SupervisionBooking.objects.filter(pk=booking.pk).values()[0]
    assert str(stored.pop("uid")) == str(booking.uid) and stored.pop("id") == booking.pk
    return {
        "booking": plain(stored),
        "attendees": list(BookingAttendee.objects.filter(booking=booking).values_list("user_id", flat=True)),
        "entries": rows(LedgerEntry.objects.filter(source__startswith=f"supervision:{booking.pk}:")),
        "months": rows(LedgerMonth.objects.all()),
        "audit": rows(AuditEvent.objects.filter(target=f"scheduling.supervisionbooking:{booking.pk}")),
        "outbox": rows(Notification.objects.filter(about=f"supervision:{booking.pk}")),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one statement: PostgreSQL")
def test_the_one_statement_writes_what_the_orm_writes(world: World, agreement, monkeypatch) -> None:
    """On PostgreSQL everything a booking writes goes in one statement; with the ORM's writes
    (what SQLite runs) the same choice at the same moment writes the same rows, column by column:
    the booking, its attendee, the ledger's entries and months, the audit event, the outbox."""
    update_preferences(world.member, reminder_hours=[48, 3])
    book(agreement, world.colleague, utc(5, 10))  # the month's ledger rows exist already
    written = {}
    for how in ("one statement", "the ORM"):
        if how == "the ORM":
            monkeypatch.setattr(bookings, "writes_in_one_statement", lambda: False)
        with CaptureQueriesContext(connection) as captured, mock.patch("django.utils.timezone.now", return_value=NOW):
            try:
                with transaction.atomic():
                    booking = book(agreement, world.member, utc(6, 10))
                    written[how] = _what_a_booking_writes(booking)
                    raise _Undone
            except _Undone:
                pass
        writes = [q["sql"].split(" ", 1)[0] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
        # One WITH; or the booking, its attendee, the entries with their months (one WITH of
        # their own, record_new_ledger_entries), the audit event and the outbox.
        assert writes.count("WITH") + writes.count("INSERT") == (1 if how == "one statement" else 5)
    assert written["one statement"] == written["the ORM"]
    assert len(written["the ORM"]["outbox"]) == 5 and len(written["the ORM"]["entries"]) == 2


def _set_video_link(world: World, agreement) -> str:
    AvailabilitySettings.objects.filter(supervisor=agreement.supervisor).update(online_link="https://video.example/new")
    return "https://video.example/new"


def _rename_organisation(world: World, agreement) -> str:
    Organisation.objects.filter(pk=world.organisation.pk).update(name="Renamed Trust")
    return "Renamed Trust"


def _rename_supervisor(world: World, agreement) -> str:
    User.objects.filter(pk=agreement.supervisor.user_id).update(first_name="Annabel")
    return "Annabel Carter"


def _reprice_pool(world: World, agreement) -> str:
    Pool.objects.filter(pk=world.pool.pk).update(hourly_rate=Decimal("123.45"))
    return "123.45"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="rows built before the locks: PostgreSQL")
@pytest.mark.parametrize("change", [None, _set_video_link, _rename_organisation, _rename_supervisor, _reprice_pool])
def test_rows_built_before_the_locks_are_built_again_when_what_they_read_has_changed(
    world: World, agreement, monkeypatch, change
) -> None:
    """On PostgreSQL a booking's rows are built before its locks from the agreement as the page
    read it. A change committed between that read and the locks (here: just before the first
    lock) to anything the rows are built from — the supervisor's video link (the booking's and
    the messages' link), the organisation's or the supervisor's name (the messages' words and
    calendar text), the pool's hourly rate (the ledger's money) — must be written as the ORM
    writes it when the change came first: the rows are built again from the locked read. With
    no change, the rows built before the locks are the ones sent."""
    update_preferences(world.member, reminder_hours=[48, 3])
    book(agreement, world.colleague, utc(5, 10))  # the month's ledger rows exist already
    steps: list[str] = []
    prepare, lock = bookings._prepare_write, bookings._lock_capacity

    def preparing(agreement, building, inputs):
        steps.append("built")
        return prepare(agreement, building, inputs)

    def locking(agreement):
        if change is not None and "locked" not in steps:
            changed.append(change(world, agreement))
        steps.append("locked")
        return lock(agreement)

    changed: list[str] = []
    written = {}
    for how in ("built before the locks", "the ORM after the change"):
        if how == "the ORM after the change":
            monkeypatch.setattr(bookings, "writes_in_one_statement", lambda: False)
        else:
            monkeypatch.setattr(bookings, "_prepare_write", preparing)
            monkeypatch.setattr(bookings, "_lock_capacity", locking)
        with mock.patch("django.utils.timezone.now", return_value=NOW):
            try:
                with transaction.atomic():
                    if how == "the ORM after the change" and change is not None:
                        change(world, agreement)
                    # The agreement as the booking page reads it, with every row the booking's
                    # rows are built from.
                    as_read = access_agreement_to_book(world.member, agreement.pk)[0]
                    booking = book(as_read, world.member, utc(6, 10))
                    written[how] = _what_a_booking_writes(booking)
                    raise _Undone
            except _Undone:
                pass
        monkeypatch.setattr(bookings, "_prepare_write", prepare)
        monkeypatch.setattr(bookings, "_lock_capacity", lock)
    assert written["built before the locks"] == written["the ORM after the change"]
    if change is None:
        assert steps == ["built", "locked"]
        return
    # Built before the locks, then again from what they read.
    assert steps == ["built", "locked", "built"]
    # The new value is written (a row built before the change would not hold it).
    [value] = changed
    assert value in json.dumps(written["built before the locks"], default=str)
