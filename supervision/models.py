from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from reflect import text_limits
from supervision.enums import AgreementStatus, Outcome, ProfessionalBody, QuestionKind, RequestStatus
from supervision.matching import OFFER_LABELS, Offer

OFFER_CHOICES = [(offer.value, offer.label) for offer in Offer]
CHECK_IN_SCALE = [(1, "Not at all"), (2, "A little"), (3, "Mostly"), (4, "Very much")]


class SupervisorProfile(models.Model):
    """A clinician who offers supervision or facilitation (docs/matching.md).

    Its row is also the supervisor's capacity lock: accepting a request locks it (after the
    organisation's PoolOrganisation row) before reading the hours already agreed.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_profile")
    profession = models.CharField(max_length=120, help_text="For example, counselling psychologist.")
    professional_body = models.CharField(
        max_length=20, choices=ProfessionalBody.choices, default=ProfessionalBody.OTHER
    )
    registration_number = models.CharField(max_length=30, blank=True)
    modalities = models.JSONField(
        default=list, blank=True, help_text="Ways of working, for example CBT, group analytic."
    )
    specialisms = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    group_work_experience = models.BooleanField(default=False)
    community_experience = models.BooleanField("community or third-sector experience", default=False)
    communities = models.ManyToManyField("reflect.Community", blank=True, related_name="supervisors")
    languages = models.JSONField(default=list, blank=True)
    online = models.BooleanField("offers online sessions", default=True)
    in_person_areas = models.JSONField(default=list, blank=True)
    hourly_rate = models.DecimalField(
        "hourly rate (£)", max_digits=8, decimal_places=2, default=Decimal("60"), validators=[MinValueValidator(0)]
    )
    monthly_capacity_hours = models.DecimalField(
        "hours a month", max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    accepting_organisations = models.BooleanField(default=True)
    agrees_non_clinical = models.BooleanField("agrees to work with non-clinical providers", default=False)
    bio = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    photo = models.FileField(upload_to="supervisors/", blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_note = models.TextField("what was checked", blank=True, max_length=text_limits.NOTE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            text_limits.length_constraint("verification_note", text_limits.NOTE),
            text_limits.length_constraint("bio", text_limits.DESCRIPTION),
            models.CheckConstraint(condition=Q(monthly_capacity_hours__gte=0), name="supervisor_capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.profession})"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_listed(self) -> bool:
        """Leads see only verified supervisors who agreed to work with non-clinical providers."""
        return self.is_verified and self.agrees_non_clinical

    @property
    def offer_labels(self) -> list[str]:
        return [OFFER_LABELS[Offer(value)] for value in self.offers if value in Offer._value2member_map_]


class SupervisionRequest(models.Model):
    """A lead (or a commissioner's pool-wide assignment) asks a supervisor to supervise."""

    organisation = models.ForeignKey(
        "reflect.Organisation", on_delete=models.CASCADE, related_name="supervision_requests"
    )
    supervisor = models.ForeignKey(SupervisorProfile, on_delete=models.CASCADE, related_name="requests")
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="supervision_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    format = models.CharField(max_length=30, choices=OFFER_CHOICES)
    hours_per_month = models.DecimalField(max_digits=6, decimal_places=2)
    starts_on = models.DateField()
    review_on = models.DateField()
    message = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    reply = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            text_limits.length_constraint("reply", text_limits.DESCRIPTION),
            text_limits.length_constraint("message", text_limits.DESCRIPTION),
            models.CheckConstraint(condition=Q(hours_per_month__gt=0), name="request_hours_positive"),
            models.CheckConstraint(condition=Q(review_on__gt=F("starts_on")), name="request_review_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} asks {self.supervisor.user.display_name} ({self.get_status_display()})"


class SupervisionAgreement(models.Model):
    """Organisation × supervisor × pool: hours a month agreed by both (docs/product.md)."""

    organisation = models.ForeignKey(
        "reflect.Organisation", on_delete=models.CASCADE, related_name="supervision_agreements"
    )
    supervisor = models.ForeignKey(SupervisorProfile, on_delete=models.CASCADE, related_name="agreements")
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="supervision_agreements")
    request = models.OneToOneField(
        SupervisionRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="agreement"
    )
    format = models.CharField(max_length=30, choices=OFFER_CHOICES)
    hours_per_month = models.DecimalField(max_digits=6, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField()
    status = models.CharField(max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            text_limits.length_constraint("end_reason", text_limits.DESCRIPTION),
            models.CheckConstraint(condition=Q(hours_per_month__gt=0), name="agreement_hours_positive"),
        ]
        indexes = [models.Index(fields=["supervisor", "status"], name="agreement_supervisor_status")]

    def __str__(self) -> str:
        return f"{self.organisation} × {self.supervisor.user.display_name} ({self.hours_per_month} h/month)"


# --- The needs questionnaire (docs/questionnaire.md) ------------------------------------------------
# The question bank is data, versioned: a published version never changes, and every
# assessment keeps the version it was scored with plus a snapshot of its result.


class QuestionBankVersion(models.Model):
    number = models.PositiveIntegerField(unique=True)
    notes = models.TextField(
        blank=True, help_text="What changed in this version, and why.", max_length=text_limits.DESCRIPTION
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # The outcome thresholds live with the rules they weigh (see supervision/scoring.py).
    clinical_threshold = models.IntegerField(
        default=5, help_text="Clinical supervision is recommended at this many points towards it, or more."
    )
    consultation_threshold = models.IntegerField(
        default=3,
        help_text="Case consultation is suggested at this many points in all (towards supervision plus towards consultation).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [text_limits.length_constraint("notes", text_limits.DESCRIPTION)]
        ordering = ["-number"]

    def __str__(self) -> str:
        state = "published" if self.is_published else "draft"
        return f"Question bank v{self.number} ({state})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Section(models.Model):
    version = models.ForeignKey(QuestionBankVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, max_length=text_limits.DESCRIPTION)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="section_key_unique_in_version"),
            text_limits.length_constraint("intro", text_limits.DESCRIPTION),
        ]

    def __str__(self) -> str:
        return f"v{self.version.number} · {self.title}"


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=50, help_text="Unique within the version; scoring rules name it.")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    why_we_ask = models.TextField(max_length=text_limits.DESCRIPTION)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="question_key_unique_in_section"),
            text_limits.length_constraint("why_we_ask", text_limits.DESCRIPTION),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


