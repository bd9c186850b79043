"""What learning needs hold about a person, for export and erasure (reflect/data_protection/).

A person's needs and the suggestions made to them are theirs: the export gives them back and
erasure deletes them (demand is counted afresh from what remains). A supervisor's suggestions
to others go too when the supervisor is erased: they name the supervisor, and carry nothing the
person needs once they have answered (an accepted one is already a need of their own)."""

from __future__ import annotations

from learning.models import LearningNeed, TopicSuggestion
from reflect.data_protection.registry import Erasure, register_erasure_step
from reflect.data_protection.registry import register_export as export

export(LearningNeed, "Topics you said you would like to learn about", lambda u: LearningNeed.objects.filter(person=u).select_related("topic", "organisation", "pool"), [("Topic", "topic.title"), ("Organisation", "organisation.name"), ("Pool", "pool.name"), "raised_at", "raised_how", "met_at", "withdrawn_at"], order=54)  # fmt: skip
export(TopicSuggestion, "Topics a supervisor suggested to you, and your answers", lambda u: TopicSuggestion.objects.filter(person=u).select_related("topic"), [("Topic", "topic.title"), "created_at", "answer", "answered_at"], order=55)  # fmt: skip


@register_erasure_step(36, "learning: delete the person's learning needs and the topic suggestions to or from them")
def erase_learning(erasure: Erasure) -> None:
    user = erasure.user
    erasure.count("learning_needs_deleted", LearningNeed.objects.filter(person=user).delete()[0])
    erasure.count("topic_suggestions_to_deleted", TopicSuggestion.objects.filter(person=user).delete()[0])
    erasure.count("topic_suggestions_from_deleted", TopicSuggestion.objects.filter(supervisor=user).delete()[0])
