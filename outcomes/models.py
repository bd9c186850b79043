"""Outcome measures: a pool's schedule, the invitations and the answers (docs/outcomes.md).

An answer is linked to its person only so that they can see their own scores over time and so
that it goes with them when they are erased. No page, export, message or admin screen shows one
person's answers or scores to anyone else: commissioners see aggregates over 8 people or more.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from outcomes.enums import InvitationStatus

DEFAULT_INTERVAL_MONTHS = 6
DEFAULT_MEASURE = "proqol-5"


class PoolOutcomeSettings(models.Model):
    """How often a pool's staff are asked, and which measure (a pool with no row: every 6
    months, ProQOL 5). The commissioner changes it."""

    pool = models.OneToOneField("reflect.Pool", on_delete=models.CASCADE, related_name="outcome_settings")
    interval_months = models.PositiveSmallIntegerField(
        "months between asking",
        default=DEFAULT_INTERVAL_MONTHS,
        validators=[MinValueValidator(3), MaxValueValidator(24)],
    )
    measure = models.CharField(max_length=40, default=DEFAULT_MEASURE)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "pool outcome settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_months__gte=3, interval_months__lte=24), name="outcome_interval_in_range"
            )
        ]

    def __str__(self) -> str:
        return f"Outcome measures for pool {self.pool_id}"


class OutcomeInvitation(models.Model):
    """One person asked once in one round of one pool (round 0 at joining, then one a period)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    measure = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The beat task's idempotence: a second run finds the round already asked.
            models.UniqueConstraint(fields=["person", "pool", "round"], name="one_outcome_invitation_per_round")
        ]
        indexes = [models.Index(fields=["person", "status"], name="outcome_invitation_person")]

    def __str__(self) -> str:
        return f"Outcome invitation {self.pk}"


class OutcomeResponse(models.Model):
    """One person's answers to one measure in one round, with the scores they gave."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=40)
    measure_version = models.PositiveSmallIntegerField()
    answered_on = models.DateField()
    answers = models.JSONField()  # {"1": 4, "2": 2, …}: item number to the answer given
    scores = models.JSONField()  # {"burnout": 23, …}: each subscale's score
    # Whether they had attended a supervision session or a reflective group by then: the
    # dashboard compares those who had with those who had not.
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["answered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "pool", "measure", "round"], name="one_outcome_response_per_round"
            )
        ]
        indexes = [models.Index(fields=["pool", "measure", "answered_on"], name="outcome_response_pool")]

    def __str__(self) -> str:
        # Never the scores: a string can end up in a log or an admin page.
        return f"Outcome response {self.pk}"
