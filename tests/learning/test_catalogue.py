"""The catalogue as data (learning/topics/): its file, its rows and the questionnaire's mapping."""

from __future__ import annotations

import pytest

from learning.catalogue import Catalogue, CatalogueTopic, check_catalogue, current_catalogue, topics_for_presentations
from learning.models import LearningTopic
from reflect.learning_topics import topics_for_presentations as registry_topics

REPORT_TOPICS = [
    "Trauma-informed practice", "Working with complex trauma", "Risk enablement", "Suicide prevention",
    "Triangle of Care", "Better conversations", "Cultural competency and humility", "Confidence to challenge",
    "Alcohol and drugs brief advice", "Vicarious trauma", "Refugee and asylum seeker mental health",
    "Autism awareness", "Domestic abuse and disclosures", "Deaf awareness", "Ageism",
]  # fmt: skip
REPORT_PRESENTATIONS = [
    "Emotional dysregulation", "Fear of abandonment", "Splitting", "Dissociation", "Hearing voices", "Psychosis",
    "Substance misuse", "Mania and hypomania", "Being someone's “favourite person”",
]  # fmt: skip


def test_the_catalogue_holds_the_reports_topics_and_presentations() -> None:
    catalogue = current_catalogue()
    assert catalogue.version == 1
    assert [t.title for t in catalogue.topics if t.kind == "topic"] == REPORT_TOPICS
    assert [t.title for t in catalogue.topics if t.kind == "presentation"] == REPORT_PRESENTATIONS


@pytest.mark.django_db
def test_the_migration_loaded_the_current_catalogue_into_the_table() -> None:
    rows = LearningTopic.objects.filter(pool__isnull=True).order_by("pk")
    assert [(r.slug, r.title, r.kind, r.catalogue_version) for r in rows] == [
        (t.slug, t.title, t.kind, 1) for t in current_catalogue().topics
    ]


def test_a_catalogue_that_does_not_add_up_is_refused() -> None:
    twice = CatalogueTopic("ageism", "topic", "Ageism", "", ())
    with pytest.raises(ValueError, match="two topics share a slug"):
        check_catalogue(Catalogue(2, (twice, twice)))
    with pytest.raises(ValueError, match="unknown kind"):
        check_catalogue(Catalogue(2, (CatalogueTopic("x", "course", "X", "", ()),)))


def test_presentations_met_suggest_topics_training_topics_first() -> None:
    titles = [t.title for t in topics_for_presentations(["self_harm", "substance_misuse"])]
    assert titles == ["Risk enablement", "Suicide prevention", "Alcohol and drugs brief advice", "Substance misuse"]
    assert topics_for_presentations([]) == []


def test_supervision_asks_through_the_core_registry() -> None:
    assert [t.title for t in registry_topics(["favourite_person"])] == ["Being someone's “favourite person”"]
