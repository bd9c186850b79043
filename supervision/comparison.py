"""Compare two needs assessment results: what changed, and why the outcome moved (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from supervision.scoring import OUTCOME_LABELS, OUTCOME_RANK, Answers, BankData, Result, answer_in_words


@dataclass(frozen=True)
class AnswerChange:
    question: str
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    before: Result
    after: Result
    answer_changes: tuple[AnswerChange, ...]
    reasons_added: tuple[str, ...]
    reasons_removed: tuple[str, ...]
    specialisms_added: tuple[str, ...]
    specialisms_removed: tuple[str, ...]

    @property
    def outcome_changed(self) -> bool:
        return self.before.outcome != self.after.outcome

    @property
    def summary(self) -> str:
        before, after = OUTCOME_LABELS[self.before.outcome], OUTCOME_LABELS[self.after.outcome]
        if not self.outcome_changed:
            return f"The outcome stayed the same: {before.lower()}."
        direction = "up" if OUTCOME_RANK[self.after.outcome] > OUTCOME_RANK[self.before.outcome] else "down"
        because = []
        if self.reasons_added:
            because.append("these now apply: " + " ".join(self.reasons_added))
        if self.reasons_removed:
            because.append("these no longer apply: " + " ".join(self.reasons_removed))
        if self.before.bank_version != self.after.bank_version:
            because.append(
                f"the question bank changed from version {self.before.bank_version} to {self.after.bank_version}"
            )
        reason = "; ".join(because) if because else "the points moved across a threshold"
        return f"The outcome moved {direction}, from “{before.lower()}” to “{after.lower()}”, because {reason}."


def compare(
    before_bank: BankData,
    before_answers: Answers,
    before: Result,
    after_bank: BankData,
    after_answers: Answers,
    after: Result,
) -> Comparison:
    changes = []
    seen = set()
    for question in list(after_bank.questions) + list(before_bank.questions):
        if question.key in seen:
            continue
        seen.add(question.key)
        old_question = before_bank.question(question.key)
        new_question = after_bank.question(question.key)
        old = answer_in_words(old_question, before_answers) if old_question else "Not asked"
        new = answer_in_words(new_question, after_answers) if new_question else "Not asked"
        if old != new:
            changes.append(AnswerChange(question=question.text, before=old, after=new))
    before_reasons = [r.reason for r in before.reasons]
    after_reasons = [r.reason for r in after.reasons]
    return Comparison(
        before=before,
        after=after,
        answer_changes=tuple(changes),
        reasons_added=tuple(r for r in after_reasons if r not in before_reasons),
        reasons_removed=tuple(r for r in before_reasons if r not in after_reasons),
        specialisms_added=tuple(s for s in after.specialisms if s not in before.specialisms),
        specialisms_removed=tuple(s for s in before.specialisms if s not in after.specialisms),
    )
