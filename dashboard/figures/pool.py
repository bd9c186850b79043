"""The commissioner's page for one pool: each question's figures, asked of one shared selection,
so that a read two questions need (the ledger's sums, the memberships) runs once."""

from __future__ import annotations

import datetime

from dashboard.figures.equity import EquityFigures
from dashboard.figures.groups import GroupFigures
from dashboard.figures.learning_sessions import LearningSessionFigures
from dashboard.figures.money import MoneyFigures
from dashboard.figures.moves import suggested_moves
from dashboard.figures.outcome_measures import OutcomeMeasureFigures
from dashboard.figures.outcomes import OutcomeFigures
from dashboard.figures.overview import OverviewFigures
from dashboard.figures.reach import ReachFigures
from dashboard.figures.selection import Selection
from dashboard.figures.supervision import SupervisionFigures
from dashboard.filters import Filters
from dashboard.rebalancing import Move
from dashboard.tables import Section
from reflect.models import Pool


class PoolFigures:
    """The dashboard's figures for one pool and one set of filters. Each query runs at most
    once (cached), and each section or export asks only for what it shows."""

    def __init__(self, pool: Pool, filters: Filters, *, now: datetime.datetime | None = None) -> None:
        self.selection = Selection(pool, filters, now=now)
        self.money = MoneyFigures(self.selection)
        self.supervision = SupervisionFigures(self.selection)
        self.groups = GroupFigures(self.selection)
        self.equity = EquityFigures(self.selection)
        self.outcomes = OutcomeFigures(self.selection)
        self.reach = ReachFigures(self.selection)
        self.outcome_measures = OutcomeMeasureFigures(self.selection)
        self.learning_sessions = LearningSessionFigures(self.selection)
        self.overview = OverviewFigures(self.selection, self.money, self.groups)

    @property
    def period_has_data(self) -> bool:
        return self.selection.period_has_data

    def sections(self) -> list[Section]:
        """The overview's sections. Reach and equality and the outcome measures have pages of
        their own (docs/dashboard.md, "Pages"), as learning demand has."""
        return [
            self.money.section(),
            self.supervision.section(),
            self.groups.section(),
            self.equity.section(),
            self.learning_sessions.section(),
        ]

    def rebalancing(self) -> list[Move]:
        return suggested_moves(self.selection)
