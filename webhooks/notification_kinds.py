"""The webhook's one notice: an endpoint turned off after a day of failures."""

from __future__ import annotations

from typing import Any

from django.db import models

from reflect.notification_kinds import KindSpec, register_kind


class WebhookNotificationKind(models.TextChoices):
    ENDPOINT_DISABLED = "webhook_endpoint_disabled", "Webhooks: an endpoint turned off after a day of failures"


def _sample_disabled() -> dict[str, Any]:
    return {
        "url": "https://bi.example.org/reflect-events",
        "owner": "pool Leeds community supervision pool",
        "reason": "Turned off after 24 hours in which no delivery worked.",
        "page": "https://reflect.example.org/webhooks/endpoints/1/",
    }


register_kind(
    KindSpec(
        WebhookNotificationKind.ENDPOINT_DISABLED, WebhookNotificationKind.ENDPOINT_DISABLED.label, _sample_disabled
    )
)
