"""Notification kinds for reflective groups (registered like the core's own kinds)."""

from __future__ import annotations

from typing import Any

from django.db import models

from reflect.notification_kinds import KindSpec, register_kind


class GroupNotificationKind(models.TextChoices):
    PLACE_BOOKED = "group_place_booked", "Reflective group: place booked"
    PLACE_CANCELLED = "group_place_cancelled", "Reflective group: a place cancelled"
    PLACE_OFFERED = "group_place_offered", "Reflective group: a waitlist place offered"
    MISSED_SESSION = "group_missed_session", "Reflective group: after a missed session"
    SESSION_MOVED = "group_session_moved", "Reflective group: a session moved"
    SESSION_CANCELLED = "group_session_cancelled", "Reflective group: a session cancelled"
    COHORT_ASSIGNED = "group_cohort_assigned", "Reflective group: your cohort"
    WHERE_CHANGED = "group_where_changed", "Reflective group: where it meets has changed"


def _sample_place_booked() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Wednesday 9 December 2026, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "location": "Room 2, Leeds Community Hub",
        "online_link": "",
        "ground_rules": "What is said in the group stays in the group.",
        "url": "https://reflect.example.org/groups/sessions/1/",
    }


def _sample_place_cancelled() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Wednesday 9 December 2026, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "by": "facilitator",
        "reason": "The group is full of people from your team that day.",
        "url": "https://reflect.example.org/groups/sessions/1/",
    }


def _sample_place_offered() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Wednesday 9 December 2026, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "offered_until": "Thursday 3 December 2026, 10am",
        "url": "https://reflect.example.org/groups/sessions/1/",
    }


def _sample_missed_session() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Wednesday 9 December 2026, 2pm to 4pm",
        "next_when": "Wednesday 13 January 2027, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "facilitator_email": "ann.carter@example.org",
        "url": "https://reflect.example.org/groups/",
    }


register_kind(
    KindSpec(GroupNotificationKind.PLACE_BOOKED, GroupNotificationKind.PLACE_BOOKED.label, _sample_place_booked)
)
register_kind(
    KindSpec(
        GroupNotificationKind.PLACE_CANCELLED, GroupNotificationKind.PLACE_CANCELLED.label, _sample_place_cancelled
    )
)
register_kind(
    KindSpec(GroupNotificationKind.PLACE_OFFERED, GroupNotificationKind.PLACE_OFFERED.label, _sample_place_offered)
)
register_kind(
    KindSpec(GroupNotificationKind.MISSED_SESSION, GroupNotificationKind.MISSED_SESSION.label, _sample_missed_session)
)


class BookingNotificationKind(models.TextChoices):
    BOOKED = "supervision_booked", "Supervision: session booked"
    CHANGED = "supervision_changed", "Supervision: session moved"
    CANCELLED = "supervision_cancelled", "Supervision: session cancelled"


def _sample_booking() -> dict[str, Any]:
    return {
        "title": "Supervision with Dr Ann Carter",
        "when": "Tuesday 8 December 2026, 10am to 11am",
        "where": "https://meet.example.org/ann-carter",
        "minutes": 60,
        "url": "https://reflect.example.org/supervision/sessions/1/",
        "for_supervisor": False,
        "organisation": "Harehills Women's Drama Collective",
        "kind": "supervision",
    }


def _sample_booking_changed() -> dict[str, Any]:
    return _sample_booking() | {"old_when": "Monday 7 December 2026, 2pm to 3pm"}


def _sample_booking_cancelled() -> dict[str, Any]:
    return _sample_booking() | {"by_you": False, "by_supervisor": True, "reason": "Unwell", "late": False}


register_kind(KindSpec(BookingNotificationKind.BOOKED, BookingNotificationKind.BOOKED.label, _sample_booking))
register_kind(KindSpec(BookingNotificationKind.CHANGED, BookingNotificationKind.CHANGED.label, _sample_booking_changed))
register_kind(
    KindSpec(BookingNotificationKind.CANCELLED, BookingNotificationKind.CANCELLED.label, _sample_booking_cancelled)
)


def _sample_calendar(method: str) -> dict[str, Any]:
    return {"calendar": {"uid": "group-session-1@reflect", "sequence": 1, "method": method}}


def _sample_session_moved() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Thursday 10 December 2026, 3pm to 5pm",
        "was": "Wednesday 9 December 2026, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "note": "The room is being redecorated that week.",
        "location": "Room 2, Leeds Community Hub",
        "online_link": "",
        "has_place": True,
        "url": "https://reflect.example.org/groups/sessions/1/",
    } | _sample_calendar("REQUEST")


def _sample_session_cancelled() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Wednesday 9 December 2026, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "note": "",
        "next_when": "Wednesday 13 January 2027, 2pm to 4pm",
        "has_place": True,
        "url": "https://reflect.example.org/groups/sessions/1/",
    } | _sample_calendar("CANCEL")


def _sample_cohort_assigned() -> dict[str, Any]:
    return {
        "title": "Tuesday evening Balint group",
        "facilitator": "Dr Ann Carter",
        "sessions": ["Tuesday 8 December 2026, 6pm to 7:30pm", "Tuesday 12 January 2027, 6pm to 7:30pm"],
        "location": "",
        "online_link": "https://meet.example.org/balint",
        "ground_rules": "What is said in the group stays in the group.",
        "url": "https://reflect.example.org/groups/my-places/",
    }


register_kind(
    KindSpec(GroupNotificationKind.SESSION_MOVED, GroupNotificationKind.SESSION_MOVED.label, _sample_session_moved)
)
register_kind(
    KindSpec(
        GroupNotificationKind.SESSION_CANCELLED,
        GroupNotificationKind.SESSION_CANCELLED.label,
        _sample_session_cancelled,
    )
)
register_kind(
    KindSpec(
        GroupNotificationKind.COHORT_ASSIGNED, GroupNotificationKind.COHORT_ASSIGNED.label, _sample_cohort_assigned
    )
)


def _sample_where_changed() -> dict[str, Any]:
    return {
        "title": "Leeds reflective practice group",
        "when": "Wednesday 9 December 2026, 2pm to 4pm",
        "facilitator": "Dr Ann Carter",
        "location": "Room 4, Chapeltown Community Centre",
        "online_link": "",
        "sessions": ["Wednesday 9 December 2026, 2pm to 4pm", "Wednesday 13 January 2027, 2pm to 4pm"],
        "url": "https://reflect.example.org/groups/sessions/1/",
    } | _sample_calendar("REQUEST")


register_kind(
    KindSpec(GroupNotificationKind.WHERE_CHANGED, GroupNotificationKind.WHERE_CHANGED.label, _sample_where_changed)
)
