"""Busy-calendar fetching is bounded in time and size, and never runs inside a web request
(docs/security.md, "Calendars").

The slow server below is a real socket on 127.0.0.1 that trickles one byte at a time: its loop
is bounded (it gives up after ``MAX_DRIP`` bytes) and it stops as soon as the client hangs up,
so the tests count bytes rather than time the fetch.
"""

from __future__ import annotations

import datetime
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from scheduling.calendar_fetch import FetchError, fetch_calendar
from scheduling.enums import FeedStatus
from scheduling.models import BusyCalendarFeed
from scheduling.services.busy_calendar import refresh_busy_calendar, refresh_due_feeds
from tests.scheduling.conftest import Answer

pytestmark = pytest.mark.django_db

DRIP_EVERY = 0.02  # seconds between bytes
MAX_DRIP = 400  # bytes: 8 s of dripping, far past the 0.5 s deadline
DEADLINE = 0.5


@dataclass
class SlowServer:
    """Accepts connections, reads the request, then sends ``head`` and drips ``b"x"`` forever
    (bounded by MAX_DRIP). Records how many connections it took and bytes it dripped."""

    head: bytes
    port: int = 0
    connections: int = 0
    dripped: int = 0
    hung_up: threading.Event = field(default_factory=threading.Event)  # the client went away
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/calendar.ics"

    def serve(self, listener: socket.socket) -> None:
        listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with connection:
                connection.settimeout(2)
                connection.recv(65536)
                try:
                    connection.sendall(self.head)
                    for _ in range(MAX_DRIP):
                        if self.stop.is_set():
                            break
                        connection.sendall(b"x")
                        self.dripped += 1
                        time.sleep(DRIP_EVERY)
                except OSError:
                    self.hung_up.set()


def slow_server(head: bytes, settings) -> Iterator[SlowServer]:
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = True
    settings.BUSY_CALENDAR_TIMEOUT_SECONDS = DEADLINE
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = SlowServer(head=head, port=listener.getsockname()[1])
    thread = threading.Thread(target=server.serve, args=(listener,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.fixture
def dripping_body(settings) -> Iterator[SlowServer]:
    yield from slow_server(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n", settings)


@pytest.fixture
def dripping_headers(settings) -> Iterator[SlowServer]:
    yield from slow_server(b"HTTP/1.1 200 OK\r\nX-Slow: ", settings)


@pytest.mark.parametrize("server_fixture", ["dripping_body", "dripping_headers"])
def test_a_server_that_trickles_bytes_is_cut_off_at_the_total_deadline(request, server_fixture):
    server = request.getfixturevalue(server_fixture)
    with pytest.raises(FetchError) as failure:
        fetch_calendar(server.url())
    assert failure.value.message == "The calendar’s server did not answer within 0.5 seconds."
    # We hung up: the server's next byte fails. Before the deadline was total, every byte
    # restarted the socket's timeout and the fetch read all MAX_DRIP bytes (8 s here; for ever
    # from a server with no limit).
    assert server.hung_up.wait(timeout=5)
    assert server.dripped < DEADLINE / DRIP_EVERY * 3 < MAX_DRIP


def test_a_refresh_of_a_trickling_calendar_records_the_deadline_in_words(dripping_body, supervisor):
    feed = BusyCalendarFeed.objects.create(supervisor=supervisor, url=dripping_body.url())
    refreshed = refresh_busy_calendar(feed.pk, now=datetime.datetime(2027, 3, 15, 8, tzinfo=datetime.UTC))
    assert (refreshed.status, refreshed.last_error) == (
        FeedStatus.FAILING,
        "The calendar’s server did not answer within 0.5 seconds.",
    )
    assert dripping_body.dripped < MAX_DRIP


@pytest.mark.parametrize("send_length", [True, False], ids=["declared", "undeclared"])
def test_a_calendar_over_the_size_limit_is_refused(calendar_server, send_length):
    # The default limit (BUSY_CALENDAR_MAX_BYTES, 2 MB), one byte over.
    calendar_server.answer = Answer(body=b"B" * (2 * 1024 * 1024 + 1), send_length=send_length)
    with pytest.raises(FetchError) as failure:
        fetch_calendar(calendar_server.url())
    assert failure.value.message == "The calendar is larger than 2 MB, so it was not imported."


def test_a_calendar_at_the_size_limit_is_read(calendar_server, settings):
    settings.BUSY_CALENDAR_MAX_BYTES = 100_000
    calendar_server.answer = Answer(body=b"B" * 100_000, send_length=False)
    assert len(fetch_calendar(calendar_server.url()).body) == 100_000


@pytest.fixture
def eager(monkeypatch):
    """Tasks run where they are queued, as in the embedded demo (no worker)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_the_availability_pages_never_fetch_the_calendar(
    client, supervisor, calendar_server, eager, django_capture_on_commit_callbacks
):
    client.force_login(supervisor.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("availability_busy_calendar"), {"url": calendar_server.url()})
    assert response.status_code == 302
    client.get(reverse("availability_overview"))
    client.get(reverse("availability_busy_calendar"))
    client.get(reverse("availability_week"))
    assert calendar_server.requests == []  # saved and shown, never fetched in the request
    feed = BusyCalendarFeed.objects.get()
    assert feed.status == FeedStatus.PENDING
    # The demo's refresh loop (manage.py refresh_busy_calendars --loop) reads it: it is due now.
    assert refresh_due_feeds() == 1
    assert len(calendar_server.requests) == 1


def test_with_a_worker_saving_the_address_queues_a_refresh_for_it(
    supervisor, calendar_server, monkeypatch, django_capture_on_commit_callbacks
):
    from scheduling.services import busy_calendar

    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    queued = []
    monkeypatch.setattr(busy_calendar, "queue_refresh", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        feed = busy_calendar.set_busy_calendar(supervisor, calendar_server.url(), acting_user=supervisor.user)
    assert queued == [feed.pk]
    assert calendar_server.requests == []


def test_the_overview_says_when_the_calendar_was_last_read_and_why_the_last_read_failed(client, supervisor):
    BusyCalendarFeed.objects.create(
        supervisor=supervisor,
        url="https://calendar.example.org/secret/basic.ics",
        status=FeedStatus.FAILING,
        last_success_at=datetime.datetime(2027, 3, 15, 8, 0, tzinfo=datetime.UTC),
        last_fetched_at=datetime.datetime(2027, 3, 15, 9, 15, tzinfo=datetime.UTC),
        last_error="The calendar’s server did not answer within 10 seconds.",
    )
    client.force_login(supervisor.user)
    page = client.get(reverse("availability_overview")).content.decode()
    assert "Monday 15 March 2027, 8am: 0 busy times coming up" in page
    assert "Monday 15 March 2027, 9:15am: The calendar’s server did not answer within 10 seconds." in page
