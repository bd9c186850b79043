from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from reflect.text_limits import ADDRESS, bounded, too_long
from scheduling.enums import Weekday
from scheduling.models import AvailabilitySettings

SESSION_LENGTH_CHOICES = [(str(m), f"{m} minutes") for m in (30, 45, 50, 60, 75, 90, 120)]


def _time_field(label: str, help_text: str = "Use the 24-hour clock, for example 09:30 or 16:00.") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=help_text,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


def _date_field(label: str, *, required: bool = True, help_text: str = "For example, 2027-04-06.") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
    )


class AvailabilitySettingsForm(forms.Form):
    time_zone = forms.CharField(
        label="Your time zone",
        **bounded("a time zone", 64),
        help_text="Your weekly hours are read on this clock. For example, Europe/London.",
    )
    session_lengths = forms.MultipleChoiceField(
        label="Session lengths you offer",
        choices=SESSION_LENGTH_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    buffer_minutes = forms.IntegerField(
        label="Break between sessions (minutes)",
        min_value=0,
        max_value=240,
        help_text="Kept free before and after each session and each busy time.",
    )
    minimum_notice_hours = forms.IntegerField(
        label="Minimum notice (hours)",
        min_value=0,
        max_value=24 * 7 * 52,
        help_text="How soon before a session people may still book it.",
    )
    horizon_weeks = forms.IntegerField(label="How far ahead people may book (weeks)", min_value=1, max_value=52)
    max_sessions_per_day = forms.IntegerField(
        label="Most sessions in a day", min_value=1, max_value=24, required=False, help_text="Leave blank for no limit."
    )
    max_sessions_per_week = forms.IntegerField(
        label="Most sessions in a week",
        min_value=1,
        max_value=100,
        required=False,
        help_text="Leave blank for no limit.",
    )
    monthly_capacity_hours = forms.DecimalField(
        label="Hours a month you can offer",
        min_value=Decimal("0.5"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text="Across all organisations. Leave blank for no limit.",
    )
    online_link = forms.URLField(
        label="Link for online sessions (optional)",
        required=False,
        **bounded("the link", 200),
        help_text="Your video-call room. Only the people booked with you see it.",
        assume_scheme="https",
    )
    meeting_place = forms.CharField(
        label="Address for sessions in person (optional)",
        required=False,
        **bounded("the address", ADDRESS),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the people booked with you see it.",
    )

    @classmethod
    def initial_from(cls, row: AvailabilitySettings) -> dict[str, Any]:
        return {
            "time_zone": row.time_zone,
            "session_lengths": [str(m) for m in row.session_lengths],
            "buffer_minutes": row.buffer_minutes,
            "minimum_notice_hours": row.minimum_notice_hours,
            "horizon_weeks": row.horizon_weeks,
            "max_sessions_per_day": row.max_sessions_per_day,
            "max_sessions_per_week": row.max_sessions_per_week,
            "monthly_capacity_hours": row.monthly_capacity_hours,
            "online_link": row.online_link,
            "meeting_place": row.meeting_place,
        }

    def clean_session_lengths(self) -> list[int]:
        return sorted(int(value) for value in self.cleaned_data["session_lengths"])


class WeeklyRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int, widget=forms.RadioSelect)
    start = _time_field("From")
    end = _time_field("Until")
    valid_from = _date_field("First date (optional)", required=False, help_text="Leave blank to start now.")
    valid_until = _date_field("Last date (optional)", required=False, help_text="Leave blank to carry on.")


class DateOverrideForm(forms.Form):
    KIND_CHOICES = [("away", "I am away all day"), ("hours", "Different hours that day")]

    date = _date_field("Date")
    kind = forms.ChoiceField(label="That day", choices=KIND_CHOICES, widget=forms.RadioSelect)
    start = forms.TimeField(
        label="From (for different hours)",
        required=False,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label="Until (for different hours)",
        required=False,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    note = forms.CharField(label="Note (optional, only you see it)", **bounded("the note", 120), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == "hours":
            for name in ("start", "end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Give the time, or choose “I am away all day”.")
        return data


class BusyCalendarForm(forms.Form):
    url = forms.CharField(
        label="Private address of your calendar (iCalendar)",
        max_length=2000,
        error_messages={"required": "Enter the private address of your calendar.", **too_long("the address", 2000)},
        help_text=(
            "In Outlook: Settings, Calendar, Shared calendars, Publish a calendar, then copy the ICS link. "
            "In Google Calendar: Settings, your calendar, Secret address in iCal format. "
            "In Apple Calendar: share the calendar publicly and copy its address. "
            "We only read when you are busy, never what the events are."
        ),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
