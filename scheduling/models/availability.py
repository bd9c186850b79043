"""What a supervisor says about when they can be booked (docs/architecture.md "Time").

Times here are wall-clock times in the supervisor's own zone, never UTC: a Tuesday 10:00 rule
is 10:00 on their clock in winter and in summer. The slot engine (scheduling/slots.py) turns
them into UTC slots; scheduling/queries.py converts these rows into its dataclasses.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from reflect import text_limits, wording
from scheduling.enums import Weekday

DEFAULT_TIME_ZONE = "Europe/London"


def default_session_lengths() -> list[int]:
    return [60, 90]


class AvailabilitySettings(models.Model):
    """One row per supervisor; missing means the defaults (``settings_for`` creates it)."""

    supervisor = models.OneToOneField(
        "supervision.SupervisorProfile", on_delete=models.CASCADE, related_name="availability_settings"
    )
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE, help_text="An IANA zone name.")
    # Minutes, ascending, e.g. [60, 90]: a JSON list because the set is small and read whole.
    session_lengths = models.JSONField(default=default_session_lengths)
    buffer_minutes = models.PositiveSmallIntegerField(default=15)
    minimum_notice_hours = models.PositiveSmallIntegerField(default=24)
    horizon_weeks = models.PositiveSmallIntegerField(default=8)
    max_sessions_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    max_sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    # No monthly capacity here: a supervisor's hours a month are SupervisorProfile.monthly_capacity_hours
    # alone, which matching, agreements, booking and their own page all read (migration 0014).
    # Where sessions happen, copied into each booking and shown to its attendees only.
    online_link = models.URLField("link for online sessions", blank=True)
    meeting_place = models.TextField("address for sessions in person", blank=True, max_length=text_limits.ADDRESS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availability settings"
        constraints = [
            text_limits.length_constraint("meeting_place", text_limits.ADDRESS),
            models.CheckConstraint(
                condition=Q(horizon_weeks__gte=1) & Q(horizon_weeks__lte=52), name="availability_horizon_1_to_52_weeks"
            ),
            models.CheckConstraint(condition=Q(buffer_minutes__lte=240), name="availability_buffer_at_most_4_hours"),
        ]

    def __str__(self) -> str:
        return f"Availability settings of {self.supervisor}"


class WeeklyRule(models.Model):
    """Free every ``weekday`` from ``start`` to ``end`` (wall clock), between two optional dates."""

    supervisor = models.ForeignKey(
        "supervision.SupervisorProfile", on_delete=models.CASCADE, related_name="weekly_rules"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="weekly_rule_ends_after_start"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="weekly_rule_valid_until_after_from",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_rule_weekday_0_to_6"),
        ]
        indexes = [models.Index(fields=["supervisor", "weekday"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the rule is named in messages: "Tuesday 10am to 4pm (from Thursday 1 April 2027)"."""
        text = f"{Weekday(self.weekday).label} {wording.clock(self.start)} to {wording.clock(self.end)}"
        if self.valid_from and self.valid_until:
            text += f" ({wording.date(self.valid_from)} to {wording.date(self.valid_until)})"
        elif self.valid_from:
            text += f" (from {wording.date(self.valid_from)})"
        elif self.valid_until:
            text += f" (until {wording.date(self.valid_until)})"
        return text


class DateOverride(models.Model):
    """One day that differs from the weekly rules: away all day (no times), or these hours.

    A day may hold several windows of different hours, or one "away" row and nothing else;
    any override on a day replaces that day's weekly rules entirely.
    """

    supervisor = models.ForeignKey(
        "supervision.SupervisorProfile", on_delete=models.CASCADE, related_name="date_overrides"
    )
    date = models.DateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=120, blank=True, help_text="Only you see this, e.g. “Conference”.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True))
                | (Q(start__isnull=False) & Q(end__isnull=False) & Q(end__gt=F("start"))),
                name="date_override_away_or_window",
            ),
            # One "away" row a day (NULL starts are never equal, hence the partial constraint)…
            models.UniqueConstraint(
                fields=["supervisor", "date"], condition=Q(start__isnull=True), name="date_override_one_away_a_day"
            ),
            # …and no two windows of a day starting together (overlap itself is the service's check).
            models.UniqueConstraint(fields=["supervisor", "date", "start"], name="date_override_unique_start"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def away(self) -> bool:
        return self.start is None

    @property
    def label(self) -> str:
        day = wording.day(self.date)
        if self.start is None or self.end is None:  # away (a window has both, an away day neither)
            return f"{day}: away all day"
        return f"{day}: {wording.clock(self.start)} to {wording.clock(self.end)}"
