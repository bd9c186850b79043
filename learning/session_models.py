"""Learning sessions' models (their services are learning/sessions/; learning/models.py imports
these, so they name the topic by its label, not its class). What a learning session adds to a group, an external course, and attendees' answers.

The answers are kept as counts per session and answer, never a row per person: whether someone
answered is a row of its own that says nothing of the answer (``FeedbackGiven``), so no page,
export or query can tie an answer to a person (docs/learning.md, "Did it meet the need?").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FeedbackAnswer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class LearningSessionTopic(models.Model):
    """A learning session (a group whose purpose is learning) is for these topics."""

    group = models.ForeignKey("scheduling.ReflectiveGroup", on_delete=models.CASCADE, related_name="learning_topics")
    topic = models.ForeignKey("learning.LearningTopic", on_delete=models.PROTECT, related_name="session_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "topic"], name="one_link_per_session_topic")]

    def __str__(self) -> str:
        return f"{self.group} · {self.topic}"


class ExternalCourse(models.Model):
    """A course run elsewhere that a commissioner points their pool's staff to."""

    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, related_name="external_courses")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200)
    url = models.URLField("web address", max_length=500)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    topics = models.ManyToManyField("learning.LearningTopic", related_name="external_courses")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FeedbackTally(models.Model):
    """How many attendees of a session gave each answer: a count, never a person."""

    session = models.ForeignKey("scheduling.GroupSession", on_delete=models.CASCADE, related_name="feedback_tallies")
    answer = models.CharField(max_length=8, choices=FeedbackAnswer.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "answer"], name="one_tally_per_session_answer")]

    def __str__(self) -> str:
        return f"{self.session}: {self.answer} × {self.count}"


class FeedbackGiven(models.Model):
    """That this place's person answered (so they are asked once), never what, nor when."""

    place = models.OneToOneField("scheduling.Place", on_delete=models.CASCADE, related_name="learning_feedback")

    def __str__(self) -> str:
        return f"Answered for place {self.place_id}"


__all__ = ["ExternalCourse", "FeedbackAnswer", "FeedbackGiven", "FeedbackTally", "LearningSessionTopic"]
