"""Learning needs (docs/learning.md): the catalogue of topics, the needs people raise, a
supervisor's suggestions and a lead's organisation-wide needs.

Confidential by design (docs/architecture.md, "Rules that must hold"): nothing here holds what
was said in a session, a suggestion carries no reason, and a need is linked to its person only so
that they can see and withdraw it and be told when it is met. Leads and commissioners see needs
only as counts through the one disclosure rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from learning.enums import CoveredBy, RaisedHow, SuggestionAnswer, TopicKind


class LearningTopic(models.Model):
    """A topic people may ask to learn about: from the catalogue (pool is null; loaded from
    ``learning/topics/catalogue-v<N>.json``, its version kept) or a commissioner's own topic for
    their pool (catalogue_version is null)."""

    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=TopicKind.choices, default=TopicKind.TOPIC)
    catalogue_version = models.PositiveSmallIntegerField(null=True, blank=True)
    pool = models.ForeignKey(
        "reflect.Pool", on_delete=models.CASCADE, null=True, blank=True, related_name="learning_topics"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(pool__isnull=True), name="catalogue_topic_slug_unique"
            ),
            models.UniqueConstraint(
                fields=["pool", "slug"], condition=Q(pool__isnull=False), name="pool_topic_slug_unique"
            ),
            # A topic is the catalogue's (with its version) or one pool's (without): never both.
            models.CheckConstraint(
                condition=Q(pool__isnull=True, catalogue_version__isnull=False)
                | Q(pool__isnull=False, catalogue_version__isnull=True),
                name="topic_from_catalogue_or_pool",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LearningNeed(models.Model):
    """One person would like to learn about one topic. Open until met or withdrawn."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_needs")
    # Their organisation and pool when they raised it: demand is counted by organisation.
    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.CASCADE, related_name="+")
    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="learning_needs")
    topic = models.ForeignKey(LearningTopic, on_delete=models.PROTECT, related_name="needs")
    raised_at = models.DateTimeField()
    raised_how = models.CharField(max_length=16, choices=RaisedHow.choices, default=RaisedHow.OWN)
    met_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # A second tap finds the open need already there (docs/learning.md).
            models.UniqueConstraint(
                fields=["person", "topic"],
                condition=Q(met_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_need_per_person_topic",
            ),
        ]
        indexes = [models.Index(fields=["pool", "topic"], name="learning_need_pool_topic")]

    def __str__(self) -> str:
        return f"Learning need {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.withdrawn_at is None


class TopicSuggestion(models.Model):
    """A supervisor suggests a topic to someone in an organisation they supervise; the person
    accepts (a need, raised by suggestion) or ignores it. No reason is stored."""

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_suggestions")
    agreement = models.ForeignKey("supervision.SupervisionAgreement", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(LearningTopic, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    answer = models.CharField(max_length=10, choices=SuggestionAnswer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One suggestion per supervisor, person and topic, whatever its answer: a supervisor
            # who suggests the topic again finds their first, so the repeat looks the same
            # whether the person accepted it, ignored it or has not answered yet.
            models.UniqueConstraint(
                fields=["supervisor", "person", "topic"], name="one_suggestion_per_supervisor_person_topic"
            ),
        ]

    def __str__(self) -> str:
        return f"Topic suggestion {self.pk}"


class OrganisationNeed(models.Model):
    """A lead's record for their organisation and one topic: a need (with how many staff, if
    they wish), or a topic already covered by lived experience or past training."""

    organisation = models.ForeignKey("reflect.Organisation", on_delete=models.CASCADE, related_name="learning_needs")
    topic = models.ForeignKey(LearningTopic, on_delete=models.PROTECT, related_name="organisation_needs")
    staff_count = models.PositiveIntegerField("number of staff", null=True, blank=True)
    covered_by = models.CharField(max_length=20, choices=CoveredBy.choices, default=CoveredBy.NONE)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["topic__title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "topic"], name="one_organisation_need_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.topic}"


# Part B's models (learning sessions, external courses, attendees' answers) live beside their
# services (learning/sessions/) in learning/session_models.py; imported here so Django finds them.
from learning.session_models import (  # noqa: E402, F401
    ExternalCourse,
    FeedbackAnswer,
    FeedbackGiven,
    FeedbackTally,
    LearningSessionTopic,
)
