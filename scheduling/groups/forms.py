from __future__ import annotations

from typing import Any

from django import forms

from reflect.fields import GovukDateField, TimeTextField
from reflect.forms import form_field
from reflect.local_time import is_time_zone
from reflect.models import MeetingPreference, Pool
from reflect.text_limits import ADDRESS, DESCRIPTION, GROUND_RULES, NAME, NOTE, bounded, too_long
from scheduling.groups.changes import CHANGEABLE
from scheduling.models import ReflectiveGroup
from supervision.models import SupervisorProfile


class GroupForm(forms.ModelForm):
    online_link = forms.URLField(
        label="Online link",
        required=False,
        **bounded("the link", 200),
        assume_scheme="https",
        help_text="Shown only to people with a place.",
    )

    class Meta:
        model = ReflectiveGroup
        fields = [
            "title",
            "description",
            "kind",
            "facilitator",
            "external_facilitator_name",
            "external_facilitator_email",
            "rrule",
            "first_date",
            "last_date",
            "start_time",
            "duration_minutes",
            "time_zone",
            "location",
            "online_link",
            "capacity",
            "overbooking_percent",
            "booking_opens_days",
            "all_pool_organisations",
            "eligible_organisations",
            "ground_rules",
            "confidentiality_statement",
        ]
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}),
            "last_date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "eligible_organisations": forms.CheckboxSelectMultiple,
        }
        help_texts = {"duration_minutes": "For example 120 for two hours."}
        error_messages = {
            "title": too_long("the title", NAME),
            "description": too_long("the description", DESCRIPTION),
            "external_facilitator_name": too_long("the facilitator's name", NAME),
            "external_facilitator_email": too_long("the facilitator's e-mail address", 254),
            "rrule": too_long("the rule", 500),
            "location": too_long("the place", ADDRESS),
            "ground_rules": too_long("the ground rules", GROUND_RULES),
            "confidentiality_statement": too_long("the confidentiality statement", GROUND_RULES),
            "time_zone": too_long("a time zone", 64),
        }

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "facilitator", forms.ModelChoiceField).queryset = SupervisorProfile.objects.filter(
            verified_at__isnull=False
        )
        self.fields["facilitator"].required = False
        form_field(self, "eligible_organisations", forms.ModelMultipleChoiceField).queryset = pool.organisations.all()
        self.fields["eligible_organisations"].required = False

    def clean_time_zone(self) -> str:
        time_zone: str = self.cleaned_data["time_zone"]
        if not is_time_zone(time_zone):
            raise forms.ValidationError(f"“{time_zone}” is not a time zone we know. Use a name such as Europe/London.")
        return time_zone

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first, last = cleaned.get("first_date"), cleaned.get("last_date")
        if first and last and last < first:
            # Said on the field, before the database constraint would say it in its own words.
            self.add_error("last_date", "The last date must be on or after the first date.")
        return cleaned


class GroupChangeForm(GroupForm):
    """What can change once a group runs (``changes.CHANGEABLE``): not when or how long it meets."""

    class Meta(GroupForm.Meta):
        fields = [name for name in GroupForm.Meta.fields if name in CHANGEABLE or name == "eligible_organisations"]


class CancelPlaceForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        **bounded("the reason", NOTE),
        help_text="You do not need to give one.",
    )


class JoinWaitlistForm(forms.Form):
    auto_accept = forms.BooleanField(
        label="Book the place for me straight away when one frees",
        required=False,
        help_text="Otherwise we hold it for you for 24 hours and let you know.",
    )


class MoveSessionForm(forms.Form):
    starts_on = GovukDateField(label="New date", subject="the new date")
    start_time = TimeTextField(
        label="New start time", error_messages={"required": "Enter the new start time, like 2pm"}
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=15, max_value=8 * 60, help_text="For example 120 for two hours."
    )
    note = forms.CharField(
        label="A note for the people coming (optional)",
        required=False,
        **bounded("the note", NOTE),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say why, if you can. Everyone with a place or on the waitlist is told.",
    )


class CancelSessionForm(forms.Form):
    note = forms.CharField(
        label="A note for the people coming (optional)",
        required=False,
        **bounded("the note", NOTE),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone with a place or on the waitlist is told, with the date of the next session.",
    )


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class CohortApplicationForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label="Which days suit you?",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked if any day suits you.",
    )
    earliest_start = TimeTextField(label="Start no earlier than (optional)", required=False)
    latest_end = TimeTextField(label="Finish no later than (optional)", required=False)


class CohortFillForm(forms.Form):
    organisation_cap = forms.IntegerField(
        label="Most people from one organisation in a cohort",
        min_value=1,
        max_value=20,
        initial=2,
        help_text="So that colleagues can speak freely.",
    )


class GroupModeForm(forms.Form):
    mode = forms.ChoiceField(
        label="How would you like to meet?",
        choices=MeetingPreference.choices,
        required=False,
        widget=forms.RadioSelect,
    )
