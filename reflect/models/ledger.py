from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models

from reflect import wording
from reflect.enums import LedgerKind
from reflect.local_time import LONDON
from reflect.models.organisations import Organisation
from reflect.models.pools import Pool


class LedgerEntry(models.Model):
    """One countable event in a pool (docs/architecture.md). Append-only, and it names no person.

    Balances are sums over entries; a correction or a reallocation is a new, dated entry,
    never an edit. Because no row points at a person, erasing someone cannot move a total.
    """

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="ledger_entries")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=30, choices=LedgerKind.choices)
    hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    money = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    quantity = models.IntegerField(default=0, help_text="How many of the counted thing.")
    occurred_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A stable key for the event this entry records ("booking:12:reserved"), so that a
    # service or task that runs twice records it once.
    source = models.CharField(max_length=120, unique=True, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["pool", "kind", "occurred_at"], name="ledger_pool_kind_time"),
            models.Index(fields=["pool", "organisation", "kind"], name="ledger_pool_org_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hours} h — {self.pool}"


# The ledger's months are months in Europe/London, as the dashboard's periods are (docs/architecture.md).
LEDGER_ZONE = LONDON


def ledger_month(moment: datetime.datetime) -> datetime.date:
    """The first day of the Europe/London month in which ``moment`` falls."""
    return moment.astimezone(LEDGER_ZONE).date().replace(day=1)


class LedgerMonth(models.Model):
    """The ledger's entries of one pool, organisation and kind in one month, added up.

    Derived data, so that the dashboard reads a few thousand rows instead of every entry
    (docs/performance.md): ``record_ledger_entry`` adds each entry to its month in the same
    transaction as the entry itself, and a bulk writer (the city seed) writes the months of
    what it writes, so the two never disagree. Every period the dashboard shows is whole
    months, so every figure over a period is a sum of these rows.
    """

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="ledger_months")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="ledger_months"
    )
    kind = models.CharField(max_length=30, choices=LedgerKind.choices)
    month = models.DateField(help_text="The first day of the month, in Europe/London.")
    entries = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    money = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    quantity = models.IntegerField(default=0)
    first_at = models.DateTimeField(help_text="When the month's earliest entry occurred.")
    last_at = models.DateTimeField(help_text="When the month's latest entry occurred.")

    class Meta:
        constraints = [
            # Two partial constraints, because a unique constraint treats NULLs as distinct:
            # the pool's own entries (no organisation) have one row a kind and month too.
            models.UniqueConstraint(
                fields=["pool", "organisation", "kind", "month"],
                condition=models.Q(organisation__isnull=False),
                name="ledger_month_organisation",
            ),
            models.UniqueConstraint(
                fields=["pool", "kind", "month"],
                condition=models.Q(organisation__isnull=True),
                name="ledger_month_pool",
            ),
        ]
        # The pool's month-by-month figures of a few kinds (the dashboard's chart, the allocation's
        # monthly share) read a slice of the months, not all of them.
        indexes = [models.Index(fields=["pool", "kind", "month"], name="ledger_month_pool_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {wording.month(self.month)} — {self.pool}"
