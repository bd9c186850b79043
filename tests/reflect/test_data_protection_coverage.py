"""Export completeness: every model that points at a person is exported, or left out on purpose.

The walk starts from the user model and follows foreign keys and one-to-one links pointing at
it, then at the models in ``REACHED_THROUGH`` (a supervisor's profile, say). A new model that
points at a person fails here until its app registers an exporter (one line) or an exclusion
with a reason — so nobody can forget one.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from reflect.data_protection.registry import REACHED_THROUGH, covered_models, excluded_models


def _links(field) -> bool:
    if not (field.is_relation and field.concrete and field.related_model is not None):
        return False
    if field.many_to_one or field.one_to_one:
        return True
    # A many-to-many with a through model of its own is walked through that model's keys;
    # one Django creates itself (``attendees = ManyToManyField(User)``) counts here.
    return field.many_to_many and field.remote_field.through._meta.auto_created


def _points_at(model, targets: set[str]) -> bool:
    return any(_links(field) and field.related_model._meta.label_lower in targets for field in model._meta.get_fields())


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


@pytest.mark.parametrize(
    "link",
    [
        # What a supervision booking would hold: the person who booked, the attendees, the supervisor.
        lambda: models.ForeignKey("reflect.User", on_delete=models.CASCADE, related_name="+"),
        lambda: models.ManyToManyField("reflect.User", related_name="+"),
        lambda: models.ForeignKey("supervision.SupervisorProfile", on_delete=models.CASCADE, related_name="+"),
    ],
    ids=["foreign key to a person", "many-to-many to people", "foreign key to a supervisor's profile"],
)
def test_a_new_model_about_a_person_fails_the_walk_until_it_is_registered(link):
    attrs = {"__module__": __name__, "link": link(), "Meta": type("Meta", (), {"app_label": "reflect"})}
    type("ThrowawayBooking", (models.Model,), attrs)
    try:
        assert personal_models() - covered_models() - set(excluded_models()) == {"reflect.throwawaybooking"}
    finally:
        # Forget the throwaway model so that other tests see the real registry.
        for name in [n for n in apps.all_models["reflect"] if n.startswith("throwawaybooking")]:
            del apps.all_models["reflect"][name]
        apps.clear_cache()


def test_every_reached_through_model_is_itself_about_a_person():
    assert set(REACHED_THROUGH) <= personal_models()


def test_every_exclusion_gives_a_reason():
    assert all(len(reason) > 20 for reason in excluded_models().values())
    assert excluded_models() == {
        "account.emailconfirmation": "single-use confirmation keys that work as passwords; they expire within days",
        "learning.externalcourse": "a course shared with a pool is the pool's record, not about the commissioner "
        "who shared it",
    }
