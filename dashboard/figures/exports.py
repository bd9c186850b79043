"""The tables a commissioner can download as CSV: each key is the file's name, with what builds it."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.figures.pool import PoolFigures
from dashboard.tables import Table
from equality.categories import CATEGORIES, Category

EXPORTS: dict[str, Callable[[PoolFigures], Table]] = {
    "organisations": lambda figures: figures.money.organisations_table(),
    "months": lambda figures: figures.money.months_table(),
    "fair-share": lambda figures: figures.overview.share_chart().table,
    "group-months": lambda figures: figures.groups.months_table(),
    "supervisors": lambda figures: figures.supervision.supervisors_table(),
    "groups": lambda figures: figures.groups.groups_table(),
    "quiet": lambda figures: figures.equity.quiet_table(),
    "first-sessions": lambda figures: figures.equity.first_session_table(),
    "communities": lambda figures: figures.equity.communities_table(),
    "outcomes": lambda figures: figures.outcomes.outcomes_table(),
    "outcome-change": lambda figures: figures.outcome_measures.change_table(),
    "outcome-attendance": lambda figures: figures.outcome_measures.attendance_table(),
    "learning-feedback": lambda figures: figures.learning_sessions.feedback_table(),
}


def _reach(category: Category) -> Callable[[PoolFigures], Table]:
    return lambda figures: figures.reach.table(category)


# One table per equality question, each as suppressed as on the page (docs/equality.md).
EXPORTS |= {f"reach-{category.key.replace('_', '-')}": _reach(category) for category in CATEGORIES}
