"""Score a needs questionnaire: plain data in, plain data out (docs/questionnaire.md).

The bank's declarative rules decide the outcome; the reasons shown are exactly the rules
that fired. Formats, frequency and hours follow the professional norms cited on the result
page (see NORMS). Nothing here touches the database, so it is tested and benchmarked alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from reflect import wording

CLINICAL_SUPERVISION_RECOMMENDED = "clinical_supervision_recommended"
CONSIDER_CASE_CONSULTATION = "consider_case_consultation"
REFLECTIVE_PRACTICE_LIKELY_ENOUGH = "reflective_practice_likely_enough"

OUTCOME_LABELS = {
    CLINICAL_SUPERVISION_RECOMMENDED: "Clinical supervision recommended",
    CONSIDER_CASE_CONSULTATION: "Consider case consultation for specific presentations",
    REFLECTIVE_PRACTICE_LIKELY_ENOUGH: "Reflective practice and non-clinical supervision are likely enough",
}
# Strongest first: a rule that fires an outcome lifts the result to at least that outcome.
OUTCOME_RANK = {
    REFLECTIVE_PRACTICE_LIKELY_ENOUGH: 0,
    CONSIDER_CASE_CONSULTATION: 1,
    CLINICAL_SUPERVISION_RECOMMENDED: 2,
}

# The questions the formats are sized from. They are part of every bank version's contract.
PRACTITIONERS_QUESTION = "practitioners_1to1"
FACILITATORS_QUESTION = "group_facilitators"

# Professional norms (docs/questionnaire.md), cited on the result page with what each one sets.
NORMS: list[tuple[str, str]] = [
    (
        "Proctor's three functions",
        "Supervision is usually described as normative (standards, safety, accountability), formative "
        "(learning and skills) and restorative (support and wellbeing).",
    ),
    (
        "Counselling bodies",
        "Counsellors' professional bodies expect about 1.5 hours of supervision a month for a practising counsellor.",
    ),
    ("NHS trusts", "NHS trusts commonly set at least 1 hour of clinical supervision every 4 to 6 weeks."),
    ("Group supervision", "Group supervision commonly runs with 3 to 6 people for about 2 hours a month."),
    ("Schwartz Rounds", "Schwartz Rounds meet monthly for an hour, and what is said stays in the room."),
    ("Balint groups", "Balint groups work best with 6 to 10 committed members and a stable venue."),
]

ONE_TO_ONE_HOURS = Decimal("1.5")
GROUP_HOURS = Decimal("2")
GROUP_MAX = 6
CONSULTATION_HOURS = Decimal("1")
CONTINGENCY_HOURS = Decimal("0.5")

# Clinical supervision recommended with nobody counted who does 1:1 work or facilitates groups:
# the reasons stand, but there is no one to size the hours for (the result page says this).
NOBODY_TO_SUPERVISE = (
    "You counted nobody who does 1:1 work or facilitates groups, so there is no supervision to size or cost. "
    "If anyone does, take it again from these answers and say how many."
)


# --- The bank as plain data -----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionData:
    key: str
    text: str
    kind: str  # "single" | "multiple" | "number" | "yes_no"
    required: bool
    section: int  # 1-based position of its section
    options: tuple[tuple[str, str], ...] = ()  # (value, label)

    def label_for(self, value: str) -> str:
        return dict(self.options).get(value, value)


@dataclass(frozen=True)
class RuleData:
    key: str
    question_key: str
    reason: str
    option_value: str = ""
    min_number: Decimal | None = None
    clinical_points: int = 0
    consultation_points: int = 0
    fires_outcome: str = ""
    specialisms: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankData:
    version: int
    questions: tuple[QuestionData, ...]
    rules: tuple[RuleData, ...]
    clinical_threshold: int = 5
    consultation_threshold: int = 3
    sections: tuple[tuple[str, str], ...] = ()  # (key, title), in order

    @cached_property
    def _by_key(self) -> dict[str, QuestionData]:
        return {q.key: q for q in reversed(self.questions)}  # the first of duplicate keys wins

    def question(self, key: str) -> QuestionData | None:
        return self._by_key.get(key)


Answers = Mapping[str, Any]


# --- The result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FiredRule:
    key: str
    reason: str
    question_key: str
    answer: str  # the answer that fired it, in words
    clinical_points: int
    consultation_points: int
    fires_outcome: str

    @property
    def effect(self) -> str:
        parts = []
        if self.fires_outcome:
            parts.append(f"leads to “{OUTCOME_LABELS[self.fires_outcome].lower()}” on its own")
        if self.clinical_points:
            parts.append(f"{self.clinical_points:+d} towards clinical supervision")
        if self.consultation_points:
            parts.append(f"{self.consultation_points:+d} towards case consultation")
        return "; ".join(parts)


@dataclass(frozen=True)
class Format:
    key: str  # "one_to_one" | "group" | "consultation" | "contingency"
    name: str  # used in the bid line
    description: str
    units: int
    unit: str  # "practitioner" | "group" | "team"
    hours_per_month: Decimal
    basis: str

    @property
    def hours_per_year(self) -> Decimal:
        return self.units * self.hours_per_month * 12

    @property
    def frequency(self) -> str:
        per_month = f"{wording.hours_number(self.hours_per_month)} h a month"
        if self.units == 1:
            return f"{per_month} for the {self.unit}"
        return f"{per_month} for each of {self.units} {self.unit}s"

    @property
    def hours_per_year_text(self) -> str:
        return wording.hours_number(self.hours_per_year)


@dataclass(frozen=True)
class Result:
    outcome: str
    reasons: tuple[FiredRule, ...]
    formats: tuple[Format, ...]
    specialisms: tuple[str, ...]
    clinical_points: int
    consultation_points: int
    bank_version: int
    # How much each specialism weighed in the result, for ranking supervisors (docs/matching.md).
    specialism_weights: tuple[tuple[str, int], ...] = ()

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def hours_per_year(self) -> Decimal:
        return sum((f.hours_per_year for f in self.formats), Decimal("0"))

    @property
    def hours_per_year_text(self) -> str:
        return wording.hours_number(self.hours_per_year)

    def to_snapshot(self) -> dict[str, Any]:
        """JSON-safe; ``result_from_snapshot`` reads it back unchanged."""
        data = asdict(self)
        for fmt in data["formats"]:
            fmt["hours_per_month"] = str(fmt["hours_per_month"])
        return data


def result_from_snapshot(data: Mapping[str, Any] | None) -> Result:
    """The result saved when an assessment was completed (``NeedsAssessment.result``)."""
    if data is None:
        raise ValueError("An assessment that was never completed has no result.")
    return Result(
        outcome=data["outcome"],
        reasons=tuple(FiredRule(**r) for r in data["reasons"]),
        formats=tuple(Format(**{**f, "hours_per_month": Decimal(f["hours_per_month"])}) for f in data["formats"]),
        specialisms=tuple(data["specialisms"]),
        clinical_points=data["clinical_points"],
        consultation_points=data["consultation_points"],
        bank_version=data["bank_version"],
        specialism_weights=tuple((name, weight) for name, weight in data.get("specialism_weights", ())),
    )


# --- Answers ------------------------------------------------------------------------------


def is_answered(question: QuestionData, answers: Answers) -> bool:
    value = answers.get(question.key)
    if question.kind == "multiple":
        return bool(value)
    return value not in (None, "")


def missing_required(bank: BankData, answers: Answers, section: int | None = None) -> list[QuestionData]:
    """Required questions not yet answered (in one section, or in the whole bank)."""
    return [
        q
        for q in bank.questions
        if q.required and (section is None or q.section == section) and not is_answered(q, answers)
    ]


def answer_in_words(question: QuestionData, answers: Answers) -> str:
    value: Any = answers.get(question.key)
    if not is_answered(question, answers):
        return "Not answered"
    if question.kind == "multiple":
        return ", ".join(question.label_for(v) for v in value)
    if question.kind == "number":
        return str(value)
    return question.label_for(str(value))


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _fires(rule: RuleData, question: QuestionData, answers: Answers) -> bool:
    value = answers.get(rule.question_key)
    if value in (None, "", []):
        return False
    if rule.min_number is not None:
        number = _number(value)
        return number is not None and number >= rule.min_number
    if question.kind == "multiple":
        return rule.option_value in value
    return str(value) == rule.option_value


def _count(answers: Answers, key: str) -> int:
    number = _number(answers.get(key))
    if number is None or number < 0:
        return 0
    return int(number)


# --- Scoring ------------------------------------------------------------------------------


def score(bank: BankData, answers: Answers) -> Result:
    fired: list[FiredRule] = []
    clinical = consultation = 0
    floor = REFLECTIVE_PRACTICE_LIKELY_ENOUGH
    specialisms: list[str] = []
    weights: dict[str, int] = {}
    for rule in bank.rules:
        question = bank.question(rule.question_key)
        if question is None or not _fires(rule, question, answers):
            continue
        fired.append(
            FiredRule(
                key=rule.key,
                reason=rule.reason,
                question_key=question.key,
                answer=f"{question.text} — {answer_in_words(question, answers)}",
                clinical_points=rule.clinical_points,
                consultation_points=rule.consultation_points,
                fires_outcome=rule.fires_outcome,
            )
        )
        clinical += rule.clinical_points
        consultation += rule.consultation_points
        if rule.fires_outcome and OUTCOME_RANK[rule.fires_outcome] > OUTCOME_RANK[floor]:
            floor = rule.fires_outcome
        for specialism in rule.specialisms:
            if specialism not in specialisms:
                specialisms.append(specialism)
            # A rule that decides the outcome on its own counts as much as the clinical threshold.
            strength = (
                bank.clinical_threshold if rule.fires_outcome else rule.clinical_points + rule.consultation_points
            )
            weights[specialism] = weights.get(specialism, 0) + max(strength, 1)

    if clinical >= bank.clinical_threshold:
        by_points = CLINICAL_SUPERVISION_RECOMMENDED
    elif clinical + consultation >= bank.consultation_threshold:
        by_points = CONSIDER_CASE_CONSULTATION
    else:
        by_points = REFLECTIVE_PRACTICE_LIKELY_ENOUGH
    outcome = max(floor, by_points, key=OUTCOME_RANK.__getitem__)
    return Result(
        outcome=outcome,
        reasons=tuple(fired),
        formats=tuple(formats_for(outcome, answers)),
        specialisms=tuple(specialisms),
        clinical_points=clinical,
        consultation_points=consultation,
        bank_version=bank.version,
        specialism_weights=tuple(sorted(weights.items(), key=lambda item: (-item[1], specialisms.index(item[0])))),
    )


def formats_for(outcome: str, answers: Answers) -> list[Format]:
    """Format, frequency and hours for an outcome, sized by the team (docs/questionnaire.md norms)."""
    practitioners = _count(answers, PRACTITIONERS_QUESTION)
    facilitators = _count(answers, FACILITATORS_QUESTION)
    if outcome == CLINICAL_SUPERVISION_RECOMMENDED:
        # Sized by the people counted, and only by them: 0 people doing 1:1 work are never costed
        # as one practitioner, since the bid line goes into a funding bid beside the answers. With
        # nobody counted at all there is nothing to size (NOBODY_TO_SUPERVISE says so).
        formats = []
        if practitioners:
            formats.append(
                Format(
                    key="one_to_one",
                    name="Clinical supervision",
                    description="One-to-one clinical supervision for each person who does 1:1 work.",
                    units=practitioners,
                    unit="practitioner",
                    hours_per_month=ONE_TO_ONE_HOURS,
                    basis="Counsellors' bodies expect about 1.5 hours a month for a practising counsellor; NHS trusts "
                    "commonly set at least 1 hour every 4 to 6 weeks. We use the fuller figure.",
                )
            )
        if facilitators:
            groups = math.ceil(facilitators / GROUP_MAX)
            small = (
                " With fewer than 3 facilitators, ask the pool to join you with another organisation's."
                if facilitators < 3
                else ""
            )
            formats.append(
                Format(
                    key="group",
                    name="Group supervision",
                    description=f"Group supervision for your {wording.count(facilitators, 'group facilitator')}, "
                    "with a supervisor who understands group work.",
                    units=groups,
                    unit="group",
                    hours_per_month=GROUP_HOURS,
                    basis="Group supervision commonly runs with 3 to 6 people for about 2 hours a month." + small,
                )
            )
        return formats
    if outcome == CONSIDER_CASE_CONSULTATION:
        return [
            Format(
                key="consultation",
                name="Case consultation",
                description="Ad-hoc case consultation with a clinician, booked when one of the presentations below comes up.",
                units=1,
                unit="team",
                hours_per_month=CONSULTATION_HOURS,
                basis="Budgeted at up to 1 hour a month — the NHS norm of at least 1 hour every 4 to 6 weeks — "
                "used only when needed.",
            )
        ]
    return [
        Format(
            key="contingency",
            name="Case consultation (contingency)",
            description="A small reserve of clinician time for the rare situation your usual support cannot hold.",
            units=1,
            unit="team",
            hours_per_month=CONTINGENCY_HOURS,
            basis="Half the NHS minimum of 1 hour every 4 to 6 weeks, as a reserve; reflective practice (monthly, "
            "like Schwartz Rounds) and your non-clinical supervision carry the rest.",
        )
    ]


# --- Costing ------------------------------------------------------------------------------


class CostingError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


MAX_MONTHS = 60
MAX_RATE = Decimal("500")
MAX_TRAINING_DAYS = 60
MAX_TRAINING_DAY_COST = Decimal("5000")

# What each costing input allows, in the page's words. The cost form refuses text too long to
# be any of them with the same words, not with a count of characters.
PERIOD_ALLOWED = f"Enter a period between 1 and {MAX_MONTHS} months."
RATE_ALLOWED = f"Enter an hourly rate above £0 and up to {wording.money(MAX_RATE)}."
TRAINING_DAYS_ALLOWED = f"Enter between 0 and {wording.count(MAX_TRAINING_DAYS, 'day')} of training."
TRAINING_DAY_COST_ALLOWED = f"Enter a cost a day above £0 and up to {wording.money(MAX_TRAINING_DAY_COST)}."


@dataclass(frozen=True)
class BidLine:
    name: str
    units: int
    unit: str
    hours_per_month: Decimal
    months: int
    rate: Decimal
    hours: Decimal
    cost: Decimal

    @property
    def text(self) -> str:
        unit = self.unit if self.units == 1 else f"{self.unit}s"
        return (
            f"{self.name}: {self.units} {unit} × {wording.hours_number(self.hours_per_month)} h/month × "
            f"{wording.count(self.months, 'month')} × {wording.money(self.rate)}/h = {wording.money(self.cost)}"
        )


@dataclass(frozen=True)
class TrainingLine:
    """Training for the staff (docs/learning.md): days at a cost a day, paid from the bid (the
    organisation's own budget) or supplied by the pool, in which case it is shown but not in
    the bid's total."""

    days: int
    day_cost: Decimal
    from_pool: bool

    @property
    def cost(self) -> Decimal:
        return (self.days * self.day_cost).quantize(Decimal("0.01"))

    @property
    def text(self) -> str:
        paid = "supplied by the pool, not in this bid's total" if self.from_pool else "from our own budget"
        return (
            f"Training: {wording.count(self.days, 'day')} × {wording.money(self.day_cost)}/day = "
            f"{wording.money(self.cost)} ({paid})"
        )


@dataclass(frozen=True)
class Costing:
    lines: tuple[BidLine, ...] = field(default_factory=tuple)
    training: TrainingLine | None = None

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal("0"))

    @property
    def total(self) -> Decimal:
        training = self.training.cost if self.training is not None and not self.training.from_pool else Decimal("0")
        return sum((line.cost for line in self.lines), training)

    @property
    def total_text(self) -> str:
        return f"Total: {wording.money(self.total)} for {wording.hours(self.hours)}"

    @property
    def text(self) -> str:
        rows = [line.text for line in self.lines]
        if self.training is not None:
            rows.append(self.training.text)
        if len(rows) > 1:
            rows.append(self.total_text)
        return "\n".join(rows)

    @property
    def row_count(self) -> int:
        return len(self.lines) + (self.training is not None)


