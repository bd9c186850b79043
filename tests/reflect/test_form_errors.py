"""Every form's messages name their field, never Django's defaults (reflect/form_errors.py), and a
page whose form has errors says "Error: " first in its title (base.html)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core import validators
from django.urls import reverse

from reflect.form_errors import django_defaults, field_label
from tests.factories.core import signed_in
from tests.factories.supervision import make_supervisor
from tests.hostile.forms_in_project import project_forms
from tests.hostile.test_forms import form_arguments

FORMS = project_forms()


def _django_messages() -> set[str]:
    """Every message Django writes for a form field or a built-in validator, with its
    placeholders turned into wildcards."""
    found: set[str] = {"This field is required."}  # the one every form meets first
    classes = [cls for cls in vars(forms).values() if isinstance(cls, type) and issubclass(cls, forms.Field)]
    for cls in classes:
        for message in django_defaults(cls).values():
            found.add(str(message))
    for cls in vars(validators).values():
        message = getattr(cls, "message", None)
        if isinstance(cls, type) and message:
            found.add(str(message))
    found.discard("")
    # The length validators' messages are counted (lazy ngettext keyed on the limit): written out.
    found |= {
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    }
    for message in validators.DecimalValidator.messages.values():
        found.add(str(message))
    return found


def _pattern(message: str) -> re.Pattern[str]:
    # "Ensure this value has at most %(limit_value)d characters" matches with any number in it.
    # Counted messages are lazy ngettext: str() gives the singular, so allow the plural too.
    parts = re.split(r"%\(\w+\)[sd]|\{\w+\}", message)
    pattern = ".+".join(re.escape(part) for part in parts)
    return re.compile(re.sub(r"(character|digit|place|file|item)", r"\1s?", pattern))


DJANGO_MESSAGES = [_pattern(m) for m in sorted(_django_messages())]


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]{4,}", text.lower()) if word not in {"your", "this", "that", "with"}}


def _names(message: str, name: str, field: forms.Field) -> bool:
    """The message names the field: its label (or name) in full, as our messages write it, or,
    for a message a form wrote itself ("Choose who the session is for."), a word of the label."""
    label = field_label(name, field).rstrip("?").lower()
    text = message.lower()
    if label in text or name.replace("_", " ") in text:
        return True
    return bool(_words(message) & (_words(label) | _words(name.replace("_", " "))))


def _made(form_class: type[forms.BaseForm], world, data: dict) -> forms.BaseForm:
    return form_class(data=data, **form_arguments(form_class, world))


def test_the_list_of_django_messages_is_the_real_one():
    # A control: the check below would pass on nothing if the list were empty or wrong.
    assert any(p.fullmatch("This field is required.") for p in DJANGO_MESSAGES)
    assert any(p.fullmatch("Enter a whole number.") for p in DJANGO_MESSAGES)
    assert any(p.fullmatch("Ensure this value has at most 5 characters (it has 9).") for p in DJANGO_MESSAGES)
    plain = forms.Form()
    plain.fields["size"] = forms.IntegerField()
    plain.is_bound, plain.data = True, {"size": "x"}
    assert plain.errors["size"] == ["Size must be a whole number"]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
@pytest.mark.parametrize("data", [{}, "wrong", "huge"], ids=["empty", "wrong-values", "huge-numbers"])
def test_every_message_names_its_field_and_none_is_djangos(form_class, data, world):
    if data in ("wrong", "huge"):
        # A value of the wrong kind in every field: letters for numbers and dates, a choice
        # that is not offered, far too much text. Or a number too large and too precise for any
        # field (a decimal field's digits and places are its validator's, not the field's).
        blank = _made(form_class, world, {})
        value = "not-a-value" * 40 if data == "wrong" else "123456789012345.6789"
        data = {name: value for name in blank.fields}
    form = _made(form_class, world, data)
    form.is_valid()
    for name, messages in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS:
            continue
        field = form.fields[name]
        for message in messages:
            assert not any(p.fullmatch(message) for p in DJANGO_MESSAGES), (name, message)
            assert _names(message, name, field), (name, message)


@pytest.mark.parametrize(
    ("address", "data", "field_message"),
    [
        ("account_login", {"login": "", "password": ""}, "Enter your e-mail address"),
        ("account_signup", {"email": "", "password1": "", "password2": ""}, "Enter your e-mail address"),
    ],
)
def test_sign_in_and_sign_up_with_errors_say_so_in_the_title_and_name_the_field(client, address, data, field_message):
    page = client.post(reverse(address), data).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("Error: ")
    assert "This field is required." not in page
    assert field_message in page
    assert 'class="govuk-error-summary"' in page


def test_a_form_page_without_errors_has_no_error_in_its_title(client):
    page = client.get(reverse("account_login")).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Error" not in title and title.split()[:2] == ["Sign", "in"]


def test_invite_a_colleague_with_errors_says_error_in_the_title(client, world):
    signed_in(client, world.lead)
    address = reverse("organisation_invite", args=[world.organisation.pk])
    page = client.post(address, {"email": ""}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("Error: ") and not title.startswith("Error: Error: ")
    assert "Enter e-mail address" in page or "Enter your e-mail address" in page


@pytest.mark.parametrize(
    ("address", "data", "named"),
    [
        (
            "availability_rule_add",
            {"weekdays": "", "start": "", "end": ""},
            [
                "Choose days from the options given",
                "Enter the time you are free from, like 9am",
                "Enter the time you are free until, like 5pm",
            ],
        ),
        (
            "availability_override_add",
            {"date_0": "", "date_1": "", "date_2": "", "kind": ""},
            ["Enter the date", "Choose what that day is: away all day, or different hours"],
        ),
        ("availability_settings", {"time_zone": ""}, ["Enter your time zone"]),
    ],
)
def test_the_supervisors_forms_with_errors_say_error_in_the_title_once(client, db, address, data, named):
    # Fields sent empty (these views treat a POST with no fields at all as a first visit).
    supervisor = make_supervisor()
    client.force_login(supervisor.user)
    page = client.post(reverse(address), data).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("Error: ") and "Error: Error:" not in title
    for message in named:
        assert f'">{message}</a>' in page  # in the error summary, linked to its field
    assert "This field is required." not in page


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_no_field_cuts_off_what_is_typed_at_its_limit(form_class, world):
    """GOV.UK: no maxlength, which cuts a paste short without a word; the field's own check says
    the limit instead, and keeps what was typed."""
    form = form_class(**form_arguments(form_class, world))
    assert "maxlength" not in str(form)


def test_a_reason_too_long_is_refused_in_words_with_what_was_typed_kept():
    from scheduling.booking_forms import CancelBookingForm

    assert CancelBookingForm().fields["reason"].widget.attrs["maxlength"] == "200"  # the limit is there
    typed = "unwell " * 40
    form = CancelBookingForm(data={"reason": typed})
    assert not form.is_valid()
    html = str(form)
    assert "maxlength" not in html and typed.strip() in html
    assert form.errors["reason"] == ["Enter the reason in 200 characters or fewer."]
