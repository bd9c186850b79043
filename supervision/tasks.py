"""Celery tasks of supervision: thin wrappers that call services (docs/conventions.md, Tasks)."""

from __future__ import annotations

from celery import shared_task

from supervision.services.check_ins import queue_check_in_reminders


@shared_task(name="supervision.queue_check_in_reminders", acks_late=True, ignore_result=True)
def task_queue_check_in_reminders() -> int:
    return len(queue_check_in_reminders())
