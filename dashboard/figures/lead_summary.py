"""The lead's summary of their own organisation: its use of each pool's allocation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from dashboard.figures.selection import K
from dashboard.figures.sums import as_hours, balance_of, hours_sum, quantity_sum
from dashboard.filters import months_between
from dashboard.tables import Column, Measure, RawRow, Table, make_table, present
from reflect import wording
from reflect.charts import ColumnChart, Headline, Unit, column_chart
from reflect.models import LedgerMonth, Organisation, Pool


def summary_rows(organisation: Organisation) -> list[dict[str, Any]]:
    """One raw row per pool the organisation is in: allocation, hours, sessions and
    reflective-group use (one query, over the ledger's monthly totals). Raw: only the table and
    the headlines built from it, which disclose every count of people, may leave this module."""
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
    table_rows: list[dict[str, Any]] = []
    for row in rows:
        balance = balance_of(row, consumed=row["used"])
        table_rows.append(
            row
            | {
                "pool": row["pool__name"],
                "allocated": balance.allocated,
                "used": balance.used,
                "reserved": balance.reserved,
                # What may still be booked, as the booking page writes it (wording.hours_left).
                "remaining": wording.bookable_hours(balance.left),
            }
        )
    return table_rows


def organisation_summary_table(organisation: Organisation, rows: list[dict[str, Any]] | None = None) -> Table:
    """The summary as a table, every count of people disclosed — no person, no session, no
    attendee (docs/architecture.md, on suppression)."""
    table_rows = summary_rows(organisation) if rows is None else rows
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
        note="Who attends a reflective group is never shown.",
    )


@dataclass(frozen=True)
class LeadLook:
    """The top of the lead's summary: headline figures and one chart (hours used each month in
    one pool) with its table."""

    pool_name: str
    headlines: list[Headline]
    chart: ColumnChart
    table: Table


def lead_look(organisation: Organisation, rows: list[dict[str, Any]], *, today: datetime.date) -> LeadLook | None:
    """For the pool running today (else the one that ended last): the organisation's hours,
    sessions and places at a glance, and its hours used each month. One query more."""
    if not rows:
        return None
    pools = {pool.pk: pool for pool in Pool.objects.filter(pk__in=[row["pool_id"] for row in rows])}
    running = [p for p in pools.values() if p.starts_on <= today <= p.ends_on]
    pool = running[0] if running else max(pools.values(), key=lambda p: p.ends_on)
    row = next(r for r in rows if r["pool_id"] == pool.pk)
    # Every count here stays disclosed, sessions too. A supervision session held is booked for
    # named staff (one, or a few for group supervision: BookingAttendee), so an organisation's
    # count of them counts its people's attendances (docs/dashboard.md, "Private by
    # construction": "supervision sessions" are among the counts of people; Measure.PEOPLE, "or
    # of one person's sessions"). Shown exactly, "1" would tell a lead of a few staff that one
    # of them is in supervision. A count of sessions that is not of people (a group's sessions
    # held) is Measure.COUNT and is never suppressed; this summary has none.
    held = present(row["supervision_held"], Measure.PEOPLE)
    attended = present(row["places_attended"], Measure.PEOPLE)
    headlines = [
        Headline("Hours allocated", wording.hours(row["allocated"]), "to your organisation"),
        Headline("Hours used", wording.hours(row["used"]), "so far"),
        Headline("Hours left", wording.hours_left(row["remaining"]), "to book, after what is already booked"),
        Headline("Supervision sessions held", held.text, "so far", suppressed=held.suppressed),
        Headline("Group places attended", attended.text, "by your staff", suppressed=attended.suppressed),
    ]
    monthly: dict[datetime.date, RawRow] = {
        month["month"]: month
        for month in LedgerMonth.objects.filter(organisation=organisation, pool=pool)
        .order_by()
        .values("month")
        .annotate(
            used=hours_sum(Q(kind=K.CONSUMED)),
            supervision_held=quantity_sum(Q(kind=K.SUPERVISION_HELD)),
            places_attended=quantity_sum(Q(kind=K.PLACE_ATTENDED)),
        )
    }
    months = months_between(pool.starts_on, pool.ends_on)
    month_rows = [
        {
            "month": month,
            "used": as_hours(monthly.get(month, {}).get("used")),
            "supervision_held": monthly.get(month, {}).get("supervision_held", 0),
            "places_attended": monthly.get(month, {}).get("places_attended", 0),
        }
        for month in months
    ]
    table = make_table(
        "months",
        f"Hours used each month in {pool.name}",
        (
            Column("month", "Month", Measure.MONTH),
            Column("used", "Used (hours)", Measure.HOURS),
            Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
            Column("places_attended", "Group places attended", Measure.PEOPLE),
        ),
        month_rows,
    )
    share = as_hours(row["allocated"] / len(months)) if months else as_hours(0)
    chart = column_chart(
        "lead-usage",
        f"Hours used each month in {pool.name}",
        [(wording.month_on_axis(r["month"]), r["used"]) for r in month_rows],
        unit=Unit.HOURS,
        column_label="Hours used in the month",
        line=[share] * len(months),
        line_label=f"Your allocation spread evenly over the months ({wording.hours(share)} a month)",
    )
    return LeadLook(pool.name, headlines, chart, table)
