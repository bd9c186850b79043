"""The needs questionnaire's suggested topics, from the catalogue's presentation-to-topic
mapping (learning/topics/), given to supervision through the core's registry
(reflect/learning_topics.py) so that supervision never imports this app."""

from __future__ import annotations

from collections.abc import Collection

from learning.catalogue import topics_for_presentations
from reflect.learning_topics import SuggestedTopic, register_topic_finder


@register_topic_finder
def catalogue_topics(question_keys: Collection[str]) -> list[SuggestedTopic]:
    return [SuggestedTopic(topic.title, topic.description) for topic in topics_for_presentations(question_keys)]
