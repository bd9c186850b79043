from __future__ import annotations

from django import forms

from reflect.models import Pool
from scheduling.models import ReflectiveGroup
from supervision.models import SupervisorProfile


class GroupForm(forms.ModelForm):
    online_link = forms.URLField(
        label="Online link", required=False, assume_scheme="https", help_text="Shown only to people with a place."
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
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "eligible_organisations": forms.CheckboxSelectMultiple,
        }
        help_texts = {"duration_minutes": "For example 120 for two hours."}

    def __init__(self, *args, pool: Pool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = SupervisorProfile.objects.filter(verified_at__isnull=False)
        self.fields["facilitator"].required = False
        self.fields["eligible_organisations"].queryset = pool.organisations.all()
        self.fields["eligible_organisations"].required = False


class CancelPlaceForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="You do not need to give one.",
    )


class JoinWaitlistForm(forms.Form):
    auto_accept = forms.BooleanField(
        label="Book the place for me straight away when one frees",
        required=False,
        help_text="Otherwise we hold it for you for 24 hours and let you know.",
    )
