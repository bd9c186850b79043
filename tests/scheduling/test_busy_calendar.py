"""The busy-calendar import against a real HTTP server on this machine (tests/scheduling/conftest.py).

Nothing is mocked: the feed is fetched over a socket, parsed, stored; failures are recorded in
words and the last good busy times are kept.
"""

from __future__ import annotations

import datetime
import socket
from pathlib import Path

import pytest

from config.celery import app as celery_app
from reflect.errors import DomainError
from reflect.models import AuditEvent
from scheduling.calendar_fetch import FetchError, UnsafeAddress, _resolve, fetch_calendar
from scheduling.enums import FeedStatus
from scheduling.models import BusyCalendarFeed, BusyInterval
from scheduling.services.busy_calendar import (
    claim_due_feeds,
    refresh_busy_calendar,
    remove_busy_calendar,
    set_busy_calendar,
)
from scheduling.tasks import task_refresh_busy_calendars
from tests.scheduling.conftest import Answer

pytestmark = pytest.mark.django_db

ICS = (Path(__file__).parent / "data" / "busy.ics").read_bytes()
UTC = datetime.UTC
NOW = datetime.datetime(2027, 3, 15, 8, 0, tzinfo=UTC)


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


EXPECTED = [
    (at(2027, 3, 16, 11), at(2027, 3, 16, 12)),
    (at(2027, 3, 25, 0), at(2027, 3, 26, 0)),
    (at(2027, 3, 30, 10), at(2027, 3, 30, 11)),
    (at(2027, 4, 6, 10), at(2027, 4, 6, 11)),
]


def busy(feed: BusyCalendarFeed) -> list[tuple[datetime.datetime, datetime.datetime]]:
    return list(BusyInterval.objects.filter(feed=feed).order_by("start").values_list("start", "end"))


@pytest.fixture
def feed(supervisor, calendar_server, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)  # a worker runs the refreshes
    calendar_server.answer = Answer(body=ICS, headers={"Content-Type": "text/calendar"})
    calendar_server.etag = '"v1"'
    with django_capture_on_commit_callbacks(execute=False) as queued:
        feed = set_busy_calendar(supervisor, calendar_server.url(), acting_user=supervisor.user)
    assert len(queued) == 1  # a refresh is queued once the address is saved
    return feed


def test_a_fetch_stores_exactly_the_busy_times(feed, calendar_server):
    refreshed = refresh_busy_calendar(feed.pk, now=NOW)
    assert busy(feed) == EXPECTED
    assert (refreshed.status, refreshed.last_error, refreshed.etag) == (FeedStatus.OK, "", '"v1"')
    assert (refreshed.last_fetched_at, refreshed.last_success_at) == (NOW, NOW)
    assert refreshed.next_fetch_at == NOW + datetime.timedelta(minutes=15)
    assert calendar_server.requests[0]["path"] == "/calendar.ics"
    assert "If-None-Match" not in calendar_server.requests[0]


def test_not_modified_keeps_the_busy_times(feed, calendar_server):
    refresh_busy_calendar(feed.pk, now=NOW)
    calendar_server.answer = Answer(body=b"this would not parse")  # only sent if the ETag differs
    later = NOW + datetime.timedelta(minutes=15)
    refreshed = refresh_busy_calendar(feed.pk, now=later)
    assert calendar_server.requests[1]["If-None-Match"] == '"v1"'
    assert busy(feed) == EXPECTED
    assert (refreshed.status, refreshed.last_success_at, refreshed.etag) == (FeedStatus.OK, later, '"v1"')


def test_a_changed_calendar_replaces_the_busy_times_wholesale(feed, calendar_server):
    refresh_busy_calendar(feed.pk, now=NOW)
    calendar_server.etag = '"v2"'
    calendar_server.answer = Answer(body=ICS.replace(b"COUNT=4", b"COUNT=1"))
    refresh_busy_calendar(feed.pk, now=NOW)
    assert busy(feed) == EXPECTED[:2]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Answer(status=500, body=b"oops"),
            "The calendar’s server had an error (500 Internal Server Error). We will try again.",
        ),
        (
            Answer(status=404, body=b""),
            "The calendar address was not found (404). It may have been reset: copy the private address from your calendar again.",
        ),
        (
            Answer(status=200, body=b"<html>Please sign in</html>"),
            "The address did not return a calendar in iCalendar format.",
        ),
        (Answer(status=200, body=b"B" * 5000), "The calendar is larger than 2 KB, so it was not imported."),
        (
            Answer(status=200, body=b"B" * 5000, send_length=False),
            "The calendar is larger than 2 KB, so it was not imported.",
        ),
        (Answer(status=200, body=ICS, delay=1.5), "The calendar’s server did not answer within 0.3 seconds."),
    ],
    ids=["500", "404", "not-a-calendar", "too-big", "too-big-without-length", "timeout"],
)
def test_a_failing_feed_records_its_error_and_keeps_the_last_good_busy_times(
    feed, calendar_server, settings, answer, message
):
    refresh_busy_calendar(feed.pk, now=NOW)
    settings.BUSY_CALENDAR_MAX_BYTES = 2048
    settings.BUSY_CALENDAR_TIMEOUT_SECONDS = 0.3
    calendar_server.etag = ""  # the failure must not be hidden by a 304
    calendar_server.answer = answer
    later = NOW + datetime.timedelta(hours=1)
    refreshed = refresh_busy_calendar(feed.pk, now=later)
    assert (refreshed.status, refreshed.last_error, refreshed.failure_count) == (FeedStatus.FAILING, message, 1)
    assert (refreshed.last_fetched_at, refreshed.last_success_at) == (later, NOW)
    assert busy(feed) == EXPECTED


