"""Webhooks in a person's data (docs/data-protection.md): who registered an endpoint.

The endpoint belongs to the pool or the organisation, not to the person: erasing them leaves it
working, and only forgets that they made it (``created_by`` is set to nobody). Deliveries and
their log name nobody (reflect/events.py, the payloads).
"""

from __future__ import annotations

from django.db.models import QuerySet

from reflect.data_protection.registry import Erasure, register_erasure_step, register_export
from reflect.models import User
from webhooks.models import WebhookEndpoint


def _registered_by(user: User) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(created_by=user).order_by("pk")


register_export(
    WebhookEndpoint,
    "Webhook endpoints you registered",
    _registered_by,
    ["url", "description", "events", "created_at", "is_active"],
)


@register_erasure_step(40, "webhooks: forget who registered an endpoint")
def forget_endpoint_owner(erasure: Erasure) -> None:
    erasure.count("webhook endpoints", WebhookEndpoint.objects.filter(created_by=erasure.user).update(created_by=None))
