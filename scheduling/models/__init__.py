"""Scheduling models, one module per area."""

from scheduling.models.availability import AvailabilitySettings, DateOverride, WeeklyRule
from scheduling.models.busy_calendar import BusyCalendarFeed, BusyInterval
from scheduling.models.groups import (
    GroupKind,
    GroupSession,
    GroupStatus,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)

__all__ = [
    "AvailabilitySettings",
    "BusyCalendarFeed",
    "BusyInterval",
    "DateOverride",
    "GroupKind",
    "GroupSession",
    "GroupStatus",
    "Place",
    "PlaceStatus",
    "ReflectiveGroup",
    "SessionStatus",
    "WaitlistEntry",
    "WaitlistStatus",
    "WeeklyRule",
]
