"""Reflective groups: a recurring facilitated group, its sessions, places and waitlists.

Capacity lives on the session row (``place_limit``: capacity plus the overbooking allowance,
fixed when the session is generated) so the database can hold ``places_taken <= place_limit``
as a plain column comparison (docs/architecture.md, "Capacity").
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from reflect import text_limits
from scheduling.video_links import validate_video_link


class GroupKind(models.TextChoices):
    DROP_IN = "drop_in", "Drop-in (book each session)"
    COHORT = "cohort", "Cohort (a stable membership for a term)"


class GroupPurpose(models.TextChoices):
    """What a group is for (issue 23): all three are booked, waitlisted, registered and put in
    calendars by the same machinery; only their words, and who may run one, differ
    (docs/groups.md, "Purposes")."""

    REFLECTIVE = "reflective", "Reflective group"
    LEARNING = "learning", "Learning session"
    COMMUNITY = "community", "Community of practice"


class GroupStatus(models.TextChoices):
    ACTIVE = "active", "Running"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class PlaceStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a place"
    TAKEN = "taken", "Took the place"
    EXPIRED = "expired", "Offer expired"
    LEFT = "left", "Left the waitlist"
    CLOSED = "closed", "Session cancelled"


# A place that holds a seat: cancelled ones do not.
ACTIVE_PLACE_STATUSES = (PlaceStatus.BOOKED, PlaceStatus.ATTENDED, PlaceStatus.ABSENT)
ACTIVE_WAITLIST_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class ReflectiveGroup(models.Model):
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="reflective_groups")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    facilitator = models.ForeignKey(
        "supervision.SupervisorProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitated_groups",
    )
    external_facilitator_name = models.CharField(max_length=200, blank=True)
    external_facilitator_email = models.EmailField(blank=True)
    purpose = models.CharField(max_length=12, choices=GroupPurpose.choices, default=GroupPurpose.REFLECTIVE)
    # A community of practice is peer-led: a named person hosts it (and keeps its register)
    # instead of a clinician facilitator (docs/groups.md, "Purposes").
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="hosted_groups"
    )
    # Recurrence in the group's wall clock: the RRULE's times are local, so a 14:00 session
    # stays 14:00 across the clocks changing.
    rrule = models.CharField(
        "recurrence (RRULE)",
        max_length=500,
        help_text="For example FREQ=MONTHLY;BYDAY=+2WE for the second Wednesday of each month.",
    )
    first_date = models.DateField(help_text="The first day the pattern may fall on.")
    # A cohort meets for a term; a drop-in group may end too. Empty: it keeps going, a year
    # of sessions always ahead.
    last_date = models.DateField(
        "last date (optional)",
        null=True,
        blank=True,
        help_text="The last day a session may fall on: for a cohort, the end of its term. Leave empty to keep going.",
    )
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField(validators=[MinValueValidator(15), MaxValueValidator(8 * 60)])
    time_zone = models.CharField(max_length=64, default="Europe/London")
    location = models.TextField(
        "place", blank=True, help_text="Shown only to people with a place.", max_length=text_limits.ADDRESS
    )
    online_link = models.URLField(blank=True, help_text="Shown only to people with a place.")
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    overbooking_percent = models.PositiveIntegerField(
        "overbooking allowance (%)", default=0, validators=[MaxValueValidator(100)]
    )
    booking_opens_days = models.PositiveIntegerField("booking opens (days before each session)", default=28)
    all_pool_organisations = models.BooleanField("open to all of the pool's organisations", default=True)
    eligible_organisations = models.ManyToManyField("reflect.Organisation", blank=True, related_name="+")
    ground_rules = models.TextField(max_length=text_limits.GROUND_RULES)
    confidentiality_statement = models.TextField(max_length=text_limits.GROUND_RULES)
    kind = models.CharField(max_length=10, choices=GroupKind.choices, default=GroupKind.DROP_IN)
    status = models.CharField(max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            text_limits.length_constraint("confidentiality_statement", text_limits.GROUND_RULES),
            text_limits.length_constraint("ground_rules", text_limits.GROUND_RULES),
            text_limits.length_constraint("location", text_limits.ADDRESS),
            text_limits.length_constraint("description", text_limits.DESCRIPTION),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="group_capacity_at_least_one"),
            models.CheckConstraint(
                condition=Q(last_date__isnull=True) | Q(last_date__gte=F("first_date")),
                name="group_ends_after_it_starts",
            ),
            # Only a community of practice may go without a facilitator, and only with a host.
            models.CheckConstraint(
                condition=Q(facilitator__isnull=False)
                | ~Q(external_facilitator_name="")
                | Q(purpose=GroupPurpose.COMMUNITY, host__isnull=False),
                name="group_has_facilitator_or_host",
            ),
            models.CheckConstraint(
                condition=~Q(purpose=GroupPurpose.COMMUNITY) | Q(host__isnull=False),
                name="community_has_host",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def place_limit(self) -> int:
        """Capacity plus the overbooking allowance, rounded down."""
        return self.capacity + math.floor(self.capacity * self.overbooking_percent / 100)

    @property
    def facilitator_name(self) -> str:
        """Who runs it: the facilitator, or a community of practice's host."""
        if self.facilitator is not None:
            return self.facilitator.user.display_name
        if self.external_facilitator_name:
            return self.external_facilitator_name
        return self.host.display_name if self.host is not None else ""

    @property
    def facilitator_email(self) -> str:
        if self.facilitator is not None:
            return self.facilitator.user.email
        if self.external_facilitator_name:
            return self.external_facilitator_email
        return self.host.email if self.host is not None else ""

    @property
    def is_hosted(self) -> bool:
        """Led by a host (a community of practice), not a facilitator: the words say "hosted by"."""
        return self.purpose == GroupPurpose.COMMUNITY

    @property
    def led_by_words(self) -> str:
        """Who leads it, in words: "Hosted by Sam" for a community of practice, "Facilitated by …" otherwise."""
        verb = "Hosted by" if self.is_hosted else "Facilitated by"
        return f"{verb} {self.facilitator_name}"


