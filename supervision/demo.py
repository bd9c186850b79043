"""Demo data for the questionnaire: the demo lead's organisation has a finished assessment."""

from __future__ import annotations

from typing import TextIO

from reflect.demo import register_demo_step
from reflect.models import Organisation, User

DEMO_ORGANISATION = "Harehills Women's Drama Collective"
DEMO_LEAD = "lead@demo.reflect.test"
# The "weekly drama group for refugee women" profile of docs/questionnaire-profiles.md.
DEMO_ANSWERS = {
    "group_work": "yes",
    "one_to_one": "no",
    "therapeutic_content": "central",
    "trauma_disclosures": "weekly",
    "crisis_work": "no",
    "time_limited": "no",
    "dysregulation": "monthly",
    "abandonment": "never",
    "splitting": "never",
    "dissociation": "monthly",
    "hearing_voices": "never",
    "psychosis": "never",
    "substance_misuse": "never",
    "mania": "never",
    "favourite_person": "never",
    "self_harm": "yearly",
    "clinical_backgrounds": "some",
    "lived_experience": "yes",
    "training": ["trauma_informed"],
    "safeguarding_lead": "yes",
    "non_clinical_supervision": "regular",
    "reflective_practice": "no",
    "keyworker_contacts": "no",
    "out_of_hours": "sometimes",
    "insurance": "yes",
    "incidents": "none",
    "practitioners_1to1": 0,
    "group_facilitators": 3,
    "hopes": ["safety", "wellbeing"],
    "delivery": "in_person",
}


@register_demo_step
def questionnaire_demo(stdout: TextIO) -> None:
    from supervision.models import NeedsAssessment
    from supervision.services.assessments import complete_assessment, start_assessment

    organisation = Organisation.objects.filter(name=DEMO_ORGANISATION).first()
    lead = User.objects.filter(email=DEMO_LEAD).first()
    if organisation is None or lead is None:
        return
    if NeedsAssessment.objects.filter(organisation=organisation, completed_at__isnull=False).exists():
        return
    assessment = start_assessment(acting_user=lead, organisation=organisation)
    assessment.answers = DEMO_ANSWERS
    assessment.save(update_fields=["answers"])
    complete_assessment(assessment, acting_user=lead)
    stdout.write(f"Needs assessment: {organisation.name} has a finished questionnaire result.\n")
