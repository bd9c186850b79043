"""Two-way sync with a supervisor's CalDAV calendar, against a real Radicale server
(tests/radicale.py): busy times read and blocking slots, sessions written, moved and removed,
changes made in the calendar noticed and asked about, a server that is down, and the password
kept encrypted and never shown; and what bounds a sync (its time, its size, the addresses it
connects to) and keeps a sync from writing for a calendar changed meanwhile."""

from __future__ import annotations

import datetime
import signal
import socket
import threading
from collections.abc import Iterator

import pytest
from celery import current_app
from celery.exceptions import Retry, SoftTimeLimitExceeded
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.db import connection as db
from django.urls import reverse

from reflect.data_protection.erasure import erase_account
from reflect.errors import DomainError
from reflect.models import AuditEvent
from scheduling.connected_calendars import caldav_adapter
from scheduling.connected_calendars.caldav_adapter import CalDAVCalendar as CalDAVAdapter
from scheduling.connected_calendars.interface import Credentials
from scheduling.connected_calendars.providers import open_calendar
from scheduling.enums import FeedStatus
from scheduling.ical import calendar_text
from scheduling.intervals import Interval
from scheduling.models import BookingStatus, CalendarConnection, CalendarEntry, ConnectedBusyTime, EntryConflict
from scheduling.queries import busy_intervals_for, calendar_changes_of
from scheduling.services import calendar_sync
from scheduling.services.booking_notices import booking_event, booking_uid
from scheduling.services.bookings import cancel_supervision, free_slots, reschedule_supervision
from scheduling.services.calendar_sync import (
    connect_calendar,
    disconnect_calendar,
    put_back_in_calendar,
    retry_delay,
    sync_calendar,
    sync_due_calendars,
)
from scheduling.tasks import task_sync_connected_calendar, task_sync_connected_calendars
from tests.factories.bookings import NOW, book, utc
from tests.factories.core import give_two_factor
from tests.radicale import PASSWORD, USER, CalDAVCalendar, Radicale, free_port
from tests.scheduling.test_calendar_fetch_limits import MAX_DRIP, SlowServer, slow_server


@pytest.fixture
def calendar(radicale: Radicale, settings) -> CalDAVCalendar:
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = True  # Radicale is on 127.0.0.1
    return radicale.new_calendar()


@pytest.fixture
def agreement(agreement):
    give_two_factor(agreement.supervisor.user)  # a supervisor's pages need it
    return agreement


@pytest.fixture
def connected(agreement, calendar) -> CalendarConnection:
    supervisor = agreement.supervisor
    return connect_calendar(supervisor, url=calendar.url, username=USER, password=PASSWORD, acting_user=supervisor.user)


