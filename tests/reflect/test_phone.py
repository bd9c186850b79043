"""Mobile numbers are read by the phonenumbers library and kept in E.164 form, whatever digits
were typed (reflect/phone.py; docs/security.md, "Phone numbers")."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.forms import modelform_factory
from django.urls import reverse

from reflect.admin import ContactPreferencesAdminForm
from reflect.models import ContactPreferences
from reflect.phone import NotAMobileNumber, uk_mobile
from tests.factories.core import UserFactory


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("07700 900 982", "+447700900982"),  # Ofcom's drama range: reaches nobody
        ("07700-900-982", "+447700900982"),
        ("+44 7700 900982", "+447700900982"),
        ("+44 (0)7700 900 982", "+447700900982"),
        ("٠٧٧٠٠ ٩٠٠ ٩٨٢", "+447700900982"),  # Arabic-Indic digits
        ("۰۷۷۰۰۹۰۰۹۸۲", "+447700900982"),  # Eastern Arabic (Persian) digits
        ("０７７００ ９００ ９８２", "+447700900982"),  # fullwidth digits
        ("07400 123456", "+447400123456"),
        ("+447400123456", "+447400123456"),
    ],
)
def test_a_typed_mobile_number_is_kept_in_e164(typed: str, e164: str) -> None:
    assert uk_mobile(typed) == e164


@pytest.mark.parametrize(
    "typed",
    [
        "12345",  # too short
        "0740012345",  # one digit short
        "074001234567",  # one digit long
        "07700 9OO 982",  # letters for zeros
        "07400 CALLME",  # a keypad's letters
        "abc",
        "0113 496 0000",  # a landline cannot take texts
        "+33 6 12 34 56 78",  # not a UK number
        "+",
        "07400\x00123456",
        "0" * 5000,
    ],
)
def test_what_is_not_a_uk_mobile_is_refused(typed: str) -> None:
    with pytest.raises(NotAMobileNumber):
        uk_mobile(typed)


def test_the_preferences_form_keeps_arabic_indic_digits_as_e164(client, user) -> None:
    client.force_login(user)
    response = client.post(
        reverse("contact_preferences"), {"channel": "sms", "phone": "٠٧٧٠٠ ٩٠٠ ٩٨٢", "reminder_hours": ["24"]}
    )
    assert response.status_code == 302
    assert ContactPreferences.objects.get(user=user).phone == "+447700900982"


@pytest.mark.parametrize("typed", ["٠٧٧٠٠٩٠٠٩٨", "07400 CALLME", "+33 6 12 34 56 78"])
def test_the_preferences_form_refuses_in_words_and_changes_nothing(client, user, typed: str) -> None:
    client.force_login(user)
    response = client.post(reverse("contact_preferences"), {"channel": "sms", "phone": typed, "reminder_hours": []})
    assert response.status_code == 200
    assert response.context["form"].errors == {"phone": ["Enter a UK mobile number, like 07700 900 982."]}
    assert not ContactPreferences.objects.filter(user=user, channel="sms").exists()


def test_the_migration_rewrites_readable_numbers_and_leaves_the_rest(user) -> None:
    other = UserFactory()
    ContactPreferences.objects.create(user=user, phone="٠٧٧٠٠٩٠٠٩٨٢")
    ContactPreferences.objects.create(user=other, phone="12345")
    importlib.import_module("reflect.migrations.0010_contact_phone_e164").to_e164(apps, None)
    assert sorted(ContactPreferences.objects.values_list("phone", flat=True)) == ["+447700900982", "12345"]


def test_the_admin_reads_a_typed_number_the_same_way() -> None:
    form_class = modelform_factory(ContactPreferences, form=ContactPreferencesAdminForm, fields=["phone"])
    form = form_class(data={"phone": "０７７００ ９００ ９８２"})
    assert form.is_valid() and form.cleaned_data["phone"] == "+447700900982"
    assert form_class(data={"phone": "07400 CALLME"}).errors == {
        "phone": ["Enter a UK mobile number, like 07700 900 982."]
    }
