"""Outcome measures (docs/outcomes.md): per half-year of the pool, how many staff answered, their
mean scores (the trend), and the mean change since each person's first answer with a 95 %
interval, overall and for those who had attended supervision or a group against those who had
not.

Privacy by construction: every mean leaves as a :class:`~dashboard.tables.Mean`, which
``present`` hides below 8 people; this module hides more where a shown figure could be
subtracted from another to single out fewer than 8 (``outcomes.change``): the two halves of the
attendance split together, and an organisation whose filter would leave its complement small.
The figures are for whole half-years, which a month filter chooses but never cuts, so two
periods' figures cannot be subtracted either; and only for half-years that have **ended**, so
that two looks a few days apart show the same cells (a half-year still filling up would change
with each answer, and the difference would be that one person's).
"""

from __future__ import annotations

from functools import cached_property

from dashboard.figures.selection import Question
from dashboard.tables import Column, Mean, Measure, Section, Table, figure, make_table
from outcomes.bank import Measure as OutcomeMeasure
from outcomes.bank import current_measure
from outcomes.change import mean_change, shown_parts, split_shown
from outcomes.queries import ResponseRow, pool_responses
from outcomes.services.invitations import Schedule, schedule_of
from reflect import wording
from reflect.half_years import HalfYear, pool_half_years

CAUTION = (
    "Read these figures with care. They compare people with their own first answers; they are "
    "not from a randomised trial. People who use supervision or groups may differ from those who "
    "do not in ways that change their scores anyway (their work, why they came forward), people "
    "who answer may not be typical of those who do not, and anything else that happened in the "
    "same months moves scores too. A change is a reason to look closer, not proof that the pool "
    "caused it."
)


class Answered:
    """One half-year's answers: each person's latest in it, their first ever, and who has an
    earlier answer to compare with (everyone, those who had attended, those who had not)."""

    def __init__(self, latest: dict[int, ResponseRow], first: dict[int, ResponseRow]) -> None:
        self.latest = latest
        self.first = first
        self.compared = [p for p, row in latest.items() if first[p] is not row]
        self.went = [p for p in self.compared if latest[p].attended]
        self.did_not = [p for p in self.compared if not latest[p].attended]

    def of_organisation(self, organisation_id: int) -> Answered:
        return Answered({p: r for p, r in self.latest.items() if r.organisation == organisation_id}, self.first)


