"""What supervision holds about a person, for export and erasure (reflect/data_protection/)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from reflect.data_protection.registry import (
    Blocker,
    Erasure,
    register_erasure_blocker,
    register_erasure_step,
    register_still_active,
)
from reflect.data_protection.registry import register_export as export
from reflect.models import User
from supervision.models import (
    AgreementCheckIn,
    NeedsAssessment,
    SupervisionAgreement,
    SupervisionRequest,
    SupervisorProfile,
)
from supervision.queries import current_agreements

# --- Export: one line per model ------------------------------------------------------------------
export(SupervisorProfile, "Your supervisor profile", lambda u: SupervisorProfile.objects.filter(user=u), ["profession", "professional_body", "registration_number", "modalities", "specialisms", "offers", "group_work_experience", "community_experience", "languages", "online", "in_person_areas", "hourly_rate", "monthly_capacity_hours", "accepting_organisations", "agrees_non_clinical", "bio", "verified_at", "created_at"], order=30)  # fmt: skip
export(SupervisionRequest, "Supervision requests you sent or received", lambda u: SupervisionRequest.objects.filter(Q(requested_by=u) | Q(supervisor__user=u)).select_related("organisation", "supervisor__user"), [("Organisation", "organisation.name"), ("Supervisor", "supervisor.user.display_name"), "format", "hours_per_month", "starts_on", "review_on", "message", "status", "reply", "created_at"], order=31)  # fmt: skip
export(SupervisionAgreement, "Supervision agreements you hold or ended", lambda u: SupervisionAgreement.objects.filter(Q(supervisor__user=u) | Q(ended_by=u)).select_related("organisation", "supervisor__user"), [("Organisation", "organisation.name"), ("Supervisor", "supervisor.user.display_name"), "format", "hours_per_month", "starts_on", "ends_on", "review_on", "status", "end_reason"], order=31)  # fmt: skip
export(NeedsAssessment, "Needs questionnaires you took", lambda u: NeedsAssessment.objects.filter(owner=u).select_related("organisation"), [("Organisation", "display_name"), "about", "answers", "completed_at", "outcome", "created_at"], order=50)  # fmt: skip
export(AgreementCheckIn, "Your check-ins at review dates", lambda u: AgreementCheckIn.objects.filter(respondent=u).select_related("agreement__organisation"), [("Organisation", "agreement.organisation.name"), "review_on", "normative", "formative", "restorative", "created_at"], order=51)  # fmt: skip


# --- Erasure -------------------------------------------------------------------------------------


@register_erasure_blocker
def supervisor_blockers(user: User) -> list[Blocker]:
    running = current_agreements().filter(supervisor__user=user)
    count = running.count()
    if not count:
        return []
    agreements, them = ("agreement", "it") if count == 1 else ("agreements", "them")
    return [
        Blocker(
            message=f"You supervise under {count} {agreements} still running. Give notice to end {them} first.",
            link=reverse("supervisor_agreements"),
            link_text="Your supervision agreements",
        )
    ]


@register_erasure_step(30, "supervision: unlist the profile, drop personal questionnaires, scrub messages")
def erase_supervision(erasure: Erasure) -> None:
    user = erasure.user
    profile = SupervisorProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        # The row stays so that the agreements and groups that counted hours still add up;
        # nothing on it says who they were, and nobody can find or book them.
        if profile.photo:
            profile.photo.delete(save=False)
        profile.registration_number = ""
        profile.bio = ""
        profile.verification_note = ""
        profile.in_person_areas = []
        profile.accepting_organisations = False
        profile.agrees_non_clinical = False
        profile.save()
    # A questionnaire taken for no organisation is theirs alone; one for an organisation is
    # the organisation's record and stays with it.
    erasure.count(
        "questionnaires_deleted", NeedsAssessment.objects.filter(owner=user, organisation__isnull=True).delete()[0]
    )
    for assessment in NeedsAssessment.objects.filter(owner=user):
        assessment.about = erasure.scrub_text(assessment.about)
        assessment.organisation_name = erasure.scrub_text(assessment.organisation_name)
        assessment.save(update_fields=["about", "organisation_name"])
    for request in SupervisionRequest.objects.filter(Q(requested_by=user) | Q(supervisor__user=user)):
        request.message = erasure.scrub_text(request.message)
        request.reply = erasure.scrub_text(request.reply)
        request.save(update_fields=["message", "reply"])
    for agreement in SupervisionAgreement.objects.filter(Q(ended_by=user) | Q(supervisor__user=user)):
        agreement.end_reason = erasure.scrub_text(agreement.end_reason)
        agreement.save(update_fields=["end_reason"])


@register_still_active
def keep_supervisors(users: QuerySet) -> QuerySet:
    # A supervisor's profile is a role of its own, kept while they offer supervision.
    return users.exclude(supervisor_profile__isnull=False)
