"""The supervisor's busy calendar: set or remove its address, and refresh its busy times.

A refresh fetches outside any transaction (a slow server must not hold a database lock), then
writes in one short transaction: on success the feed's busy intervals are replaced wholesale;
on a 304 they stay as they are; on any failure the error is recorded in words and the last good
busy times stay, so a broken feed never frees time that was busy nor breaks booking.
"""

from __future__ import annotations

import datetime
import logging
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit
from scheduling.busy_ical import CalendarDataError, busy_intervals_from_ical
from scheduling.calendar_fetch import FetchError, UnsafeAddress, fetch_calendar, normalise_feed_url
from scheduling.enums import FeedStatus
from scheduling.models import AvailabilitySettings, BusyCalendarFeed, BusyInterval
from scheduling.models.availability import DEFAULT_TIME_ZONE
from scheduling.services.next_free_memory import forget_next_free
from supervision.models import SupervisorProfile

logger = logging.getLogger(__name__)

# The Celery task that refreshes one feed (scheduling/tasks.py). The tasks module sits above
# this service and calls it, so the service publishes the task by its registered name instead
# of importing it.
REFRESH_TASK = "scheduling.refresh_busy_calendar"

# How far back a fetch keeps busy times: a session being booked now can start no earlier.
LOOKBACK = datetime.timedelta(days=1)


def feed_host(feed: BusyCalendarFeed) -> str:
    """What the pages show of the (secret) address."""
    return urlsplit(feed.url).hostname or ""


@transaction.atomic
def set_busy_calendar(supervisor: SupervisorProfile, url: str, *, acting_user: User) -> BusyCalendarFeed:
    if supervisor.user_id != acting_user.pk:
        raise DomainError("You can only change your own availability.")
    try:
        url = normalise_feed_url(url)
    except UnsafeAddress as error:
        raise DomainError(error.message, field="url") from error
    feed = BusyCalendarFeed.objects.select_for_update().filter(supervisor=supervisor).first()
    if feed is None:
        feed = BusyCalendarFeed(supervisor=supervisor)
    if feed.url != url:
        # A new address starts afresh; the old busy times stay until it first succeeds, so a
        # mistyped address never frees time that was busy.
        feed.url = url
        feed.etag = ""
        feed.last_modified = ""
        feed.status = FeedStatus.PENDING
        feed.last_error = ""
        feed.failure_count = 0
    feed.next_fetch_at = timezone.now()
    feed.save()
    # The address is a secret: the audit row says only that it was set, and where.
    record_audit("availability.busy_calendar_set", actor=acting_user, target=feed, host=feed_host(feed))
    feed_id = feed.pk
    # Never fetched here, inside the request: a slow calendar server would hold the page (and a
    # web worker) for as long as it liked (docs/security.md, "Calendars"). A worker fetches it;
    # with no worker (the embedded demo, where tasks would run eagerly in this request) the
    # refresh loop does, since the feed is due now.
    if not current_app.conf.task_always_eager:
        transaction.on_commit(lambda: queue_refresh(feed_id))
    return feed


@transaction.atomic
def remove_busy_calendar(supervisor: SupervisorProfile, *, acting_user: User) -> None:
    if supervisor.user_id != acting_user.pk:
        raise DomainError("You can only change your own availability.")
    feed = BusyCalendarFeed.objects.select_for_update().filter(supervisor=supervisor).first()
    if feed is None:
        raise DomainError("You have no busy calendar to remove.")
    record_audit("availability.busy_calendar_removed", actor=acting_user, target=feed, host=feed_host(feed))
    feed.delete()  # its busy intervals go with it
    forget_next_free(supervisor.pk)


def queue_refresh(feed_id: int) -> None:
    """Ask a worker to refresh one feed now; if the broker is down, the periodic task will.

    Called on saving an address (only when a worker runs the task) and by the periodic task.
    """
    task_refresh_busy_calendar = current_app.tasks[REFRESH_TASK]
    try:
        task_refresh_busy_calendar.delay(feed_id)
    except Exception:  # the broker being down must not fail the page (docs/architecture.md)
        logger.warning("Could not queue a refresh of busy calendar %s; the periodic task will do it.", feed_id)


