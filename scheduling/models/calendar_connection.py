"""A supervisor's connected calendar (issue 19, two-way sync): read for busy times, written with
each booked session.

Unlike the read-only busy calendar (busy_calendar.py), a connection holds credentials: the user
name and an app password, the password encrypted at rest (scheduling/calendar_credentials.py)
and never shown again. The sync itself runs in a worker (scheduling/services/calendar_sync.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from scheduling.enums import FeedStatus


class CalendarProvider(models.TextChoices):
    # One adapter each (scheduling/connected_calendars/); docs/calendars.md says how to add one.
    CALDAV = "caldav", "CalDAV"


class CalendarConnection(models.Model):
    supervisor = models.OneToOneField(
        "supervision.SupervisorProfile", on_delete=models.CASCADE, related_name="calendar_connection"
    )
    provider = models.CharField(max_length=16, choices=CalendarProvider.choices, default=CalendarProvider.CALDAV)
    # The calendar collection's address (not secret without the password; shown as its host).
    url = models.URLField(max_length=2000)
    username = models.CharField(max_length=200)
    # The app password, Fernet-encrypted: the column never holds it in clear. (A password of 200
    # characters, 800 bytes at most in UTF-8, makes a token of under 1,200.)
    secret = models.CharField(max_length=2000)
    status = models.CharField(max_length=16, choices=FeedStatus.choices, default=FeedStatus.PENDING)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Connected calendar of {self.supervisor}"


class ConnectedBusyTime(models.Model):
    """A time the connected calendar says the supervisor is busy, in UTC, half-open [start, end).

    Events Reflect wrote itself are never among them: the booking blocks that time already.
    """

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy_times")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="connected_busy_time_ends_after_start")
        ]
        indexes = [models.Index(fields=["connection", "start"])]

    def __str__(self) -> str:
        return f"Busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


class EntryConflict(models.TextChoices):
    NONE = "", "None"
    MOVED = "moved", "Moved in your calendar"
    MISSING = "missing", "Deleted from your calendar"


class CalendarEntry(models.Model):
    """What Reflect last wrote of one booking into the connected calendar.

    ``written_sequence`` is the booking's SEQUENCE when it was written: a booking whose SEQUENCE
    is ahead is written again (the periodic reconciliation finds those, so a lost task never
    loses an entry). ``etag`` is the server's version of what we wrote: a different one on the
    next sync means the supervisor changed the event themselves.
    """

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="entries")
    booking = models.ForeignKey("scheduling.SupervisionBooking", on_delete=models.CASCADE, related_name="+")
    written_sequence = models.IntegerField()
    written_starts_at = models.DateTimeField()
    etag = models.CharField(max_length=500, blank=True)
    deleted = models.BooleanField(default=False)  # the booking was cancelled and its event removed
    conflict = models.CharField(max_length=16, choices=EntryConflict.choices, default=EntryConflict.NONE, blank=True)
    # Where the supervisor moved it to, for the question on their page.
    remote_starts_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "booking"], name="one_calendar_entry_per_booking")]

    def __str__(self) -> str:
        return f"Calendar entry of booking {self.booking_id}"
