"""Rebalancing's query layer: each organisation's hours and needs read from the selection, handed
to the pure :func:`dashboard.rebalancing.suggest_moves`. The page and the service that confirms
the moves (dashboard/services.py) both ask :func:`suggested_moves`, so they agree."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from dashboard.figures.selection import Selection
from dashboard.figures.sums import ZERO, as_hours
from dashboard.rebalancing import Move, OrganisationUse, is_near_period_end, suggest_moves
from dashboard.tables import Column, Measure, Table, make_table
from supervision.enums import Outcome


def organisations_use(selection: Selection) -> list[OrganisationUse]:
    """Each of the selection's organisations: its hours to date, and what shows it needs more."""
    result = []
    for m in selection.memberships:
        row = selection.by_organisation.get(m.organisation_id)
        result.append(
            OrganisationUse(
                m.organisation_id,
                m.name,
                allocated=as_hours(row["allocated"]) if row else ZERO,
                used_to_date=as_hours(row["used_to_date"]) if row else ZERO,
                reserved=as_hours(row["reserved"]) if row else ZERO,
                waited_recently=bool(row and int(row["waitlist_recent"])),
                supervision_unarranged=(
                    m.latest_outcome == Outcome.CLINICAL_SUPERVISION_RECOMMENDED and not m.has_agreement
                ),
            )
        )
    return result


def suggested_moves(selection: Selection) -> list[Move]:
    """The moves to suggest for the whole pool near its period's end (none otherwise)."""
    pool = selection.pool
    if selection.filters.organisation is not None or not is_near_period_end(
        pool.starts_on, pool.ends_on, selection.today
    ):
        return []
    return suggest_moves(organisations_use(selection))


def moves_table(moves: list[Move]) -> Table:
    """The suggested moves, one row each (hundreds at city scale: built like any other table),
    every one on the page, since the commissioner confirms them all at once."""
    return make_table(
        "moves",
        "Hours to move",
        (
            Column("from", "From", Measure.TEXT),
            Column("to", "To", Measure.TEXT),
            Column("hours", "Hours", Measure.HOURS),
        ),
        ({"from": move.from_name, "to": move.to_name, "hours": move.hours} for move in moves),
        page_rows=None,
    )


def move_inputs_html(moves: list[Move]) -> SafeString:
    """The form's hidden input for each move, which "Move these hours" confirms: built here
    rather than in a template loop, as there are hundreds at city scale (245 in the demo pool's
    last months), which cost the page more than a table."""
    return mark_safe(  # noqa: S308 - every token is escaped
        "".join(f'<input type="hidden" name="move" value="{escape(move.token)}">' for move in moves)
    )
