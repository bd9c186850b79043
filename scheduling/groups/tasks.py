"""Celery tasks for reflective groups: thin wrappers taking ids (pretalx's rule)."""

from __future__ import annotations

from celery import shared_task

from scheduling.groups import recurrence, waitlist


@shared_task(name="scheduling.keep_group_sessions_a_year_ahead")
def task_keep_group_sessions_a_year_ahead() -> int:
    return recurrence.keep_sessions_a_year_ahead()


@shared_task(name=waitlist.EXPIRE_OFFERS_TASK)
def task_expire_group_offers(session_id: int) -> int:
    return len(waitlist.expire_offers(session_id))


@shared_task(name="scheduling.sweep_group_waitlists")
def task_sweep_group_waitlists() -> int:
    return waitlist.sweep_waitlists()
