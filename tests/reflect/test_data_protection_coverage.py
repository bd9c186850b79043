"""Export completeness: every model that points at a person is exported, or left out on purpose.

The walk starts from the user model and follows foreign keys and one-to-one links pointing at
it, then at the models in ``REACHED_THROUGH`` (a supervisor's profile, say). A new model that
points at a person fails here until its app registers an exporter (one line) or an exclusion
with a reason — so nobody can forget one.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

from reflect.data_protection.registry import REACHED_THROUGH, covered_models, excluded_models


def _points_at(model, targets: set[str]) -> bool:
    return any(
        field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.concrete
        and field.related_model is not None
        and field.related_model._meta.label_lower in targets
        for field in model._meta.get_fields()
    )


def personal_models() -> set[str]:
    user = get_user_model()._meta.label_lower
    targets = {user}
    found: set[str] = {user}
    while True:
        new = {
            model._meta.label_lower
            for model in apps.get_models()
            if model._meta.label_lower not in found and _points_at(model, targets)
        }
        if not new:
            return found
        found |= new
        targets |= new & set(REACHED_THROUGH)


def test_every_model_about_a_person_is_exported_or_excluded_with_a_reason():
    missing = personal_models() - covered_models() - set(excluded_models())
    assert missing == set()


def test_the_walk_finds_the_models_we_know_about():
    # A check of the walk itself: these are linked to a person directly or through a profile.
    assert {
        "reflect.user",
        "reflect.membership",
        "reflect.notification",
        "scheduling.place",
        "scheduling.waitlistentry",
        "scheduling.weeklyrule",
        "scheduling.busyinterval",
        "supervision.supervisorprofile",
        "supervision.needsassessment",
        "account.emailconfirmation",
    } <= personal_models()
    assert "scheduling.groupsession" not in personal_models()


def test_every_reached_through_model_is_itself_about_a_person():
    assert set(REACHED_THROUGH) <= personal_models()


def test_every_exclusion_gives_a_reason():
    assert all(len(reason) > 20 for reason in excluded_models().values())
    assert excluded_models() == {
        "account.emailconfirmation": "single-use confirmation keys that work as passwords; they expire within days"
    }
