"""A supervisor's connected calendar: connect, disconnect, sync, and the questions a sync raises.

A sync (always in a worker, never in a request) reads the calendar's busy times, writes every
booking whose SEQUENCE is ahead of what was written (a new session, a moved one), removes the
events of cancelled sessions, and notices an event the supervisor moved or deleted themselves.
It never cancels or moves a booking: it asks the supervisor (``EntryConflict``), who answers on
their calendar page. The booking services know nothing of this but ``queue_calendar_sync``.

Network calls happen outside any transaction; each write to our tables is short. A failed sync
records why in words and keeps the last good busy times, and the task tries again with backoff
(scheduling/tasks.py); the periodic sync catches anything a lost task missed. The task has a
time limit (``CALENDAR_SYNC_TIME_LIMIT_SECONDS``) for the whole sync, so a server that trickles
its answer holds a worker no longer than that; running out is a failure recorded in words.

A sync reads the connection once, then talks to the calendar for a while: every write first
checks, under a row lock, that the connection still has the address and user name it read, so
a calendar changed or disconnected meanwhile gets nothing of the old one's.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from reflect.broker import publish_task
from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit
from scheduling.calendar_credentials import CredentialsUnreadable, decrypt_secret, encrypt_secret
from scheduling.calendar_fetch import UnsafeAddress, check_connection_address
from scheduling.connected_calendars.interface import CalendarConnection as Adapter
from scheduling.connected_calendars.interface import CalendarUnavailable, Credentials, EventState
from scheduling.connected_calendars.providers import open_calendar
from scheduling.enums import FeedStatus
from scheduling.ical import calendar_text
from scheduling.models import (
    AvailabilitySettings,
    BookingStatus,
    CalendarConnection,
    CalendarEntry,
    ConnectedBusyTime,
    EntryConflict,
    SupervisionBooking,
)
from scheduling.models.availability import DEFAULT_TIME_ZONE
from scheduling.services.booking_notices import booking_event, booking_uid
from scheduling.services.next_free_memory import forget_next_free
from supervision.models import SupervisorProfile

logger = logging.getLogger(__name__)

# The task that syncs one supervisor's calendar (scheduling/tasks.py), queued by this name
# because the tasks module sits above this service (docs/architecture.md).
SYNC_TASK = "scheduling.sync_connected_calendar"
# Busy times are read from a day back (a session being booked now starts no earlier).
LOOKBACK = datetime.timedelta(days=1)
# The most sessions one sync writes or checks: far more than anyone's booking horizon holds.
MAX_SESSIONS_PER_SYNC = 500
TOO_SLOW = "Your calendar’s server took longer than {:g} seconds to sync, so we stopped. We will try again."


def calendar_host(connection: CalendarConnection) -> str:
    """What the pages and the audit log show of the address."""
    return urlsplit(connection.url).hostname or ""


def _own(supervisor: SupervisorProfile, acting_user: User) -> None:
    if supervisor.user_id != acting_user.pk:
        raise DomainError("You can only change your own calendar.")


@transaction.atomic
def connect_calendar(
    supervisor: SupervisorProfile, *, url: str, username: str, password: str, acting_user: User
) -> CalendarConnection:
    """Connect (or change) the supervisor's calendar. A blank password keeps the saved one."""
    _own(supervisor, acting_user)
    try:
        url = check_connection_address(url)
    except UnsafeAddress as error:
        raise DomainError(error.message, field="url") from error
    username = username.strip()
    if not username:
        raise DomainError("Enter the user name you sign in to your calendar with.", field="username")
    connection = CalendarConnection.objects.select_for_update().filter(supervisor=supervisor).first()
    if connection is None:
        if not password:
            raise DomainError("Enter the app password your calendar made for Reflect.", field="password")
        connection = CalendarConnection(supervisor=supervisor)
    if connection.url != url or connection.username != username:
        # Another calendar: write every session into it afresh. Events written into the old one
        # stay there (we say so on the page).
        if connection.pk:
            connection.entries.all().delete()
            connection.busy_times.all().delete()
            forget_next_free(supervisor.pk)
        connection.url = url
        connection.username = username
    if password:
        connection.secret = encrypt_secret(password)
    connection.status = FeedStatus.PENDING
    connection.last_error = ""
    connection.failure_count = 0
    connection.save()
    # Never the password, nor the user name: only that it was connected, and where.
    record_audit(
        "availability.calendar_connected", actor=acting_user, target=connection, host=calendar_host(connection)
    )
    queue_calendar_sync(supervisor.pk)
    return connection


