"""The outcome measures' one message: you are asked (registered like the core's kinds)."""

from __future__ import annotations

from typing import Any

from django.db import models

from reflect.notification_kinds import KindSpec, register_kind


class OutcomeNotificationKind(models.TextChoices):
    INVITED = "outcomes_invited", "Outcomes: asked how work is affecting you"


def _sample_invited() -> dict[str, Any]:
    return {
        "pool": "Leeds community mental health pool 2026–27",
        "measure": "Professional quality of life (ProQOL 5)",
        "url": "https://reflect.example.org/outcomes/",
    }


register_kind(KindSpec(OutcomeNotificationKind.INVITED, OutcomeNotificationKind.INVITED.label, _sample_invited))
