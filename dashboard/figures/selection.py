"""What every question of the dashboard reads: one pool, one set of filters, one moment, and
the ledger's figures for each organisation in it, read once and shared.

The ledger's figures are read from its monthly totals (:class:`~reflect.models.LedgerMonth`,
kept in step with the entries by the one function that writes them): every period is whole
months, so a few thousand monthly rows answer what would take a scan of every entry. Only what
depends on the present moment (the last 90 days, the latest use so far this month) reads the
entries themselves, and never more than a month and a quarter of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.figures.sums import as_hours, balance_of, hours_sum, later, quantity_sum
from dashboard.filters import Filters, local_midnight
from dashboard.tables import LONDON, RawRow
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, LedgerMonth, Pool, PoolOrganisation
from reflect.models.ledger import ledger_month
from reflect.statements import Value, fetch_named_rows, fetch_rows
from supervision.enums import AgreementStatus
from supervision.models import NeedsAssessment, SupervisionAgreement

K = LedgerKind
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


def latest_outcome() -> Subquery:
    """The outcome of the latest questionnaire an organisation completed (of a row with an
    ``organisation_id``), for a query to annotate."""
    assessments = NeedsAssessment.objects.filter(organisation=OuterRef("organisation_id"), completed_at__isnull=False)
    return Subquery(assessments.order_by("-completed_at", "-id").values("outcome")[:1])


@dataclass(frozen=True)
class Membership:
    """One organisation of the selection, as the figures need it."""

    organisation_id: int
    name: str
    joined_on: datetime.datetime  # its first day in the pool, as the ledger records it
    first_session: datetime.datetime | None  # its first place attended or supervision held
    last_activity: datetime.datetime | None  # its latest use of the pool, up to now
    latest_outcome: str | None  # of the questionnaire it last completed
    has_agreement: bool  # a supervision agreement in this pool, in force today


class Selection:
    """One pool, one set of filters and one moment, with the ledger's figures for each of its
    organisations. Each query runs at most once (cached), and only when a figure asks for it."""

    def __init__(self, pool: Pool, filters: Filters, *, now: datetime.datetime | None = None) -> None:
        self.pool = pool
        self.filters = filters
        self.now = now or timezone.now()
        self.today = self.now.astimezone(LONDON).date()
        period = filters.period
        # Periods are whole Europe/London months, as the ledger's monthly totals are.
        self.in_period = Q(month__gte=period.first_month, month__lte=period.last_month)
        self.to_end = Q(month__lte=period.last_month)

    def ledger(self) -> QuerySet[LedgerEntry]:
        entries = LedgerEntry.objects.filter(pool=self.pool)
        if self.filters.organisation is not None:
            entries = entries.filter(organisation=self.filters.organisation)
        return entries.order_by()

    def ledger_months(self) -> QuerySet[LedgerMonth]:
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
    def zeros(cls) -> dict[str, Any]:
        """Every figure at zero, and no last activity: an organisation the ledger has nothing for."""
        return {key: 0 for key in cls.FIGURES} | {"last_activity": None}

    @cached_property
    def _by_organisation_rows(self) -> list[RawRow]:
        """The one read of the ledger's monthly totals: each figure of each organisation (None:
        the pool's own entries), summed by the database, and the dates the equity tables need:
        a few hundred rows at city scale. Its SQL (about twenty filtered sums) is built once per
        process and kept (reflect/statements.py), as it differs between looks only in its values."""
        values = self.months_values(this_month=self.this_month)
        return list(fetch_named_rows(("dashboard.ledger_month_sums", *values), ledger_month_sums, **values))

    @cached_property
    def this_month(self) -> datetime.date:
        return ledger_month(self.now)

    def statement_values(self, **values: Value) -> dict[str, Value]:
        """What one of the page's kept statements (reflect/statements.py) varies by: the pool,
        ``values``, and the organisation chosen, if one is."""
        organisation = self.filters.organisation
        return {"pool_id": self.pool.pk, **values} | (
            {} if organisation is None else {"organisation_id": organisation.pk}
        )

    def months_values(self, **values: Value) -> dict[str, Value]:
        """:meth:`statement_values` with the period's first and last months."""
        period = self.filters.period
        return self.statement_values(first_month=period.first_month, last_month=period.last_month, **values)

    @cached_property
    def _recent_by_organisation(self) -> dict[int | None, RawRow]:
        """What whole months cannot tell, from the entries themselves (per organisation): staff
        who joined a waitlist in the last 90 days, and the latest use so far this month (this
        month's total may hold entries still to come)."""
        values = self.statement_values(
            since=self.now - datetime.timedelta(days=QUIET_DAYS),
            month_began=local_midnight(self.this_month),
            now=self.now,
        )
        rows = fetch_named_rows(("dashboard.recent_ledger", *values), recent_ledger, **values)
        return {row["organisation_id"]: row for row in rows}

    @cached_property
    def _grouped(self) -> dict[int | None, dict[str, Any]]:
        """Per organisation (None: the pool's own entries): each figure, and the dates the equity
        tables need, with what only the entries themselves can tell."""
        grouped: dict[int | None, dict[str, Any]] = {
            row["organisation_id"]: {**row, "waitlist_recent": 0} for row in self._by_organisation_rows
        }
        for organisation_id, recent in self._recent_by_organisation.items():
            org = grouped.setdefault(
                organisation_id,
                self.zeros() | {"waitlist_recent": 0, "joined_on": None, "first_session": None, "last_use": None},
            )
            org["waitlist_recent"] = recent["waitlist_recent"]
            org["last_use"] = later(org["last_use"], recent["last_use"])
        return grouped

    @staticmethod
    def derive(row: dict[str, Any]) -> dict[str, Any]:
        """A row of raw sums with the hours the booking service counts: allocated, used, still
        reserved, remaining, and the share used."""
        balance = balance_of(row, consumed=row["used_to_date"])
        return row | {
            "allocated": balance.allocated,
            "used": as_hours(row["used"]),
            "used_to_date": balance.used,
            "reserved": balance.reserved,
            "remaining": balance.left,
            "percent_used": (balance.used, balance.allocated),
        }

    @cached_property
    def totals(self) -> dict[str, Any]:
        """The whole selection: the per-organisation sums added up (a few hundred rows, from
        raw figures — never from disclosed ones), then disclosed like any other figure."""
        total = self.zeros()
        rows = self._grouped.values()
        for row in rows:
            total["last_activity"] = later(total["last_activity"], row["last_activity"])
        # A figure at a time, by what it sums: counts as integers, hours and money to the cent.
        for key, (_kind, which) in self.FIGURES.items():
            if which == "quantity_period":
                total[key] = sum(int(row[key] or 0) for row in rows)
            else:
                total[key] = sum((as_hours(row[key]) for row in rows), 0)
        return self.derive(total)

    @cached_property
    def by_organisation(self) -> dict[int, dict[str, Any]]:
        return {org: self.derive(row) for org, row in self._grouped.items() if org is not None}

    @cached_property
    def membership_rows(self) -> list[tuple[int, str, datetime.datetime, str | None, bool]]:
        """The pool's organisations (id, name, when the row says they joined), in name order,
        with their latest questionnaire outcome and whether they have a current agreement in this
        pool: one query, kept once per process (reflect/statements.py). The outcomes' table
        counts these; :attr:`memberships` adds the ledger's dates."""
        values = self.statement_values(today=self.today)
        return cast(
            list[tuple[int, str, datetime.datetime, str | None, bool]],
            fetch_rows(("dashboard.memberships", *values), pool_memberships, **values),
        )

    @cached_property
    def memberships(self) -> list[Membership]:
        """The pool's organisations (:attr:`membership_rows`) with, from the ledger's sums, when
        they joined (the ledger's date, else the row's), their first session and their last use."""
        result = []
        for organisation_id, name, joined_at, outcome, has_agreement in self.membership_rows:
            dates = self._grouped.get(organisation_id, {})
            result.append(
                Membership(
                    organisation_id,
                    name,
                    joined_on=dates.get("joined_on") or joined_at,
                    first_session=dates.get("first_session"),
                    last_activity=dates.get("last_use"),
                    latest_outcome=outcome,
                    has_agreement=has_agreement,
                )
            )
        return result

    def current_agreements(self) -> QuerySet[SupervisionAgreement]:
        """The pool's agreements active today (a query to filter further, not yet run)."""
        return current_agreements(pool_id=self.pool.pk, today=self.today)

    @property
    def period_has_data(self) -> bool:
        """Whether anything was recorded in the period (for "a period with no data says so"): the
        period's hours or quantity of some kind, for some organisation, do not add up to zero."""
        values = self.months_values()
        return bool(fetch_named_rows(("dashboard.months_with_data", *values), months_with_data, **values))