@transaction.atomic
def disconnect_calendar(supervisor: SupervisorProfile, *, acting_user: User) -> None:
    """Forget the connection and its password. Events already written stay in the calendar:
    without the password we can no longer change them, and the supervisor may rely on them."""
    _own(supervisor, acting_user)
    connection = CalendarConnection.objects.select_for_update().filter(supervisor=supervisor).first()
    if connection is None:
        raise DomainError("You have no connected calendar.")
    record_audit(
        "availability.calendar_disconnected", actor=acting_user, target=connection, host=calendar_host(connection)
    )
    connection.delete()  # its password, busy times and record of entries go with it
    forget_next_free(supervisor.pk)


def queue_calendar_sync(supervisor_id: int) -> None:
    """The booking services' one call: after commit, a worker syncs this supervisor's calendar.

    Nothing is asked of the calendar here, so a booking never waits for it. With no worker (the
    embedded demo and the tests, where the task would run inside this request) nothing is
    queued: the periodic sync writes the change.
    """
    if current_app.conf.task_always_eager:
        return
    transaction.on_commit(lambda: publish_sync(supervisor_id))


def publish_sync(supervisor_id: int) -> None:
    try:
        publish_task(SYNC_TASK, [supervisor_id])  # one Redis command: every booking publishes one
    except Exception:  # the broker being down must not fail the page; the periodic sync will do it
        logger.warning(
            "Could not queue a calendar sync for supervisor %s; the periodic sync will do it.", supervisor_id
        )


def retry_delay(retries: int) -> int:
    """Seconds before the next try after ``retries`` failed ones: 1, 2, 4, 8, 16 minutes, at most an hour."""
    return int(min(60 * 2**retries, 3600))


def sync_due_calendars(*, now: datetime.datetime | None = None) -> int:
    """Sync, here and now, every calendar not tried for ``CALENDAR_SYNC_MINUTES``: the demo's
    refresh loop, which has no worker (scheduling/management/commands/refresh_busy_calendars.py)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=settings.CALENDAR_SYNC_MINUTES)
    due = CalendarConnection.objects.filter(Q(last_tried_at__isnull=True) | Q(last_tried_at__lte=since))
    supervisor_ids = list(due.values_list("supervisor_id", flat=True))
    for supervisor_id in supervisor_ids:
        sync_calendar(supervisor_id, now=now)
    return len(supervisor_ids)


@dataclass(frozen=True)
class SyncResult:
    ok: bool
    error: str = ""


def sync_calendar(supervisor_id: int, *, now: datetime.datetime | None = None) -> SyncResult | None:
    """Sync one supervisor's connected calendar (None: they have none). Never raises for the
    calendar's faults: it records them in words."""
    now = now or timezone.now()
    connection = CalendarConnection.objects.filter(supervisor_id=supervisor_id).first()
    if connection is None:
        return None
    secret = connection.secret
    try:
        adapter = open_calendar(
            connection.provider,
            Credentials(url=connection.url, username=connection.username, password=decrypt_secret(secret)),
        )
        _read_busy(connection, adapter, now)
        _write_sessions(connection, adapter, now)
    except CalendarUnavailable as failure:
        return _record(connection, now, failure.message)
    except SoftTimeLimitExceeded:  # the task's time limit: a server too slow to finish a sync
        return _record(connection, now, TOO_SLOW.format(settings.CALENDAR_SYNC_TIME_LIMIT_SECONDS))
    except CredentialsUnreadable:
        return _record(connection, now, "Your app password could not be read. Connect your calendar again.")
    except Exception:  # a bug in a parser must not stop the other calendars: record, log, go on
        logger.exception("The calendar of supervisor %s could not be synced", supervisor_id)
        return _record(connection, now, "Your calendar could not be synced. We will try again.")
    return _record(connection, now, "")


def _record(connection: CalendarConnection, now: datetime.datetime, error: str) -> SyncResult:
    changes: dict[str, object] = {"last_tried_at": now}
    if error:
        changes |= {"status": FeedStatus.FAILING, "last_error": error, "failure_count": F("failure_count") + 1}
        CalendarConnection.objects.filter(pk=connection.pk).update(**changes)
        return SyncResult(ok=False, error=error)
    changes |= {"status": FeedStatus.OK, "last_error": "", "failure_count": 0, "last_synced_at": now}
    CalendarConnection.objects.filter(pk=connection.pk).update(**changes)
    return SyncResult(ok=True)