def runs_group(user: Any, via: str = "") -> Q:
    """The groups ``user`` runs, and so keeps the register of: as their facilitator, or as a
    community of practice's host. ``via`` is the path to the group ("group__" from a session).

    A host runs the group only while they are on the staff of one of its pool's organisations
    and lead none of them: the rule a community of practice is saved under (groups/changes.py),
    kept when the host later becomes a lead or leaves, since the register names who comes and a
    lead must never learn which of their staff do (docs/groups.md, "Purposes")."""
    from reflect.models import Membership  # the core's model; scheduling's models load first

    in_pool = Membership.objects.current().filter(
        user=OuterRef(f"{via}host"),
        organisation__pool_memberships__pool=OuterRef(f"{via}pool"),
    )
    hosting = Q(**{f"{via}host": user}) & Q(Exists(in_pool)) & ~Q(Exists(in_pool.filter(is_lead=True)))
    return Q(**{f"{via}facilitator__user": user}) | hosting


class GroupSession(models.Model):
    group = models.ForeignKey(ReflectiveGroup, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    place_limit = models.PositiveIntegerField(help_text="Capacity plus the overbooking allowance.")
    places_taken = models.PositiveIntegerField(default=0)
    # The register's counts, kept by mark_attendance as it marks each place: the commissioner's
    # dashboard adds up a few thousand sessions instead of grouping every place (docs/performance.md).
    places_attended = models.PositiveIntegerField(default=0, db_default=0)
    places_absent = models.PositiveIntegerField(default=0, db_default=0)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE, bumped on each change.")
    # This session's own video link, instead of the group's standing one (blank: the group's).
    # Shown only to people with a place and the facilitator (groups/calendar.py session_link).
    online_link = models.URLField("video link for this session", blank=True, validators=[validate_video_link])
    # Where the group's pattern put a session that has since been moved: the year-ahead task
    # must not make that occurrence again.
    original_starts_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Calendar feeds' Last-Modified. Code that changes a session with .update() sets it too
    # (but for the register's counts, which no calendar shows).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(places_taken__lte=F("place_limit")), name="session_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.UniqueConstraint(fields=["group", "starts_at"], name="one_session_per_group_start"),
        ]

    def __str__(self) -> str:
        return f"{self.group} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def places_left(self) -> int:
        return max(self.place_limit - self.places_taken, 0)

    @property
    def ics_uid(self) -> str:
        return f"group-session-{self.pk}@reflect"


class Place(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="places")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_places")
    # The person's organisation when they booked: aggregates count by it, never by person.
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=PlaceStatus.choices, default=PlaceStatus.BOOKED)
    booked_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, max_length=text_limits.NOTE)

    class Meta:
        ordering = ["booked_at", "pk"]
        constraints = [
            text_limits.length_constraint("cancel_reason", text_limits.NOTE),
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=~Q(status=PlaceStatus.CANCELLED),
                name="one_active_place_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Place {self.pk} ({self.status})"


class WaitlistEntry(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_waitlist")
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    offered_until = models.DateTimeField(null=True, blank=True)
    # When a place first came their way (offered, or booked for them straight away): how long
    # people wait, for the commissioner's dashboard. Kept even after the offer lapses.
    first_offered_at = models.DateTimeField(null=True, blank=True)
    auto_accept = models.BooleanField("book the place straight away when one frees", default=False)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_active_waitlist_entry_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist {self.pk} ({self.status})"