def test_a_feed_that_never_worked_has_no_busy_times_and_recovers(feed, calendar_server):
    calendar_server.answer = Answer(status=503, body=b"")
    first = refresh_busy_calendar(feed.pk, now=NOW)
    assert (first.status, first.last_success_at, busy(feed)) == (FeedStatus.FAILING, None, [])
    calendar_server.answer = Answer(body=ICS)
    second = refresh_busy_calendar(feed.pk, now=NOW)
    assert (second.status, second.last_error, second.failure_count, busy(feed)) == (FeedStatus.OK, "", 0, EXPECTED)


def test_redirects_are_followed(calendar_server):
    calendar_server.answer = Answer(status=302, headers={"Location": "/moved.ics"})
    calendar_server.routes["/moved.ics"] = Answer(body=ICS)
    result = fetch_calendar(calendar_server.url())
    assert [request["path"] for request in calendar_server.requests] == ["/calendar.ics", "/moved.ics"]
    assert (result.changed, result.body) == (True, ICS)


def test_a_redirect_loop_is_bounded(calendar_server):
    calendar_server.answer = Answer(status=302, headers={"Location": "/again.ics"})
    with pytest.raises(FetchError) as failure:
        fetch_calendar(calendar_server.url())
    assert failure.value.message == "The calendar address redirected more than 3 times."
    assert len(calendar_server.requests) == 4


def test_the_periodic_task_claims_due_feeds_once(feed, calendar_server, monkeypatch):
    # Eager Celery: the periodic task's per-feed refresh runs in this process, with or without Redis.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    assert task_refresh_busy_calendars() == 1
    feed.refresh_from_db()
    assert (feed.status, len(calendar_server.requests)) == (FeedStatus.OK, 1)
    assert claim_due_feeds() == []  # claimed: not due again for 15 minutes
    assert task_refresh_busy_calendars() == 0


def test_a_removed_feed_is_skipped_quietly(feed):
    remove_busy_calendar(feed.supervisor, acting_user=feed.supervisor.user)
    assert refresh_busy_calendar(feed.pk, now=NOW) is None
    assert BusyCalendarFeed.objects.count() == 0


def test_a_new_address_keeps_the_old_busy_times_until_it_works(
    feed, calendar_server, django_capture_on_commit_callbacks
):
    refresh_busy_calendar(feed.pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=False):
        changed = set_busy_calendar(feed.supervisor, calendar_server.url("/new.ics"), acting_user=feed.supervisor.user)
    assert (changed.status, changed.etag, busy(feed)) == (FeedStatus.PENDING, "", EXPECTED)
    audit = AuditEvent.objects.filter(action="availability.busy_calendar_set").values_list("details", flat=True)
    assert list(audit) == [{"host": "127.0.0.1"}, {"host": "127.0.0.1"}]  # never the secret address


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://calendar.example.org/a.ics", "The calendar address must start with https:// (or http://)."),
        ("file:///etc/passwd", "The calendar address must start with https:// (or http://)."),
        ("https://", "The calendar address has no host name."),
        (
            "https://me:secret@calendar.example.org/a.ics",
            "The calendar address must not contain a user name or password.",
        ),
        (
            "http://127.0.0.1:8600/a.ics",
            "The calendar address points to a private network. Use your calendar’s public address.",
        ),
        (
            "http://localhost/a.ics",
            "The calendar address points to a private network. Use your calendar’s public address.",
        ),
        (
            "http://169.254.169.254/latest/",
            "The calendar address points to a private network. Use your calendar’s public address.",
        ),
        (
            "http://10.1.2.3/a.ics",
            "The calendar address points to a private network. Use your calendar’s public address.",
        ),
        ("http://[::1]/a.ics", "The calendar address points to a private network. Use your calendar’s public address."),
        (
            "http://[::ffff:192.168.0.1]/a.ics",
            "The calendar address points to a private network. Use your calendar’s public address.",
        ),
    ],
)
def test_unsafe_addresses_are_refused(supervisor, url, message):
    with pytest.raises(DomainError) as refusal:
        set_busy_calendar(supervisor, url, acting_user=supervisor.user)
    assert (refusal.value.message, refusal.value.field) == (message, "url")
    assert BusyCalendarFeed.objects.count() == 0


def test_webcal_addresses_are_fetched_over_https(supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        feed = set_busy_calendar(
            supervisor, " webcal://calendar.example.org/private-abc/basic.ics ", acting_user=supervisor.user
        )
    assert feed.url == "https://calendar.example.org/private-abc/basic.ics"


def test_a_host_name_that_resolves_to_a_private_address_is_refused_when_fetching(settings, calendar_server):
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(UnsafeAddress):
        _resolve("localhost", 80)
    host = socket.gethostname()
    if socket.gethostbyname(host).startswith("127."):
        with pytest.raises(UnsafeAddress):
            fetch_calendar(f"http://{host}:{calendar_server.port}/calendar.ics")
        assert calendar_server.requests == []  # refused before connecting
