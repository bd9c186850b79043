"""A booking asks whether its pool has a webhook endpoint inside its own write, not after its
commit (docs/performance.md, "Booking a group place: the webhooks' question in the write"), so
it must never miss an endpoint registered before it commits. The conditional UPDATE takes the
listeners' lock shared (reflect.locks.LISTENERS_LOCK); adding an endpoint takes it exclusive (a
trigger on the endpoints' table): whichever comes second waits for the other's commit.

On PostgreSQL only (SQLite has no such lock, and asks after the commit). Each thread works
through its own database connection.
"""

from __future__ import annotations

import importlib
import threading

import pytest
from django.db import connection, transaction

from scheduling.groups import places
from scheduling.groups.places import book_place_at
from scheduling.models import Place
from tests.concurrency.lock_waits import first_pauses_then_second
from tests.conftest import requires_postgresql
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group
from tests.factories.webhooks import endpoint_for
from webhooks.models import WebhookDelivery

lock_migration = importlib.import_module("webhooks.migrations.0003_endpoint_changes_take_listeners_lock")

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # the endpoint refuses at once: no name to look up


def add_endpoint(pool) -> None:
    endpoint_for(pool=pool, url="http://127.0.0.1:9/hooks", events=["place.taken"])


def places_taken_heard() -> int:
    """The places-taken events recorded for delivery."""
    return WebhookDelivery.objects.filter(event="place.taken").count()


def add_an_endpoint_while_a_booking_is_under_way(world, monkeypatch) -> tuple[dict[str, str], bool]:
    """Book, stopping just after the claim; meanwhile add an endpoint to the pool. How each
    ended, and whether the addition waited."""
    session = make_group(world, capacity=5).sessions.first()
    person = staff_of(world.organisation)
    claimed, go_on = threading.Event(), threading.Event()
    check_session_open = places.check_session_open

    def claimed_then_stop(*args, **kwargs) -> None:
        check_session_open(*args, **kwargs)
        claimed.set()
        go_on.wait(10)

    monkeypatch.setattr(places, "check_session_open", claimed_then_stop)
    outcomes, addition_waited = first_pauses_then_second(
        ("booking", lambda: book_place_at(session.pk, acting_user=person, now=NOW)),
        ("addition", lambda: add_endpoint(world.pool)),
        claimed,
        go_on,
        pause_means="claimed its place",
    )
    assert Place.objects.filter(session=session, user=person).exists()
    return outcomes, addition_waited


def test_an_endpoint_added_while_a_booking_is_under_way_waits_for_its_commit(world, monkeypatch):
    """The booking holds the lock from its claim: the endpoint is added after the booking
    commits, so the place it took is news from before the endpoint (nothing delivered)."""
    outcomes, addition_waited = add_an_endpoint_while_a_booking_is_under_way(world, monkeypatch)
    assert (outcomes, addition_waited) == ({"booking": "done", "addition": "done"}, True)
    assert places_taken_heard() == 0


@pytest.fixture
def without_the_trigger():
    """The endpoints' table without its trigger, put back afterwards."""
    with connection.cursor() as cursor:
        for statement in lock_migration.DROP:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in lock_migration.CREATE:
            cursor.execute(statement)


@pytest.mark.usefixtures("without_the_trigger")
def test_control_without_the_trigger_the_endpoint_is_added_at_once(world, monkeypatch):
    """Proof the harness can catch a regression: an addition that takes no lock commits while
    the booking is under way, and the booking, which asked before, would not hear it."""
    outcomes, addition_waited = add_an_endpoint_while_a_booking_is_under_way(world, monkeypatch)
    assert (outcomes, addition_waited) == ({"booking": "done", "addition": "done"}, False)


def test_a_booking_made_while_an_endpoint_is_added_waits_and_is_heard(world):
    """The addition holds the lock until it commits: the booking's claim waits, and its write,
    which begins after that commit, finds the endpoint (the place taken is delivered)."""
    session = make_group(world, capacity=5).sessions.first()
    person = staff_of(world.organisation)
    added, go_on = threading.Event(), threading.Event()

    def add_then_stop() -> None:
        with transaction.atomic():
            add_endpoint(world.pool)
            added.set()
            go_on.wait(10)

    outcomes, booking_waited = first_pauses_then_second(
        ("addition", add_then_stop),
        ("booking", lambda: book_place_at(session.pk, acting_user=person, now=NOW)),
        added,
        go_on,
        pause_means="added its endpoint",
    )
    assert (outcomes, booking_waited) == ({"addition": "done", "booking": "done"}, True)
    assert Place.objects.filter(session=session, user=person).exists()
    assert places_taken_heard() == 1
