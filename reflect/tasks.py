"""Celery tasks of the core: thin wrappers that take ids and call services.

Delivering a notification exactly once
--------------------------------------
``task_dispatch_notifications`` delivers a batch of rows (up to ``NOTIFICATION_BATCH_SIZE``), and
may run more than once for a row: the after-commit dispatch and the sweep can both publish it,
and with ``acks_late`` a task whose worker died is delivered again. It is safe because the
service first *claims* the rows (``SELECT … FOR UPDATE SKIP LOCKED``, then ``status='sending'``
in the same transaction) and sends only the rows it claimed. A worker killed after claiming
leaves its rows "sending"; the sweep hands them back after ``NOTIFICATION_SENDING_TIMEOUT_SECONDS``.

The one window no system can close: a worker that dies *after* the provider (the mail
server, GOV.UK Notify) accepted a message and *before* the "sent" status was committed.
Nothing on our side can know whether the provider got it, so the sweep sends it again: the
person may get the same message twice. We choose "at least once" over "maybe never". The
results of a batch are written together once it has been sent, so the window is the time a
batch takes to send (a fraction of a second for e-mail), and what may go twice is what the
provider accepted of that one batch; ``NOTIFICATION_BATCH_SIZE=1`` narrows it to one message
and one UPDATE, at the cost of throughput. Every attempt keeps the same e-mail Message-ID and
Notify reference so copies can be recognised.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from celery import Task, shared_task
from django.db import DatabaseError

from reflect.models import Notification
from reflect.services import notifications
from reflect.services.weekly_summary import queue_weekly_summaries

# How both delivery tasks run. The database being briefly unreachable is worth retrying with
# backoff; delivery failures are recorded on the row and retried on the row's own schedule.
DELIVERY_TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


# One row: what the service published before batches, kept so that tasks already queued when a
# new version is deployed are still run.
@shared_task(name=notifications.DISPATCH_TASK, **DELIVERY_TASK_OPTIONS)
def task_dispatch_notification(self: Task, notification_id: int) -> str:
    outcome = notifications.deliver_notification(notification_id)
    if outcome == notifications.DeliveryOutcome.RETRY and not self.request.is_eager:
        # The row is pending again with its next due time (exponential backoff); come back
        # then. Should this retry be lost, the sweep publishes it instead.
        row = Notification.objects.filter(pk=notification_id).values("due_at").first()
        if row is not None:
            raise self.retry(eta=row["due_at"], max_retries=None)
    return str(outcome)


@shared_task(name=notifications.DISPATCH_BATCH_TASK, **DELIVERY_TASK_OPTIONS)  # published by this name
def task_dispatch_notifications(self: Task, notification_ids: list[int]) -> dict[str, int]:
    outcomes = notifications.deliver_notifications(notification_ids)
    retry = [pk for pk, outcome in outcomes.items() if outcome == notifications.DeliveryOutcome.RETRY]
    if retry and not self.request.is_eager:
        # Pending again with their next due times (exponential backoff): come back then.
        notifications.publish_retries(retry)
    return dict(Counter(str(outcome) for outcome in outcomes.values()))


@shared_task(name="reflect.sweep_due_notifications", acks_late=True, ignore_result=True)
def task_sweep_due_notifications() -> int:
    return len(notifications.sweep_due_notifications())


@shared_task(name="reflect.queue_weekly_summaries", acks_late=True, ignore_result=True)
def task_queue_weekly_summaries() -> int:
    return len(queue_weekly_summaries())
