"""Whether learning sessions met the needs they were arranged for (docs/learning.md, "Did it
meet the need?"): attendees' answers per topic, for the sessions in the chosen months.

The answers are kept as counts with no person (learning/session_models.py); each count is a
count of people, so it leaves here only through ``present`` and the one disclosure rule: a topic
answered by a few people shows "*", never a figure that could point to one of them."""

from __future__ import annotations

from dataclasses import asdict

from dashboard.figures.selection import Selection
from dashboard.tables import Column, Measure, Section, Table, make_table
from learning.sessions.queries import feedback_by_topic

COLUMNS = (
    Column("topic", "Topic", Measure.TEXT),
    Column("yes", "Said it met their need", Measure.PEOPLE),
    Column("partly", "Said it partly did", Measure.PEOPLE),
    Column("no", "Said it did not", Measure.PEOPLE),
)


class LearningSessionFigures:
    def __init__(self, selection: Selection) -> None:
        self.selection = selection

    def feedback_table(self) -> Table:
        """One query. For the whole pool only: the answers are not kept by organisation."""
        period = self.selection.filters.period
        rows = feedback_by_topic([self.selection.pool.pk], period.start, period.end)
        note = "Answers after learning sessions that began in these months; a session for two topics counts for both."
        if self.selection.filters.organisation is not None:
            note += " Shown for the whole pool only."
        return make_table(
            "learning-feedback",
            "Did learning sessions meet the need? Attendees' answers by topic",
            COLUMNS,
            [asdict(row) for row in rows],
            note=note,
            page_rows=None,
        )

    def section(self) -> Section:
        section = Section("learning-sessions", "Learning sessions: did they meet the need?")
        section.notes.append(
            "After a learning session, attendees may say whether it met their need: yes, partly or no. "
            "Answering is optional, and each answer is kept only as a count, never with a name."
        )
        section.tables.append(self.feedback_table())
        return section
