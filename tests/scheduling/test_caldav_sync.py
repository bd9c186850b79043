"""Two-way sync with a supervisor's CalDAV calendar, against a real Radicale server
(tests/radicale.py): busy times read and blocking slots, sessions written, moved and removed,
changes made in the calendar noticed and asked about, a server that is down, and the password
kept encrypted and never shown."""

from __future__ import annotations

import datetime

import pytest
from celery import current_app
from celery.exceptions import Retry
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.db import connection as db
from django.urls import reverse

from reflect.data_protection.erasure import erase_account
from reflect.errors import DomainError
from reflect.models import AuditEvent
from scheduling.enums import FeedStatus
from scheduling.intervals import Interval
from scheduling.models import BookingStatus, CalendarConnection, CalendarEntry, ConnectedBusyTime, EntryConflict
from scheduling.queries import busy_intervals_for, calendar_changes_of
from scheduling.services import calendar_sync
from scheduling.services.booking_notices import booking_uid
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
