"""Learning topics for the needs questionnaire, without supervision knowing the learning app
(docs/architecture.md, the registries; docs/learning.md).

The questionnaire's result suggests training topics from the presentations an organisation meets.
The learning app holds the catalogue and its presentation-to-topic mapping; it registers a finder
here in its ``AppConfig.ready()``, and supervision asks :func:`topics_for_presentations`. With no
finder registered (the learning app not installed) the answer is no topics."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class SuggestedTopic:
    title: str
    description: str


TopicFinder = Callable[[Collection[str]], list[SuggestedTopic]]
_finders: list[TopicFinder] = []


def register_topic_finder(finder: TopicFinder) -> TopicFinder:
    if finder not in _finders:
        _finders.append(finder)
    return finder


def topics_for_presentations(question_keys: Collection[str]) -> list[SuggestedTopic]:
    """Topics worth suggesting to an organisation that meets these presentations (the needs
    questionnaire's question keys), each once, in the finders' order."""
    seen: set[str] = set()
    topics: list[SuggestedTopic] = []
    for finder in _finders:
        for topic in finder(question_keys):
            if topic.title not in seen:
                seen.add(topic.title)
                topics.append(topic)
    return topics
