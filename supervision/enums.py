from django.db import models


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    NUMBER = "number", "Number"
    YES_NO = "yes_no", "Yes or no"


class Outcome(models.TextChoices):
    """The three results of the needs questionnaire (DESIGN.md §5)."""

    CLINICAL_SUPERVISION_RECOMMENDED = "clinical_supervision_recommended", "Clinical supervision recommended"
    CONSIDER_CASE_CONSULTATION = (
        "consider_case_consultation",
        "Consider case consultation for specific presentations",
    )
    REFLECTIVE_PRACTICE_LIKELY_ENOUGH = (
        "reflective_practice_likely_enough",
        "Reflective practice and non-clinical supervision are likely enough",
    )
