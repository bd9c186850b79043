"""Demo data for the questionnaire: the demo lead's organisation has a finished assessment."""

from __future__ import annotations

from decimal import Decimal
from io import TextIOBase

from reflect.models import Community, Organisation, User
from supervision.models import NeedsAssessment, SupervisorProfile
from supervision.services.assessments import complete_assessment, start_assessment

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


def questionnaire_demo(stdout: TextIOBase) -> None:

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


# The 8 demo supervisors (demo/management/commands/seed_demo.py), with varied profiles:
# body, number, modalities, specialisms, offers, group work, community sector, communities,
# languages, online, in-person areas, rate, capacity, accepting, agrees non-clinical, bio.
DEMO_SUPERVISORS: dict[str, dict] = {
    "supervisor": {
        "professional_body": "bps_hcpc",
        "registration_number": "PYL034512",
        "modalities": ["Compassion-focused therapy", "Systemic practice"],
        "specialisms": ["Trauma", "Dissociation", "Emotional dysregulation", "Self-harm and suicidal distress"],
        "offers": ["one_to_one", "group_supervision", "consultation"],
        "group_work_experience": True,
        "community_experience": True,
        "communities": ["black-and-south-asian", "poverty"],
        "languages": ["English", "Yoruba"],
        "in_person_areas": ["Harehills", "Chapeltown"],
        "hourly_rate": "65",
        "monthly_capacity_hours": "10",
        "bio": "Twelve years in NHS trauma services and refugee charities; I supervise creative and group facilitators.",
    },
    "s.patel": {
        "professional_body": "ukcp",
        "registration_number": "2009123456",
        "modalities": ["Group analytic psychotherapy"],
        "specialisms": ["Splitting", "Fear of abandonment and endings", "Being someone's “favourite person”"],
        "offers": ["group_supervision", "reflective_group"],
        "group_work_experience": True,
        "community_experience": True,
        "communities": ["black-and-south-asian", "domestic-abuse"],
        "languages": ["English", "Gujarati", "Hindi"],
        "in_person_areas": ["Beeston", "City Centre"],
        "hourly_rate": "70",
        "monthly_capacity_hours": "8",
        "bio": "I run reflective practice groups and Balint-style case groups for voluntary sector teams.",
    },
    "m.hughes": {
        "professional_body": "nmc",
        "registration_number": "98A1234E",
        "modalities": ["Recovery-oriented practice"],
        "specialisms": ["Psychosis", "Hearing voices", "Mania and hypomania", "Crisis and risk"],
        "offers": ["one_to_one", "consultation"],
        "group_work_experience": False,
        "community_experience": True,
        "communities": ["addictions"],
        "languages": ["English"],
        "in_person_areas": ["Chapel Allerton"],
        "hourly_rate": "55",
        "monthly_capacity_hours": "6",
        "bio": "Community psychiatric nurse; I help teams judge risk and when to involve crisis services.",
    },
    "a.nowak": {
        "professional_body": "hcpc",
        "registration_number": "OT54321",
        "modalities": ["Occupational therapy", "Sensory approaches"],
        "specialisms": ["Emotional dysregulation", "Dissociation"],
        "offers": ["one_to_one", "group_supervision"],
        "group_work_experience": True,
        "community_experience": False,
        "communities": ["neurodiverse", "older-people"],
        "languages": ["English", "Polish"],
        "in_person_areas": ["Otley", "Headingley"],
        "hourly_rate": "50",
        "monthly_capacity_hours": "5",
        "bio": "Occupational therapist with a background in care farms and activity groups.",
    },
    "j.mensah": {
        "professional_body": "swe",
        "registration_number": "SW45678",
        "modalities": ["Strengths-based practice"],
        "specialisms": ["Crisis and risk", "Substance misuse", "Trauma"],
        "offers": ["one_to_one", "consultation"],
        "group_work_experience": False,
        "community_experience": True,
        "communities": ["addictions", "poverty", "domestic-abuse"],
        "languages": ["English", "Twi"],
        "in_person_areas": [],
        "hourly_rate": "45",
        "monthly_capacity_hours": "12",
        "bio": "Approved mental health professional; safeguarding and risk enablement are my daily work.",
    },
    "l.chen": {
        "professional_body": "bacp",
        "registration_number": "0123456",
        "modalities": ["Person-centred counselling"],
        "specialisms": ["Self-harm and suicidal distress", "Fear of abandonment and endings"],
        "offers": ["one_to_one"],
        "group_work_experience": False,
        "community_experience": True,
        "communities": ["lgbtqia"],
        "languages": ["English", "Mandarin", "Cantonese"],
        "in_person_areas": ["City Centre"],
        "hourly_rate": "48",
        "monthly_capacity_hours": "4",
        "bio": "BACP-accredited counsellor and supervisor; I have worked in LGBTQIA+ helplines for a decade.",
    },
    "h.begum": {
        "professional_body": "bps_hcpc",
        "registration_number": "PYL098765",
        "modalities": ["Cognitive analytic therapy", "Mentalisation-based approaches"],
        "specialisms": ["Splitting", "Emotional dysregulation", "Being someone's “favourite person”", "Trauma"],
        "offers": ["one_to_one", "group_supervision", "reflective_group", "consultation"],
        "group_work_experience": True,
        "community_experience": True,
        "communities": ["black-and-south-asian", "domestic-abuse"],
        "languages": ["English", "Urdu", "Punjabi", "Bengali"],
        "in_person_areas": ["Beeston", "Harehills"],
        "hourly_rate": "75",
        "monthly_capacity_hours": "6",
        "bio": "Clinical psychologist working with South Asian women's groups; I supervise in Urdu and Punjabi too.",
    },
    # Not yet verified (seed_demo leaves him so), to show the verification queue.
    "t.doyle": {
        "professional_body": "baat_badth",
        "registration_number": "AS12345",
        "modalities": ["Dramatherapy", "Playback theatre"],
        "specialisms": ["Trauma", "Dissociation"],
        "offers": ["group_supervision", "reflective_group"],
        "group_work_experience": True,
        "community_experience": True,
        "communities": ["black-and-south-asian"],
        "languages": ["English"],
        "in_person_areas": ["Harehills"],
        "hourly_rate": "60",
        "monthly_capacity_hours": "6",
        "bio": "Dramatherapist; I supervise drama and storytelling practitioners.",
    },
}


def supervisor_profiles_demo(stdout: TextIOBase) -> None:

    updated = 0
    for local, data in DEMO_SUPERVISORS.items():
        profile = SupervisorProfile.objects.filter(user__email=f"{local}@demo.reflect.test").first()
        if profile is None or profile.offers:
            continue  # absent, or already filled in
        fields = {k: v for k, v in data.items() if k != "communities"}
        fields["hourly_rate"] = Decimal(fields["hourly_rate"])
        fields["monthly_capacity_hours"] = Decimal(fields["monthly_capacity_hours"])
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.online = True
        profile.accepting_organisations = True
        profile.agrees_non_clinical = True
        if profile.verified_at is not None:
            profile.verification_note = "Demo data: register entry not checked."
        profile.save()
        profile.communities.set(Community.objects.filter(slug__in=data["communities"]))
        updated += 1
    if updated:
        stdout.write(f"Supervisor profiles: {updated} demo supervisors have full profiles.\n")
