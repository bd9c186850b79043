"""Celery tasks: thin wrappers that take ids and call a service (docs/conventions.md)."""

from __future__ import annotations

from celery import shared_task

from scheduling.services import busy_calendar


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
