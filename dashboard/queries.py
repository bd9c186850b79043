"""Every figure of the commissioner dashboard and the lead's summary, by database aggregation.

A constant number of queries whatever the size of the pool (DESIGN.md §7): each query below
groups or aggregates in the database; Python only joins a few hundred grouped rows by key.
Every figure leaves as a :class:`~dashboard.tables.Cell` made by
:func:`~dashboard.tables.present`, which discloses every count of people (DESIGN.md §4).

The ledger's figures are read from its monthly totals (:class:`~reflect.models.LedgerMonth`,
kept in step with the entries by the one function that writes them): every period is whole
months, so a few thousand monthly rows answer what would take a scan of every entry. Only what
depends on the present moment (the last 90 days, the latest use so far this month) reads the
entries themselves, and never more than a month and a quarter of them.

Hours, as the ledger records them (issue 6): a booking *reserves* its hours, a cancellation in
time *releases* them, attendance, a late cancellation or a no-show *consumes* them. So the
hours still reserved are reserved − released − consumed, and what remains of an allocation is
allocated − consumed − still reserved: :func:`reflect.services.ledger.balance_from`, the formula
the booking service checks a booking against, so the two never disagree.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import cached_property

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.filters import Filters, local_midnight, pool_months
from dashboard.tables import (
    CENT,
    LONDON,
    Column,
    Measure,
    Rate,
    Section,
    Table,
    figure,
    make_table,
)
from reflect.disclosure import SMALLEST_SHOWN
from reflect.enums import LedgerKind
from reflect.models import Community, LedgerEntry, LedgerMonth, Organisation, Pool, PoolOrganisation
from reflect.models.ledger import ledger_month
from reflect.services.ledger import HoursBalance, balance_from
from scheduling.models import (
    BookingStatus,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    SupervisionBooking,
    WaitlistEntry,
)
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from scheduling.models.groups import WaitlistStatus
from supervision.enums import AgreementStatus, Outcome
from supervision.models import NeedsAssessment, SupervisionAgreement, SupervisorProfile
from supervision.services.check_ins import pool_check_in_summary

ZERO = Decimal("0")
K = LedgerKind
# The keys the grouped group queries group by, which are not figures to add up.
GROUP_KEYS = ("group_id", "session__group_id")
# Kinds that show an organisation using the pool (for "last activity" and "no use in 90 days").
ACTIVITY_KINDS = (
    K.RESERVED,
    K.CONSUMED,
    K.PLACE_BOOKED,
    K.PLACE_ATTENDED,
    K.WAITLIST_JOINED,
    K.SUPERVISION_BOOKED,
    K.SUPERVISION_HELD,
)
# A first *session*: a reflective-group place attended, or a supervision session held.
SESSION_KINDS = (K.PLACE_ATTENDED, K.SUPERVISION_HELD)
QUIET_DAYS = 90
ENDING_SOON_DAYS = 90


def _hours_sum(condition: Q, field: str = "hours") -> Coalesce:
    return Coalesce(Sum(field, filter=condition), Value(ZERO), output_field=DecimalField())


def _quantity(condition: Q) -> Coalesce:
    return Coalesce(Sum("quantity", filter=condition), Value(0), output_field=IntegerField())


def _dec(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _latest(a: object, b: object) -> object:
    return b if a is None or (b is not None and b > a) else a  # type: ignore[operator]


def _earliest(a: object, b: object) -> object:
    return b if a is None or (b is not None and b < a) else a  # type: ignore[operator]


def _balance(row: dict[str, object], *, consumed: object) -> HoursBalance:
    """An organisation's hours as the booking service counts them (reflect.services.ledger)."""
    return balance_from(
        allocated=_dec(row["allocated"]),
        reserved=_dec(row["reserved_gross"]),
        released=_dec(row["released"]),
        consumed=_dec(consumed),
    )


def _added_up(rows: Iterable[dict[str, object]]) -> dict[str, object]:
    """Grouped counts (and sums) added up, key by key; a key no row has a value for is left out,
    as the database leaves a SUM of nothing empty."""
    total: dict[str, object] = {}
    for row in rows:
        for key, value in row.items():
            if key not in GROUP_KEYS and value is not None:
                total[key] = value if key not in total else total[key] + value  # type: ignore[operator]
    return total


