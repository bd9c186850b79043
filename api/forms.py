"""The account page's form for a new personal access token."""

from __future__ import annotations

from django import forms

from api.scopes import ALL_SCOPES, scope_label
from api.services.tokens import EXPIRY_CHOICES_DAYS
from reflect import wording
from reflect.text_limits import too_long


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you can tell it apart later. For example, “Monthly report”.",
        error_messages={
            **too_long("the token's name", 100),
            "required": "Give the token a name, so you can tell it apart later.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=[(scope, scope_label(scope)) for scope in ALL_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what the token may do: at least one thing."},
    )
    days = forms.TypedChoiceField(
        label="When does it stop working?",
        coerce=int,
        choices=[(days, f"After {wording.count(days, 'day')}") for days in EXPIRY_CHOICES_DAYS],
        initial=30,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the token stops working."},
    )
