"""Celery tasks of the core: thin wrappers that take ids and call services.

Delivering a notification exactly once
--------------------------------------
``task_dispatch_notification`` may run more than once for one row: the after-commit dispatch
and the sweep can both publish it, and with ``acks_late`` a task whose worker died is
delivered again. It is safe because the service first *claims* the row (a conditional
``UPDATE … SET status='sending' WHERE status='pending'``) and only the caller that changed
exactly one row sends. A worker killed after claiming leaves the row "sending"; the sweep
hands it back after ``NOTIFICATION_SENDING_TIMEOUT_SECONDS``.

The one window no system can close: a worker that dies *after* the provider (the mail
server, GOV.UK Notify) accepted the message and *before* the "sent" status was committed.
Nothing on our side can know whether the provider got it, so the sweep sends it again: the
person may get the same message twice. We choose "at least once" over "maybe never", keep
the window to the few milliseconds between the provider's answer and one UPDATE, and give
every attempt the same e-mail Message-ID and Notify reference so copies can be recognised.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError

from reflect.models import Notification
from reflect.services import notifications
from reflect.services.weekly_summary import queue_weekly_summaries


@shared_task(
    name=notifications.DISPATCH_TASK,  # the service publishes it by this name
    bind=True,
    acks_late=True,
    # The database being briefly unreachable is worth retrying with backoff; delivery
    # failures are recorded on the row and retried below, on the row's own schedule.
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def task_dispatch_notification(self: Task, notification_id: int) -> str:
    outcome = notifications.deliver_notification(notification_id)
    if outcome == notifications.DeliveryOutcome.RETRY and not self.request.is_eager:
        # The row is pending again with its next due time (exponential backoff); come back
        # then. Should this retry be lost, the sweep publishes it instead.
        row = Notification.objects.filter(pk=notification_id).values("due_at").first()
        if row is not None:
            raise self.retry(eta=row["due_at"], max_retries=None)
    return str(outcome)


@shared_task(name="reflect.sweep_due_notifications", acks_late=True, ignore_result=True)
def task_sweep_due_notifications() -> int:
    return len(notifications.sweep_due_notifications())


@shared_task(name="reflect.queue_weekly_summaries", acks_late=True, ignore_result=True)
def task_queue_weekly_summaries() -> int:
    return len(queue_weekly_summaries())