def starts_on(slots, day: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    return [(slot.start, slot.end) for slot in slots if slot.start.day == day and slot.minutes == 60]


def summary(event) -> tuple[str, datetime.datetime, datetime.datetime, int, str]:
    return (
        str(event["UID"]),
        event.decoded("DTSTART"),
        event.decoded("DTEND"),
        int(event["SEQUENCE"]),
        str(event["SUMMARY"]),
    )


def test_busy_time_in_the_calendar_blocks_slots(world, agreement, calendar, connected) -> None:
    calendar.add_busy("dentist-1", utc(6, 12), utc(6, 13))
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert list(ConnectedBusyTime.objects.values_list("start", "end")) == [(utc(6, 12), utc(6, 13))]
    assert busy_intervals_for(agreement.supervisor, utc(6, 0), utc(7, 0)) == [Interval(utc(6, 12), utc(6, 13))]
    # Wednesday 6 January, 09:00–17:00 on the half hour, kept 15 minutes clear of the busy hour:
    # 11:00 to 13:00 would be free without it.
    assert starts_on(free_slots(agreement, [world.member], now=NOW), 6) == [
        (utc(6, 9), utc(6, 10)),
        (utc(6, 9, 30), utc(6, 10, 30)),
        (utc(6, 10), utc(6, 11)),
        (utc(6, 10, 30), utc(6, 11, 30)),
        (utc(6, 13, 30), utc(6, 14, 30)),
        (utc(6, 14), utc(6, 15)),
        (utc(6, 14, 30), utc(6, 15, 30)),
        (utc(6, 15), utc(6, 16)),
        (utc(6, 15, 30), utc(6, 16, 30)),
        (utc(6, 16), utc(6, 17)),
    ]


def test_a_booking_is_written_moved_and_removed(world, agreement, calendar, connected) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    uid = booking_uid(booking)
    assert calendar.events() == []  # nothing in the booking's own request
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert [summary(event) for event in calendar.events()] == [
        (uid, utc(6, 10), utc(6, 11), 0, "Supervision: Harehills Drama")
    ]
    # The session's own event is not busy time (it would stop the session moving next to itself).
    assert ConnectedBusyTime.objects.count() == 0

    reschedule_supervision(booking, utc(6, 10, 30), 60, acting_user=world.member, now=NOW)
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert [summary(event) for event in calendar.events()] == [
        (uid, utc(6, 10, 30), utc(6, 11, 30), 1, "Supervision: Harehills Drama")
    ]

    cancel_supervision(booking, acting_user=world.member, now=NOW)
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert calendar.events() == []
    entry = CalendarEntry.objects.get()
    assert (entry.deleted, entry.written_sequence) == (True, 2)


def test_a_session_whose_task_was_lost_is_written_by_the_periodic_sync(world, agreement, calendar, connected) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    # The booking moved on (SEQUENCE 1) but its sync task never ran: the next sync catches up.
    booking.refresh_from_db()
    reschedule_supervision(booking, utc(7, 14), 60, acting_user=world.member, now=NOW)
    task_sync_connected_calendar.apply(args=[agreement.supervisor.pk])
    assert [(event.decoded("DTSTART"), int(event["SEQUENCE"])) for event in calendar.events()] == [(utc(7, 14), 1)]


def test_an_event_deleted_in_the_calendar_is_asked_about_never_cancelled(
    client, world, agreement, calendar, connected
) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    sync_calendar(agreement.supervisor.pk, now=NOW)
    calendar.delete_event(booking_uid(booking))
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    entry = CalendarEntry.objects.get()
    assert (entry.conflict, entry.remote_starts_at) == (EntryConflict.MISSING, None)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert calendar_changes_of(agreement.supervisor) == 1

    client.force_login(agreement.supervisor.user)
    home = client.get("/").content.decode()
    assert "1 session changed in your calendar" in home
    page = client.get(reverse("availability_overview")).content.decode()
    assert "You deleted it from your calendar." in page
    assert "Put it back in my calendar" in page
    assert reverse("supervision_session_cancel", args=[booking.pk]) in page

    # Asking again changes nothing until they answer.
    sync_calendar(agreement.supervisor.pk, now=NOW)
    assert calendar.events() == []
    response = client.post(reverse("availability_connected_calendar_put_back", args=[entry.pk]))
    assert response.status_code == 302
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert [event.decoded("DTSTART") for event in calendar.events()] == [utc(6, 10)]
    assert calendar_changes_of(agreement.supervisor) == 0


def test_an_event_moved_in_the_calendar_is_asked_about(client, world, agreement, calendar, connected) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    sync_calendar(agreement.supervisor.pk, now=NOW)
    calendar.move_event(booking_uid(booking), utc(8, 15), utc(8, 16))
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    entry = CalendarEntry.objects.get()
    assert (entry.conflict, entry.remote_starts_at) == (EntryConflict.MOVED, utc(8, 15))
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at) == (BookingStatus.BOOKED, utc(6, 10))
    client.force_login(agreement.supervisor.user)
    page = client.get(reverse("availability_overview")).content.decode()
    assert "You moved it in your calendar to Friday 8 January 2027, 3pm." in page
    # Cancelling through the normal service settles it: the event goes.
    cancel_supervision(booking, acting_user=agreement.supervisor.user, now=NOW)
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert calendar.events() == []
    assert calendar_changes_of(agreement.supervisor) == 0


