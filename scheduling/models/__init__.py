"""Scheduling models, one module per area."""

from scheduling.models.availability import AvailabilitySettings, DateOverride, WeeklyRule
from scheduling.models.bookings import (
    BookingAttendee,
    BookingStatus,
    CalendarFeed,
    SessionMode,
    SupervisionBooking,
)
from scheduling.models.busy_calendar import BusyCalendarFeed, BusyInterval
from scheduling.models.calendar_connection import (
    CalendarConnection,
    CalendarEntry,
    CalendarProvider,
    ConnectedBusyTime,
    EntryConflict,
)
from scheduling.models.cohorts import ApplicationStatus, CohortApplication, CohortMembership
from scheduling.models.groups import (
    GroupKind,
    GroupPurpose,
    GroupSession,
    GroupStatus,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
    runs_group,
)

__all__ = [
    "ApplicationStatus",
    "AvailabilitySettings",
    "BookingAttendee",
    "BookingStatus",
    "BusyCalendarFeed",
    "BusyInterval",
    "CalendarConnection",
    "CalendarEntry",
    "CalendarFeed",
    "CalendarProvider",
    "CohortApplication",
    "CohortMembership",
    "ConnectedBusyTime",
    "DateOverride",
    "EntryConflict",
    "GroupKind",
    "GroupPurpose",
    "GroupSession",
    "GroupStatus",
    "Place",
    "PlaceStatus",
    "ReflectiveGroup",
    "SessionMode",
    "SessionStatus",
    "SupervisionBooking",
    "WaitlistEntry",
    "WaitlistStatus",
    "WeeklyRule",
    "runs_group",
]
