"""Who may see a needs assessment: its owner, the leads of its organisation, or — while it
has no owner — the browser that took it. Anything else is a 404 (docs/architecture.md)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from reflect.access import acting_user_or_none
from reflect.queries import is_current_lead
from supervision.models import NeedsAssessment

# The assessments this browser took signed out; claimed on sign-up or sign-in.
SESSION_KEY = "questionnaire_assessments"


def session_assessment_ids(request: HttpRequest) -> list[int]:
    return [int(i) for i in request.session.get(SESSION_KEY, [])]


def remember_in_session(request: HttpRequest, assessment: NeedsAssessment) -> None:
    ids = session_assessment_ids(request)
    if assessment.pk not in ids:
        request.session[SESSION_KEY] = [*ids, assessment.pk][-20:]


def may_see(request: HttpRequest, assessment: NeedsAssessment) -> bool:
    user = acting_user_or_none(request)
    if user is not None:
        if assessment.owner_id == user.pk:
            return True
        if assessment.organisation_id and is_current_lead(user, assessment.organisation_id):
            return True
    return assessment.owner_id is None and assessment.pk in session_assessment_ids(request)


def access_assessment(request: HttpRequest, assessment_id: int) -> NeedsAssessment:
    assessment = get_object_or_404(
        NeedsAssessment.objects.select_related("version", "organisation", "owner"), pk=assessment_id
    )
    if not may_see(request, assessment):
        raise Http404("No such questionnaire.")
    return assessment