def _figure_sum(kind: str, which: str, in_period: Q, to_end: Q) -> Coalesce:
    field, months = {
        "hours_period": ("hours", in_period),
        "money_period": ("money", in_period),
        "hours_to_end": ("hours", to_end),
        "quantity_period": ("quantity", in_period),
    }[which]
    condition = Q(kind=kind) & months
    return quantity_sum(condition) if field == "quantity" else hours_sum(condition, field)


def ledger_month_sums(
    *,
    pool_id: int,
    first_month: datetime.date,
    last_month: datetime.date,
    this_month: datetime.date,
    organisation_id: int | None = None,
) -> QuerySet[LedgerMonth, Any]:
    """Each of :attr:`Selection.FIGURES` and the equity tables' dates, per organisation, from the
    ledger's monthly totals of one pool (and organisation), for whole months from ``first_month``
    to ``last_month``; "last use" from the months before ``this_month``. Every value it varies
    by is an argument, so that the statement can be kept once (reflect/statements.py)."""
    in_period = Q(month__gte=first_month, month__lte=last_month)
    to_end = Q(month__lte=last_month)
    months = LedgerMonth.objects.filter(pool_id=pool_id)
    if organisation_id is not None:
        months = months.filter(organisation_id=organisation_id)
    return (
        months.order_by()
        .values("organisation_id")
        .annotate(
            **{key: _figure_sum(kind, which, in_period, to_end) for key, (kind, which) in Selection.FIGURES.items()},
            last_activity=Max("last_at", filter=to_end & Q(kind__in=ACTIVITY_KINDS)),
            # Months before this one are wholly in the past; this month is read from its entries.
            last_use=Max("last_at", filter=Q(month__lt=this_month, kind__in=ACTIVITY_KINDS)),
            first_session=Min("first_at", filter=Q(kind__in=SESSION_KINDS)),
            joined_on=Min("first_at", filter=Q(kind=K.ORGANISATION_JOINED)),
        )
    )


