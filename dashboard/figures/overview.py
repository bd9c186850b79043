"""The top of the commissioner's page: the headline figures for the chosen period and the three
charts, each with its table alternative (docs/dashboard.md, "At a glance").

Every figure comes from a :class:`~dashboard.tables.Cell` or from hours (which are exact), so a
count of people reaches a headline or a chart only after disclosure. A chart reads the cells of
its own table: what the table hides, the chart leaves as a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from dashboard.figures.groups import GroupFigures
from dashboard.figures.money import MoneyFigures
from dashboard.figures.selection import Question, Selection
from dashboard.figures.sums import as_hours
from dashboard.filters import pool_months
from dashboard.tables import Cell, Column, Measure, Table, make_table, present
from reflect import charts, wording
from reflect.charts import Headline
from reflect.disclosure import SUPPRESSED
from scheduling.models import BookingStatus, PlaceStatus, WaitlistEntry
from scheduling.models.bookings import BookingAttendee
from scheduling.models.groups import Place, WaitlistStatus

# More bars than this would make the chart a list no one reads: it shows those furthest behind.
MOST_BARS = 20


def people_headline(label: str, count: int, hint: str) -> Headline:
    """A count of people as a headline: disclosed first (0, "*", or to the nearest 5)."""
    cell = present(count, Measure.PEOPLE)
    if cell.suppressed:
        return Headline(label, SUPPRESSED, hint, suppressed=True)
    return Headline(label, wording.count(int(cell.csv), "person", "people"), hint)


def cell_headline(label: str, cell: Cell, hint: str) -> Headline:
    return Headline(label, cell.text, hint, suppressed=cell.suppressed)


def chart_value(cell: Cell) -> Decimal | str:
    """A disclosed cell as a chart value: its number, or the mark shown instead ("*", "–")."""
    if cell.suppressed:
        return SUPPRESSED
    return Decimal(cell.csv) if cell.csv else "–"


@dataclass(frozen=True)
class ChartWithTable:
    kind: str  # "columns" or "bars": which template draws it
    chart: charts.ColumnChart | charts.BarChart
    table: Table


class OverviewFigures(Question):
    """Headline figures and charts, reading the same selection as the sections below them."""

    def __init__(self, selection: Selection, money: MoneyFigures, groups: GroupFigures) -> None:
        super().__init__(selection)
        self.money = money
        self.groups = groups

    @cached_property
    def months_elapsed(self) -> int:
        """The pool's months up to the end of the period or this month, whichever is sooner."""
        last = min(self.filters.period.last_month, self.selection.this_month)
        return sum(1 for month in pool_months(self.pool) if month <= last)

    @cached_property
    def pool_month_count(self) -> int:
        # Counted once: fair_share runs for each of up to 3,000 organisations.
        return len(pool_months(self.pool))

    def fair_share(self, allocated: Decimal) -> Decimal:
        """An organisation's fair share so far: its allocation spread evenly over the pool's
        months, for the months gone by (the pace its use is compared with)."""
        return as_hours(allocated * self.months_elapsed / (self.pool_month_count or 1))

    @cached_property
    def shares(self) -> list[dict[str, Any]]:
        """Each organisation's hours used to date and its fair share so far (no query: the
        ledger's sums the sections already read)."""
        rows = []
        for membership in self.selection.memberships:
            org = self.selection.by_organisation.get(membership.organisation_id, {})
            allocated = as_hours(org.get("allocated"))
            rows.append(
                {
                    "name": membership.name,
                    "used": as_hours(org.get("used_to_date")),
                    "share": self.fair_share(allocated),
                    "allocated": allocated,
                }
            )
        return rows

    def people_reached(self) -> int:
        """People who attended a reflective-group place or a supervision session in the period
        (each once, one query). With a group chosen, only that group's places count. Not on the
        overview page, whose reach page counts them over the pool's months from what it reads
        anyway; the API's figures, which have no reach page, still give them for the period."""
        period = self.filters.period
        places = Place.objects.filter(session__in=self.groups.held_sessions(), status=PlaceStatus.ATTENDED)
        supervision = BookingAttendee.objects.filter(
            booking__pool=self.pool,
            booking__status=BookingStatus.ATTENDED,
            booking__starts_at__gte=period.start,
            booking__starts_at__lt=period.end,
        )
        if self.filters.organisation is not None:
            places = places.filter(organisation=self.filters.organisation)
            supervision = supervision.filter(booking__organisation=self.filters.organisation)
        if self.filters.group_id is not None:
            supervision = supervision.none()
        # Each side made distinct first: the database then hashes each side's few thousand
        # people instead of sorting every attended place for the union (half the time nationally).
        users = (
            places.order_by().values("user_id").distinct().union(supervision.order_by().values("user_id").distinct())
        )
        return users.count()

    def people_waiting(self) -> int:
        """People on a waitlist (waiting or holding an offer) for a session still to come."""
        entries = WaitlistEntry.objects.filter(
            session__group__pool=self.pool,
            session__starts_at__gt=self.selection.now,
            status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED),
        )
        if self.filters.organisation is not None:
            entries = entries.filter(organisation=self.filters.organisation)
        if self.filters.group_id is not None:
            entries = entries.filter(session__group_id=self.filters.group_id)
        return entries.order_by().values("user_id").distinct().count()

    def headlines(self, *, people_reached: bool = False) -> list[Headline]:
        """The overview's headlines; with ``people_reached``, that figure for the period too, in
        the place it held on the page before it moved to the reach page (the API asks for it)."""
        totals = self.selection.totals
        row, _ = self.groups.all_groups
        behind = sum(1 for share in self.shares if share["used"] < share["share"])
        reached = (
            [people_headline("People reached", self.people_reached(), "attended a group or a supervision session")]
            if people_reached
            else []
        )
        return [
            Headline("Hours allocated", wording.hours(totals["allocated"]), "by the end of the period"),
            Headline("Hours used", wording.hours(totals["used"]), "in the period"),
            # As the booking page and the lead's summary write what may still be booked
            # (rounded down to the half hour), and the money section's "Remaining" below.
            Headline("Hours left", wording.hours_left(totals["remaining"]), "of the allocation, after what is booked"),
            *reached,
            cell_headline(
                "Supervision sessions held", present(totals["supervision_held"], Measure.PEOPLE), "in the period"
            ),
            Headline("Group sessions held", wording.count(int(row["held"]), "session"), "in the period"),
            cell_headline("Group fill rate", present(row["fill"], Measure.PEOPLE), "places taken against capacity"),
            people_headline("People waiting", self.people_waiting(), "on a group waitlist now"),
            Headline(
                "Organisations behind their share",
                f"{behind:,} of {len(self.shares):,}",
                "have used less than their fair share so far",
            ),
        ]

    def usage_chart(self) -> ChartWithTable:
        table = self.money.months_table()
        share = self.money.monthly_share
        months = self.filters.period.months
        chart = charts.column_chart(
            "usage",
            "Hours used each month",
            [
                (wording.month_on_axis(month), as_hours(self.money.monthly.get(month, {}).get("used")))
                for month in months
            ],
            unit=charts.Unit.HOURS,
            column_label="Hours used in the month",
            line=[share] * len(months),
            line_label=f"The month's share of the allocation ({wording.hours(share)})",
        )
        return ChartWithTable("columns", chart, table)

    def share_chart(self) -> ChartWithTable:
        shares = self.shares
        shown = shares
        summary = ""
        if len(shares) > MOST_BARS:
            # The organisations furthest behind their share, as a share of it.
            shown = sorted(shares, key=lambda s: (s["used"] - s["share"]) / max(s["share"], Decimal(1)))[:MOST_BARS]
            summary = f"Only the {MOST_BARS} organisations furthest behind their share are drawn."
        chart = charts.bar_chart(
            "share",
            "Hours used against fair share, by organisation",
            [(s["name"], s["used"], s["share"]) for s in shown],
            unit=charts.Unit.HOURS,
            bar_label="Hours used to date",
            mark_label="Fair share so far",
            mark_words="share",
            summary=summary,
        )
        table = make_table(
            "fair-share",
            "Hours used against fair share, by organisation",
            (
                Column("name", "Organisation", Measure.TEXT),
                Column("allocated", "Allocated (hours)", Measure.HOURS),
                Column("share", "Fair share so far (hours)", Measure.HOURS),
                Column("used", "Used to date (hours)", Measure.HOURS),
                Column("percent", "Used against fair share", Measure.PERCENT),
            ),
            [s | {"percent": (s["used"], s["share"])} for s in shares],
            note=f"Fair share so far: an organisation's allocation spread evenly over the pool's "
            f"{self.pool_month_count} months, for the {self.months_elapsed} gone by. {summary}".strip(),
        )
        return ChartWithTable("bars", chart, table)

    def fill_chart(self) -> ChartWithTable:
        table = self.groups.months_table()
        fill = [column.key for column in table.columns].index("fill")
        chart = charts.column_chart(
            "fill",
            "Reflective-group fill rate each month",
            [
                (wording.month_on_axis(month), chart_value(row[fill]))
                for month, row in zip(self.filters.period.months, table.rows, strict=True)
            ],
            unit=charts.Unit.PERCENT,
            column_label="Places taken against capacity",
            summary="" if self.filters.organisation is None else "No fill rate is shown for one organisation.",
        )
        return ChartWithTable("columns", chart, table)

    def charts(self) -> list[ChartWithTable]:
        return [self.usage_chart(), self.share_chart(), self.fill_chart()]
