"""Choosing rows by id: a posted id no row could have is a message on the field, never a look-up
the database refuses (reflect/row_choices.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection

from reflect.models import Community, Pool
from reflect.row_choices import RowChoice, RowChoices, is_row_id

TOO_LARGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("9223372036854775808", False),
        ("9223372036854775807", True),
        ("0", False),
        ("-3", False),
        ("1e3", False),
        ("١٢", False),
        (TOO_LARGE, False),
        ("", False),
    ],
)
def test_a_row_id_is_a_positive_number_the_database_can_hold(value: str, expected: bool) -> None:
    assert is_row_id(value) is expected


@pytest.mark.django_db
def test_several_rows_refuse_an_id_too_large_with_the_fields_own_message() -> None:
    community = Community.objects.create(name="Refugees and people seeking asylum")
    field = RowChoices(queryset=Community.objects.all())
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([str(community.pk), TOO_LARGE])
    assert refused.value.code == "invalid_choice"
    assert list(field.clean([str(community.pk)])) == [community]


@pytest.mark.django_db
def test_one_row_refuses_an_id_too_large_with_the_fields_own_message() -> None:
    field = RowChoice(queryset=Pool.objects.all())
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(TOO_LARGE)
    assert refused.value.messages == ["Select a valid choice. That choice is not one of the available choices."]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite is the database that refuses the look-up")
def test_control_django_own_field_lets_the_look_up_overflow_on_sqlite() -> None:
    with pytest.raises(OverflowError):
        forms.ModelMultipleChoiceField(queryset=Community.objects.all()).clean([TOO_LARGE])
