"""Celery tasks of the outcome measures: thin wrappers that call services (docs/conventions.md)."""

from __future__ import annotations

from celery import shared_task

from outcomes.services.invitations import queue_outcome_invitations


@shared_task(name="outcomes.queue_outcome_invitations", acks_late=True, ignore_result=True)
def task_queue_outcome_invitations() -> int:
    return len(queue_outcome_invitations())
