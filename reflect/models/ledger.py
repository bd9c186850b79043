from __future__ import annotations

from decimal import Decimal

from django.db import models

from reflect.enums import LedgerKind
from reflect.models.organisations import Organisation
from reflect.models.pools import Pool


class LedgerEntry(models.Model):
    """One countable event in a pool (DESIGN.md §3). Append-only, and it names no person.

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
