"""Which adapter serves which provider: adding one (Microsoft Graph, Google's API) is a module
beside ``caldav_adapter`` and a line here (docs/calendars.md, "Adding a provider")."""

from __future__ import annotations

from collections.abc import Callable

from scheduling.connected_calendars.caldav_adapter import CalDAVCalendar
from scheduling.connected_calendars.interface import CalendarConnection, Credentials

ADAPTERS: dict[str, Callable[[Credentials], CalendarConnection]] = {"caldav": CalDAVCalendar}


def open_calendar(provider: str, credentials: Credentials) -> CalendarConnection:
    """The adapter for ``provider`` (a ``CalendarProvider`` value), ready to use."""
    return ADAPTERS[provider](credentials)
