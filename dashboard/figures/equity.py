"""Access and equity: organisations with no recent use, how long each waited for a first
session, use by the communities organisations serve, and the questionnaire's outcomes."""

from __future__ import annotations

import datetime
import statistics
from typing import Any

from dashboard.figures.outcomes import OutcomeFigures
from dashboard.figures.selection import QUIET_DAYS, Membership, Question
from dashboard.figures.sums import ZERO, as_hours
from dashboard.tables import Column, Measure, Section, Table, figure, make_table
from reflect.models import Community, Organisation


def days_to_first_session(membership: Membership) -> int | None:
    """Whole days from an organisation joining the pool to its first session (a group place
    attended or a supervision session held), or None when there is no wait to measure: no session
    yet, or a first session recorded before the joining (an organisation already using the pool
    when its membership was recorded). So the measure is never negative (docs/dashboard.md)."""
    if membership.first_session is None or membership.first_session < membership.joined_on:
        return None
    return (membership.first_session - membership.joined_on).days


class EquityFigures(Question):
    """Who reaches the pool, who does not, and how soon."""

    def quiet_table(self) -> Table:
        since = self.selection.now - datetime.timedelta(days=QUIET_DAYS)
        rows: list[dict[str, Any]] = [
            {"name": m.name, "joined": m.joined_on, "last_activity": m.last_activity}
            for m in self.selection.memberships
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
        rows: list[dict[str, Any]] = [
            {
                "name": m.name,
                "joined": m.joined_on,
                "first": m.first_session,
                "days": days_to_first_session(m),
            }
            for m in self.selection.memberships
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
            note="Days are counted from joining the pool to the first session after it; an organisation "
            "whose first session was recorded before it joined shows –, and is left out of the median.",
        )

    def communities_table(self) -> Table:
        # Each community adds up its organisations' sums (raw, from the ledger's one scan).
        served = Organisation.communities.through.objects.filter(organisation__pool_memberships__pool=self.pool)
        if self.filters.organisation is not None:
            served = served.filter(organisation=self.filters.organisation)
        use: dict[int, dict[str, Any]] = {}
        for community_id, organisation_id in served.values_list("community_id", "organisation_id"):
            row = use.setdefault(
                community_id, {"organisations": 0, "used": ZERO, "supervision_held": 0, "places_attended": 0}
            )
            org = self.selection.by_organisation.get(organisation_id, {})
            row["organisations"] = int(row["organisations"]) + 1
            row["used"] = as_hours(row["used"]) + as_hours(org.get("used"))
            for key in ("supervision_held", "places_attended"):
                row[key] = int(row[key]) + int(org.get(key) or 0)
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

    def section(self) -> Section:
        memberships = self.selection.memberships
        section = Section("equity", "Access and equity")
        days = [d for d in map(days_to_first_session, memberships) if d is not None]
        quiet = self.quiet_table()
        outcomes = OutcomeFigures(self.selection).outcomes_table()
        section.figures += [
            figure(f"Organisations with no use in {QUIET_DAYS} days", quiet.row_count, Measure.COUNT),
            figure(
                "Median days from joining to a first session",
                int(statistics.median(days)) if days else None,
                Measure.DAYS,
                f"{len(days)} of {len(memberships)} organisations have had one since joining",
            ),
        ]
        section.tables += [quiet, self.first_session_table(), self.communities_table(), outcomes]
        return section
