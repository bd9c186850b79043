"""Cohort groups: staff apply with the times that suit them; the commissioner fills cohorts.

A cohort is a reflective group of kind ``COHORT``: a stable membership for a term, as
reflective and Balint groups work best with committed members (docs/questionnaire.md). Members' places
in each of the group's sessions are booked for them, and each can be cancelled on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApplicationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a cohort"
    ASSIGNED = "assigned", "Given a cohort"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CohortApplication(models.Model):
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="cohort_applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_applications")
    # The organisation they apply through: the per-cohort cap on colleagues counts by it.
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.PROTECT, related_name="+")
    # Days that suit, 0 = Monday … 6 = Sunday; empty means any day.
    weekdays = models.JSONField(default=list, blank=True)
    earliest_start = models.TimeField("start no earlier than", null=True, blank=True)
    latest_end = models.TimeField("finish no later than", null=True, blank=True)
    applied_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.WAITING)
    cohort = models.ForeignKey(
        "scheduling.ReflectiveGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "user"],
                condition=Q(status__in=["waiting", "assigned"]),
                name="one_active_cohort_application_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Cohort application {self.pk} ({self.status})"


class CohortMembership(models.Model):
    group = models.ForeignKey("scheduling.ReflectiveGroup", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships")
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], condition=Q(left_at__isnull=True), name="one_current_cohort_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"Cohort membership {self.pk}"