def _read_busy(connection: CalendarConnection, adapter: Adapter, now: datetime.datetime) -> None:
    availability = AvailabilitySettings.objects.filter(supervisor_id=connection.supervisor_id).first()
    time_zone = availability.time_zone if availability else DEFAULT_TIME_ZONE
    horizon_weeks = availability.horizon_weeks if availability else 8
    start, end = now - LOOKBACK, now + datetime.timedelta(weeks=horizon_weeks, days=1)
    busy = adapter.read_busy(start, end, time_zone=time_zone)
    # The sessions Reflect wrote are not busy time of their own: the booking blocks that time
    # already, and counting it would stop the session being moved to an overlapping time.
    ours = {
        booking_uid(booking)
        for booking in SupervisionBooking.objects.filter(
            supervisor_id=connection.supervisor_id, ends_at__gt=start
        ).only("uid")
    }
    with transaction.atomic():
        if not _still_connected(connection):
            return  # disconnected or changed while we read
        ConnectedBusyTime.objects.filter(connection=connection).delete()
        ConnectedBusyTime.objects.bulk_create(
            ConnectedBusyTime(connection=connection, start=time.start, end=time.end)
            for time in busy
            if time.uid not in ours
        )
        forget_next_free(connection.supervisor_id)


def _still_connected(connection: CalendarConnection) -> bool:
    """Lock the connection's row, and say whether it still names the calendar this sync talks
    to (``connect_calendar`` may have changed it, and deleted its entries, meanwhile)."""
    return (
        CalendarConnection.objects.select_for_update()
        .filter(pk=connection.pk, url=connection.url, username=connection.username)
        .exists()
    )


def _write_sessions(connection: CalendarConnection, adapter: Adapter, now: datetime.datetime) -> None:
    bookings = (
        SupervisionBooking.objects.filter(supervisor_id=connection.supervisor_id, ends_at__gt=now)
        .select_related("organisation", "supervisor__user")
        .order_by("starts_at")[:MAX_SESSIONS_PER_SYNC]
    )
    entries = {entry.booking_id: entry for entry in CalendarEntry.objects.filter(connection=connection)}
    for booking in bookings:
        entry = entries.get(booking.pk)
        uid = booking_uid(booking)
        if booking.is_cancelled:
            if entry is not None and not entry.deleted:
                adapter.delete_event(uid)
                _save_entry(connection, booking, deleted=True, etag="")
            continue
        if booking.status != BookingStatus.BOOKED:
            continue
        if entry is None or entry.deleted or entry.written_sequence < booking.sequence:
            # New, moved or to be put back: Reflect's version wins, and any question is settled.
            text = calendar_text([booking_event(booking, booking.supervisor.user)])
            etag = adapter.upsert_event(uid, text)
            _save_entry(connection, booking, deleted=False, etag=etag)
        elif not entry.conflict:
            _notice_change(entry, adapter.event_state(uid), booking)


def _save_entry(connection: CalendarConnection, booking: SupervisionBooking, *, deleted: bool, etag: str) -> None:
    values = {
        "written_sequence": booking.sequence,
        "written_starts_at": booking.starts_at,
        "etag": etag,
        "deleted": deleted,
        "conflict": EntryConflict.NONE,
        "remote_starts_at": None,
    }
    try:
        with transaction.atomic():
            if not _still_connected(connection):
                # Another calendar now: this entry would stop the new one ever getting the session.
                return
            CalendarEntry.objects.update_or_create(connection=connection, booking=booking, defaults=values)
    except IntegrityError:
        # Disconnected meanwhile, or another sync wrote the same entry a moment ago.
        logger.info("Calendar entry of booking %s was written by another sync", booking.pk)


def _notice_change(entry: CalendarEntry, state: EventState | None, booking: SupervisionBooking) -> None:
    """Compare the event with what we wrote: deleted, or moved, becomes a question to the supervisor."""
    if state is None:
        conflict, moved_to = EntryConflict.MISSING, None
    elif state.etag == entry.etag:
        return
    elif state.starts_at is not None and state.starts_at != booking.starts_at:
        conflict, moved_to = EntryConflict.MOVED, state.starts_at
    else:
        # Changed but not moved (a note, a colour): theirs to keep; remember this version.
        CalendarEntry.objects.filter(pk=entry.pk).update(etag=state.etag)
        return
    CalendarEntry.objects.filter(pk=entry.pk, written_sequence=entry.written_sequence).update(
        conflict=conflict, remote_starts_at=moved_to
    )


@transaction.atomic
def put_back_in_calendar(entry: CalendarEntry, *, acting_user: User) -> None:
    """The supervisor's answer "Put it back in my calendar": the next sync writes it again."""
    entry = CalendarEntry.objects.select_for_update().select_related("connection__supervisor").get(pk=entry.pk)
    _own(entry.connection.supervisor, acting_user)
    if not entry.conflict:
        return  # a second click: it is settled already
    entry.written_sequence = -1
    entry.conflict = EntryConflict.NONE
    entry.remote_starts_at = None
    entry.save()
    queue_calendar_sync(entry.connection.supervisor_id)
