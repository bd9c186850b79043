"""Reflective groups: sessions held, places taken and attended, fill, waitlists and waits, for
the selection and for each group."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, TruncMonth

from dashboard.figures.selection import Question
from dashboard.tables import (
    LONDON,
    PAGE_ROWS,
    Column,
    Measure,
    Rate,
    RawRow,
    Section,
    Table,
    figure,
    make_table,
    page_of_table,
)
from reflect.disclosure import SMALLEST_SHOWN
from reflect.statements import fetch_named_rows
from scheduling.models import GroupSession, Place, PlaceStatus, ReflectiveGroup, SessionStatus, WaitlistEntry
from scheduling.models.groups import WaitlistStatus

# The keys the grouped group queries group by, which are not figures to add up.
GROUP_KEYS = ("group_id", "session__group_id")


def added_up(rows: Iterable[RawRow]) -> dict[str, Any]:
    """Grouped counts (and sums) added up, key by key; a key no row has a value for is left out,
    as the database leaves a SUM of nothing empty."""
    total: dict[str, Any] = {}
    for row in rows:
        for key, value in row.items():
            if key not in GROUP_KEYS and value is not None:
                total[key] = value if key not in total else total[key] + value
    return total


def wait_days(count: int, wait: datetime.timedelta | None) -> str | None:
    """Average days waited (``wait`` is the total over ``count`` people), only over 8 people or
    more (an average of fewer is a person's)."""
    if wait is None or count < SMALLEST_SHOWN:
        return None if count == 0 else "*"
    return f"{Decimal(wait.total_seconds() / count / 86400).quantize(Decimal('0.1'))}"


class GroupFigures(Question):
    """How the reflective groups are used: their sessions, places and waitlists."""

    def held_sessions(self) -> QuerySet[GroupSession]:
        period = self.filters.period
        return held_sessions(
            pool_id=self.pool.pk, starts=period.start, until=self._held_until, group_id=self.filters.group_id
        )

    @cached_property
    def _held_until(self) -> datetime.datetime:
        """Sessions held: those that have started, in the period."""
        return min(self.filters.period.end, self.selection.now)

    def _held_values(self) -> dict[str, int | datetime.datetime]:
        """What :func:`held_sessions` varies by, for a statement kept once (reflect/statements.py)."""
        values: dict[str, int | datetime.datetime] = {
            "pool_id": self.pool.pk,
            "starts": self.filters.period.start,
            "until": self._held_until,
        }
        if self.filters.group_id is not None:
            values["group_id"] = self.filters.group_id
        return values

    def _places(self) -> QuerySet[Place]:
        places = Place.objects.filter(session__in=self.held_sessions())
        if self.filters.organisation is not None:
            places = places.filter(organisation=self.filters.organisation)
        return places.order_by()

    _PLACE_COUNTS = {
        "places": Count("pk", filter=~Q(status=PlaceStatus.CANCELLED)),
        "attended": Count("pk", filter=Q(status=PlaceStatus.ATTENDED)),
        "absent": Count("pk", filter=Q(status=PlaceStatus.ABSENT)),
    }

    def _waits_by_group(self) -> dict[int, RawRow]:
        """Per group: how many joined a waitlist, got a place from it, and waited for an offer, with
        the total wait (a sum, so that the groups add up to the whole selection)."""
        period = self.filters.period
        group = {} if self.filters.group_id is None else {"group_id": self.filters.group_id}
        values = self.selection.statement_values(starts=period.start, ends=period.end, **group)
        rows = fetch_named_rows(("dashboard.waits_by_group", *values), waits_by_group, **values)
        return {row["session__group_id"]: row for row in rows}

    @cached_property
    def _by_group(self) -> dict[int, tuple[RawRow, RawRow, RawRow]]:
        """Per reflective group: its held sessions', places' and waitlist's counts (grouped
        queries). The section's totals add these up rather than asking the database again.
        One organisation's places are counted from its places: the sessions count everyone's."""
        values = self._held_values()
        # The whole pool's places are counted by the sessions themselves; one organisation's by its places.
        whole = self.filters.organisation is None
        sessions = {
            row["group_id"]: row
            for row in fetch_named_rows(
                ("dashboard.sessions_by_group", "whole" if whole else "shared", *values),
                sessions_by_group if whole else shared_sessions_by_group,
                **values,
            )
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
        """Every group of the selection (the CSV)."""
        return self._groups_table(self._groups().values_list("pk", "title"))

    def groups_page_table(self) -> Table:
        """The groups' table as the page shows it: only its first rows are built, and the rest
        counted (``page_of_table``)."""
        # How many in all, counted by the same query: a window over every row before the limit.
        shown = list(
            self._groups()
            .annotate(rows_in_all=Window(Count("pk")))
            .values_list("pk", "title", "rows_in_all")[:PAGE_ROWS]
        )
        return page_of_table(self._groups_table((pk, title) for pk, title, _ in shown), shown[0][2] if shown else 0)

    def _groups(self) -> QuerySet[ReflectiveGroup]:
        groups = ReflectiveGroup.objects.filter(pool=self.pool).order_by("title", "pk")
        if self.filters.group_id is not None:
            groups = groups.filter(pk=self.filters.group_id)
        return groups

    def _groups_table(self, groups: Iterable[tuple[int, str]]) -> Table:
        by_group = self._by_group  # asked for whether or not the pool has groups: constant queries
        rows = [self._group_row(title, *by_group.get(group_id, ({}, {}, {}))) for group_id, title in groups]
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

    def _group_row(self, title: str, s: RawRow, p: RawRow, w: RawRow) -> dict[str, Any]:
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
            "wait": wait_days(w.get("waited", 0), w.get("wait")),
            "overbooked": s.get("overbooked", 0) if whole_sessions else None,
        }

    @cached_property
    def all_groups(self) -> tuple[dict[str, Any], RawRow]:
        """The selection's groups added up: the row the section shows, and the sessions' sums."""
        s, p, w = (added_up(counts[part] for counts in self._by_group.values()) for part in range(3))
        return self._group_row("All groups", s, p, w), s

    def months_table(self) -> Table:
        """Each month's held sessions, places taken and fill rate (one grouped query). The fill
        rate is worked from the disclosed count of places, so a month's chart column can be a
        gap but never a hidden count."""
        values = self._held_values()
        sessions: dict[datetime.date, RawRow] = {
            row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]: row
            for row in fetch_named_rows(("dashboard.group_months", *values), group_months, **values)
        }
        whole_sessions = self.filters.organisation is None
        rows = []
        for month in self.filters.period.months:
            row = sessions.get(month, {})
            held, places, capacity = int(row.get("held", 0)), int(row.get("taken") or 0), int(row.get("capacity", 0))
            rows.append(
                {
                    "month": month,
                    "held": held,
                    "places": places if whole_sessions else None,
                    "capacity": capacity,
                    "fill": Rate(places, capacity, denominator_is_people=False) if whole_sessions and held else None,
                }
            )
        return make_table(
            "group-months",
            "Reflective-group fill rate each month",
            (
                Column("month", "Month", Measure.MONTH),
                Column("held", "Sessions held", Measure.COUNT),
                Column("places", "Places taken", Measure.PEOPLE),
                Column("capacity", "Capacity", Measure.COUNT),
                Column("fill", "Fill rate", Measure.PEOPLE),
            ),
            rows,
            note="Fill rate is places taken against capacity. With one organisation chosen the places are "
            "shared with others, so no fill rate is shown.",
        )

    def section(self) -> Section:
        row, s = self.all_groups
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
        section.tables.append(self.groups_page_table())
        return section