@dataclass(frozen=True)
class Bar:
    label: str
    x: int
    used_y: int
    used_height: int
    share_y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """Monthly hours used against the month's share of the allocation, as SVG geometry."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    top_label: str
    share_label: str


CHART_HEIGHT = 160
BAR_WIDTH = 24
BAR_GAP = 8


def make_chart(months: list[tuple[datetime.date, Decimal]], monthly_share: Decimal) -> Chart:
    """Pure geometry for server-side SVG: heights scaled to the largest of use and share."""
    top = max([used for _, used in months] + [monthly_share, Decimal("1")])
    bars = []
    for index, (month, used) in enumerate(months):
        height = int((used / top * CHART_HEIGHT).to_integral_value(rounding=ROUND_DOWN))
        share_y = CHART_HEIGHT - int((monthly_share / top * CHART_HEIGHT).to_integral_value(rounding=ROUND_DOWN))
        bars.append(
            Bar(
                label=f"{month:%b %y}",
                x=index * (BAR_WIDTH + BAR_GAP),
                used_y=CHART_HEIGHT - height,
                used_height=height,
                share_y=share_y,
                width=BAR_WIDTH,
            )
        )
    return Chart(
        bars=tuple(bars),
        width=max(len(bars) * (BAR_WIDTH + BAR_GAP), BAR_WIDTH),
        height=CHART_HEIGHT,
        top_label=f"{top.quantize(CENT)} hours",
        share_label=f"{monthly_share.quantize(CENT)} hours",
    )


@dataclass(frozen=True)
class Move:
    """Move ``hours`` of allocation from one organisation to another (a rebalancing suggestion)."""

    from_id: int
    from_name: str
    to_id: int
    to_name: str
    hours: Decimal

    @property
    def token(self) -> str:
        return f"{self.from_id}:{self.to_id}:{self.hours}"


@dataclass(frozen=True)
class OrganisationBalance:
    id: int
    name: str
    allocated: Decimal
    used_to_date: Decimal
    reserved: Decimal
    needs_more: bool
    why: str

    @property
    def unused(self) -> Decimal:
        return self.allocated - self.used_to_date - self.reserved


def moves_table(moves: list[Move]) -> Table:
    """The suggested moves, one row each (hundreds at city scale: built like any other table)."""
    return make_table(
        "moves",
        "Hours to move",
        (
            Column("from", "From", Measure.TEXT),
            Column("to", "To", Measure.TEXT),
            Column("hours", "Hours", Measure.HOURS),
        ),
        ({"from": move.from_name, "to": move.to_name, "hours": move.hours} for move in moves),
    )


# Near the period's end = in its last three months (issue 8, "Rebalancing").
REBALANCE_MONTHS = 3


def is_near_period_end(pool: Pool, today: datetime.date) -> bool:
    months = pool_months(pool)
    return today <= pool.ends_on and today.replace(day=1) >= months[max(len(months) - REBALANCE_MONTHS, 0)]


def suggest_moves(balances: list[OrganisationBalance]) -> list[Move]:
    """Half of what each quiet organisation has left (it used or booked under half its
    allocation and shows no need), in whole hours, shared as evenly as whole hours allow among
    the organisations that need more — a waitlist in the last 90 days, supervision recommended
    but not arranged, or 80 % used. Donors give in turn to recipients in turn, so there are at
    most (donors + recipients) moves. Pure: the same balances always give the same moves."""
    recipients = sorted((b for b in balances if b.needs_more), key=lambda b: (b.name, b.id))
    donors = sorted(
        (
            b
            for b in balances
            if not b.needs_more and b.allocated > 0 and (b.used_to_date + b.reserved) * 2 < b.allocated
        ),
        key=lambda b: (b.name, b.id),
    )
    spare = {d.id: (d.unused / 2).to_integral_value(rounding=ROUND_DOWN) for d in donors}
    total = sum(spare.values(), ZERO)
    if not recipients or total < 1:
        return []
    share = max((total / len(recipients)).to_integral_value(rounding=ROUND_DOWN), Decimal(1))
    wanted = {r.id: share for r in recipients[: int(min(len(recipients), total))]}
    moves = []
    donor_iter = iter(d for d in donors if spare[d.id] >= 1)
    donor = next(donor_iter, None)
    for recipient in recipients:
        need = wanted.get(recipient.id, ZERO)
        while need > 0 and donor is not None:
            hours = min(need, spare[donor.id])
            moves.append(Move(donor.id, donor.name, recipient.id, recipient.name, hours.quantize(CENT)))
            need -= hours
            spare[donor.id] -= hours
            if spare[donor.id] < 1:
                donor = next(donor_iter, None)
    return moves


class PoolFigures:
    """The dashboard's figures for one pool and one set of filters. Each query runs at most
    once (cached), and each section or export asks only for what it shows."""

    def __init__(self, pool: Pool, filters: Filters, *, now: datetime.datetime | None = None) -> None:
        self.pool = pool
        self.filters = filters
        self.now = now or timezone.now()
        self.today = self.now.astimezone(LONDON).date()
        period = filters.period
        # Periods are whole Europe/London months, as the ledger's monthly totals are.
        self.in_period = Q(month__gte=period.first_month, month__lte=period.last_month)
        self.to_end = Q(month__lte=period.last_month)

    # --- The ledger -----------------------------------------------------------------------

    def _ledger(self) -> QuerySet[LedgerEntry]:
        entries = LedgerEntry.objects.filter(pool=self.pool)
        if self.filters.organisation is not None:
            entries = entries.filter(organisation=self.filters.organisation)
        return entries.order_by()

    def _ledger_months(self) -> QuerySet[LedgerMonth]:
        months = LedgerMonth.objects.filter(pool=self.pool)
        if self.filters.organisation is not None:
            months = months.filter(organisation=self.filters.organisation)
        return months.order_by()

    # What each figure reads from the ledger: (kind, which sum of it).
    FIGURES: dict[str, tuple[str, str]] = {
        "allocated": (K.ALLOCATED, "hours_to_end"),
        "used": (K.CONSUMED, "hours_period"),
        "used_money": (K.CONSUMED, "money_period"),
        "used_to_date": (K.CONSUMED, "hours_to_end"),
        "reserved_gross": (K.RESERVED, "hours_to_end"),
        "released": (K.RELEASED, "hours_to_end"),
        "places_booked": (K.PLACE_BOOKED, "quantity_period"),
        "places_attended": (K.PLACE_ATTENDED, "quantity_period"),
        "places_missed": (K.PLACE_MISSED, "quantity_period"),
        "waitlist_joined": (K.WAITLIST_JOINED, "quantity_period"),
        "supervision_booked": (K.SUPERVISION_BOOKED, "quantity_period"),
        "supervision_cancelled": (K.SUPERVISION_CANCELLED, "quantity_period"),
        "supervision_late": (K.SUPERVISION_LATE_CANCELLED, "quantity_period"),
        "supervision_held": (K.SUPERVISION_HELD, "quantity_period"),
        "supervision_no_show": (K.SUPERVISION_NO_SHOW, "quantity_period"),
    }

    @classmethod
    def _zeros(cls) -> dict[str, object]:
        return {key: 0 for key in cls.FIGURES} | {"last_activity": None}

    def _figure_sum(self, kind: str, which: str) -> Coalesce:
        field, months = {
            "hours_period": ("hours", self.in_period),
            "money_period": ("money", self.in_period),
            "hours_to_end": ("hours", self.to_end),
            "quantity_period": ("quantity", self.in_period),
        }[which]
        condition = Q(kind=kind) & months
        return _quantity(condition) if field == "quantity" else _hours_sum(condition, field)

    @cached_property
    def _by_organisation_rows(self) -> list[dict[str, object]]:
        """The one read of the ledger's monthly totals: each figure of each organisation (None:
        the pool's own entries), summed by the database, and the dates the equity tables need:
        a few hundred rows at city scale."""
        e = self.to_end
        return list(
            self._ledger_months()
            .values("organisation_id")
            .annotate(
                **{key: self._figure_sum(kind, which) for key, (kind, which) in self.FIGURES.items()},
                last_activity=Max("last_at", filter=e & Q(kind__in=ACTIVITY_KINDS)),
                # Months before this one are wholly in the past; this month is read from its entries.
                last_use=Max("last_at", filter=Q(month__lt=self.this_month, kind__in=ACTIVITY_KINDS)),
                first_session=Min("first_at", filter=Q(kind__in=SESSION_KINDS)),
                joined_on=Min("first_at", filter=Q(kind=K.ORGANISATION_JOINED)),
            )
        )

    @cached_property
    def this_month(self) -> datetime.date:
        return ledger_month(self.now)

    @cached_property
    def _recent_by_organisation(self) -> dict[int | None, dict[str, object]]:
        """What whole months cannot tell, from the entries themselves (per organisation): staff
        who joined a waitlist in the last 90 days, and the latest use so far this month (this
        month's total may hold entries still to come)."""
        since = self.now - datetime.timedelta(days=QUIET_DAYS)
        joined_recently = Q(kind=K.WAITLIST_JOINED, occurred_at__gte=since)
        used = Q(kind__in=ACTIVITY_KINDS, occurred_at__lte=self.now)
        rows = (
            self._ledger()
            .filter(joined_recently | (used & Q(occurred_at__gte=local_midnight(self.this_month))))
            .values("organisation_id")
            .annotate(waitlist_recent=_quantity(joined_recently), last_use=Max("occurred_at", filter=used))
        )
        return {row["organisation_id"]: row for row in rows}

    @cached_property
    def _grouped(self) -> dict[int | None, dict[str, object]]:
        """Per organisation (None: the pool's own entries): each figure, and the dates the equity
        tables need, with what only the entries themselves can tell."""
        grouped: dict[int | None, dict[str, object]] = {
            row["organisation_id"]: row | {"waitlist_recent": 0}  # type: ignore[misc]
            for row in self._by_organisation_rows
        }
        for organisation_id, recent in self._recent_by_organisation.items():
            org = grouped.setdefault(
                organisation_id,
                self._zeros() | {"waitlist_recent": 0, "joined_on": None, "first_session": None, "last_use": None},
            )
            org["waitlist_recent"] = recent["waitlist_recent"]
            org["last_use"] = _latest(org["last_use"], recent["last_use"])
        return grouped

    @staticmethod
    def _derive(row: dict[str, object]) -> dict[str, object]:
        balance = _balance(row, consumed=row["used_to_date"])
        return row | {
            "allocated": balance.allocated,
            "used": _dec(row["used"]),
            "used_to_date": balance.used,
            "reserved": balance.reserved,
            "remaining": balance.left,
            "percent_used": (balance.used, balance.allocated),
        }

    @cached_property
    def totals(self) -> dict[str, object]:
        """The whole selection: the per-organisation sums added up (a few hundred rows, from
        raw figures — never from disclosed ones), then disclosed like any other figure."""
        total = self._zeros()
        for row in self._grouped.values():
            total["last_activity"] = _latest(total["last_activity"], row["last_activity"])
            for key in self.FIGURES:
                value = row[key]
                total[key] = (
                    _dec(total[key]) + _dec(value)
                    if isinstance(value, (Decimal, float))
                    else int(total[key]) + int(value or 0)  # type: ignore[call-overload]
                )
        return self._derive(total)

    @cached_property
    def by_organisation(self) -> dict[int, dict[str, object]]:
        return {org: self._derive(row) for org, row in self._grouped.items() if org is not None}  # type: ignore[misc]

    @cached_property
    def memberships(self) -> list[PoolOrganisation]:
        """The pool's organisations with their latest questionnaire outcome and whether they
        have a current agreement in this pool (one query), and from the ledger's sums: when they
        joined (the ledger's date, else the row's), their first session and their last use."""
        latest = NeedsAssessment.objects.filter(
            organisation=OuterRef("organisation_id"), completed_at__isnull=False
        ).order_by("-completed_at", "-id")
        memberships = (
            PoolOrganisation.objects.filter(pool=self.pool)
            .select_related("organisation")
            .only("organisation__name", "joined_at")
            .annotate(
                latest_outcome=Subquery(latest.values("outcome")[:1]),
                has_agreement=Exists(self._current_agreements().filter(organisation=OuterRef("organisation_id"))),
            )
            .order_by("organisation__name", "pk")
        )
        if self.filters.organisation is not None:
            memberships = memberships.filter(organisation=self.filters.organisation)
        result = list(memberships)
        for membership in result:
            dates = self._grouped.get(membership.organisation_id, {})
            membership.joined_on = dates.get("joined_on") or membership.joined_at  # type: ignore[attr-defined]
            membership.first_session = dates.get("first_session")  # type: ignore[attr-defined]
            membership.last_activity = dates.get("last_use")  # type: ignore[attr-defined]
        return result

    def _current_agreements(self) -> QuerySet[SupervisionAgreement]:
        return SupervisionAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=self.today), pool=self.pool, status=AgreementStatus.ACTIVE
        )

    @property
    def is_empty(self) -> bool:
        return not self.memberships

    @property
    def period_has_data(self) -> bool:
        """Whether anything was recorded in the period (for "a period with no data says so"): the
        period's hours or quantity of some kind, for some organisation, do not add up to zero."""
        return (
            self._ledger_months()
            .filter(self.in_period)
            .values("organisation_id", "kind")
            .annotate(hours_total=Sum("hours"), quantity_total=Sum("quantity"))
            .exclude(hours_total=0, quantity_total=0)
            .exists()
        )

    # --- Money and hours ----------------------------------------------------------------------

    ORGANISATION_COLUMNS = (
        Column("name", "Organisation", Measure.TEXT),
        Column("allocated", "Allocated (hours)", Measure.HOURS),
        Column("reserved", "Reserved (hours)", Measure.HOURS),
        Column("used", "Used in period (hours)", Measure.HOURS),
        Column("used_money", "Used in period (£)", Measure.MONEY),
        Column("remaining", "Remaining (hours)", Measure.HOURS),
        Column("percent_used", "Used to date", Measure.PERCENT),
        Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
        Column("places_attended", "Group places attended", Measure.PEOPLE),
        Column("last_activity", "Last activity", Measure.DATE),
    )

    def organisations_table(self) -> Table:
        empty = self._derive(self._zeros())
        rows = [
            self.by_organisation.get(m.organisation_id, empty) | {"name": m.organisation.name} for m in self.memberships
        ]
        total = self.totals | {"name": "All organisations" if self.filters.organisation is None else "Total"}
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
    def monthly(self) -> dict[datetime.date, dict[str, object]]:
        rows = (
            self._ledger_months()
            .filter(self.in_period, kind__in=(K.CONSUMED, K.PLACE_BOOKED, K.PLACE_ATTENDED, K.SUPERVISION_HELD))
            .values("month")
            .annotate(
                used=_hours_sum(Q(kind=K.CONSUMED)),
                used_money=_hours_sum(Q(kind=K.CONSUMED), "money"),
                places_booked=_quantity(Q(kind=K.PLACE_BOOKED)),
                places_attended=_quantity(Q(kind=K.PLACE_ATTENDED)),
                supervision_held=_quantity(Q(kind=K.SUPERVISION_HELD)),
            )
        )
        return {row["month"]: row for row in rows}

    @cached_property
    def monthly_share(self) -> Decimal:
        """The allocation spread evenly over the pool's months: the pace to compare use with."""
        allocated = (
            self._ledger_months().filter(self.to_end, kind=K.ALLOCATED).aggregate(total=_hours_sum(Q()))["total"]
        )
        return (_dec(allocated) / len(pool_months(self.pool))).quantize(CENT)

    def months_table(self) -> Table:
        share = self.monthly_share
        rows = []
        for month in self.filters.period.months:
            row = self.monthly.get(month, {})
            rows.append(
                {
                    "month": month,
                    "used": _dec(row.get("used")),
                    "used_money": _dec(row.get("used_money")),
                    "share": share,
                    "percent": (_dec(row.get("used")), share),
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
                Column("used", "Used (hours)", Measure.HOURS),
                Column("used_money", "Used (£)", Measure.MONEY),
                Column("share", "Month's share of allocation (hours)", Measure.HOURS),
                Column("percent", "Use against share", Measure.PERCENT),
                Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
                Column("places_booked", "Group places booked", Measure.PEOPLE),
                Column("places_attended", "Group places attended", Measure.PEOPLE),
            ),
            rows,
        )

    def chart(self) -> Chart:
        return make_chart(
            [(month, _dec(self.monthly.get(month, {}).get("used"))) for month in self.filters.period.months],
            self.monthly_share,
        )

    def money_section(self) -> Section:
        t, pool = self.totals, self.pool
        scope = self.filters.organisation.name if self.filters.organisation else "the pool"
        section = Section("money", "Money and hours")
        if self.filters.organisation is None:
            section.figures += [
                figure("Hours budget", pool.hours_budget, Measure.HOURS),
                figure("Money budget", pool.money_budget, Measure.MONEY, f"at £{pool.hourly_rate} an hour"),
            ]
        section.figures += [
            figure(f"Allocated to {scope}", t["allocated"], Measure.HOURS, "hours, by the end of the period"),
            figure("Reserved", t["reserved"], Measure.HOURS, "hours booked, not yet used"),
            figure("Used in the period", t["used"], Measure.HOURS, "hours"),
            figure("Value used in the period", t["used_money"], Measure.MONEY),
            figure("Remaining", t["remaining"], Measure.HOURS, "hours of the allocation"),
            figure("Used to date", t["percent_used"], Measure.PERCENT, "of the allocation"),
            figure("Last activity", t["last_activity"], Measure.DATE),
        ]
        section.tables += [self.organisations_table(), self.months_table()]
        return section

    # --- Supervision ------------------------------------------------------------------------

    def supervisors_table(self) -> Table:
        here = self._current_agreements().filter(supervisor=OuterRef("pk"))
        if self.filters.organisation is not None:
            here = here.filter(organisation=self.filters.organisation)
        everywhere = SupervisionAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=self.today),
            status=AgreementStatus.ACTIVE,
            supervisor=OuterRef("pk"),
        )

        def total(agreements: QuerySet[SupervisionAgreement]) -> Coalesce:
            return Coalesce(
                Subquery(agreements.order_by().values("supervisor").annotate(t=Sum("hours_per_month")).values("t")),
                Value(ZERO),
                output_field=DecimalField(),
            )

        # Hours of sessions in this pool in the period: held, missed, cancelled late, or to come.
        booked = SupervisionBooking.objects.filter(
            pool=self.pool,
            supervisor=OuterRef("pk"),
            status__in=[*LIVE_BOOKING_STATUSES, BookingStatus.LATE_CANCELLED],
            starts_at__gte=self.filters.period.start,
            starts_at__lt=self.filters.period.end,
        )
        if self.filters.organisation is not None:
            booked = booked.filter(organisation=self.filters.organisation)
        supervisors = (
            SupervisorProfile.objects.filter(Exists(here))
            .select_related("user")
            .annotate(
                booked_here=Coalesce(
                    Subquery(booked.order_by().values("supervisor").annotate(t=Sum("hours")).values("t")),
                    Value(ZERO),
                    output_field=DecimalField(),
                ),
                agreed_here=total(here),
                agreed_all=total(everywhere),
                organisations=Subquery(
                    here.order_by().values("supervisor").annotate(n=Count("organisation", distinct=True)).values("n")
                ),
            )
            .order_by("user__first_name", "user__last_name", "pk")
        )
        rows = [
            {
                "name": s.user.display_name,
                "capacity": s.monthly_capacity_hours,
                "agreed_here": s.agreed_here,
                "booked_here": s.booked_here,
                "agreed_elsewhere": _dec(s.agreed_all) - _dec(s.agreed_here),
                "left": _dec(s.monthly_capacity_hours) - _dec(s.agreed_all),
                "percent": (_dec(s.agreed_all), _dec(s.monthly_capacity_hours)),
                "organisations": s.organisations,
            }
            for s in supervisors
        ]
        return make_table(
            "supervisors",
            "Supervisors' capacity against hours agreed (hours a month)",
            (
                Column("name", "Supervisor", Measure.TEXT),
                Column("capacity", "Capacity (hours a month)", Measure.HOURS),
                Column("agreed_here", "Agreed in this pool", Measure.HOURS),
                Column("booked_here", "Booked in this pool in the period (hours)", Measure.HOURS),
                Column("agreed_elsewhere", "Agreed elsewhere", Measure.HOURS),
                Column("left", "Left", Measure.HOURS),
                Column("percent", "Capacity agreed", Measure.PERCENT),
                Column("organisations", "Organisations", Measure.COUNT),
            ),
            rows,
        )

    def supervision_section(self) -> Section:
        t = self.totals
        agreements = self._current_agreements()
        if self.filters.organisation is not None:
            agreements = agreements.filter(organisation=self.filters.organisation)
        counts = agreements.aggregate(
            active=Count("pk"),
            ending=Count(
                "pk",
                filter=Q(ends_on__isnull=False, ends_on__lte=self.today + datetime.timedelta(days=ENDING_SOON_DAYS)),
            ),
            hours=_hours_sum(Q(), "hours_per_month"),
        )
        section = Section("supervision", "Supervision")
        booked = int(t["supervision_booked"])  # type: ignore[call-overload]
        section.figures += [
            figure("Sessions held", t["supervision_held"], Measure.PEOPLE),
            figure("Hours used", t["used"], Measure.HOURS),
            figure("Sessions booked", booked, Measure.PEOPLE),
            figure("Cancelled late", t["supervision_late"], Measure.PEOPLE),
            figure(
                "Late cancellation rate", Rate(int(t["supervision_late"]), booked), Measure.PEOPLE, "of sessions booked"
            ),  # type: ignore[call-overload]
            figure("No-shows", t["supervision_no_show"], Measure.PEOPLE),
            figure("No-show rate", Rate(int(t["supervision_no_show"]), booked), Measure.PEOPLE, "of sessions booked"),  # type: ignore[call-overload]
            figure("Agreements active", counts["active"], Measure.COUNT, f"{_dec(counts['hours'])} hours a month"),
            figure("Agreements ending", counts["ending"], Measure.COUNT, f"within {ENDING_SOON_DAYS} days"),
        ]
        if self.filters.organisation is None:
            summary = pool_check_in_summary(self.pool)
            if summary.shown:
                section.figures += [
                    figure("Check-ins: standards and safety (normative)", summary.normative, Measure.TEXT, "of 4"),
                    figure("Check-ins: learning (formative)", summary.formative, Measure.TEXT, "of 4"),
                    figure("Check-ins: support (restorative)", summary.restorative, Measure.TEXT, "of 4"),
                ]
            else:
                section.notes.append("Check-in averages appear once the pool has 8 responses.")
        else:
            section.notes.append("Check-in averages are shown for the whole pool only.")
        section.tables.append(self.supervisors_table())
        return section

    # --- Reflective groups ------------------------------------------------------------------

    def _held_sessions(self) -> QuerySet[GroupSession]:
        period = self.filters.period
        sessions = GroupSession.objects.filter(
            group__pool=self.pool,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=period.start,
            starts_at__lt=min(period.end, self.now),
        )
        if self.filters.group_id is not None:
            sessions = sessions.filter(group_id=self.filters.group_id)
        return sessions.order_by()

    def _places(self) -> QuerySet[Place]:
        places = Place.objects.filter(session__in=self._held_sessions())
        if self.filters.organisation is not None:
            places = places.filter(organisation=self.filters.organisation)
        return places.order_by()

    def _waitlist(self) -> QuerySet[WaitlistEntry]:
        period = self.filters.period
        entries = WaitlistEntry.objects.filter(
            session__group__pool=self.pool, session__starts_at__gte=period.start, session__starts_at__lt=period.end
        )
        if self.filters.group_id is not None:
            entries = entries.filter(session__group_id=self.filters.group_id)
        if self.filters.organisation is not None:
            entries = entries.filter(organisation=self.filters.organisation)
        return entries.order_by()

    _PLACE_COUNTS = {
        "places": Count("pk", filter=~Q(status=PlaceStatus.CANCELLED)),
        "attended": Count("pk", filter=Q(status=PlaceStatus.ATTENDED)),
        "absent": Count("pk", filter=Q(status=PlaceStatus.ABSENT)),
    }

    def _session_counts(self) -> dict[str, object]:
        # For the whole pool the sessions count their own places (places_taken, and the register's
        # counts): a few thousand sessions are added up instead of every place.
        places = (
            {
                "places": Sum("places_taken"),
                "attended": Sum("places_attended"),
                "absent": Sum("places_absent"),
            }
            if self.filters.organisation is None
            else {}
        )
        return places | {
            "held": Count("pk"),
            "capacity": Coalesce(Sum("group__capacity"), Value(0)),
            "overbooked": Count("pk", filter=Q(places_taken__gt=F("group__capacity"))),
            "over_places": Coalesce(
                Sum(F("places_taken") - F("group__capacity"), filter=Q(places_taken__gt=F("group__capacity"))),
                Value(0),
            ),
        }

    def _waits_by_group(self) -> dict[int, dict[str, object]]:
        """Per group: how many joined a waitlist, got a place from it, and waited for an offer, with
        the total wait (a sum, so that the groups add up to the whole selection)."""
        offered = Q(first_offered_at__isnull=False)
        rows = (
            self._waitlist()
            .values("session__group_id")
            .annotate(
                joined=Count("pk"),
                placed=Count("pk", filter=Q(status=WaitlistStatus.TAKEN)),
                waited=Count("pk", filter=offered),
                wait=Sum(
                    ExpressionWrapper(F("first_offered_at") - F("joined_at"), output_field=DurationField()),
                    filter=offered,
                ),
            )
        )
        return {row["session__group_id"]: row for row in rows}

    @staticmethod
    def _wait_days(count: int, wait: datetime.timedelta | None) -> str | None:
        """Average days waited (``wait`` is the total over ``count`` people), only over 8 people or
        more (an average of fewer is a person's)."""
        if wait is None or count < SMALLEST_SHOWN:
            return None if count == 0 else "*"
        return f"{Decimal(wait.total_seconds() / count / 86400).quantize(Decimal('0.1'))}"

    @cached_property
    def _by_group(self) -> dict[int, tuple[dict, dict, dict]]:
        """Per reflective group: its held sessions', places' and waitlist's counts (grouped
        queries). The section's totals add these up rather than asking the database again.
        One organisation's places are counted from its places: the sessions count everyone's."""
        sessions = {
            row["group_id"]: row for row in self._held_sessions().values("group_id").annotate(**self._session_counts())
        }
        places = (
            sessions
            if self.filters.organisation is None
            else {
                row["session__group_id"]: row
                for row in self._places().values("session__group_id").annotate(**self._PLACE_COUNTS)
            }
        )
        waits = self._waits_by_group()
        return {
            group: (sessions.get(group, {}), places.get(group, {}), waits.get(group, {}))
            for group in sessions.keys() | places.keys() | waits.keys()
        }

    def groups_table(self) -> Table:
        groups = ReflectiveGroup.objects.filter(pool=self.pool).order_by("title", "pk")
        if self.filters.group_id is not None:
            groups = groups.filter(pk=self.filters.group_id)
        by_group = self._by_group  # asked for whether or not the pool has groups: constant queries
        rows = [
            self._group_row(title, *by_group.get(group_id, ({}, {}, {})))
            for group_id, title in groups.values_list("pk", "title")
        ]
        return make_table(
            "groups",
            "Each reflective group",
            self.GROUP_COLUMNS,
            rows,
            note="Fill rate is places taken against capacity; over capacity counts sessions that used the "
            "overbooking allowance. An average wait is shown only when 8 or more people waited.",
        )

    GROUP_COLUMNS = (
        Column("title", "Group", Measure.TEXT),
        Column("held", "Sessions held", Measure.COUNT),
        Column("places", "Places taken", Measure.PEOPLE),
        Column("fill", "Fill rate", Measure.PEOPLE),
        Column("attended", "Attended", Measure.PEOPLE),
        Column("attendance", "Attendance rate", Measure.PEOPLE),
        Column("joined", "Joined a waitlist", Measure.PEOPLE),
        Column("placed", "Got a place from the waitlist", Measure.PEOPLE),
        Column("wait", "Average wait for a place (days)", Measure.TEXT),
        Column("overbooked", "Sessions over capacity", Measure.COUNT),
    )

    def _group_row(self, title: str, s: dict, p: dict, w: dict) -> dict[str, object]:
        places, attended, absent = p.get("places", 0), p.get("attended", 0), p.get("absent", 0)
        whole_sessions = self.filters.organisation is None
        return {
            "title": title,
            "held": s.get("held", 0),
            "places": places,
            # With an organisation chosen, capacity is shared with others: no fill rate.
            "fill": Rate(places, s.get("capacity", 0), denominator_is_people=False) if whole_sessions else None,
            "attended": attended,
            "attendance": Rate(attended, attended + absent),
            "joined": w.get("joined", 0),
            "placed": w.get("placed", 0),
            "wait": self._wait_days(w.get("waited", 0), w.get("wait")),
            "overbooked": s.get("overbooked", 0) if whole_sessions else None,
        }

    def groups_section(self) -> Section:
        s, p, w = (_added_up(counts[part] for counts in self._by_group.values()) for part in range(3))
        row = self._group_row("All groups", s, p, w)
        section = Section("groups", "Reflective groups")
        section.figures += [
            figure("Sessions held", row["held"], Measure.COUNT),
            figure("Places taken", row["places"], Measure.PEOPLE),
            figure("Fill rate", row["fill"], Measure.PEOPLE, "of capacity"),
            figure("Attendance rate", row["attendance"], Measure.PEOPLE, "of places marked"),
            figure("Joined a waitlist", row["joined"], Measure.PEOPLE),
            figure("Got a place from the waitlist", row["placed"], Measure.PEOPLE),
            figure("Average wait for a place", row["wait"], Measure.TEXT, "days"),
            figure("Sessions over capacity", row["overbooked"], Measure.COUNT, "used the overbooking allowance"),
            figure(
                "Places over capacity",
                s.get("over_places", 0) if row["overbooked"] is not None else None,
                Measure.PEOPLE,
            ),
        ]
        section.tables.append(self.groups_table())
        return section

    # --- Access and equity ------------------------------------------------------------------

    def quiet_table(self) -> Table:
        since = self.now - datetime.timedelta(days=QUIET_DAYS)
        rows = [
            {"name": m.organisation.name, "joined": m.joined_on, "last_activity": m.last_activity}
            for m in self.memberships
            if m.last_activity is None or m.last_activity < since
        ]
        return make_table(
            "quiet",
            f"Organisations with no use in the last {QUIET_DAYS} days",
            (
                Column("name", "Organisation", Measure.TEXT),
                Column("joined", "Joined", Measure.DATE),
                Column("last_activity", "Last activity", Measure.DATE),
            ),
            rows,
        )

    def first_session_table(self) -> Table:
        rows = [
            {
                "name": m.organisation.name,
                "joined": m.joined_on,
                "first": m.first_session,
                "days": (m.first_session - m.joined_on).days if m.first_session else None,
            }
            for m in self.memberships
        ]
        return make_table(
            "first-sessions",
            "Time from joining to a first session",
            (
                Column("name", "Organisation", Measure.TEXT),
                Column("joined", "Joined", Measure.DATE),
                Column("first", "First session", Measure.DATE),
                Column("days", "Days", Measure.DAYS),
            ),
            rows,
        )

    def communities_table(self) -> Table:
        # Each community adds up its organisations' sums (raw, from the ledger's one scan above).
        served = Organisation.communities.through.objects.filter(organisation__pool_memberships__pool=self.pool)
        if self.filters.organisation is not None:
            served = served.filter(organisation=self.filters.organisation)
        use: dict[int, dict[str, object]] = {}
        for community_id, organisation_id in served.values_list("community_id", "organisation_id"):
            row = use.setdefault(
                community_id, {"organisations": 0, "used": ZERO, "supervision_held": 0, "places_attended": 0}
            )
            org = self.by_organisation.get(organisation_id, {})
            row["organisations"] = int(row["organisations"]) + 1  # type: ignore[call-overload]
            row["used"] = _dec(row["used"]) + _dec(org.get("used"))
            for key in ("supervision_held", "places_attended"):
                row[key] = int(row[key]) + int(org.get(key) or 0)  # type: ignore[call-overload]
        # Every community (a short list), so the query runs whether or not any is served.
        communities = Community.objects.order_by("position", "name")
        rows = [use[c.pk] | {"name": c.name} for c in communities if c.pk in use]
        return make_table(
            "communities",
            "Use by the communities organisations serve",
            (
                Column("name", "Community", Measure.TEXT),
                Column("organisations", "Organisations", Measure.COUNT),
                Column("used", "Hours used", Measure.HOURS),
                Column("supervision_held", "Supervision sessions held", Measure.PEOPLE),
                Column("places_attended", "Group places attended", Measure.PEOPLE),
            ),
            rows,
            note="An organisation serving several communities counts under each, so the rows add up to more "
            "than the pool.",
        )

    def outcomes_table(self) -> Table:
        latest = NeedsAssessment.objects.filter(
            organisation=OuterRef("organisation_id"), completed_at__isnull=False
        ).order_by("-completed_at", "-id")
        memberships = PoolOrganisation.objects.filter(pool=self.pool)
        if self.filters.organisation is not None:
            memberships = memberships.filter(organisation=self.filters.organisation)
        grouped = {
            row["outcome"]: row
            for row in memberships.annotate(
                outcome=Subquery(latest.values("outcome")[:1]),
                agreed=Exists(self._current_agreements().filter(organisation=OuterRef("organisation_id"))),
            )
            .order_by()
            .values("outcome")
            .annotate(organisations=Count("pk"), with_agreement=Count("pk", filter=Q(agreed=True)))
        }
        rows = [
            grouped.get(value, {"organisations": 0, "with_agreement": 0}) | {"outcome": label}
            for value, label in [*Outcome.choices, (None, "Not taken the questionnaire yet")]
        ]
        return make_table(
            "outcomes",
            "Questionnaire outcomes across the pool (latest result of each organisation)",
            (
                Column("outcome", "Outcome", Measure.TEXT),
                Column("organisations", "Organisations", Measure.COUNT),
                Column("with_agreement", "With a supervision agreement", Measure.COUNT),
            ),
            rows,
        )

    def equity_section(self) -> Section:
        section = Section("equity", "Access and equity")
        days = [(m.first_session - m.joined_on).days for m in self.memberships if m.first_session]
        quiet = self.quiet_table()
        outcomes = self.outcomes_table()
        section.figures += [
            figure(f"Organisations with no use in {QUIET_DAYS} days", len(quiet.rows), Measure.COUNT),
            figure(
                "Median days from joining to a first session",
                int(statistics.median(days)) if days else None,
                Measure.DAYS,
                f"{len(days)} of {len(self.memberships)} organisations have had one",
            ),
        ]
        section.tables += [quiet, self.first_session_table(), self.communities_table(), outcomes]
        return section

    # --- Rebalancing ----------------------------------------------------------------------------

    def balances(self) -> list[OrganisationBalance]:
        result = []
        for m in self.memberships:
            row = self.by_organisation.get(m.organisation_id)
            allocated = _dec(row["allocated"]) if row else ZERO
            used = _dec(row["used_to_date"]) if row else ZERO
            reserved = _dec(row["reserved"]) if row else ZERO
            reasons = []
            if row and int(row["waitlist_recent"]):  # type: ignore[call-overload]
                reasons.append("staff on a waitlist in the last 90 days")
            if m.latest_outcome == Outcome.CLINICAL_SUPERVISION_RECOMMENDED and not m.has_agreement:
                reasons.append("clinical supervision recommended, no agreement yet")
            if allocated > 0 and (used + reserved) * 5 >= allocated * 4:
                reasons.append("80% or more of its allocation used or booked")
            result.append(
                OrganisationBalance(
                    m.organisation_id, m.organisation.name, allocated, used, reserved, bool(reasons), "; ".join(reasons)
                )
            )
        return result

    def rebalancing(self) -> list[Move]:
        if self.filters.organisation is not None or not is_near_period_end(self.pool, self.today):
            return []
        return suggest_moves(self.balances())

    # --- Everything -------------------------------------------------------------------------

    def sections(self) -> list[Section]:
        return [self.money_section(), self.supervision_section(), self.groups_section(), self.equity_section()]


