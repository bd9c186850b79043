"""Celery tasks of supervision records: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task

from records.services.shortfall import queue_shortfall_flags


@shared_task(name="records.queue_shortfall_flags", acks_late=True, ignore_result=True)
def task_queue_shortfall_flags() -> int:
    return len(queue_shortfall_flags())
