"""Notification kinds for supervision requests and agreements (registered like the core's)."""

from __future__ import annotations

from typing import Any

from django.db import models

from reflect.notification_kinds import KindSpec, register_kind


class SupervisionNotificationKind(models.TextChoices):
    REQUEST_SENT = "supervision_request_sent", "Supervision: a new request to a supervisor"
    REQUEST_ANSWERED = "supervision_request_answered", "Supervision: the supervisor's answer"
    AGREEMENT_ENDING = "supervision_agreement_ending", "Supervision: an agreement will end"
    CHECK_IN_DUE = "supervision_check_in_due", "Supervision: a check-in at the review date is open"


def _sample_request_sent() -> dict[str, Any]:
    return {
        "organisation": "Harehills Women's Drama Collective",
        "format": "group supervision",
        "hours": "2 hours",
        "starts_on": "Friday 1 January 2027",
        "url": "https://reflect.example.org/supervisor/requests/1/",
    }


def _sample_request_answered() -> dict[str, Any]:
    return {
        "supervisor": "Ruth Okafor",
        "answer": "accepted",
        "reply": "I look forward to working with your facilitators.",
        "organisation": "Harehills Women's Drama Collective",
        "url": "https://reflect.example.org/organisations/1/supervision/",
    }


def _sample_agreement_ending() -> dict[str, Any]:
    return {
        "other_side": "Harehills Women's Drama Collective",
        "ends_on": "Wednesday 31 March 2027",
        "url": "https://reflect.example.org/supervisor/agreements/",
    }


def _sample_check_in_due() -> dict[str, Any]:
    return {
        "other_side": "Ruth Okafor",
        "url": "https://reflect.example.org/agreements/1/check-in/",
    }


for kind, sample in [
    (SupervisionNotificationKind.REQUEST_SENT, _sample_request_sent),
    (SupervisionNotificationKind.REQUEST_ANSWERED, _sample_request_answered),
    (SupervisionNotificationKind.AGREEMENT_ENDING, _sample_agreement_ending),
    (SupervisionNotificationKind.CHECK_IN_DUE, _sample_check_in_due),
]:
    register_kind(KindSpec(kind, kind.label, sample))
