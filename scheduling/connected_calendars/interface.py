"""The interface every connected-calendar provider implements (docs/calendars.md).

The sync service (scheduling/services/calendar_sync.py) only ever calls these four methods, and
the booking services never see any of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol


class CalendarUnavailable(Exception):
    """The calendar could not be reached or refused us; ``message`` says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RemoteBusy:
    """A busy time read from the calendar (UTC, half-open) and the UID of the event it came from."""

    start: datetime.datetime
    end: datetime.datetime
    uid: str


@dataclass(frozen=True)
class EventState:
    """An event as the calendar holds it now: its version and when it starts."""

    etag: str
    starts_at: datetime.datetime | None


class CalendarConnection(Protocol):
    def read_busy(self, start: datetime.datetime, end: datetime.datetime, *, time_zone: str) -> list[RemoteBusy]:
        """The busy times that meet [start, end), with the UID of each one's event."""
        ...

    def upsert_event(self, uid: str, ical_text: str) -> str:
        """Create or replace the event with this UID; returns its new version (etag)."""
        ...

    def delete_event(self, uid: str) -> None:
        """Remove the event with this UID; an event already gone is not an error."""
        ...

    def event_state(self, uid: str) -> EventState | None:
        """The event's version and start, or None when it is no longer in the calendar."""
        ...


@dataclass(frozen=True)
class Credentials:
    url: str
    username: str
    password: str
