"""Outcomes: the questionnaire's latest result for each organisation (and whether it has a
supervision agreement), and what supervisees say in their check-ins, averaged over the pool."""

from __future__ import annotations

from dashboard.figures.selection import Question
from dashboard.tables import Column, Measure, Section, Table, figure, make_table
from supervision.enums import Outcome
from supervision.services.check_ins import pool_check_in_summary


class OutcomeFigures(Question):
    """What the questionnaire found, and how supervision is felt to help."""

    def outcomes_table(self) -> Table:
        # Counted from the memberships the page reads anyway (their outcome and agreement): no query.
        grouped: dict[str | None, dict[str, int]] = {}
        for _, _, _, outcome, has_agreement in self.selection.membership_rows:
            row = grouped.setdefault(outcome, {"organisations": 0, "with_agreement": 0})
            row["organisations"] += 1
            row["with_agreement"] += bool(has_agreement)
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

    def add_check_ins(self, section: Section) -> None:
        """The check-ins' averages (whole pool only, for its latest ended half-year, once that
        has 8 responses), or why not."""
        if self.filters.organisation is None:
            summary = pool_check_in_summary(self.pool, today=self.selection.today)
            section.notes.append(summary.period_text)
            if summary.shown:
                section.figures += [
                    figure("Check-ins: standards and safety (normative)", summary.normative, Measure.TEXT, "of 4"),
                    figure("Check-ins: learning (formative)", summary.formative, Measure.TEXT, "of 4"),
                    figure("Check-ins: support (restorative)", summary.restorative, Measure.TEXT, "of 4"),
                ]
            else:
                section.notes.append("Check-in averages appear once a half-year has 8 responses.")
        else:
            section.notes.append("Check-in averages are shown for the whole pool only.")