def claim_due_feeds(*, now: datetime.datetime | None = None) -> list[int]:
    """The feeds due a refresh, each claimed by moving its next fetch time on.

    A conditional UPDATE per feed: if two beats overlap, only the one whose UPDATE changed the
    row fetches it.
    """
    now = now or timezone.now()
    interval = datetime.timedelta(minutes=settings.BUSY_CALENDAR_REFRESH_MINUTES)
    claimed = []
    due = BusyCalendarFeed.objects.filter(next_fetch_at__lte=now).values_list("pk", "next_fetch_at")
    for feed_id, next_fetch_at in due:
        if BusyCalendarFeed.objects.filter(pk=feed_id, next_fetch_at=next_fetch_at).update(
            next_fetch_at=now + interval
        ):
            claimed.append(feed_id)
    return claimed


def refresh_due_feeds(*, now: datetime.datetime | None = None) -> int:
    """Refresh, here and now, every feed that is due: the demo's refresh loop, which has no worker
    (scheduling/management/commands/refresh_busy_calendars.py). Each fetch is bounded by the
    total deadline, so one slow server delays the others by at most that."""
    feed_ids = claim_due_feeds(now=now)
    for feed_id in feed_ids:
        refresh_busy_calendar(feed_id)
    return len(feed_ids)


def refresh_busy_calendar(feed_id: int, *, now: datetime.datetime | None = None) -> BusyCalendarFeed | None:
    """Fetch one feed and store its busy times. Never raises for a bad feed: it records why."""
    now = now or timezone.now()
    feed = BusyCalendarFeed.objects.filter(pk=feed_id).first()
    if feed is None:
        return None  # removed meanwhile
    availability = AvailabilitySettings.objects.filter(supervisor_id=feed.supervisor_id).first()
    time_zone = availability.time_zone if availability else DEFAULT_TIME_ZONE
    horizon_weeks = availability.horizon_weeks if availability else 8
    window_start = now - LOOKBACK
    window_end = now + datetime.timedelta(weeks=horizon_weeks, days=1)
    url = feed.url
    intervals = None
    error = ""
    result = None
    try:
        result = fetch_calendar(url, etag=feed.etag, last_modified=feed.last_modified)
        if result.changed:
            intervals = busy_intervals_from_ical(
                result.body, window_start=window_start, window_end=window_end, time_zone=time_zone
            )
    except (FetchError, CalendarDataError) as failure:
        error = str(failure.message if isinstance(failure, FetchError) else failure)
    except Exception:  # a bug in a parser must not stop the other feeds: record, log, go on
        logger.exception("Busy calendar %s could not be refreshed", feed_id)
        error = "The calendar could not be read. We will try again."

    with transaction.atomic():
        # Lock the feed: its address may have changed while we fetched, and then this result is stale.
        feed = BusyCalendarFeed.objects.select_for_update().filter(pk=feed_id).first()
        if feed is None or feed.url != url:
            return feed
        feed.last_fetched_at = now
        feed.next_fetch_at = now + datetime.timedelta(minutes=settings.BUSY_CALENDAR_REFRESH_MINUTES)
        if error:
            feed.status = FeedStatus.FAILING
            feed.last_error = error
            feed.failure_count += 1
        else:
            assert result is not None
            feed.status = FeedStatus.OK
            feed.last_error = ""
            feed.failure_count = 0
            feed.last_success_at = now
            if result.changed:
                assert intervals is not None
                feed.etag = result.etag
                feed.last_modified = result.last_modified
                feed.intervals.all().delete()
                BusyInterval.objects.bulk_create(
                    BusyInterval(feed=feed, start=interval.start, end=interval.end) for interval in intervals
                )
                forget_next_free(feed.supervisor_id)
        feed.save()
    return feed
