from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms

from reflect.fields import DATE_HINT, GovukDateField, TimeTextField
from reflect.text_limits import ADDRESS, bounded, too_long
from scheduling.enums import Weekday
from scheduling.models import AvailabilitySettings
from scheduling.video_links import VideoLinkField

if TYPE_CHECKING:
    from supervision.models import SupervisorProfile

SESSION_LENGTH_CHOICES = [(str(m), f"{m} minutes") for m in (30, 45, 50, 60, 75, 90, 120)]


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
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        help_text=(
            "Across all organisations: sessions booked with you and the agreements you accept stay "
            "within it. The same figure as “hours a month” on your profile."
        ),
    )
    online_link = VideoLinkField(
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
    def initial_from(cls, row: AvailabilitySettings, supervisor: SupervisorProfile) -> dict[str, Any]:
        return {
            "time_zone": row.time_zone,
            "session_lengths": [str(m) for m in row.session_lengths],
            "buffer_minutes": row.buffer_minutes,
            "minimum_notice_hours": row.minimum_notice_hours,
            "horizon_weeks": row.horizon_weeks,
            "max_sessions_per_day": row.max_sessions_per_day,
            "max_sessions_per_week": row.max_sessions_per_week,
            # The supervisor's one monthly capacity, kept on their profile.
            "monthly_capacity_hours": supervisor.monthly_capacity_hours,
            "online_link": row.online_link,
            "meeting_place": row.meeting_place,
        }

    def clean_session_lengths(self) -> list[int]:
        return sorted(int(value) for value in self.cleaned_data["session_lengths"])


class WeeklyHoursForm(forms.Form):
    """The same hours on several days of the week at once (Monday to Friday, 9am to 5pm, say)."""

    weekdays = forms.TypedMultipleChoiceField(
        label="Days",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every day these hours are for.",
        error_messages={"required": "Choose at least one of the days"},
    )
    start = TimeTextField(
        label="From",
        subject="the time you are free from",
        error_messages={"required": "Enter the time you are free from, like 9am"},
    )
    end = TimeTextField(
        label="Until",
        subject="the time you are free until",
        error_messages={"required": "Enter the time you are free until, like 5pm"},
    )
    valid_from = GovukDateField(
        label="First date (optional)",
        subject="the first date",
        required=False,
        help_text=f"Leave blank to start now. {DATE_HINT}",
    )
    valid_until = GovukDateField(
        label="Last date (optional)",
        subject="the last date",
        required=False,
        help_text=f"Leave blank to carry on. {DATE_HINT}",
    )


class DaysOffForm(forms.Form):
    """A holiday: every day from the first to the last, away all day."""

    first_day = GovukDateField(label="First day off", subject="the first day off")
    last_day = GovukDateField(
        label="Last day off (optional)",
        subject="the last day off",
        required=False,
        help_text="Leave blank for a single day. For example, 18 1 2027",
    )
    note = forms.CharField(label="Note (optional, only you see it)", **bounded("the note", 120), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("first_day"), data.get("last_day")
        if first and not last and "last_day" not in self.errors:
            data["last_day"] = first
        elif first and last and last < first:
            self.add_error("last_day", "The last day off must be the same as or after the first day off")
        return data


class DateOverrideForm(forms.Form):
    KIND_CHOICES = [("away", "I am away all day"), ("hours", "Different hours that day")]

    date = GovukDateField(label="Date", subject="the date")
    kind = forms.ChoiceField(
        label="That day",
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what that day is: away all day, or different hours"},
    )
    start = TimeTextField(
        label="From (for different hours)", subject="the time you are free from that day", required=False
    )
    end = TimeTextField(
        label="Until (for different hours)", subject="the time you are free until that day", required=False
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


class CalendarConnectionForm(forms.Form):
    """Connect a CalDAV calendar. The password is never shown again: once one is saved, leaving
    the box empty keeps it."""

    url = forms.CharField(
        label="Your calendar’s CalDAV address",
        max_length=2000,
        error_messages={"required": "Enter your calendar’s CalDAV address.", **too_long("the address", 2000)},
        help_text=(
            "The address of one calendar, starting https://. Fastmail, iCloud and Nextcloud show it in their "
            "calendar settings (for Nextcloud: the calendar’s menu, Copy internal link)."
        ),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    username = forms.CharField(
        label="User name",
        max_length=200,
        error_messages={
            "required": "Enter the user name you sign in to your calendar with.",
            **too_long("the user name", 200),
        },
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label="App password",
        max_length=200,
        required=False,
        error_messages=too_long("the app password", 200),
        help_text="Make an app password for Reflect in your calendar’s security settings: not your main password.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args: Any, password_saved: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if password_saved:
            self.fields["password"].help_text = "Saved — enter a new one to change it."
