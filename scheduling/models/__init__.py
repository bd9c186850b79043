from scheduling.models.availability import AvailabilitySettings, DateOverride, WeeklyRule
from scheduling.models.busy_calendar import BusyCalendarFeed, BusyInterval

__all__ = ["AvailabilitySettings", "BusyCalendarFeed", "BusyInterval", "DateOverride", "WeeklyRule"]
