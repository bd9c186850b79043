"""Money and hours: what each organisation was allocated, has reserved, used and has left, and
each month's use against its share of the allocation (its chart is drawn by
dashboard/figures/overview.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet

from dashboard.figures.selection import K, Question
from dashboard.figures.sums import as_hours, hours_sum, quantity_sum
from dashboard.filters import pool_months
from dashboard.tables import CENT, Column, Measure, RawRow, Section, Table, figure, make_table
from reflect import wording
from reflect.models import LedgerMonth
from reflect.statements import fetch_named_rows


class MoneyFigures(Question):
    """How much of the allocation is used, by organisation and by month."""

    ORGANISATION_COLUMNS = (
        Column("name", "Organisation", Measure.TEXT),
        # Exact beside the money (docs/conventions.md): 63.82 hours rounded to "64" did not
        # match its £, and rounded rows did not add up to the total row.
        Column("allocated", "Allocated (hours)", Measure.HOURS_EXACT),
        Column("reserved", "Reserved (hours)", Measure.HOURS_EXACT),
        Column("used", "Used in period (hours)", Measure.HOURS_EXACT),
        Column("used_money", "Used in period (£)", Measure.MONEY),
        # What may still be booked, as the booking page and the lead's summary write it.
        Column("remaining", "Remaining (hours)", Measure.HOURS_LEFT),
        Column("percent_used", "Used to date", Measure.PERCENT),
        Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
        Column("places_attended", "Group places attended", Measure.PEOPLE),
        Column("last_activity", "Last activity", Measure.DATE),
    )

    def organisations_table(self) -> Table:
        selection = self.selection
        empty = selection.derive(selection.zeros())
        rows = [
            selection.by_organisation.get(m.organisation_id, empty) | {"name": m.name} for m in selection.memberships
        ]
        total = selection.totals | {"name": "All organisations" if self.filters.organisation is None else "Total"}
        return make_table(
            "organisations",
            "Money and hours by organisation",
            self.ORGANISATION_COLUMNS,
            rows,
            total=total,
            note="Totals include the pool's own entries. Counts of people are shown as 0, * (1 to 7) or "
            "rounded to the nearest 5, rows and totals alike, so no row can be worked out from the total.",
        )

    @cached_property
    def monthly(self) -> dict[datetime.date, RawRow]:
        values = self.selection.months_values()
        rows = fetch_named_rows(("dashboard.ledger_months_used", *values), ledger_months_used, **values)
        return {row["month"]: row for row in rows}

    @cached_property
    def monthly_share(self) -> Decimal:
        """The allocation spread evenly over the pool's months: the pace to compare use with."""
        allocated = (
            self.selection.ledger_months()
            .filter(self.selection.to_end, kind=K.ALLOCATED)
            .aggregate(total=hours_sum(Q()))["total"]
        )
        return (as_hours(allocated) / len(pool_months(self.pool))).quantize(CENT)

    def months_table(self) -> Table:
        share = self.monthly_share
        rows = []
        for month in self.filters.period.months:
            row = self.monthly.get(month, {})
            rows.append(
                {
                    "month": month,
                    "used": as_hours(row.get("used")),
                    "used_money": as_hours(row.get("used_money")),
                    "share": share,
                    "percent": (as_hours(row.get("used")), share),
                    "places_booked": row.get("places_booked", 0),
                    "places_attended": row.get("places_attended", 0),
                    "supervision_held": row.get("supervision_held", 0),
                }
            )
        return make_table(
            "months",
            "Hours used each month against the month's share of the allocation",
            (
                Column("month", "Month", Measure.MONTH),
                Column("used", "Used (hours)", Measure.HOURS_EXACT),
                Column("used_money", "Used (£)", Measure.MONEY),
                Column("share", "Month's share of allocation (hours)", Measure.HOURS),
                Column("percent", "Use against share", Measure.PERCENT),
                Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
                Column("places_booked", "Group places booked", Measure.PEOPLE),
                Column("places_attended", "Group places attended", Measure.PEOPLE),
            ),
            rows,
        )

    def section(self) -> Section:
        t, pool = self.selection.totals, self.pool
        scope = self.filters.organisation.name if self.filters.organisation else "the pool"
        section = Section("money", "Money and hours")
        if self.filters.organisation is None:
            section.figures += [
                figure("Hours budget", pool.hours_budget, Measure.HOURS),
                figure(
                    "Money budget", pool.money_budget, Measure.MONEY, f"at {wording.money(pool.hourly_rate)} an hour"
                ),
            ]
        section.figures += [
            # The figures of the table below, its total row, in the same words.
            figure(f"Allocated to {scope}", t["allocated"], Measure.HOURS_EXACT, "by the end of the period"),
            figure("Reserved", t["reserved"], Measure.HOURS_EXACT, "booked, not yet used"),
            figure("Used in the period", t["used"], Measure.HOURS_EXACT),
            figure("Value used in the period", t["used_money"], Measure.MONEY),
            figure("Remaining", t["remaining"], Measure.HOURS_LEFT, "of the allocation, to book"),
            figure("Used to date", t["percent_used"], Measure.PERCENT, "of the allocation"),
            figure("Last activity", t["last_activity"], Measure.DATE),
        ]
        # The months' table sits with its chart at the top of the page (dashboard/figures/overview.py).
        section.tables += [self.organisations_table()]
        return section


def ledger_months_used(
    *, pool_id: int, first_month: datetime.date, last_month: datetime.date, organisation_id: int | None = None
) -> QuerySet[LedgerMonth, Any]:
    """Each month's hours and money used, places booked and attended and supervision held, from
    the ledger's monthly totals. Every value it varies by is an argument, so that the statement
    can be kept once (reflect/statements.py)."""
    months = LedgerMonth.objects.filter(pool_id=pool_id)
    if organisation_id is not None:
        months = months.filter(organisation_id=organisation_id)
    return (
        months.order_by()
        .filter(
            month__gte=first_month,
            month__lte=last_month,
            kind__in=(K.CONSUMED, K.PLACE_BOOKED, K.PLACE_ATTENDED, K.SUPERVISION_HELD),
        )
        .values("month")
        .annotate(
            used=hours_sum(Q(kind=K.CONSUMED)),
            used_money=hours_sum(Q(kind=K.CONSUMED), "money"),
            places_booked=quantity_sum(Q(kind=K.PLACE_BOOKED)),
            places_attended=quantity_sum(Q(kind=K.PLACE_ATTENDED)),
            supervision_held=quantity_sum(Q(kind=K.SUPERVISION_HELD)),
        )
    )
