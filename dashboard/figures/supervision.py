"""Supervision: sessions held, cancelled late and missed, the agreements in force, and each
supervisor's capacity against the hours agreed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce

from dashboard.figures.outcomes import OutcomeFigures
from dashboard.figures.selection import Question
from dashboard.figures.sums import ZERO, as_hours, hours_sum
from dashboard.tables import PAGE_ROWS, Column, Measure, Rate, Section, Table, figure, make_table, page_of_table
from reflect import wording
from reflect.statements import Value as StatementValue
from reflect.statements import fetch_models
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile

ENDING_SOON_DAYS = 90


class SupervisionFigures(Question):
    """How supervision is used, and how much of the supervisors' time is agreed."""

    def supervisors_table(self) -> Table:
        """Every supervisor with an agreement in the selection (the CSV)."""
        return self._supervisors_table(self._supervisors())

    def supervisors_page_table(self) -> Table:
        """The supervisors' table as the page shows it: only its first rows are read, and the
        rest counted (``page_of_table``). The query is built once per process and kept
        (reflect/statements.py): building and compiling its four subqueries was the page's
        largest compile, about 5 ms a look, for a statement that differs only in its values."""
        values = self._values()
        shown = fetch_models(("dashboard.supervisors_page", *values), pool_supervisors_page, **values)
        # rows_in_all: the window's count, annotated on each row (pool_supervisors_page).
        rows_in_all = shown[0].rows_in_all if shown else 0  # type: ignore[attr-defined]
        return page_of_table(self._supervisors_table(shown), rows_in_all)

    def _values(self) -> dict[str, StatementValue]:
        period = self.filters.period
        return self.selection.statement_values(today=self.selection.today, starts=period.start, ends=period.end)

    def _supervisors(self) -> QuerySet[SupervisorProfile]:
        return pool_supervisors(**self._values())  # type: ignore[arg-type]  # _values' types, by name

    def _supervisors_table(self, supervisors: Iterable[Any]) -> Table:
        # ``supervisors``: ``_supervisors``' rows, SupervisorProfile with its figures annotated.
        rows = [
            {
                "name": s.user.display_name,
                "capacity": s.monthly_capacity_hours,
                "agreed_here": s.agreed_here,
                "booked_here": s.booked_here,
                "agreed_elsewhere": as_hours(s.agreed_all) - as_hours(s.agreed_here),
                "left": as_hours(s.monthly_capacity_hours) - as_hours(s.agreed_all),
                "percent": (as_hours(s.agreed_all), as_hours(s.monthly_capacity_hours)),
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

    def section(self) -> Section:
        t = self.selection.totals
        agreements = self.selection.current_agreements()
        if self.filters.organisation is not None:
            agreements = agreements.filter(organisation=self.filters.organisation)
        counts = agreements.aggregate(
            active=Count("pk"),
            ending=Count(
                "pk",
                filter=Q(
                    ends_on__isnull=False,
                    ends_on__lte=self.selection.today + datetime.timedelta(days=ENDING_SOON_DAYS),
                ),
            ),
            hours=hours_sum(Q(), "hours_per_month"),
        )
        section = Section("supervision", "Supervision")
        booked = int(t["supervision_booked"])
        late = int(t["supervision_late"])
        no_shows = int(t["supervision_no_show"])
        section.figures += [
            figure("Sessions held", t["supervision_held"], Measure.PEOPLE),
            figure("Hours used", t["used"], Measure.HOURS),
            figure("Sessions booked", booked, Measure.PEOPLE),
            figure("Cancelled late", t["supervision_late"], Measure.PEOPLE),
            figure("Late cancellation rate", Rate(late, booked), Measure.PEOPLE, "of sessions booked"),
            figure("No-shows", t["supervision_no_show"], Measure.PEOPLE),
            figure("No-show rate", Rate(no_shows, booked), Measure.PEOPLE, "of sessions booked"),
            figure(
                "Agreements active",
                counts["active"],
                Measure.COUNT,
                f"{wording.hours(as_hours(counts['hours']))} a month",
            ),
            figure("Agreements ending", counts["ending"], Measure.COUNT, f"within {ENDING_SOON_DAYS} days"),
        ]
        OutcomeFigures(self.selection).add_check_ins(section)
        section.tables.append(self.supervisors_page_table())
        return section


def pool_supervisors(
    *,
    pool_id: int,
    today: datetime.date,
    starts: datetime.datetime,
    ends: datetime.datetime,
    organisation_id: int | None = None,
) -> QuerySet[SupervisorProfile]:
    """Every supervisor with an agreement in force today in the pool (and organisation), with
    the hours agreed here and everywhere and the hours booked here from ``starts`` to ``ends``,
    in the table's order. Every value it varies by is an argument, so that the page's statement
    can be kept once (reflect/statements.py)."""
    in_force = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    here = SupervisionAgreement.objects.filter(
        in_force, pool_id=pool_id, status=AgreementStatus.ACTIVE, supervisor=OuterRef("pk")
    )
    if organisation_id is not None:
        here = here.filter(organisation_id=organisation_id)
    everywhere = SupervisionAgreement.objects.filter(in_force, status=AgreementStatus.ACTIVE, supervisor=OuterRef("pk"))

    def total(agreements: QuerySet[SupervisionAgreement]) -> Coalesce:
        return Coalesce(
            Subquery(agreements.order_by().values("supervisor").annotate(t=Sum("hours_per_month")).values("t")),
            Value(ZERO),
            output_field=DecimalField(),
        )

    # Hours of sessions in this pool in the period: held, missed, cancelled late, or to come.
    booked = SupervisionBooking.objects.filter(
        pool_id=pool_id,
        supervisor=OuterRef("pk"),
        status__in=[*LIVE_BOOKING_STATUSES, BookingStatus.LATE_CANCELLED],
        starts_at__gte=starts,
        starts_at__lt=ends,
    )
    if organisation_id is not None:
        booked = booked.filter(organisation_id=organisation_id)
    return (
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


def pool_supervisors_page(**values: Any) -> QuerySet[SupervisorProfile]:
    """The first rows of :func:`pool_supervisors` the page shows, each with how many there are in
    all: a window over every row before the limit, counted by the same query."""
    return pool_supervisors(**values).annotate(rows_in_all=Window(Count("pk")))[:PAGE_ROWS]
