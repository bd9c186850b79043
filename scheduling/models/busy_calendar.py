"""A supervisor's own calendar, imported as busy times (issue 6, "Busy calendar import").

The feed address is the private iCalendar URL of the calendar they already use. A periodic task
fetches it; each successful fetch replaces the feed's busy intervals wholesale, and a failed one
records its error and keeps the last good intervals, so booking never depends on the fetch.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from scheduling.enums import FeedStatus


class BusyCalendarFeed(models.Model):
    supervisor = models.OneToOneField(
        "supervision.SupervisorProfile", on_delete=models.CASCADE, related_name="busy_calendar_feed"
    )
    # A secret (anyone with it can read the calendar): shown only as its host, never audited.
    url = models.URLField(max_length=2000)
    status = models.CharField(max_length=16, choices=FeedStatus.choices, default=FeedStatus.PENDING)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the periodic task with a conditional UPDATE, so two beats never fetch twice.
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["next_fetch_at"])]

    def __str__(self) -> str:
        return f"Busy calendar of {self.supervisor}"


class BusyInterval(models.Model):
    """A time the supervisor's own calendar says they are busy, in UTC, half-open [start, end)."""

    feed = models.ForeignKey(BusyCalendarFeed, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="busy_interval_ends_after_start")]
        indexes = [models.Index(fields=["feed", "start"])]

    def __str__(self) -> str:
        return f"Busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"
