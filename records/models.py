"""Supervision records (docs/supervision-records.md): a person's choice of professional body,
supervisors' countersignatures, the person's private reflective notes, their CPD log and the
signed copies they chose to share.

The sessions themselves are not copied here: the record is read from the bookings and group
places the person attended (records/entries.py), so it can never disagree with them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from records.bodies import DEFAULT_BODY
from reflect import text_limits


class RecordSettings(models.Model):
    """The professional body a person counts their supervision for (their choice)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_settings")
    # A code of records/bodies/*.json, checked by the form (not choices: a body added to the
    # data needs no migration).
    body = models.CharField(max_length=20, default=DEFAULT_BODY)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Record settings of {self.user_id}"


# Exactly one of booking and group session: a check constraint holds it.
_ONE_ENTRY = Q(booking__isnull=False, group_session__isnull=True) | Q(booking__isnull=True, group_session__isnull=False)


class Countersignature(models.Model):
    """A supervisor's (or facilitator's) confirmation that a person attended one session.

    The signer is kept only while their account is: an erased supervisor leaves the fact and
    the date, which the practitioner's record needs, but not who they were.
    """

    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey("scheduling.SupervisionBooking", null=True, blank=True, on_delete=models.CASCADE, related_name="+")  # fmt: skip
    group_session = models.ForeignKey("scheduling.GroupSession", null=True, blank=True, on_delete=models.CASCADE, related_name="+")  # fmt: skip
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_ONE_ENTRY, name="countersignature_one_entry"),
            models.UniqueConstraint(fields=["practitioner", "booking"], name="one_countersignature_per_booking"),
            models.UniqueConstraint(
                fields=["practitioner", "group_session"], name="one_countersignature_per_group_session"
            ),
        ]

    def __str__(self) -> str:
        return f"Countersignature for {self.practitioner_id}"


class ReflectiveNote(models.Model):
    """The practitioner's own note on one session. Shown to them alone: never to the supervisor,
    never in an export anyone else reads (PDF, CSV, signed copy), only in their own data export."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey("scheduling.SupervisionBooking", null=True, blank=True, on_delete=models.CASCADE, related_name="+")  # fmt: skip
    group_session = models.ForeignKey("scheduling.GroupSession", null=True, blank=True, on_delete=models.CASCADE, related_name="+")  # fmt: skip
    text = models.TextField(max_length=text_limits.DESCRIPTION)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_ONE_ENTRY, name="reflective_note_one_entry"),
            models.UniqueConstraint(fields=["owner", "booking"], name="one_note_per_booking"),
            models.UniqueConstraint(fields=["owner", "group_session"], name="one_note_per_group_session"),
            text_limits.length_constraint("text", text_limits.DESCRIPTION),
        ]

    def __str__(self) -> str:
        return f"Reflective note of {self.owner_id}"


class CpdActivity(models.Model):
    """One line of a person's continuing professional development log."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(max_length=text_limits.NAME)
    done_on = models.DateField("date")
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("200"))],
    )
    learnt = models.TextField("what you learnt", max_length=text_limits.DESCRIPTION)
    # A photo or scan, re-encoded like a supervisor's photo; served to its owner only.
    evidence = models.FileField(upload_to="cpd-evidence/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=Decimal("0")), name="cpd_hours_positive"),
            text_limits.length_constraint("learnt", text_limits.DESCRIPTION),
        ]

    def __str__(self) -> str:
        return f"CPD of {self.owner_id} on {self.done_on}"

    @property
    def minutes(self) -> int:
        """Shown as '1 hour 15 minutes': the hours as typed, not rounded to the half hour."""
        return int(self.hours * 60)


class SignedRecord(models.Model):
    """A signed copy of a record that its holder chose to share: the canonical JSON, its SHA-256
    and an HMAC over it (records/signing.py). Public at its verification page by ``token``.

    When the holder is erased the contents go and the digest, signature and dates stay, so a
    copy in someone's hands can still be checked against the hash (docs/supervision-records.md).
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict)
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Signed record {self.token}"
