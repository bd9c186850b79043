"""Every form of the project, fed hostile data (hypothesis): it answers with field errors or
clean values, never an exception, and checking it writes nothing. A form that is valid saves
without an error from the database. New forms are found by walking the project's modules."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from allauth.account.forms import LoginForm
from django import forms
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from hypothesis import given

from learning.queries import topics_open_to
from outcomes.bank import current_measure
from outcomes.services.invitations import measure_choices
from reflect.models import Membership, Pool, User
from reflect.services.preferences import preferences_for
from supervision.models import Question
from tests.factories.supervision import make_supervisor
from tests.hostile.forms_in_project import project_forms
from tests.hostile.rows import row_counts
from tests.hostile.strategies import form_data

FORMS = project_forms()

# What each form's keyword-only arguments are given, by name (the views give the same kinds).
ARGUMENTS = {
    "led": lambda world: [world.organisation],
    "pools": lambda world: Pool.objects.filter(pk=world.pool.pk),
    "offers": lambda world: ["one_to_one", "group"],
    "choices": lambda world: [("1", "First"), ("2", "Second")],
    "questions": lambda world: list(Question.objects.all()[:12]),
    "staff": lambda world: [world.member, world.colleague],
    "modes": lambda world: ["online", "in_person"],
    "pool": lambda world: world.pool,
    "colleagues": lambda world: list(Membership.objects.filter(organisation=world.organisation)),
    "measure": lambda world: current_measure("proqol-5"),
    "measures": lambda world: measure_choices(),
    "people": lambda world: User.objects.filter(pk__in=[world.member.pk, world.colleague.pk]),
    "topics": lambda world: topics_open_to(world.pool),
}


# The row a view edits with each model form (the others create through a service, from the
# cleaned data).
INSTANCES = {
    "ContactPreferences": lambda world: preferences_for(world.member),
    "Organisation": lambda world: world.organisation,
    "SupervisorProfile": lambda world: make_supervisor(),
}


def sign_in_request() -> HttpRequest:
    """allauth's sign-in form reads the request (its host, its session) as it checks a password."""
    request = RequestFactory().post("/accounts/login/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def form_arguments(form_class: type[forms.BaseForm], world) -> dict[str, Any]:
    kwargs = {name: ARGUMENTS[name](world) for name in _needed(form_class)}
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is not None and model.__name__ in INSTANCES:
        kwargs["instance"] = INSTANCES[model.__name__](world)
    if issubclass(form_class, LoginForm):
        kwargs["request"] = sign_in_request()
    return kwargs


def _needed(form_class: type[forms.BaseForm]) -> list[str]:
    parameters = inspect.signature(form_class.__init__).parameters.values()
    return [p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty]


def test_every_form_can_be_made() -> None:
    """A new form with an argument this suite does not know fails here, not silently."""
    for form_class in FORMS:
        assert set(_needed(form_class)) <= set(ARGUMENTS), form_class


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_hostile_data_never_breaks_a_form(form_class: type[forms.BaseForm], world) -> None:
    kwargs = form_arguments(form_class, world)
    strategy = form_data(form_class(**kwargs))

    @given(data=strategy)
    def check(data: dict[str, Any]) -> None:
        before = row_counts()
        form = form_class(data=data, **kwargs)
        valid = form.is_valid()
        assert row_counts() == before, "checking a form wrote to the database"
        if not valid:
            for messages in form.errors.values():
                assert all(str(message).strip() for message in messages)
            return
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if isinstance(field, forms.CharField) and isinstance(value, str) and field.max_length:
                assert len(value) <= field.max_length
        if isinstance(form, forms.ModelForm) and "instance" in kwargs:
            # The database accepts whatever the form accepted (then it is taken back).
            with transaction.atomic():
                saving = transaction.savepoint()
                form.save()
                transaction.savepoint_rollback(saving)

    check()
