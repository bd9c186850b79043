from django.db import models


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    NUMBER = "number", "Number"
    YES_NO = "yes_no", "Yes or no"


class Outcome(models.TextChoices):
    """The three results of the needs questionnaire (docs/questionnaire.md)."""

    CLINICAL_SUPERVISION_RECOMMENDED = "clinical_supervision_recommended", "Clinical supervision recommended"
    CONSIDER_CASE_CONSULTATION = (
        "consider_case_consultation",
        "Consider case consultation for specific presentations",
    )
    REFLECTIVE_PRACTICE_LIKELY_ENOUGH = (
        "reflective_practice_likely_enough",
        "Reflective practice and non-clinical supervision are likely enough",
    )


class ProfessionalBody(models.TextChoices):
    BACP = "bacp", "BACP"
    UKCP = "ukcp", "UKCP"
    BPS_HCPC = "bps_hcpc", "BPS/HCPC"
    NMC = "nmc", "NMC"
    HCPC = "hcpc", "HCPC"
    SOCIAL_WORK_ENGLAND = "swe", "Social Work England"
    BAAT_BADTH = "baat_badth", "BAAT/BADth"
    OTHER = "other", "Other"


# The specialisms a supervisor can support: the presentations of docs/questionnaire.md, named exactly as
# the questionnaire's results name them (supervision/migrations/0003_question_bank_v1.py), so
# that a result's specialisms match a profile's word for word.
SPECIALISMS: tuple[str, ...] = (
    "Trauma",
    "Crisis and risk",
    "Emotional dysregulation",
    "Fear of abandonment and endings",
    "Splitting",
    "Dissociation",
    "Hearing voices",
    "Psychosis",
    "Substance misuse",
    "Mania and hypomania",
    "Being someone's “favourite person”",
    "Self-harm and suicidal distress",
)


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the supervisor"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
