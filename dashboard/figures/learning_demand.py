"""Demand for learning by topic across a pool, for its commissioners (docs/learning.md).

Every count of people becomes a cell through ``dashboard.tables.present``, the one disclosure
rule: the people asking for a topic and the staff leads counted are 0, "*" (1 to 7) or rounded to
5, whatever the pool's size. Organisations are not people and are shown as they are. No total
row: the topics overlap (one person may ask for several), so the rows add up to nothing a total
could give away; the headline count of people asking for anything is disclosed on its own."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.tables import Cell, Column, Figure, Measure, Table, figure, make_table
from learning.arranging import arrange_session_url
from learning.queries import people_with_open_needs, pool_demand
from reflect.models import Pool

COLUMNS = (
    Column("topic", "Topic", Measure.TEXT),
    Column("kind", "Kind", Measure.TEXT),
    Column("people", "Staff asking", Measure.PEOPLE),
    Column("organisations", "Organisations whose staff asked", Measure.COUNT),
    Column("recorded", "Organisations that recorded the need", Measure.COUNT),
    Column("staff_counted", "Staff those organisations counted", Measure.PEOPLE),
    Column("covered", "Organisations already covering it", Measure.COUNT),
)


@dataclass(frozen=True)
class DemandRow:
    cells: tuple[Cell, ...]
    topic: str
    arrange_url: str


@dataclass(frozen=True)
class LearningDemand:
    headline: Figure
    table: Table  # the CSV's
    rows: tuple[DemandRow, ...]  # the page's: the same cells, with each topic's link


def learning_demand(pool: Pool) -> LearningDemand:
    """Four queries, whatever the size of the pool (docs/performance.md)."""
    raw = pool_demand(pool)
    table = make_table(
        "learning-demand",
        "Demand for learning by topic",
        COLUMNS,
        raw,
        note="Open needs today: staff who asked and have not yet had it met or withdrawn it.",
        page_rows=None,
    )
    rows = tuple(
        DemandRow(cells, row["topic"], arrange_session_url(pool.pk, row["topic_id"]))
        for cells, row in zip(table.rows, raw, strict=True)
    )
    headline = figure("Staff asking for at least one topic", people_with_open_needs(pool), Measure.PEOPLE)
    return LearningDemand(headline=headline, table=table, rows=rows)
