"""Retention tasks, run daily by beat (settings.CELERY_BEAT_SCHEDULE): thin wrappers."""

from __future__ import annotations

from celery import shared_task

from reflect.data_protection import retention


@shared_task(name="reflect.anonymise_people_who_left")
def task_anonymise_people_who_left() -> int:
    return retention.anonymise_people_who_left()


@shared_task(name="reflect.drop_old_notification_bodies")
def task_drop_old_notification_bodies() -> int:
    return retention.drop_old_notification_bodies()


@shared_task(name="reflect.drop_old_audit_events")
def task_drop_old_audit_events() -> int:
    return retention.drop_old_audit_events()


@shared_task(name="reflect.forget_unanswered_invitations")
def task_forget_unanswered_invitations() -> int:
    return retention.forget_unanswered_invitations()
