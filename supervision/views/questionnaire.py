"""The needs questionnaire at /questionnaire/: open to anyone, no account needed (docs/questionnaire.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reflect import wording
from reflect.access import acting_user, acting_user_or_none
from reflect.errors import DomainError
from reflect.models import Pool
from supervision.access import access_assessment, remember_in_session, session_assessment_ids
from supervision.brief import Brief, build_brief, training_topics
from supervision.comparison import compare
from supervision.forms import CompareForm, CostForm, SaveToOrganisationForm, SectionForm, StartForm
from supervision.models import NeedsAssessment
from supervision.pdf import brief_pdf
from supervision.queries import assessments_visible_to, organisations_led_by
from supervision.scoring import (
    NOBODY_TO_SUPERVISE,
    NORMS,
    CostingError,
    answer_in_words,
    cost,
    missing_required,
    result_from_snapshot,
)
from supervision.services import assessments as services
from supervision.services.bank import bank_data, current_version, sections_of

DEFAULT_MONTHS = "12"
DEFAULT_RATE = "60"
DEFAULT_TRAINING_DAY_COST = "600"


def _led(request: HttpRequest) -> list:
    user = acting_user_or_none(request)
    return list(organisations_led_by(user)) if user else []


def start(request: HttpRequest) -> HttpResponse:
    try:
        version = current_version()
    except DomainError as error:
        return render(request, "supervision/questionnaire/unavailable.html", {"message": error.message}, status=503)
    sections = sections_of(version)
    form = StartForm(request.POST if request.method == "POST" else None, led=_led(request))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.start_assessment(
                acting_user=acting_user_or_none(request),
                organisation=form.chosen_organisation(),
                organisation_name=form.cleaned_data["organisation_name"],
                about=form.cleaned_data["about"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if assessment.owner_id is None:
                remember_in_session(request, assessment)
            return redirect("questionnaire_section", assessment.pk, 1)
    in_progress = []
    user = acting_user_or_none(request)
    if user:
        in_progress = list(assessments_visible_to(user).filter(completed_at__isnull=True)[:5])
    else:
        in_progress = list(
            NeedsAssessment.objects.filter(
                pk__in=session_assessment_ids(request), owner__isnull=True, completed_at__isnull=True
            )[:5]
        )
    return render(
        request,
        "supervision/questionnaire/start.html",
        {"form": form, "sections": sections, "in_progress": in_progress},
    )


def _section_context(assessment: NeedsAssessment, number: int) -> tuple[list, Any]:
    sections = sections_of(assessment.version)
    if not 1 <= number <= len(sections):
        raise Http404("No such section.")
    return sections, sections[number - 1]


def section(request: HttpRequest, assessment_id: int, number: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    if assessment.is_complete:
        return redirect("questionnaire_result", assessment.pk)
    sections, current = _section_context(assessment, number)
    questions = list(current.questions.all())
    saving_for_later = request.method == "POST" and "save_for_later" in request.POST
    form = SectionForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        partial=saving_for_later,
        initial={q.key: assessment.answers.get(q.key) for q in questions},
    )
    if request.method == "POST" and form.is_valid():
        services.save_section(assessment, number, form.cleaned_data, advance=not saving_for_later)
        if saving_for_later:
            return _saved(request, assessment)
        if number < len(sections):
            return redirect("questionnaire_section", assessment.pk, number + 1)
        return redirect("questionnaire_check", assessment.pk)
    return render(
        request,
        "supervision/questionnaire/section.html",
        {
            "assessment": assessment,
            "section": current,
            "number": number,
            "count": len(sections),
            "form": form,
            "back_url": reverse("questionnaire_section", args=[assessment.pk, number - 1])
            if number > 1
            else reverse("questionnaire_start"),
        },
    )


def _saved(request: HttpRequest, assessment: NeedsAssessment) -> HttpResponse:
    """Saved for later. Signed out, the private link is shown once (only its hash is kept)."""
    link = None
    if not request.user.is_authenticated:
        token = services.issue_resume_link(assessment)
        link = request.build_absolute_uri(reverse("questionnaire_resume", args=[token]))
    return render(
        request,
        "supervision/questionnaire/saved.html",
        {"assessment": assessment, "link": link, "valid_days": services.RESUME_LINK_VALID_DAYS},
    )


def resume(request: HttpRequest, token: str) -> HttpResponse:
    try:
        assessment = services.assessment_for_resume_token(token)
    except services.ResumeLinkError as error:
        return render(
            request,
            "supervision/questionnaire/resume_problem.html",
            {"reason": error.reason, "valid_days": services.RESUME_LINK_VALID_DAYS},
            status=404 if error.reason == "unknown" else 410,
        )
    if assessment.owner_id is not None:
        # Someone has since saved it to their account: the link no longer opens it.
        if not (request.user.is_authenticated and request.user.pk == assessment.owner_id):
            return render(
                request,
                "supervision/questionnaire/resume_problem.html",
                {"reason": "claimed", "valid_days": services.RESUME_LINK_VALID_DAYS},
                status=404,
            )
    else:
        remember_in_session(request, assessment)
    if assessment.is_complete:
        return redirect("questionnaire_result", assessment.pk)
    if assessment.current_section > services.section_count(assessment):
        return redirect("questionnaire_check", assessment.pk)
    return redirect("questionnaire_section", assessment.pk, assessment.current_section)


def _answer_rows(assessment: NeedsAssessment) -> list[dict[str, Any]]:
    bank = bank_data(assessment.version)
    rows = []
    for position, current in enumerate(sections_of(assessment.version), start=1):
        questions = [q for q in bank.questions if q.section == position]
        rows.append(
            {
                "number": position,
                "title": current.title,
                # The "Change" link lands on the question: a text input's own id, or a choice's first option.
                "answers": [
                    (
                        f"id_{q.key}" if q.kind == "number" else f"id_{q.key}_0",
                        q.text,
                        answer_in_words(q, assessment.answers),
                    )
                    for q in questions
                ],
            }
        )
    return rows


def check(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    if assessment.is_complete:
        return redirect("questionnaire_result", assessment.pk)
    bank = bank_data(assessment.version)
    missing = missing_required(bank, assessment.answers)
    error = None
    if request.method == "POST":
        try:
            services.complete_assessment(assessment, acting_user=acting_user_or_none(request))
        except DomainError as problem:
            error = problem.message
        else:
            return redirect("questionnaire_result", assessment.pk)
    return render(
        request,
        "supervision/questionnaire/check.html",
        {
            "assessment": assessment,
            "sections": _answer_rows(assessment),
            "missing": [(q, q.section) for q in missing],
            "error": error,
        },
        status=400 if error else 200,
    )


def _pools_for(assessment: NeedsAssessment) -> list[Pool]:
    if assessment.organisation_id is None:
        return []
    return list(Pool.objects.filter(memberships__organisation_id=assessment.organisation_id).order_by("name"))


def _costing(request: HttpRequest, assessment: NeedsAssessment, result: Any) -> tuple[CostForm, Any]:
    pools = _pools_for(assessment)
    if "months" in request.GET:
        form = CostForm(request.GET, pools=pools)
    else:
        initial = {
            "months": DEFAULT_MONTHS,
            "rate": DEFAULT_RATE,
            "training_days": "0",
            "training_day_cost": DEFAULT_TRAINING_DAY_COST,
            "training_paid_by": "own",
        }
        if pools:
            initial["rate_source"] = f"pool-{pools[0].pk}"
        form = CostForm({**initial}, pools=pools)
    costing = None
    if form.is_valid():
        try:
            costing = cost(
                result.formats, months=form.cleaned_data["months"], rate=form.chosen_rate(), **form.training()
            )
        except CostingError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return form, costing


def result(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    if not assessment.is_complete:
        return redirect("questionnaire_check", assessment.pk)
    snapshot = result_from_snapshot(assessment.result)
    cost_form, costing = _costing(request, assessment, snapshot)
    led = _led(request)
    save_form = SaveToOrganisationForm(led=led) if led and assessment.organisation_id is None else None
    return render(
        request,
        "supervision/questionnaire/result.html",
        {
            "assessment": assessment,
            "result": snapshot,
            "cost_form": cost_form,
            "costing": costing,
            # Long bid lines wrap: give each about two rows so the whole text shows.
            "bid_rows": 2 * costing.row_count + 1 if costing else 0,
            "training_topics": training_topics(bank_data(assessment.version), assessment.answers),
            "save_form": save_form,
            "norms": NORMS,
            "nobody_to_supervise": NOBODY_TO_SUPERVISE,
            "signed_out": not request.user.is_authenticated,
        },
    )


@require_POST
def save_to_organisation(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    user = acting_user_or_none(request)
    if user is None:
        raise Http404("Sign in to save a result.")
    led = _led(request)
    form = SaveToOrganisationForm(request.POST, led=led)
    if form.is_valid():
        try:
            services.save_to_organisation(assessment, form.led[form.cleaned_data["organisation"]], acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The result is saved to {form.led[form.cleaned_data['organisation']].name}.")
    else:
        messages.error(request, "Choose an organisation you lead.")
    return redirect("questionnaire_result", assessment.pk)


@require_POST
def take_again(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    new = services.start_from(assessment, acting_user=acting_user_or_none(request))
    if new.owner_id is None:
        remember_in_session(request, new)
    messages.success(request, "Your earlier answers are filled in. Change what is different now.")
    return redirect("questionnaire_section", new.pk, 1)


def _brief(assessment: NeedsAssessment) -> Brief:
    completed_at = assessment.completed_at
    assert completed_at is not None  # a brief is only for a completed questionnaire
    bank = bank_data(assessment.version)
    return build_brief(
        bank,
        assessment.answers,
        result_from_snapshot(assessment.result),
        name=assessment.display_name,
        about=assessment.about,
        completed_on=completed_at.date(),
        training_topics=[topic.title for topic in training_topics(bank, assessment.answers)],
    )


def brief(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    if not assessment.is_complete:
        return redirect("questionnaire_check", assessment.pk)
    return render(
        request, "supervision/questionnaire/brief.html", {"assessment": assessment, "brief": _brief(assessment)}
    )


def brief_download(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id)
    if not assessment.is_complete:
        raise Http404("The questionnaire is not finished.")
    response = HttpResponse(brief_pdf(_brief(assessment)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="clinician-brief-{assessment.pk}.pdf"'
    return response


@login_required
def results(request: HttpRequest) -> HttpResponse:
    visible = list(assessments_visible_to(acting_user(request)).order_by("-completed_at", "-created_at"))
    return render(
        request,
        "supervision/questionnaire/results.html",
        {
            "completed": [a for a in visible if a.is_complete],
            "in_progress": [a for a in visible if not a.is_complete],
        },
    )


def _label(assessment: NeedsAssessment) -> str:
    when = wording.short_date(assessment.completed_at) if assessment.completed_at else ""
    return f"{assessment.display_name}, {when} — {assessment.get_outcome_display()}"


@login_required
def compare_results(request: HttpRequest) -> HttpResponse:
    completed = list(
        assessments_visible_to(acting_user(request)).filter(completed_at__isnull=False).order_by("-completed_at")
    )
    choices = [(str(a.pk), _label(a)) for a in completed]
    if len(completed) < 2:
        return render(request, "supervision/questionnaire/compare.html", {"too_few": True})
    by_id = {str(a.pk): a for a in completed}
    form = CompareForm(
        request.GET if "before" in request.GET else None,
        choices=choices,
        initial={"before": choices[1][0], "after": choices[0][0]},
    )
    comparison = pair = None
    if form.is_bound and form.is_valid():
        before, after = by_id[form.cleaned_data["before"]], by_id[form.cleaned_data["after"]]
        comparison = compare(
            bank_data(before.version),
            before.answers,
            result_from_snapshot(before.result),
            bank_data(after.version),
            after.answers,
            result_from_snapshot(after.result),
        )
        pair = (before, after)
    return render(
        request,
        "supervision/questionnaire/compare.html",
        {"form": form, "comparison": comparison, "pair": pair},
    )
