from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from reflect import text_limits
from reflect.enums import AllocationRule
from reflect.models.organisations import Organisation


class Pool(models.Model):
    """A pooled budget for supervision and reflective practice, held by commissioners."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    starts_on = models.DateField()
    ends_on = models.DateField()
    hours_budget = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    money_budget = models.DecimalField(
        "money budget (£)", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    hourly_rate = models.DecimalField(
        "hourly rate (£)", max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    allocation_rule = models.CharField(max_length=20, choices=AllocationRule.choices, default=AllocationRule.EQUAL)
    late_cancellation_hours = models.PositiveIntegerField(
        "cancellation notice (hours)",
        default=24,
        help_text="Cancelling with less notice than this uses the hours.",
    )
    commissioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PoolCommissioner", related_name="commissioned_pools"
    )
    organisations = models.ManyToManyField(Organisation, through="PoolOrganisation", related_name="pools")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            text_limits.length_constraint("description", text_limits.DESCRIPTION),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="pool_period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class PoolCommissioner(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pool", "user"], name="one_commission_per_pool")]

    def __str__(self) -> str:
        return f"{self.user} commissions {self.pool}"


class PoolOrganisation(models.Model):
    """An organisation's place in a pool. Its row is the lock taken before its hours move.

    The hours themselves live in the ledger (append-only); this row is only the capacity row
    that concurrent reservations lock, in a fixed order, before reading the balance.
    """

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="pool_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "organisation"], name="one_place_per_pool"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.pool}"