def held_sessions(
    *, pool_id: int, starts: datetime.datetime, until: datetime.datetime, group_id: int | None = None
) -> QuerySet[GroupSession]:
    """The pool's (or one group's) sessions held from ``starts`` until ``until``. This and the
    queries built on it take every value they vary by as an argument, so that the page's
    statements can be kept once per process (reflect/statements.py)."""
    sessions = GroupSession.objects.filter(
        group__pool_id=pool_id, status=SessionStatus.SCHEDULED, starts_at__gte=starts, starts_at__lt=until
    )
    if group_id is not None:
        sessions = sessions.filter(group_id=group_id)
    return sessions.order_by()


# Each group's held sessions, counted: how many, their capacity, and those over it.
_SESSION_COUNTS = {
    "held": Count("pk"),
    "capacity": Coalesce(Sum("group__capacity"), Value(0)),
    "overbooked": Count("pk", filter=Q(places_taken__gt=F("group__capacity"))),
    "over_places": Coalesce(
        Sum(F("places_taken") - F("group__capacity"), filter=Q(places_taken__gt=F("group__capacity"))),
        Value(0),
    ),
}


def sessions_by_group(**values: Any) -> QuerySet[GroupSession, Any]:
    """Per group, its held sessions' counts and their places: for the whole pool the sessions
    count their own places (places_taken, and the register's counts), so a few thousand sessions
    are added up instead of every place."""
    return (
        held_sessions(**values)
        .values("group_id")
        .annotate(
            # By name (``places`` is also the sessions' relation to their places).
            **{"places": Sum("places_taken"), "attended": Sum("places_attended"), "absent": Sum("places_absent")},
            **_SESSION_COUNTS,
        )
    )


def shared_sessions_by_group(**values: Any) -> QuerySet[GroupSession, Any]:
    """Per group, its held sessions' counts alone: with one organisation chosen, its places are
    counted from its places (the sessions count everyone's)."""
    return held_sessions(**values).values("group_id").annotate(**_SESSION_COUNTS)


def group_months(**values: Any) -> QuerySet[GroupSession, Any]:
    """Each London month's held sessions, places taken and capacity."""
    return (
        held_sessions(**values)
        .annotate(month=TruncMonth("starts_at", tzinfo=LONDON))
        .values("month")
        .annotate(held=Count("pk"), taken=Sum("places_taken"), capacity=Coalesce(Sum("group__capacity"), Value(0)))
    )


def waits_by_group(
    *,
    pool_id: int,
    starts: datetime.datetime,
    ends: datetime.datetime,
    group_id: int | None = None,
    organisation_id: int | None = None,
) -> QuerySet[WaitlistEntry, Any]:
    """Per group: waitlist entries for its sessions from ``starts`` to ``ends``, those placed,
    those offered a place and their total wait for the offer."""
    entries = WaitlistEntry.objects.filter(
        session__group__pool_id=pool_id, session__starts_at__gte=starts, session__starts_at__lt=ends
    )
    if group_id is not None:
        entries = entries.filter(session__group_id=group_id)
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    offered = Q(first_offered_at__isnull=False)
    return (
        entries.order_by()
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