def test_a_server_that_is_down_is_retried_with_backoff_and_bookings_go_on(client, world, agreement, settings) -> None:
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = True
    supervisor = agreement.supervisor
    down = f"http://127.0.0.1:{free_port()}/ruth/calendar/"  # nothing listens there
    connect_calendar(supervisor, url=down, username=USER, password=PASSWORD, acting_user=supervisor.user)
    booking = book(agreement, world.member, utc(6, 10))
    assert booking.status == BookingStatus.BOOKED

    # As a worker runs it: each failed try schedules the next, later each time, then stops.
    delays = []
    for retries in range(10):
        try:
            task_sync_connected_calendar.apply(args=[supervisor.pk], retries=retries)
        except Retry as retry:
            delays.append(retry.when)
        else:
            break
    assert delays == [60, 120, 240, 480, 960]
    connection = CalendarConnection.objects.get()
    assert connection.failure_count == 1 + settings.CALENDAR_SYNC_MAX_RETRIES == 6
    assert (connection.status, connection.last_error) == (
        FeedStatus.FAILING,
        "Your calendar’s server could not be reached.",
    )
    assert [retry_delay(n) for n in range(7)] == [60, 120, 240, 480, 960, 1920, 3600]

    client.force_login(supervisor.user)
    page = client.get(reverse("availability_overview")).content.decode()
    assert "We could not sync your calendar" in page
    assert "Your calendar’s server could not be reached." in page
    assert "Not working" in page


def test_the_password_is_encrypted_at_rest_and_never_shown_again(client, agreement, calendar) -> None:
    supervisor = agreement.supervisor
    client.force_login(supervisor.user)
    response = client.post(
        reverse("availability_connected_calendar"), {"url": calendar.url, "username": USER, "password": PASSWORD}
    )
    assert response.status_code == 302
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM scheduling_calendarconnection")
        (raw,) = cursor.fetchone()
    assert PASSWORD not in raw
    key = django_settings.CALENDAR_CREDENTIALS_KEY.split(",")[0]
    assert Fernet(key.encode()).decrypt(raw.encode()).decode() == PASSWORD
    audit = AuditEvent.objects.get(action="availability.calendar_connected")
    assert PASSWORD not in str(audit.details) and USER not in str(audit.details)

    form = client.get(reverse("availability_connected_calendar")).content.decode()
    assert PASSWORD not in form
    assert "Saved — enter a new one to change it." in form
    # Saving again without a password keeps the saved one.
    client.post(reverse("availability_connected_calendar"), {"url": calendar.url, "username": USER, "password": ""})
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM scheduling_calendarconnection")
        (kept,) = cursor.fetchone()
    assert Fernet(key.encode()).decrypt(kept.encode()).decode() == PASSWORD


def test_connecting_shows_connected_and_the_last_sync(client, agreement, calendar, connected) -> None:
    client.force_login(agreement.supervisor.user)
    assert "Connecting" in client.get(reverse("availability_overview")).content.decode()
    sync_calendar(agreement.supervisor.pk, now=NOW)
    page = client.get(reverse("availability_overview")).content.decode()
    assert "Connected" in page
    assert "Last synced Monday 4 January 2027, 9am" in page


def test_a_first_connection_needs_a_password_and_a_safe_address(client, agreement, calendar, settings) -> None:
    client.force_login(agreement.supervisor.user)
    page = client.post(
        reverse("availability_connected_calendar"), {"url": calendar.url, "username": USER, "password": ""}
    ).content.decode()
    assert "Enter the app password your calendar made for Reflect." in page
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = False
    page = client.post(
        reverse("availability_connected_calendar"),
        {"url": "http://calendar.example.org/ruth/", "username": USER, "password": PASSWORD},
    ).content.decode()
    assert "The calendar address must start with https://, so that your password is never sent in clear." in page
    assert not CalendarConnection.objects.exists()


