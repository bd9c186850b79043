"""The needs questionnaire through the API, open to anyone as the public page is: the question
bank's current version, and a submission scored by the same services as the page
(``supervision.services.assessments``), answered with the page's result — the need, the costed
bid lines and the brief for clinicians (docs/questionnaire.md).

No account and no token: the operations count requests per client address instead
(``PerAddressThrottle``). A submission is checked whole before anything is written — each
section's answers by the page's own section form, the period and rate by the page's costing —
so bad answers are a 400 in the page's words and leave nothing behind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers
from api.throttling import PerAddressThrottle
from api.views.base import ApiView
from api.views.schema import anonymous_problems
from supervision.brief import Brief, build_brief
from supervision.forms import SectionForm, StartForm
from supervision.models import NeedsAssessment, QuestionBankVersion
from supervision.models import Section as BankSection
from supervision.scoring import Costing, CostingError, Format, Result, cost, result_from_snapshot
from supervision.services import assessments as services
from supervision.services.bank import bank_data, current_version, sections_of

# More answers than any version has questions: refused before any form is built.
MOST_ANSWERS = 200


class AnonymousView(ApiView):
    """No account needed: no authentication at all (a token sent is ignored), counted per address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PerAddressThrottle]


def bank_body(version: QuestionBankVersion, sections: list[BankSection]) -> dict[str, Any]:
    return {
        "version": version.number,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "intro": section.intro,
                "questions": [
                    {
                        "key": question.key,
                        "text": question.text,
                        "hint": question.hint,
                        "why_we_ask": question.why_we_ask,
                        "kind": question.kind,
                        "required": question.required,
                        "options": [{"value": o.value, "label": o.label} for o in question.options.all()],
                    }
                    for question in section.questions.all()
                ],
            }
            for section in sections
        ],
    }


class QuestionBank(AnonymousView):
    @extend_schema(
        summary="The questionnaire's questions (no account needed)",
        description="The current version of the question bank: its sections, questions and answer options.",
        auth=[],
        responses={200: serializers.QuestionBank, **anonymous_problems(409)},
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        version = current_version()
        return Response(bank_body(version, sections_of(version)))


def _checked_answers(sections: list[BankSection], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Each section's answers cleaned by the page's section form (every required question
    answered, every choice one of the options); errors are named ``answers.<question>``."""
    known = {question.key for section in sections for question in section.questions.all()}
    errors: dict[str, list[str]] = {
        f"answers.{key}": ["There is no such question in this version of the questionnaire."]
        for key in answers
        if key not in known
    }
    cleaned = []
    for section in sections:
        questions = list(section.questions.all())
        form = SectionForm({q.key: answers[q.key] for q in questions if q.key in answers}, questions=questions)
        if form.is_valid():
            cleaned.append(form.cleaned_data)
        else:
            for key, messages in form.errors.items():
                errors[f"answers.{key}"] = [str(message) for message in messages]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _costing(formats: tuple[Format, ...], months: int, rate: str) -> Costing:
    """The page's costing (``supervision.scoring.cost``); its refusals, in its words, as a 400."""
    try:
        return cost(formats, months=months, rate=rate)
    except CostingError as error:
        raise ValidationError({error.field: [error.message]}) from None


def result_body(assessment: NeedsAssessment, result: Result, costing: Costing, brief: Brief) -> dict[str, Any]:
    return {
        "version": assessment.version.number,
        "outcome": result.outcome,
        "outcome_label": result.outcome_label,
        "hours_per_year": result.hours_per_year_text,
        "reasons": [
            {"question": r.question_key, "answer": r.answer, "reason": r.reason, "effect": r.effect}
            for r in result.reasons
        ],
        "formats": [
            {
                "key": f.key,
                "name": f.name,
                "description": f.description,
                "frequency": f.frequency,
                "hours_per_year": f.hours_per_year_text,
            }
            for f in result.formats
        ],
        "specialisms": list(result.specialisms),
        "bid": {"lines": [line.text for line in costing.lines], "total": costing.total_text, "text": costing.text},
        "brief": {
            "title": brief.title,
            "intro": brief.intro,
            "sections": [{"heading": s.heading, "lines": list(s.lines)} for s in brief.sections],
            "footer": brief.footer,
            "text": brief.text,
        },
    }


class Submission(AnonymousView):
    @extend_schema(
        summary="Take the questionnaire (no account needed)",
        description=(
            "All the answers at once, keyed by question. Scored as the page scores them; the answer is the "
            "page's result: the need, the bid lines for the period and hourly rate, and the brief for clinicians."
        ),
        auth=[],
        request=serializers.QuestionnaireSubmission,
        responses={201: serializers.QuestionnaireResult, **anonymous_problems(400, 409)},
    )
    def post(self, request: Request, **kwargs: Any) -> Response:
        given = serializers.QuestionnaireSubmission(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        answers: dict[str, Any] = data["answers"]
        if len(answers) > MOST_ANSWERS:
            raise ValidationError({"answers": [f"Send at most {MOST_ANSWERS} answers, one for each question."]})
        start = StartForm(
            {"organisation_name": data.get("organisation_name", ""), "about": data.get("about", "")}, led=[]
        )
        if not start.is_valid():
            raise ValidationError({key: [str(m) for m in messages] for key, messages in start.errors.items()})
        version = current_version()
        if data.get("version") not in (None, version.number):
            raise ValidationError(
                {"version": [f"The questionnaire has changed: answer version {version.number}'s questions."]}
            )
        sections = sections_of(version)
        cleaned = _checked_answers(sections, answers)
        # The period and rate are checked before anything is written (the formats do not change
        # whether they are valid), then costed on the result's own formats below.
        _costing((), data["months"], data["rate"])
        with transaction.atomic():
            assessment = services.start_assessment(
                acting_user=None,
                organisation_name=start.cleaned_data["organisation_name"],
                about=start.cleaned_data["about"],
            )
            for number, section_answers in enumerate(cleaned, start=1):
                services.save_section(assessment, number, section_answers, advance=True)
            assessment = services.complete_assessment(assessment, acting_user=None)
        result = result_from_snapshot(assessment.result)
        costing = _costing(result.formats, data["months"], data["rate"])
        completed_at = assessment.completed_at
        assert completed_at is not None  # complete_assessment completed it
        brief = build_brief(
            bank_data(assessment.version),
            assessment.answers,
            result,
            name=assessment.display_name,
            about=assessment.about,
            completed_on=completed_at.date(),
        )
        return Response(result_body(assessment, result, costing, brief), status=status.HTTP_201_CREATED)
