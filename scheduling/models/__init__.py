"""Scheduling models, one module per area."""

from scheduling.models.availability import AvailabilitySettings, DateOverride, WeeklyRule
from scheduling.models.busy_calendar import BusyCalendarFeed, BusyInterval
from scheduling.models.cohorts import ApplicationStatus, CohortApplication, CohortMembership
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
    "ApplicationStatus",
    "AvailabilitySettings",
    "BusyCalendarFeed",
    "BusyInterval",
    "CohortApplication",
    "CohortMembership",
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
