"""The one-page brief for clinicians, as plain data: the print page and the PDF share it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from reflect import wording
from reflect.learning_topics import SuggestedTopic, topics_for_presentations
from supervision.scoring import Answers, BankData, Result, answer_in_words, is_answered

PRESENTATIONS_SECTION = "presentations"
# Answers that say "not met" are left out of the brief to keep it to one page.
NOT_MET = {"never", "rarely"}
NO_HOURS_SIZED = "No hours sized: we counted nobody who does 1:1 work or facilitates groups."


@dataclass(frozen=True)
class BriefSection:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Brief:
    title: str
    intro: str
    sections: tuple[BriefSection, ...]
    footer: str

    @property
    def text(self) -> str:
        parts = [self.title, self.intro]
        for section in self.sections:
            parts.append(section.heading)
            parts.extend(section.lines)
        parts.append(self.footer)
        return "\n".join(parts)


def presentations_met(bank: BankData, answers: Answers) -> list[str]:
    """The keys of the presentations the organisation meets at all (not "never"), in the bank's
    order: what the learning topics are suggested from (docs/learning.md)."""
    position = next((i for i, (key, _) in enumerate(bank.sections, start=1) if key == PRESENTATIONS_SECTION), None)
    return [
        q.key
        for q in bank.questions
        if q.section == position and answers.get(q.key) and answers.get(q.key) not in NOT_MET
    ]


def training_topics(bank: BankData, answers: Answers) -> list[SuggestedTopic]:
    """Training worth suggesting from the presentations the organisation meets, through the
    core's registry (reflect/learning_topics.py: supervision does not know the learning app).
    The result page lists them; the brief names them."""
    return topics_for_presentations(presentations_met(bank, answers))


def build_brief(
    bank: BankData,
    answers: Answers,
    result: Result,
    *,
    name: str,
    about: str,
    completed_on: datetime.date,
    training_topics: Sequence[str] = (),
) -> Brief:
    looking_for = [f"Our result: {result.outcome_label}."]
    for fmt in result.formats:
        looking_for.append(
            f"{fmt.name}: {fmt.description} {fmt.frequency.capitalize()}; {wording.hours(fmt.hours_per_year)} a year."
        )
    if not result.formats:
        # Clinical supervision recommended for nobody counted (supervision/scoring.py, formats_for).
        looking_for.append(NO_HOURS_SIZED)
    if result.specialisms:
        looking_for.append("Specialisms we would value: " + ", ".join(result.specialisms) + ".")
    if training_topics:
        looking_for.append("Training our staff would value: " + ", ".join(training_topics) + ".")
    hopes = bank.question("hopes")
    if hopes is not None and is_answered(hopes, answers):
        looking_for.append("What we most want from supervision: " + answer_in_words(hopes, answers) + ".")
    sections = [
        BriefSection("About us", (about or "Not described.",)),
        BriefSection("What we are looking for", tuple(looking_for)),
    ]
    for position, (key, title) in enumerate(bank.sections, start=1):
        questions = [q for q in bank.questions if q.section == position and q.key != "hopes"]
        if key == PRESENTATIONS_SECTION:
            # Most frequent first: the options run from "never" up to "most weeks".
            by_frequency: dict[tuple[int, str], list[str]] = {}
            for question in questions:
                value = answers.get(question.key)
                if value and value not in NOT_MET:
                    rank = [v for v, _ in question.options].index(value) if value in dict(question.options) else 0
                    by_frequency.setdefault((-rank, question.label_for(value)), []).append(question.text)
            lines = tuple(f"{label}: {', '.join(texts)}." for (_, label), texts in sorted(by_frequency.items()))
            sections.append(BriefSection(title, lines or ("None of the listed presentations, or hardly ever.",)))
            continue
        lines = tuple(f"{q.text} {answer_in_words(q, answers)}." for q in questions if is_answered(q, answers))
        sections.append(BriefSection(title, lines))
    return Brief(
        title=f"Clinical supervision brief: {name}",
        intro=(
            "We are a community organisation looking for a clinician who understands community and group work. "
            "This brief comes from our answers to Reflect's needs questionnaire."
        ),
        sections=tuple(sections),
        footer=f"Question bank version {result.bank_version}; completed on {wording.date(completed_on)}.",
    )