def test_disconnecting_forgets_the_password_and_stops_writing(client, world, agreement, calendar, connected) -> None:
    first = book(agreement, world.member, utc(6, 10))
    calendar.add_busy("dentist-1", utc(7, 12), utc(7, 13))
    sync_calendar(agreement.supervisor.pk, now=NOW)
    client.force_login(agreement.supervisor.user)
    response = client.post(reverse("availability_connected_calendar_disconnect"))
    assert response.status_code == 302
    assert not CalendarConnection.objects.exists()
    assert not ConnectedBusyTime.objects.exists()  # its busy times no longer block anything
    book(agreement, world.member, utc(8, 10))
    assert sync_calendar(agreement.supervisor.pk, now=NOW) is None
    # What was already written stays in the calendar (we say so when disconnecting).
    assert [str(event["UID"]) for event in calendar.events()] == [booking_uid(first), "dentist-1"]


def test_only_the_supervisor_changes_their_calendar(world, agreement, calendar, connected) -> None:
    with pytest.raises(DomainError, match=r"You can only change your own calendar\."):
        disconnect_calendar(agreement.supervisor, acting_user=world.member)
    booking = book(agreement, world.member, utc(6, 10))
    sync_calendar(agreement.supervisor.pk, now=NOW)
    calendar.delete_event(booking_uid(booking))
    sync_calendar(agreement.supervisor.pk, now=NOW)
    with pytest.raises(DomainError, match=r"You can only change your own calendar\."):
        put_back_in_calendar(CalendarEntry.objects.get(), acting_user=world.member)


def test_a_booking_only_queues_a_sync_after_it_commits(
    world, agreement, connected, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    published: list[int] = []
    monkeypatch.setattr(calendar_sync, "publish_sync", published.append)  # observe, not send
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)  # as with a worker
    with django_capture_on_commit_callbacks() as callbacks:
        booking = book(agreement, world.member, utc(6, 10))
        assert published == []  # nothing during the booking's transaction
    for callback in callbacks:
        if getattr(callback, "__qualname__", "").startswith("queue_calendar_sync"):
            callback()
    assert published == [agreement.supervisor.pk]
    assert booking.status == BookingStatus.BOOKED


def test_the_periodic_and_demo_syncs(world, agreement, calendar, connected, monkeypatch) -> None:
    published: list[int] = []
    monkeypatch.setattr(calendar_sync, "publish_sync", published.append)
    assert task_sync_connected_calendars() == 1
    assert published == [agreement.supervisor.pk]
    book(agreement, world.member, utc(6, 10))
    # The demo's loop: a connection never tried is due; once tried, not again for CALENDAR_SYNC_MINUTES.
    assert sync_due_calendars(now=NOW) == 1
    assert len(calendar.events()) == 1
    assert sync_due_calendars(now=NOW + datetime.timedelta(minutes=14)) == 0
    assert sync_due_calendars(now=NOW + datetime.timedelta(minutes=15)) == 1


def test_erasing_a_supervisor_deletes_their_connection_and_password(supervisor, calendar) -> None:
    connect_calendar(supervisor, url=calendar.url, username=USER, password=PASSWORD, acting_user=supervisor.user)
    sync_calendar(supervisor.pk, now=NOW)
    assert erase_account(supervisor.user, acting_user=supervisor.user) is True
    assert not CalendarConnection.objects.exists()


def test_celery_knows_the_sync_task_by_its_name_and_beat_runs_the_periodic_one() -> None:
    assert current_app.tasks[calendar_sync.SYNC_TASK].name == task_sync_connected_calendar.name
    assert calendar_sync.SYNC_TASK == "scheduling.sync_connected_calendar"
    beat = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "scheduling.sync_connected_calendars" in beat