def _training(days: Any, day_cost: Any, from_pool: bool) -> TrainingLine | None:
    """The training line, or None for no training days. Nonsense is refused in words."""
    days_number = _number(days if days not in (None, "") else 0)
    if days_number is None or not days_number.is_finite() or days_number != days_number.to_integral_value():
        raise CostingError("Enter training as a whole number of days, like 2, or 0 for none.", field="training_days")
    if not 0 <= days_number <= MAX_TRAINING_DAYS:
        raise CostingError(TRAINING_DAYS_ALLOWED, field="training_days")
    if days_number == 0:
        return None
    cost_number = _number(day_cost)
    if cost_number is None or not cost_number.is_finite():
        raise CostingError("Enter what a day of training costs in pounds, like 600.", field="training_day_cost")
    if not 0 < cost_number <= MAX_TRAINING_DAY_COST:
        raise CostingError(TRAINING_DAY_COST_ALLOWED, field="training_day_cost")
    if cost_number != cost_number.quantize(Decimal("0.01")):
        raise CostingError("Enter the cost a day in pounds and pence, like 612.50.", field="training_day_cost")
    return TrainingLine(days=int(days_number), day_cost=cost_number, from_pool=from_pool)


def cost(
    formats: Sequence[Format],
    *,
    months: Any,
    rate: Any,
    training_days: Any = 0,
    training_day_cost: Any = None,
    training_from_pool: bool = False,
) -> Costing:
    """Bid lines for a period at an hourly rate, and a training line if there are training days.
    Nonsense periods, rates and training are refused."""
    months_number = _number(months)
    if months_number is None or not months_number.is_finite() or months_number != months_number.to_integral_value():
        raise CostingError("Enter the period as a whole number of months, like 12.", field="months")
    if not 1 <= months_number <= MAX_MONTHS:
        raise CostingError(PERIOD_ALLOWED, field="months")
    rate_number = _number(rate)
    if rate_number is None or not rate_number.is_finite():
        raise CostingError("Enter the hourly rate in pounds, like 60.", field="rate")
    if rate_number <= 0:
        raise CostingError("Enter an hourly rate above £0.", field="rate")
    if rate_number > MAX_RATE:
        raise CostingError(
            f"£{rate_number:,} an hour is more than any clinician's rate we know of; enter up to {wording.money(MAX_RATE)}.",
            field="rate",
        )
    if rate_number != rate_number.quantize(Decimal("0.01")):
        raise CostingError("Enter the hourly rate in pounds and pence, like 62.50.", field="rate")
    whole_months = int(months_number)
    lines = []
    for fmt in formats:
        hours = fmt.units * fmt.hours_per_month * whole_months
        lines.append(
            BidLine(
                name=fmt.name,
                units=fmt.units,
                unit=fmt.unit,
                hours_per_month=fmt.hours_per_month,
                months=whole_months,
                rate=rate_number,
                hours=hours,
                cost=(hours * rate_number).quantize(Decimal("0.01")),
            )
        )
    return Costing(lines=tuple(lines), training=_training(training_days, training_day_cost, training_from_pool))
