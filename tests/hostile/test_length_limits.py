"""Every free-text box has a length limit, said in words, and the database holds it too
(docs/security.md, "Length limits")."""

from __future__ import annotations

import pytest
from django import forms
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import TextField

from reflect import text_limits, wording
from reflect.forms import PoolForm
from reflect.models import Organisation
from supervision.forms import CostForm
from supervision.scoring import PERIOD_ALLOWED, RATE_ALLOWED, TRAINING_DAY_COST_ALLOWED, TRAINING_DAYS_ALLOWED
from tests.factories.core import PoolFactory
from tests.hostile.forms_in_project import project_forms

COSTING_ALLOWED = {PERIOD_ALLOWED, RATE_ALLOWED, TRAINING_DAYS_ALLOWED, TRAINING_DAY_COST_ALLOWED}

FORMS = project_forms()


def test_the_forms_are_found() -> None:
    names = {cls.__name__ for cls in FORMS}
    assert {"PoolForm", "GroupForm", "SupervisorProfileForm", "CancelPlaceForm", "VerifyActionForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_text_field_has_a_limit_in_words(form_class: type[forms.BaseForm]) -> None:
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.HiddenInput):
            continue
        assert field.max_length is not None, f"{form_class.__name__}.{name} has no max_length"
        message = str(field.error_messages.get("max_length", ""))
        expected = f"in {wording.count(field.max_length, 'character')} or fewer."
        # A number typed as text (the needs questionnaire's costing) says what it allows instead:
        # nothing that long is a period or a rate (supervision/forms.py, _bounded_as).
        allowed = form_class is CostForm and message in COSTING_ALLOWED
        assert message.startswith("Enter ") and (message.endswith(expected) or allowed), (
            f"{form_class.__name__}.{name}: {message!r}"
        )


def test_every_text_column_has_a_limit_the_database_holds() -> None:
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label not in {"reflect", "supervision", "scheduling"}:
            continue
        names = {constraint.name for constraint in model._meta.constraints}
        for field in model._meta.get_fields():
            if isinstance(field, TextField) and field.name not in {"ics", "last_error"}:
                assert field.max_length, f"{model.__name__}.{field.name} has no max_length"
                label = f"{model._meta.app_label}_{model._meta.model_name}_{field.name}_length"
                assert label in names, f"{model.__name__}.{field.name} has no length constraint"


def test_a_long_description_is_a_field_error_in_words() -> None:
    form = PoolForm(data={"name": "Leeds", "description": "x" * (text_limits.DESCRIPTION + 1)})
    assert form.errors["description"] == ["Enter what the pool is for in 2,000 characters or fewer."]


@pytest.mark.django_db
def test_the_database_refuses_a_description_past_its_limit() -> None:
    pool = PoolFactory()
    pool.description = "x" * text_limits.DESCRIPTION
    pool.save()
    pool.description += "x"
    with pytest.raises(IntegrityError), transaction.atomic():
        pool.save()
    pool.refresh_from_db()
    assert len(pool.description) == text_limits.DESCRIPTION


@pytest.mark.django_db
def test_the_admin_check_says_the_limit_in_words() -> None:
    from django.core.exceptions import ValidationError

    pool = PoolFactory()
    pool.description = "x" * (text_limits.DESCRIPTION + 1)
    with pytest.raises(ValidationError) as refused:
        pool.full_clean()
    # The model's own check (full_clean, as the admin runs it) names the limit in words.
    assert refused.value.message_dict["__all__"] == ["Enter description in 2,000 characters or fewer."]


def test_shorten() -> None:
    assert text_limits.shorten("abc", 3) == "abc"
    assert text_limits.shorten("abcdef", 4) == "abc…"
    assert len(text_limits.shorten("x" * 5000, 612)) == 612


@pytest.mark.django_db(transaction=True)
def test_the_migration_cuts_text_saved_before_the_limits_so_the_deploy_cannot_fail():
    # Back to before the limits, an organisation described at length, forward again: the
    # constraint is added and the description keeps its first 2,000 characters.
    before = [("reflect", "0010_contact_phone_e164")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_organisation = executor.loader.project_state(before).apps.get_model("reflect", "Organisation")
    long_ago = old_organisation.objects.create(name="Long ago", description="d" * 3000, area="Leeds", staff_size=3)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Organisation.objects.get(pk=long_ago.pk).description == "d" * text_limits.DESCRIPTION