def add_recurring(calendar: CalDAVCalendar, uid: str, count: int) -> None:
    """A clinic every half hour from Monday 10:00, ``count`` times (all within the booking period)."""
    calendar.put(
        f"{uid}.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270104T100000Z\r\nDTEND:20270104T101500Z\r\n"
        f"RRULE:FREQ=MINUTELY;INTERVAL=30;COUNT={count}\r\nSUMMARY:Clinic\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )


def test_a_sync_expands_a_bounded_number_of_occurrences_across_all_events(
    agreement, calendar, connected, monkeypatch
) -> None:
    assert caldav_adapter.MAX_OCCURRENCES_PER_SYNC == 5000
    monkeypatch.setattr(caldav_adapter, "MAX_OCCURRENCES_PER_SYNC", 50)  # the same rule, quicker to reach
    # 2 × 20 = 40: each event well under the cap, and the whole too.
    for number in range(2):
        add_recurring(calendar, f"clinic-{number}", 20)
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    assert ConnectedBusyTime.objects.count() == 40
    # A third makes 60 in all (once, each event was counted on its own): refused in words, and
    # the last good busy times are kept.
    add_recurring(calendar, "clinic-2", 20)
    assert sync_calendar(agreement.supervisor.pk, now=NOW) == calendar_sync.SyncResult(
        ok=False, error="Your calendar has more than 50 events in the booking period, so it was not read."
    )
    assert ConnectedBusyTime.objects.count() == 40


def test_an_answer_over_the_size_limit_is_refused(agreement, calendar, connected, settings) -> None:
    settings.BUSY_CALENDAR_MAX_BYTES = 64 * 1024
    calendar.add_busy("dentist-1", utc(6, 12), utc(6, 13))
    assert sync_calendar(agreement.supervisor.pk, now=NOW).ok
    calendar.put(
        "long.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:long-1\r\n"
        "DTSTAMP:20261201T000000Z\r\nDTSTART:20270107T120000Z\r\nDTEND:20270107T130000Z\r\nSUMMARY:Notes\r\n"
        f"DESCRIPTION:{'x' * 70_000}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    assert sync_calendar(agreement.supervisor.pk, now=NOW) == calendar_sync.SyncResult(
        ok=False, error="Your calendar’s server sent more than 64 KB in one answer, so it was not read."
    )
    assert list(ConnectedBusyTime.objects.values_list("start", "end")) == [(utc(6, 12), utc(6, 13))]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that takes connections (the kernel completes them) but never answers; it hangs up
    after 3 s, so a client without a timeout would see the connection reset, not a timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    hang_up = threading.Timer(3, listener.close)
    hang_up.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        hang_up.cancel()
        listener.close()


def test_a_timeout_under_a_second_is_kept(agreement, silent_server, settings) -> None:
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = True
    settings.BUSY_CALENDAR_TIMEOUT_SECONDS = 0.5  # once truncated to 0: no timeout at all
    supervisor = agreement.supervisor
    url = f"http://127.0.0.1:{silent_server}/ruth/calendar/"
    connect_calendar(supervisor, url=url, username=USER, password=PASSWORD, acting_user=supervisor.user)
    assert sync_calendar(supervisor.pk, now=NOW) == calendar_sync.SyncResult(
        ok=False, error="Your calendar’s server did not answer within 0.5 seconds."
    )


@pytest.fixture
def trickling_caldav(settings) -> Iterator[SlowServer]:
    """Answers the first REPORT, then sends its body a byte at a time (each read well within the
    timeout, so only a limit on the whole sync stops it)."""
    yield from slow_server(
        b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<?xml ",
        settings,
    )


def test_a_trickling_server_is_stopped_by_the_task_time_limit_and_recorded_in_words(
    agreement, trickling_caldav, settings
) -> None:
    supervisor = agreement.supervisor
    url = f"http://127.0.0.1:{trickling_caldav.port}/ruth/calendar/"
    connect_calendar(supervisor, url=url, username=USER, password=PASSWORD, acting_user=supervisor.user)
    assert task_sync_connected_calendar.soft_time_limit == settings.CALENDAR_SYNC_TIME_LIMIT_SECONDS == 120
    assert task_sync_connected_calendar.time_limit == 150

    # What a worker does at the soft time limit: a signal raises SoftTimeLimitExceeded in the task.
    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, soft_limit)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:  # the last try, so no retry is scheduled
        task_sync_connected_calendar.apply(args=[supervisor.pk], retries=settings.CALENDAR_SYNC_MAX_RETRIES)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert trickling_caldav.dripped < MAX_DRIP  # stopped while it was still dripping
    connection = CalendarConnection.objects.get()
    assert (connection.status, connection.failure_count, connection.last_error) == (
        FeedStatus.FAILING,
        1,
        "Your calendar’s server took longer than 120 seconds to sync, so we stopped. We will try again.",
    )


