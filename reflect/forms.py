from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django import forms

from reflect.enums import AllocationRule, Channel
from reflect.fields import GovukDateField, TimeTextField
from reflect.models import Community, ContactPreferences, MeetingPreference, Membership, Organisation, User
from reflect.phone import NotAMobileNumber, uk_mobile
from reflect.row_choices import RowChoices
from reflect.text_limits import ADDRESS, DESCRIPTION, NAME, bounded, too_long

FieldT = TypeVar("FieldT", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """A form's own copy of one of its fields, as the kind it was declared (``form.fields`` is
    typed as holding plain fields): for setting its choices or queryset per request."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


REMINDER_CHOICES = [
    (str(14 * 24), "2 weeks before"),
    (str(7 * 24), "1 week before"),
    (str(3 * 24), "3 days before"),
    (str(24), "1 day before"),
    (str(2), "2 hours before"),
]


class SignupExtraForm(forms.Form):
    """Names asked at sign-up (allauth's SIGNUP_FORM_CLASS). Only the first name is ever
    shown to a facilitator; the full name stays with the person and their organisation."""

    first_name = forms.CharField(label="First name", **bounded("your first name", 150))
    last_name = forms.CharField(label="Last name", required=False, **bounded("your last name", 150))

    def signup(self, request: Any, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data.get("last_name", "").strip()
        user.save(update_fields=["first_name", "last_name"])


class PoolForm(forms.Form):
    name = forms.CharField(
        **bounded("the pool's name", NAME),
        label="Pool name",
        help_text="For example, “Leeds community mental health pool 2027”.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="What the pool is for",
        **bounded("what the pool is for", DESCRIPTION),
    )
    starts_on = GovukDateField(
        label="Period starts", subject="the date the period starts", help_text="For example, 1 4 2027"
    )
    ends_on = GovukDateField(
        label="Period ends", subject="the date the period ends", help_text="For example, 31 3 2028"
    )
    hours_budget = forms.DecimalField(
        label="Hours budget",
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text="Total hours of supervision and facilitation the pool pays for.",
    )
    money_budget = forms.DecimalField(label="Money budget (£)", min_value=Decimal("0"), max_digits=12, decimal_places=2)
    hourly_rate = forms.DecimalField(
        label="Hourly rate (£)",
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        help_text="What the pool pays a clinician for an hour.",
    )
    allocation_rule = forms.ChoiceField(
        label="How hours are shared between organisations",
        choices=AllocationRule.choices,
        widget=forms.RadioSelect,
        initial=AllocationRule.EQUAL,
    )
    late_cancellation_hours = forms.IntegerField(
        label="Cancellation notice (hours)",
        min_value=0,
        max_value=24 * 14,
        initial=24,
        help_text="Cancelling with less notice than this still uses the hours.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", "The period must end after it starts.")
        return data


class EmailInvitationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        **bounded("an e-mail address", 320),
        help_text="We will e-mail them a link that works for 14 days.",
    )


class AllocationForm(forms.Form):
    hours = forms.DecimalField(label="Hours allocated", min_value=Decimal("0"), max_digits=10, decimal_places=2)


class OrganisationForm(forms.ModelForm):
    communities = RowChoices(
        queryset=Community.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Communities you work with",
        help_text="Select all that apply.",
    )

    class Meta:
        model = Organisation
        fields = ["name", "description", "area", "staff_size", "runs_group_work", "communities"]
        labels = {
            "name": "Organisation name",
            "runs_group_work": "We run group work (groups, courses, drop-ins)",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "name": too_long("the organisation's name", NAME),
            "description": too_long("what the organisation does", DESCRIPTION),
            "area": too_long("the area", NAME),
        }


class JoinPoolForm(forms.Form):
    """A lead chooses which of their organisations joins the pool, or registers a new one."""

    NEW = "new"
    organisation = forms.ChoiceField(label="Which organisation is joining?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, led: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ChoiceField).choices = [(str(o.pk), o.name) for o in led] + [
            (self.NEW, "A new organisation — I will describe it next")
        ]


class HandOnLeadForm(forms.Form):
    new_lead = forms.ChoiceField(label="Who should become the lead?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, colleagues: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "new_lead", forms.ChoiceField).choices = [(str(m.pk), m.user.display_name) for m in colleagues]


def clean_mobile(typed: str) -> str:
    """A typed mobile number in E.164 form, "" for none, or the form error in words."""
    if not typed.strip():
        return ""
    try:
        return uk_mobile(typed.strip())
    except NotAMobileNumber:
        raise forms.ValidationError("Enter a UK mobile number, like 07700 900 982.") from None


class ContactPreferencesForm(forms.ModelForm):
    reminder_hours = forms.TypedMultipleChoiceField(
        choices=REMINDER_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Remind me",
        help_text="Choose none if you would rather not have reminders.",
    )
    no_sessions_before = TimeTextField(
        subject="the time before which you want no sessions",
        required=False,
        label="No sessions before",
        help_text="Leave empty for any time. For example, 11am if mornings are hard.",
    )

    class Meta:
        model = ContactPreferences
        fields = [
            "channel",
            "phone",
            "postal_address",
            "reminder_hours",
            "no_sessions_before",
            "meets",
            "missed_session_messages",
        ]
        labels = {"channel": "How should we contact you?", "meets": "How would you like to meet for reflective groups?"}
        widgets = {
            "channel": forms.RadioSelect,
            "meets": forms.RadioSelect,
            "postal_address": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "phone": "A UK mobile number, for text messages. For example, 07700 900 982.",
            "postal_address": "Only needed if you would like letters.",
            "missed_session_messages": "A short, kind note with the date of the next session.",
        }
        error_messages = {"phone": too_long("a mobile number", 20), "postal_address": too_long("the address", ADDRESS)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meets"].required = False  # no answer is no preference

    def clean_meets(self) -> str:
        return self.cleaned_data["meets"] or MeetingPreference.EITHER

    def clean_phone(self) -> str:
        """Kept in E.164 form (+447700900982), whatever digits and spacing were typed
        (reflect/phone.py; docs/security.md)."""
        return clean_mobile(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        channel = data.get("channel")
        if channel == Channel.SMS and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Enter a mobile number to get text messages.")
        if channel == Channel.LETTER and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", "Enter a postal address to get letters.")
        return data
