"""The question bank: reading a version as plain data, publishing, and copying to a draft."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit
from supervision.enums import QuestionKind
from supervision.models import AnswerOption, Question, QuestionBankVersion, ScoringRule, Section
from supervision.scoring import FACILITATORS_QUESTION, PRACTITIONERS_QUESTION, BankData, QuestionData, RuleData


def current_version() -> QuestionBankVersion:
    """The newest published version: every new assessment is taken on it."""
    version = QuestionBankVersion.objects.filter(published_at__isnull=False).order_by("-number").first()
    if version is None:
        raise DomainError("The questionnaire is not available yet: no question bank version is published.")
    return version


def sections_of(version: QuestionBankVersion) -> list[Section]:
    return list(
        version.sections.order_by("order", "id").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "id").prefetch_related("options"))
        )
    )


def bank_data(version: QuestionBankVersion) -> BankData:
    """The version as the pure scorer's plain data (three queries)."""
    questions = []
    sections = sections_of(version)
    for position, section in enumerate(sections, start=1):
        for question in section.questions.all():
            questions.append(
                QuestionData(
                    key=question.key,
                    text=question.text,
                    kind=question.kind,
                    required=question.required,
                    section=position,
                    options=tuple((o.value, o.label) for o in question.options.all()),
                )
            )
    rules = tuple(
        RuleData(
            key=rule.key,
            question_key=rule.question_key,
            reason=rule.reason,
            option_value=rule.option_value,
            min_number=rule.min_number,
            clinical_points=rule.clinical_points,
            consultation_points=rule.consultation_points,
            fires_outcome=rule.fires_outcome,
            specialisms=tuple(rule.specialism_list),
        )
        for rule in version.rules.order_by("order", "id")
    )
    return BankData(
        version=version.number,
        questions=tuple(questions),
        rules=rules,
        clinical_threshold=version.clinical_threshold,
        consultation_threshold=version.consultation_threshold,
        sections=tuple((s.key, s.title) for s in sections),
    )


def version_problems(version: QuestionBankVersion) -> list[str]:
    """Everything that stops a version being published, in words an administrator can act on."""
    problems: list[str] = []
    bank = bank_data(version)
    keys = [q.key for q in bank.questions]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"Two questions share the key “{key}”: each key must be unique in the version.")
    if not bank.questions:
        problems.append("The version has no questions.")
    for key in (PRACTITIONERS_QUESTION, FACILITATORS_QUESTION):
        question = bank.question(key)
        if question is None or question.kind != QuestionKind.NUMBER:
            problems.append(f"The costing needs a number question with the key “{key}”.")
    for question in bank.questions:
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.YES_NO) and not question.options:
            problems.append(f"The question “{question.key}” has no answer options.")
    for rule in bank.rules:
        question = bank.question(rule.question_key)
        if question is None:
            problems.append(
                f"Rule “{rule.key}” names the question “{rule.question_key}”, which is not in this version."
            )
            continue
        if question.kind == QuestionKind.NUMBER:
            if rule.min_number is None:
                problems.append(f"Rule “{rule.key}” is on a number question, so it needs a minimum number.")
        elif rule.option_value not in dict(question.options):
            problems.append(
                f"Rule “{rule.key}” names the option “{rule.option_value}”, which the question “{question.key}” does not have."
            )
        if not (rule.clinical_points or rule.consultation_points or rule.fires_outcome):
            problems.append(f"Rule “{rule.key}” neither adds points nor fires an outcome.")
    return problems


@transaction.atomic
def publish_version(version: QuestionBankVersion, *, acting_user: User | None) -> QuestionBankVersion:
    # Lock the row so that two administrators publishing at once publish it once.
    version = QuestionBankVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise DomainError(f"Version {version.number} is already published.")
    problems = version_problems(version)
    if problems:
        raise DomainError(f"Version {version.number} cannot be published: " + " ".join(problems))
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    record_audit("question_bank.published", actor=acting_user, target=version, number=version.number)
    return version


@transaction.atomic
def copy_to_draft(version: QuestionBankVersion, *, acting_user: User | None) -> QuestionBankVersion:
    """A new draft with the next number and a copy of every section, question, option and rule."""
    last = QuestionBankVersion.objects.select_for_update().order_by("-number").first()
    number = (last.number if last else 0) + 1
    draft = QuestionBankVersion.objects.create(
        number=number,
        notes=f"Copied from version {version.number}.",
        clinical_threshold=version.clinical_threshold,
        consultation_threshold=version.consultation_threshold,
    )
    for section in sections_of(version):
        new_section = Section.objects.create(
            version=draft, key=section.key, title=section.title, intro=section.intro, order=section.order
        )
        for question in section.questions.all():
            new_question = Question.objects.create(
                section=new_section,
                key=question.key,
                text=question.text,
                hint=question.hint,
                why_we_ask=question.why_we_ask,
                kind=question.kind,
                required=question.required,
                order=question.order,
            )
            AnswerOption.objects.bulk_create(
                AnswerOption(question=new_question, value=o.value, label=o.label, order=o.order)
                for o in question.options.all()
            )
    ScoringRule.objects.bulk_create(
        ScoringRule(
            version=draft,
            key=r.key,
            question_key=r.question_key,
            option_value=r.option_value,
            min_number=r.min_number,
            clinical_points=r.clinical_points,
            consultation_points=r.consultation_points,
            fires_outcome=r.fires_outcome,
            reason=r.reason,
            specialisms=r.specialisms,
            order=r.order,
        )
        for r in version.rules.all()
    )
    record_audit("question_bank.copied", actor=acting_user, target=draft, source_number=version.number)
    return draft