class Question:
    """A question the page answers (one module each), asked of one :class:`Selection`."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.pool = selection.pool
        self.filters = selection.filters


def current_agreements(*, pool_id: int, today: datetime.date) -> QuerySet[SupervisionAgreement]:
    """The pool's agreements active on ``today`` (a query to filter further, not yet run)."""
    return SupervisionAgreement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), pool_id=pool_id, status=AgreementStatus.ACTIVE
    )


def pool_memberships(*, pool_id: int, today: datetime.date, organisation_id: int | None = None) -> QuerySet[Any, Any]:
    """:attr:`Selection.membership_rows`' query: every value it varies by an argument, so that
    it can be kept once (reflect/statements.py)."""
    memberships = (
        PoolOrganisation.objects.filter(pool_id=pool_id)
        .annotate(
            latest_outcome=latest_outcome(),
            has_agreement=Exists(
                current_agreements(pool_id=pool_id, today=today).filter(organisation=OuterRef("organisation_id"))
            ),
        )
        .order_by("organisation__name", "pk")
    )
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    return memberships.values_list(
        "organisation_id", "organisation__name", "joined_at", "latest_outcome", "has_agreement"
    )


def recent_ledger(
    *,
    pool_id: int,
    since: datetime.datetime,
    month_began: datetime.datetime,
    now: datetime.datetime,
    organisation_id: int | None = None,
) -> QuerySet[LedgerEntry, Any]:
    """Per organisation, from the ledger's entries themselves: staff who joined a waitlist
    since ``since``, and the latest use from ``month_began`` to ``now`` (the month's total may
    hold entries still to come). Every value it varies by is an argument, so that it can be kept
    once (reflect/statements.py)."""
    joined_recently = Q(kind=K.WAITLIST_JOINED, occurred_at__gte=since)
    used = Q(kind__in=ACTIVITY_KINDS, occurred_at__lte=now)
    entries = LedgerEntry.objects.filter(pool_id=pool_id)
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    return (
        entries.order_by()
        .filter(joined_recently | (used & Q(occurred_at__gte=month_began)))
        .values("organisation_id")
        .annotate(waitlist_recent=quantity_sum(joined_recently), last_use=Max("occurred_at", filter=used))
    )


def months_with_data(
    *, pool_id: int, first_month: datetime.date, last_month: datetime.date, organisation_id: int | None = None
) -> QuerySet[LedgerMonth, Any]:
    """The first kind (of some organisation) whose hours or quantity from ``first_month`` to
    ``last_month`` do not add up to zero, if any: one row at most. Every value it varies by is an
    argument, so that the statement can be kept once (reflect/statements.py)."""
    months = LedgerMonth.objects.filter(pool_id=pool_id, month__gte=first_month, month__lte=last_month)
    if organisation_id is not None:
        months = months.filter(organisation_id=organisation_id)
    return (
        months.order_by()
        .values("organisation_id", "kind")
        .annotate(hours_total=Sum("hours"), quantity_total=Sum("quantity"))
        .exclude(hours_total=0, quantity_total=0)[:1]
    )
