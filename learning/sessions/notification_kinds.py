"""The messages about learning sessions and courses (registered like the core's own kinds)."""

from __future__ import annotations

from typing import Any

from django.db import models

from reflect.notification_kinds import KindSpec, register_kind


class LearningNotificationKind(models.TextChoices):
    SESSION_PUBLISHED = "learning_session_published", "Learning: a session for a topic you asked about"
    COURSE_PUBLISHED = "learning_course_published", "Learning: a course for a topic you asked about"


def _sample_session() -> dict[str, Any]:
    return {
        "title": "Trauma-informed practice: an introduction",
        "topics": "Trauma-informed practice",
        "when": "Wednesday 13 January 2027, 10am to midday",
        "more_dates": "",
        "led_by": "Facilitated by Dr Ann Carter",
        "how": "Online",
        "url": "https://reflect.example.org/learning/sessions/1/book/",
    }


def _sample_course() -> dict[str, Any]:
    return {
        "title": "Suicide prevention (Zero Suicide Alliance)",
        "topics": "Suicide prevention",
        "provider": "Zero Suicide Alliance",
        "dates": "From Monday 11 January 2027",
        "course_url": "https://www.zerosuicidealliance.com/training",
    }


register_kind(
    KindSpec(
        LearningNotificationKind.SESSION_PUBLISHED, LearningNotificationKind.SESSION_PUBLISHED.label, _sample_session
    )
)
register_kind(
    KindSpec(LearningNotificationKind.COURSE_PUBLISHED, LearningNotificationKind.COURSE_PUBLISHED.label, _sample_course)
)
