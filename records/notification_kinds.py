"""Notification kinds of supervision records (registered like the core's)."""

from __future__ import annotations

from typing import Any

from django.db import models

from reflect.notification_kinds import KindSpec, register_kind


class RecordNotificationKind(models.TextChoices):
    SHORTFALL = "records_month_shortfall", "Supervision record: a month is heading below the body's minimum"


def _sample_shortfall() -> dict[str, Any]:
    return {
        "month": "December 2026",
        "body": "BACP",
        "minimum": "1 hour 30 minutes",
        "so_far": "45 minutes",
        "short_by": "45 minutes",
        "ends_on": "Thursday 31 December 2026",
        "url": "https://reflect.example.org/records/",
    }


register_kind(KindSpec(RecordNotificationKind.SHORTFALL, RecordNotificationKind.SHORTFALL.label, _sample_shortfall))
