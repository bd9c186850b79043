"""Celery tasks: thin wrappers that take ids and call a service (docs/conventions.md)."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from scheduling.models import CalendarConnection
from scheduling.services import busy_calendar, calendar_sync


@shared_task(name="scheduling.refresh_busy_calendars")
def task_refresh_busy_calendars() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): queue a refresh of every feed that is due."""
    feed_ids = busy_calendar.claim_due_feeds()
    for feed_id in feed_ids:
        busy_calendar.queue_refresh(feed_id)
    return len(feed_ids)


@shared_task(name=busy_calendar.REFRESH_TASK)  # the service queues it by this name
def task_refresh_busy_calendar(feed_id: int) -> None:
    busy_calendar.refresh_busy_calendar(feed_id)


@shared_task(name="scheduling.sync_connected_calendars")
def task_sync_connected_calendars() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): sync every connected calendar, so that a session whose
    task was lost is still written, and changes made in the calendar are noticed."""
    supervisor_ids = list(CalendarConnection.objects.values_list("supervisor_id", flat=True))
    for supervisor_id in supervisor_ids:
        calendar_sync.publish_sync(supervisor_id)
    return len(supervisor_ids)


# The service queues it by this name. The time limits bound the whole sync: the CalDAV library's
# timeout is per socket read, so a server trickling bytes would otherwise hold the worker for
# ever. The soft limit raises inside the sync, which records it in words; the hard one, a little
# later, ends the worker process should even that not return.
@shared_task(
    name=calendar_sync.SYNC_TASK,
    bind=True,
    max_retries=None,
    soft_time_limit=settings.CALENDAR_SYNC_TIME_LIMIT_SECONDS,
    time_limit=settings.CALENDAR_SYNC_TIME_LIMIT_SECONDS + 30,
)
def task_sync_connected_calendar(self: Task, supervisor_id: int) -> None:
    result = calendar_sync.sync_calendar(supervisor_id)
    if result is not None and not result.ok and self.request.retries < settings.CALENDAR_SYNC_MAX_RETRIES:
        # Bounded, with backoff; after the last try the periodic sync takes over.
        raise self.retry(countdown=calendar_sync.retry_delay(self.request.retries))
