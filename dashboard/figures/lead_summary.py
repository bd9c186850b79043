"""The lead's summary of their own organisation: its use of each pool's allocation."""

from __future__ import annotations

from django.db.models import Q

from dashboard.figures.selection import K
from dashboard.figures.sums import balance_of, hours_sum, quantity_sum
from dashboard.tables import Column, Measure, Table, make_table
from reflect.models import LedgerMonth, Organisation


def organisation_summary_table(organisation: Organisation) -> Table:
    """One row per pool the organisation is in: allocation, hours, sessions and suppressed
    reflective-group use — no person, no session, no attendee (docs/architecture.md, on
    suppression). One query, over the ledger's monthly totals."""
    rows = (
        LedgerMonth.objects.filter(organisation=organisation, pool__memberships__organisation=organisation)
        .order_by()
        .values("pool_id", "pool__name")
        .annotate(
            allocated=hours_sum(Q(kind=K.ALLOCATED)),
            used=hours_sum(Q(kind=K.CONSUMED)),
            reserved_gross=hours_sum(Q(kind=K.RESERVED)),
            released=hours_sum(Q(kind=K.RELEASED)),
            supervision_held=quantity_sum(Q(kind=K.SUPERVISION_HELD)),
            places_booked=quantity_sum(Q(kind=K.PLACE_BOOKED)),
            places_attended=quantity_sum(Q(kind=K.PLACE_ATTENDED)),
        )
        .order_by("pool__name")
    )
    table_rows = []
    for row in rows:
        balance = balance_of(row, consumed=row["used"])
        table_rows.append(
            row
            | {
                "pool": row["pool__name"],
                "allocated": balance.allocated,
                "used": balance.used,
                "reserved": balance.reserved,
                "remaining": balance.left,
            }
        )
    return make_table(
        "usage",
        f"{organisation.name}'s use of its allocations",
        (
            Column("pool", "Pool", Measure.TEXT),
            Column("allocated", "Allocated (hours)", Measure.HOURS),
            Column("used", "Used (hours)", Measure.HOURS),
            Column("reserved", "Reserved (hours)", Measure.HOURS),
            Column("remaining", "Remaining (hours)", Measure.HOURS),
            Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
            Column("places_booked", "Reflective-group places booked", Measure.PEOPLE),
            Column("places_attended", "Reflective-group places attended", Measure.PEOPLE),
        ),
        table_rows,
        note="Counts of people are shown as 0, * (1 to 7) or rounded to the nearest 5; who attends a "
        "reflective group is never shown.",
    )
