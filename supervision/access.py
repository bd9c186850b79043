"""Who may see a needs assessment: its owner, the leads of its organisation, or — while it
has no owner — the browser that took it. Anything else is a 404 (docs/architecture.md)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from reflect.access import acting_user_or_none
from reflect.models import Membership, User
from reflect.queries import is_current_lead
from supervision.models import NeedsAssessment, SupervisorProfile
from supervision.queries import supervisors_with_hours_left

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


def may_browse_directory(user: User) -> bool:
    """The supervisor directory is for staff of any organisation (leads included) and admins."""
    return user.is_staff or Membership.objects.current().filter(user=user).exists()


def access_supervisor(user: User, supervisor_id: int) -> SupervisorProfile:
    """A listed supervisor, for members of an organisation; any profile for its owner and admins.
    Anything else is a 404, so an unverified supervisor cannot even be found (docs/architecture.md)."""
    profile = get_object_or_404(supervisors_with_hours_left(), pk=supervisor_id)
    if profile.user_id == user.pk or user.is_staff:
        return profile
    if not profile.is_listed or not may_browse_directory(user):
        raise Http404("No such supervisor.")
    return profile
