"""Celery tasks: thin wrappers that take ids and call a service (docs/conventions.md)."""

from __future__ import annotations

from celery import shared_task

from webhooks import data_protection, services


@shared_task(name=services.DELIVER_TASK)  # the service publishes it by this name
def task_deliver_webhooks(delivery_ids: list[int]) -> dict[int, str]:
    return services.deliver_webhooks(delivery_ids)


@shared_task(name="webhooks.sweep")
def task_sweep_webhooks() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): publish deliveries whose task was lost."""
    return len(services.sweep_webhooks())


@shared_task(name="webhooks.drop_old_payloads")
def task_drop_old_payloads() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delivered and failed bodies past their retention go."""
    return data_protection.drop_old_payloads()
