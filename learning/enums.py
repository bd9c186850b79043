from django.db import models


class TopicKind(models.TextChoices):
    TOPIC = "topic", "Training topic"
    PRESENTATION = "presentation", "Something staff meet"


class RaisedHow(models.TextChoices):
    OWN = "own", "Raised by the person"
    AFTER_SESSION = "after_session", "Raised when prompted after a session"
    SUGGESTION = "suggestion", "Accepted a supervisor's suggestion"


class SuggestionAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    IGNORED = "ignored", "Ignored"


class CoveredBy(models.TextChoices):
    NONE = "none", "Not covered yet"
    LIVED_EXPERIENCE = "lived_experience", "Covered by lived experience"
    PAST_TRAINING = "past_training", "Covered by past training"