# Which method builds each exported table (its key is the CSV's name).
EXPORTS = {
    "organisations": PoolFigures.organisations_table,
    "months": PoolFigures.months_table,
    "supervisors": PoolFigures.supervisors_table,
    "groups": PoolFigures.groups_table,
    "quiet": PoolFigures.quiet_table,
    "first-sessions": PoolFigures.first_session_table,
    "communities": PoolFigures.communities_table,
    "outcomes": PoolFigures.outcomes_table,
}


# --- The lead's summary of their own organisation ------------------------------------------------


def organisation_summary_table(organisation: Organisation, *, now: datetime.datetime | None = None) -> Table:
    """One row per pool the organisation is in: allocation, hours, sessions and suppressed
    reflective-group use — no person, no session, no attendee (DESIGN.md §4). One query, over
    the ledger's monthly totals."""
    now = now or timezone.now()
    rows = (
        LedgerMonth.objects.filter(organisation=organisation, pool__memberships__organisation=organisation)
        .order_by()
        .values("pool_id", "pool__name")
        .annotate(
            allocated=_hours_sum(Q(kind=K.ALLOCATED)),
            used=_hours_sum(Q(kind=K.CONSUMED)),
            reserved_gross=_hours_sum(Q(kind=K.RESERVED)),
            released=_hours_sum(Q(kind=K.RELEASED)),
            supervision_held=_quantity(Q(kind=K.SUPERVISION_HELD)),
            places_booked=_quantity(Q(kind=K.PLACE_BOOKED)),
            places_attended=_quantity(Q(kind=K.PLACE_ATTENDED)),
        )
        .order_by("pool__name")
    )
    table_rows = []
    for row in rows:
        balance = _balance(row, consumed=row["used"])
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