class AnswerOption(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.SlugField(max_length=50)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="option_value_unique_in_question")]

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


class ScoringRule(models.Model):
    """One declarative rule: when an answer matches, it adds points and/or fires an outcome.

    A rule names its question by key (and its option by value) so that the bank reads as
    data; publishing checks that every name exists (supervision/services/bank.py).
    """

    version = models.ForeignKey(QuestionBankVersion, on_delete=models.CASCADE, related_name="rules")
    key = models.SlugField(max_length=60)
    question_key = models.SlugField(max_length=50)
    option_value = models.SlugField(
        max_length=50, blank=True, help_text="Fires when this option is chosen (single, multiple or yes/no)."
    )
    min_number = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Fires when a number answer is at least this (number questions).",
    )
    clinical_points = models.IntegerField(default=0, help_text="Points towards clinical supervision.")
    consultation_points = models.IntegerField(default=0, help_text="Points towards case consultation.")
    fires_outcome = models.CharField(
        max_length=40,
        choices=Outcome.choices,
        blank=True,
        help_text="Leads to this outcome at least, whatever the points.",
    )
    reason = models.CharField(max_length=300, help_text="Shown on the result, in plain words.")
    specialisms = models.CharField(
        max_length=300, blank=True, help_text="Specialisms to look for when it fires, separated by semicolons."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="rule_key_unique_in_version")]

    def __str__(self) -> str:
        return self.key

    @property
    def specialism_list(self) -> list[str]:
        return [s.strip() for s in self.specialisms.split(";") if s.strip()]


class NeedsAssessment(models.Model):
    """One organisation's (or one person's) run through the questionnaire.

    ``result`` is the snapshot taken on completion — outcome, reasons, formats, hours and
    specialisms — so that a new bank version never changes what someone was told.
    """

    version = models.ForeignKey(QuestionBankVersion, on_delete=models.PROTECT, related_name="assessments")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs_assessments"
    )
    organisation = models.ForeignKey(
        "reflect.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_assessments",
    )
    organisation_name = models.CharField("organisation name", max_length=200, blank=True)
    about = models.TextField("what the organisation does, and who for", blank=True, max_length=text_limits.NOTE)
    answers = models.JSONField(default=dict, blank=True)
    current_section = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, choices=Outcome.choices, blank=True)
    result = models.JSONField(null=True, blank=True)
    # Only a hash of the private resume link is kept: the link itself is shown once.
    resume_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    resume_token_issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [text_limits.length_constraint("about", text_limits.NOTE)]
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "completed_at"], name="assessment_org_completed")]

    def __str__(self) -> str:
        who = self.organisation or self.organisation_name or "unnamed organisation"
        return f"Needs assessment {self.pk} ({who})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def display_name(self) -> str:
        return assessment_name(
            self.organisation.name if self.organisation is not None else None, self.organisation_name
        )


def assessment_name(organisation: str | None, typed: str) -> str:
    """What a result is called: its organisation's name, else the name typed in the questionnaire."""
    return organisation or typed or "Your organisation"


class AgreementCheckIn(models.Model):
    """A short, optional check-in at an agreement's review date, on Proctor's three functions of
    supervision (docs/questionnaire.md): our own questions, not a licensed scale. It holds ratings only —
    never anything said in supervision — and commissioners see only pool-wide aggregates."""

    agreement = models.ForeignKey(SupervisionAgreement, on_delete=models.CASCADE, related_name="check_ins")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    review_on = models.DateField(help_text="The review date this check-in answers.")
    by_supervisor = models.BooleanField(default=False)
    normative = models.PositiveSmallIntegerField(choices=CHECK_IN_SCALE)
    formative = models.PositiveSmallIntegerField(choices=CHECK_IN_SCALE)
    restorative = models.PositiveSmallIntegerField(choices=CHECK_IN_SCALE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "respondent", "review_on"], name="one_check_in_per_person_and_review"
            ),
            models.CheckConstraint(
                condition=Q(normative__gte=1, normative__lte=4, formative__gte=1, formative__lte=4)
                & Q(restorative__gte=1, restorative__lte=4),
                name="check_in_ratings_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in on {self.agreement} ({self.review_on})"