class OutcomeMeasureFigures(Question):
    """What the pool's outcome questionnaire shows, in aggregate only."""

    @cached_property
    def measure(self) -> OutcomeMeasure:
        return current_measure(self.schedule.measure)

    @cached_property
    def schedule(self) -> Schedule:
        return schedule_of(self.pool)

    @cached_property
    def responses(self) -> list[ResponseRow]:
        return pool_responses(self.pool.pk, self.measure.slug, [s.key for s in self.measure.subscales])

    @cached_property
    def pool_half_years(self) -> list[HalfYear]:
        """Every half-year of the pool, from its first month (reflect.half_years, as the check-ins')."""
        return pool_half_years(self.pool.starts_on, self.pool.ends_on)

    @cached_property
    def ended(self) -> list[HalfYear]:
        """The half-years over by today. A half-year still filling up is never shown: between two
        looks a few days apart its cells would move with each new answer, and the difference
        would be one person's (docs/outcomes.md, "Suppression and differencing")."""
        return [half for half in self.pool_half_years if half.end <= self.selection.today]

    @cached_property
    def half_years(self) -> list[HalfYear]:
        """The ended half-years that overlap the filter's months, whole."""
        period = self.filters.period
        return [half for half in self.ended if half.first_day <= period.last_month and half.end > period.first_month]

    def when_shown(self) -> str:
        """Which half-years are shown, and when the next appears, in plain words."""
        coming = next((half for half in self.pool_half_years if half.end > self.selection.today), None)
        if not self.ended:
            assert coming is not None  # a pool has at least one half-year
            return (
                "No half-year of this pool has ended yet, so there is nothing to show. "
                f"The first, {coming.label}, appears on {wording.date(coming.end)}."
            )
        why = (
            "Figures appear only once a half-year has ended, so that two looks a few days apart cannot be set "
            "side by side to learn about one person."
        )
        if self.half_years:
            labels = [half.label for half in self.half_years]
            shown = f"Shown: {', '.join(labels[:-1])} and {labels[-1]}." if len(labels) > 1 else f"Shown: {labels[0]}."
        else:
            shown = "None of the months you chose is in a half-year that has ended."
        later = f" The next, {coming.label}, appears on {wording.date(coming.end)}." if coming else ""
        return f"{why} {shown}{later}"

    @cached_property
    def answered(self) -> list[Answered]:
        first: dict[int, ResponseRow] = {}
        for row in self.responses:
            first.setdefault(row.person, row)
        found = []
        for half in self.half_years:
            latest = {row.person: row for row in self.responses if half.first_day <= row.answered_on < half.end}
            found.append(Answered(latest, first))
        return found

    def _organisation_shown(self, answered: Answered) -> tuple[bool, bool]:
        """With an organisation filter: may its mean score, and its mean change, be shown?"""
        organisation = self.filters.organisation
        if organisation is None:
            return True, True
        answers: dict[int, int] = {}
        pairs: dict[int, int] = {}
        for row in answered.latest.values():
            answers[row.organisation] = answers.get(row.organisation, 0) + 1
        for person in answered.compared:
            key = answered.latest[person].organisation
            pairs[key] = pairs.get(key, 0) + 1
        return organisation.pk in shown_parts(answers), organisation.pk in shown_parts(pairs)

    @staticmethod
    def _change_cells(answered: Answered, people: list[int], index: int, *, hidden: bool) -> dict[str, object]:
        latest, first = answered.latest, answered.first
        change = mean_change([latest[p].scores[index] - first[p].scores[index] for p in people])
        return {
            "compared": len(people),
            "change": Mean(change.mean, change.people, hidden, signed=True),
            "interval": Mean(change.low, change.people, hidden, signed=True, high=change.high)
            if change.low is not None
            else Mean(None, change.people, hidden),
        }

    def _part(self, key: str) -> str:
        subscale = self.measure.subscale(key)
        return f"{subscale.title} ({'higher' if subscale.higher_is_better else 'lower'} is better)"

    def change_table(self) -> Table:
        rows = []
        organisation = self.filters.organisation
        halves = []
        for half, answered in zip(self.half_years, self.answered, strict=True):
            mine = answered if organisation is None else answered.of_organisation(organisation.pk)
            halves.append((half, mine, self._organisation_shown(answered)))
        for index, subscale in enumerate(self.measure.subscales):
            for half, mine, (score_shown, change_shown) in halves:
                scores = [row.scores[index] for row in mine.latest.values()]
                rows.append(
                    {
                        "half": half.label,
                        "part": self._part(subscale.key),
                        "answered": len(mine.latest),
                        "mean": Mean(sum(scores) / len(scores) if scores else None, len(scores), not score_shown),
                    }
                    | self._change_cells(mine, mine.compared, index, hidden=not change_shown)
                )
        return make_table(
            "outcome-change",
            f"{self.measure.short_title}: answers, mean scores and change since each person's first answer",
            (
                Column("part", "Part of the questionnaire", Measure.TEXT),
                Column("half", "Half-year", Measure.TEXT),
                Column("answered", "People who answered", Measure.PEOPLE),
                Column("mean", "Mean score", Measure.MEAN),
                Column("compared", "People with an earlier answer to compare", Measure.PEOPLE),
                Column("change", "Mean change since their first answer", Measure.MEAN),
                Column("interval", "95% confidence interval of the change", Measure.MEAN),
            ),
            rows,
            page_rows=None,
        )

    def attendance_table(self) -> Table:
        rows = []
        if self.filters.organisation is None:
            for index, subscale in enumerate(self.measure.subscales):
                for half, answered in zip(self.half_years, self.answered, strict=True):
                    # Both halves or neither: beside the whole, one gives the other away.
                    hidden = not split_shown(len(answered.went), len(answered.did_not))
                    for label, people in (("Yes", answered.went), ("No", answered.did_not)):
                        rows.append(
                            {"half": half.label, "part": self._part(subscale.key), "attended": label}
                            | self._change_cells(answered, people, index, hidden=hidden)
                        )
        return make_table(
            "outcome-attendance",
            "Change since their first answer: people who had attended supervision or a reflective group, and people who had not",
            (
                Column("part", "Part of the questionnaire", Measure.TEXT),
                Column("half", "Half-year", Measure.TEXT),
                Column("attended", "Had attended supervision or a group", Measure.TEXT),
                Column("compared", "People compared", Measure.PEOPLE),
                Column("change", "Mean change since their first answer", Measure.MEAN),
                Column("interval", "95% confidence interval of the change", Measure.MEAN),
            ),
            rows,
            page_rows=None,
            note="" if self.filters.organisation is None else "Shown for the whole pool only.",
        )

    def section(self) -> Section:
        section = Section("outcome-measures", "Outcomes: how staff are doing")
        section.figures += [
            figure("Questionnaire", self.measure.short_title, Measure.TEXT),
            figure(
                "Staff are asked", f"When they join, then every {self.schedule.interval_months} months", Measure.TEXT
            ),
        ]
        section.notes += [
            self.when_shown(),
            CAUTION,
            "Every figure is for whole half-years of the pool: the months you choose pick which half-years "
            "appear but never cut one. Any mean over fewer than 8 people is shown as *, and so is a figure "
            "that, set beside the others, would single out fewer than 8.",
        ]
        if self.filters.organisation is not None:
            section.notes.append(
                "For one organisation, the split by attendance is not shown: with the whole pool's it could single out a few people."
            )
        if self.filters.group_id is not None:
            section.notes.append("Outcome figures are not split by reflective group: these are for the whole pool.")
        section.tables += [self.change_table(), self.attendance_table()]
        return section
