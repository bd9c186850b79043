from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reflect import text_limits


class Community(models.Model):
    """A community an organisation serves (the report's "What do we mean by complex")."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField("what the organisation does", max_length=text_limits.DESCRIPTION)
    communities = models.ManyToManyField(Community, blank=True, related_name="organisations")
    area = models.CharField(max_length=200, help_text="For example, a district of the city.")
    staff_size = models.PositiveIntegerField("number of staff and regular volunteers")
    runs_group_work = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [text_limits.length_constraint("description", text_limits.DESCRIPTION)]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in an organisation: staff, and possibly its lead."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_lead = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "user__first_name"]
        constraints = [
            # One current membership per person and organisation; past ones stay as history.
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(left_at__isnull=True),
                name="one_current_membership",
            ),
        ]

    def __str__(self) -> str:
        role = "lead" if self.is_lead else "staff"
        return f"{self.user} ({role}, {self.organisation})"

    @property
    def is_current(self) -> bool:
        return self.left_at is None
