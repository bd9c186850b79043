"""Supervision sessions booked against an agreement (issue 6; docs/product.md, docs/architecture.md).

A booking is a time with one supervisor, for one or more staff of the agreement's
organisation. Its hours are reserved in the pool's ledger when it is made and released or
consumed when it ends; the row itself holds only that it happened and who came — nothing said.

No double booking is held three ways: the service locks the supervisor's row before it looks
for clashes (and checks buffers and limits through the slot engine), and on PostgreSQL an
exclusion constraint (btree_gist, migration 0003) refuses two live bookings of one supervisor
whose times overlap, whatever the code does.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reflect import text_limits


class SessionMode(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"  # with enough notice, or by the supervisor: hours released
    LATE_CANCELLED = "late_cancelled", "Cancelled late"  # hours used
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Missed"


# Statuses that hold the supervisor's time (the exclusion constraint's condition too).
LIVE_BOOKING_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class SupervisionBooking(models.Model):
    agreement = models.ForeignKey("supervision.SupervisionAgreement", on_delete=models.PROTECT, related_name="bookings")
    # Copied from the agreement so that the exclusion constraint and the ledger queries need
    # no join; an agreement never changes its supervisor, organisation or pool.
    supervisor = models.ForeignKey("supervision.SupervisorProfile", on_delete=models.PROTECT, related_name="bookings")
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.PROTECT, related_name="+")
    pool = models.ForeignKey("reflect.Pool", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    is_group = models.BooleanField("group supervision", default=False)
    mode = models.CharField(max_length=20, choices=SessionMode.choices, default=SessionMode.ONLINE)
    # Shown to the attendees and the supervisor only (pages, e-mails, .ics, feeds).
    meeting_place = models.TextField(blank=True, max_length=text_limits.ADDRESS)
    online_link = models.URLField(blank=True)
    status = models.CharField(max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # iCalendar identity: the UID never changes; SEQUENCE goes up with every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_supervisor = models.BooleanField(default=False)
    # Why it was cancelled, in a few words ("unwell"); never what the session was about.
    cancel_reason = models.CharField(max_length=200, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            text_limits.length_constraint("meeting_place", text_limits.ADDRESS),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=Decimal("0")), name="booking_hours_positive"),
        ]
        indexes = [
            # Covering: the dashboard's supervisors' table adds up each supervisor's hours booked
            # in one pool and period from the index alone, not from ~500 rows of the table each
            # (docs/performance.md). It replaced the plain (supervisor, starts_at) index, so a
            # booking writes no more index entries than before.
            models.Index(
                fields=["supervisor", "starts_at"],
                include=["pool", "status", "hours"],
                name="booking_supervisor_covering",
            ),
            models.Index(fields=["agreement", "starts_at"], name="booking_agreement_start"),
            models.Index(fields=["pool", "organisation", "starts_at"], name="booking_pool_org_start"),
        ]

    def __str__(self) -> str:
        return f"Supervision with {self.supervisor_id} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_cancelled(self) -> bool:
        return self.status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)


class BookingAttendee(models.Model):
    """A member of staff booked into a session (one for 1:1, several for group supervision)."""

    booking = models.ForeignKey(SupervisionBooking, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_bookings")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "user"], name="one_attendance_per_booking")]

    def __str__(self) -> str:
        return f"{self.user_id} at booking {self.booking_id}"


class CalendarFeed(models.Model):
    """A person's private calendar address. The token is the key: regenerating it revokes the old.

    Only the token's SHA-256 is stored (docs/security.md, "Calendars"): a copy of the database
    does not open anyone's calendar, and the address is shown once, when it is made.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