def test_every_request_of_a_sync_goes_to_the_address_that_was_checked(world, agreement, calendar, monkeypatch) -> None:
    url = calendar.url.replace("127.0.0.1", "localhost")
    port = calendar.server.port
    lookups: list[str] = []
    system = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        """The name answers 127.0.0.1 at the check, then another address (where nothing listens)."""
        if host == "localhost":
            lookups.append(host)
            if len(lookups) > 1:
                host = "127.0.0.2"
        return system(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    adapter = CalDAVAdapter(Credentials(url=url, username=USER, password=PASSWORD))
    calendar.add_busy("dentist-1", utc(6, 12), utc(6, 13))
    booking = book(agreement, world.member, utc(7, 10))
    uid = booking_uid(booking)

    busy = adapter.read_busy(NOW, utc(11, 0), time_zone="Europe/London")
    adapter.upsert_event(uid, calendar_text([booking_event(booking, agreement.supervisor.user)]))
    assert adapter.event_state(uid) is not None
    adapter.delete_event(uid)
    assert [(time.start, time.uid) for time in busy] == [(utc(6, 12), "dentist-1")]
    assert [str(event["UID"]) for event in calendar.events()] == ["dentist-1"]
    assert lookups == ["localhost"]  # resolved once, for the check
    resolver = adapter._client.session.resolver
    answers = resolver.getaddrinfo("localhost", port, socket.AF_UNSPEC, socket.SOCK_STREAM)
    assert {answer[4][0] for answer in answers} == {"127.0.0.1"}
    with pytest.raises(socket.gaierror):
        resolver.getaddrinfo("calendar.example.org", 443, socket.AF_UNSPEC, socket.SOCK_STREAM)


@pytest.mark.parametrize("changed", ["url", "username"])
def test_a_calendar_changed_during_a_sync_gets_no_entries_of_the_old_one(
    world, agreement, calendar, connected, radicale, changed
) -> None:
    supervisor = agreement.supervisor
    booking = book(agreement, world.member, utc(6, 10))
    read = CalendarConnection.objects.get()  # what the sync read before talking to the calendar
    adapter = open_calendar(read.provider, Credentials(url=read.url, username=read.username, password=PASSWORD))
    other = radicale.new_calendar() if changed == "url" else calendar
    # Meanwhile the supervisor connects another calendar (its entries are deleted).
    connect_calendar(
        supervisor,
        url=other.url,
        username=USER if changed == "url" else "ruth.k",
        password="",
        acting_user=supervisor.user,
    )
    calendar_sync._write_sessions(read, adapter, NOW)
    assert not CalendarEntry.objects.exists()

    assert sync_calendar(supervisor.pk, now=NOW).ok
    assert [str(event["UID"]) for event in other.events()] == [booking_uid(booking)]
    entry = CalendarEntry.objects.get()
    assert (entry.booking_id, entry.conflict, entry.deleted) == (booking.pk, EntryConflict.NONE, False)
    assert calendar_changes_of(supervisor) == 0
