from __future__ import annotations

import datetime
import itertools
from typing import Any

from django import forms
from django.utils import timezone

from reflect import wording
from reflect.fields import GovukDateField, NotUnderstood, TimeTextField, read_date
from reflect.forms import form_field
from reflect.local_time import is_time_zone
from reflect.models import MeetingPreference, Pool, User
from reflect.queries import pool_member_by_email
from reflect.row_choices import RowChoice, RowChoices
from reflect.text_limits import ADDRESS, DESCRIPTION, GROUND_RULES, NAME, NOTE, bounded, too_long
from scheduling import video_links
from scheduling.groups import repeats
from scheduling.groups.changes import CHANGEABLE
from scheduling.models import GroupPurpose, ReflectiveGroup
from scheduling.video_links import VideoLinkField
from supervision.models import SupervisorProfile

# The most places a session can have: a reflective group is a small room, and a larger number is
# a slip of the keyboard (the database column would refuse one past 2,147,483,647 in its own words).
MOST_PLACES = 100


class _GroupDetailsForm(forms.ModelForm):
    """What the create and change forms share: a group's details, read the same way."""

    online_link = VideoLinkField(
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
            "purpose",
            "kind",
            "facilitator",
            "external_facilitator_name",
            "external_facilitator_email",
            "first_date",
            "start_time",
            "duration_minutes",
            "last_date",
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
        field_classes = {"facilitator": RowChoice, "eligible_organisations": RowChoices}
        widgets = {"eligible_organisations": forms.CheckboxSelectMultiple}
        # Every refusal names its field and says what to enter (GOV.UK style), never Django's own.
        error_messages = {
            "title": too_long("the title", NAME) | {"required": "Enter the group's title."},
            "description": too_long("the description", DESCRIPTION),
            "kind": {"required": "Choose the kind of group.", "invalid_choice": "Choose the kind of group."},
            "facilitator": {"invalid_choice": "Choose the facilitator from the list of verified supervisors."},
            "external_facilitator_name": too_long("the facilitator's name", NAME),
            "external_facilitator_email": too_long("the facilitator's e-mail address", 254)
            | {"invalid": "Enter the facilitator's e-mail address, like name@example.org."},
            "location": too_long("the place", ADDRESS),
            "ground_rules": too_long("the ground rules", GROUND_RULES) | {"required": "Enter the ground rules."},
            "confidentiality_statement": too_long("the confidentiality statement", GROUND_RULES)
            | {"required": "Enter the confidentiality statement."},
            "time_zone": too_long("a time zone", 64) | {"required": "Enter a time zone such as Europe/London."},
            "eligible_organisations": {"invalid_choice": "Choose organisations from this pool."},
        }

    purpose = forms.ChoiceField(
        label="What the group is for",
        choices=GroupPurpose.choices,
        initial=GroupPurpose.REFLECTIVE,
        required=False,  # a form that does not ask makes a reflective group, as before
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose what the group is for."},
    )
    host_email = forms.EmailField(
        label="Host's e-mail address (a community of practice)",
        required=False,
        max_length=254,
        help_text="A community of practice is peer-led: name the person in one of the pool's organisations who "
        "hosts it and keeps its register. It needs no facilitator.",
        error_messages={
            "invalid": "Enter the host's e-mail address, like name@example.org.",
            "max_length": "Enter the host's e-mail address in 254 characters or fewer.",
        },
    )
    last_date = GovukDateField(
        subject="the last date",
        label="Last date (optional)",
        required=False,
        help_text="The last day a session may fall on: for a cohort, the end of its term. Leave it empty to keep "
        "going until the pool ends. For example, 31 3 2027",
    )
    capacity = forms.IntegerField(
        label="Places in each session",
        min_value=1,
        max_value=MOST_PLACES,
        error_messages={
            "required": "Enter how many places each session has, for example 8.",
            "invalid": "Enter how many places each session has as a whole number, for example 8.",
            "min_value": "Enter how many places each session has: at least 1.",
            "max_value": f"Enter how many places each session has: at most {MOST_PLACES}.",
        },
    )
    overbooking_percent = forms.IntegerField(
        label="Overbooking allowance (%)",
        min_value=0,
        max_value=100,
        initial=0,
        help_text="Extra places for people who book and do not come. 0 for none.",
        error_messages={
            "required": "Enter an overbooking allowance from 0 to 100, or 0 for none.",
            "invalid": "Enter the overbooking allowance as a whole number from 0 to 100.",
            "min_value": "Enter an overbooking allowance from 0 to 100.",
            "max_value": "Enter an overbooking allowance from 0 to 100.",
        },
    )
    booking_opens_days = forms.IntegerField(
        label="Booking opens (days before each session)",
        min_value=0,
        max_value=365,
        initial=28,
        error_messages={
            "required": "Enter how many days before each session booking opens, for example 28.",
            "invalid": "Enter how many days before each session booking opens as a whole number, for example 28.",
            "min_value": "Enter how many days before each session booking opens: 0 or more.",
            "max_value": "Enter how many days before each session booking opens: at most 365.",
        },
    )

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host_pool = pool
        if self.instance.host_id is not None:
            self.fields["host_email"].initial = self.instance.host.email
        form_field(self, "facilitator", forms.ModelChoiceField).queryset = SupervisorProfile.objects.filter(
            verified_at__isnull=False
        )
        self.fields["facilitator"].required = False
        form_field(self, "eligible_organisations", forms.ModelMultipleChoiceField).queryset = pool.organisations.all()
        self.fields["eligible_organisations"].required = False

    def clean_purpose(self) -> str:
        return self.cleaned_data.get("purpose") or GroupPurpose.REFLECTIVE

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
        purpose = cleaned.get("purpose", self.instance.purpose)
        if purpose == GroupPurpose.COMMUNITY:
            cleaned["host"] = self._host(cleaned.get("host_email") or "")
        elif cleaned.get("host_email"):
            self.add_error("host_email", "Only a community of practice has a host: leave the host's address empty.")
        if (
            purpose != GroupPurpose.COMMUNITY
            and "facilitator" in cleaned
            and "external_facilitator_name" in cleaned
            and cleaned["facilitator"] is None
            and not cleaned["external_facilitator_name"]
        ):
            # The same: a sentence, never the name of the check behind it.
            self.add_error("facilitator", "Choose a supervisor or name an external facilitator.")
        return cleaned

    def _host(self, email: str) -> User | None:
        """The community of practice's host: someone now in one of the pool's organisations."""
        if "host_email" in self.errors:
            return None
        if not email:
            self.add_error("host_email", "Enter the e-mail address of the person who hosts the community of practice.")
            return None
        host = pool_member_by_email(self.host_pool, email)
        if host is None:
            self.add_error("host_email", "Enter the e-mail address of someone in one of this pool's organisations.")
        return host

    def group_fields(self) -> dict[str, Any]:
        """The group's own fields, for the service (the organisations are passed apart)."""
        fields = {name: self.cleaned_data[name] for name in self._meta.fields or () if name != "eligible_organisations"}
        if self.cleaned_data.get("purpose", self.instance.purpose) == GroupPurpose.COMMUNITY:
            fields["host"] = self.cleaned_data.get("host")
        return fields


# The longest list of chosen dates read: 12 lines of "Wednesday 14 January 2027" and room to spare.
_LONGEST_DATES = 600
_WEEKDAY_WORDS = {name.lower() for name in repeats.WEEKDAY_NAMES} | {name[:3].lower() for name in repeats.WEEKDAY_NAMES}


def read_chosen_dates(text: str, *, pool: Pool, today: datetime.date) -> list[datetime.date]:
    """The dates typed one a line ("14 1 2027", "14/01/2027", "Thursday 14 January 2027"), each
    read by reflect.fields.read_date, or a ValidationError naming the line that is wrong: at most
    ``MOST_CHOSEN_DATES``, each once, from today on, inside the pool's period, a week apart."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise forms.ValidationError("Enter the dates the group meets, one a line, for example 14 1 2027.")
    most = repeats.MOST_CHOSEN_DATES
    if len(lines) > most:
        raise forms.ValidationError(f"Enter at most {most} dates: you entered {len(lines)}.")
    dates: list[datetime.date] = []
    for number, line in enumerate(lines, start=1):
        parts = line.replace("/", " ").replace("-", " ").replace(",", " ").split()
        if parts and parts[0].lower() in _WEEKDAY_WORDS:
            parts = parts[1:]  # "Thursday 14 January 2027", as the preview writes it
        if len(parts) != 3:
            raise forms.ValidationError(
                f"Enter date {number} (“{line[:40]}”) as a day, month and year, like 14 1 2027."
            )
        try:
            day = read_date(*parts, subject=f"date {number} (“{line[:40]}”)")
        except NotUnderstood as problem:
            raise forms.ValidationError(f"{problem.message}, like 14 1 2027.") from None
        if day in dates:
            raise forms.ValidationError(f"Date {number}, {wording.date(day)}, is already in the list: enter it once.")
        if day < today:
            raise forms.ValidationError(
                f"Date {number}, {wording.date(day)}, is in the past: choose dates from today, {wording.date(today)}."
            )
        if not pool.starts_on <= day <= pool.ends_on:
            raise forms.ValidationError(
                f"Date {number}, {wording.date(day)}, is outside the pool's period: choose dates from "
                f"{wording.date(pool.starts_on)} to {wording.date(pool.ends_on)}."
            )
        dates.append(day)
    for earlier, later in itertools.pairwise(sorted(dates)):
        if (later - earlier).days < 7:
            raise forms.ValidationError(
                f"The dates {wording.date(earlier)} and {wording.date(later)} are less than a week apart: a group meets "
                "at most once a week."
            )
    return sorted(dates)


ORDINAL_CHOICES = [(str(number), word) for number, word in repeats.ORDINALS.items()]
REPEAT_WEEKDAY_CHOICES = [(str(number), name) for number, name in enumerate(repeats.WEEKDAY_NAMES)]


class GroupForm(_GroupDetailsForm):
    """Creating a group: when it meets in words ("every month on the second Wednesday"), or a
    repeat rule typed in the advanced option (docs/groups.md, "Creating a group")."""

    how_often = forms.ChoiceField(
        required=False,
        label="How often it meets",
        choices=[
            (repeats.Every.MONTH.value, "Once a month, on a day of the week"),
            (repeats.Every.WEEKS.value, "Every week, or every few weeks"),
            (repeats.Every.DATES.value, "On dates I choose"),
        ],
        initial=repeats.Every.MONTH.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often the group meets.",
            "invalid_choice": "Choose how often the group meets.",
        },
    )
    month_ordinal = forms.ChoiceField(
        required=False,
        label="Which one in the month",
        choices=ORDINAL_CHOICES,
        initial="2",
        error_messages={"invalid_choice": "Choose which one in the month: first, second, third, fourth or last."},
    )
    month_weekday = forms.ChoiceField(
        required=False,
        label="Day of the week",
        choices=REPEAT_WEEKDAY_CHOICES,
        initial="2",
        error_messages={"invalid_choice": "Choose a day of the week."},
    )
    weeks = forms.IntegerField(
        required=False,
        label="How many weeks apart",
        min_value=1,
        max_value=repeats.MOST_WEEKS_APART,
        initial=2,
        help_text="1 for every week, 2 for every other week.",
        error_messages={
            "invalid": "Enter how many weeks apart as a whole number, for example 2.",
            "min_value": "Enter how many weeks apart: 1 or more.",
            "max_value": f"Enter how many weeks apart: at most {repeats.MOST_WEEKS_APART}.",
        },
    )
    week_weekday = forms.ChoiceField(
        required=False,
        label="Day of the week",
        choices=REPEAT_WEEKDAY_CHOICES,
        initial="2",
        error_messages={"invalid_choice": "Choose a day of the week."},
    )
    chosen_dates = forms.CharField(
        required=False,
        label="The dates",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        **bounded("the dates", _LONGEST_DATES),
        help_text=f"One date a line, up to {repeats.MOST_CHOSEN_DATES}, at least a week apart. For example, 14 1 2027",
    )
    first_date = GovukDateField(
        subject="the first date",
        label="First date",
        required=False,
        help_text="The day the first session may fall on: the pattern starts from it. Not needed for dates you "
        "choose. For example, 14 1 2027",
    )
    start_time = TimeTextField(label="Start time", subject="the start time")
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=15,
        max_value=8 * 60,
        initial=90,
        help_text="For example 90 for an hour and a half.",
        error_messages={
            "required": "Enter how long each session lasts, in minutes, for example 90.",
            "invalid": "Enter how long each session lasts as a whole number of minutes, for example 90.",
            "min_value": "Enter a length of at least 15 minutes.",
            "max_value": "Enter a length of at most 480 minutes (8 hours).",
        },
    )
    rrule = forms.CharField(
        label="Repeat rule (RRULE)",
        required=False,
        **bounded("the rule", 500),
        help_text="Leave it empty to use the words above. For example FREQ=MONTHLY;BYDAY=+2WE is the second "
        "Wednesday of each month.",
    )

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, pool=pool, **kwargs)
        self.pool = pool
        self.fields["capacity"].initial = 8

    def _on_chosen_dates(self) -> bool:
        return not self.cleaned_data.get("rrule") and self.cleaned_data.get("how_often") == repeats.Every.DATES

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self._on_chosen_dates():
            if "chosen_dates" not in self.errors:
                try:
                    cleaned["chosen_dates"] = read_chosen_dates(
                        cleaned.get("chosen_dates") or "", pool=self.pool, today=timezone.localdate()
                    )
                except forms.ValidationError as error:
                    self.add_error("chosen_dates", error)
            return cleaned
        if cleaned.get("first_date") is None and "first_date" not in self.errors:
            self.add_error("first_date", "Enter the first date")
        if cleaned.get("rrule"):
            return cleaned  # the advanced rule wins; the service checks it
        if not cleaned.get("how_often") and "how_often" not in self.errors:
            self.add_error("how_often", "Choose how often the group meets.")
        needed = {
            repeats.Every.MONTH: {
                "month_ordinal": "Choose which one in the month: first, second, third, fourth or last.",
                "month_weekday": "Choose the day of the week the group meets.",
            },
            repeats.Every.WEEKS: {
                "weeks": "Enter how many weeks apart the sessions are, for example 2.",
                "week_weekday": "Choose the day of the week the group meets.",
            },
        }.get(cleaned.get("how_often", ""), {})
        for name, message in needed.items():
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def repeat(self) -> repeats.Repeat | None:
        """The words chosen, if the rule comes from them (and they are valid)."""
        cleaned = self.cleaned_data
        if cleaned.get("rrule"):
            return None
        if (
            cleaned.get("how_often") == repeats.Every.MONTH
            and "month_ordinal" in cleaned
            and "month_weekday" in cleaned
        ):
            return repeats.Repeat(
                repeats.Every.MONTH, int(cleaned["month_weekday"]), ordinal=int(cleaned["month_ordinal"])
            )
        if cleaned.get("how_often") == repeats.Every.WEEKS and "weeks" in cleaned and "week_weekday" in cleaned:
            return repeats.Repeat(repeats.Every.WEEKS, int(cleaned["week_weekday"]), weeks=cleaned["weeks"])
        return None

    def chosen(self) -> list[datetime.date] | None:
        """The dates chosen, when the group meets on dates chosen one by one (and they are valid)."""
        dates = self.cleaned_data.get("chosen_dates")
        return dates if self._on_chosen_dates() and isinstance(dates, list) else None

    def group_fields(self) -> dict[str, Any]:
        fields = super().group_fields()
        dates = self.chosen()
        if dates is not None:
            # The series is exactly these dates: from the first to the last, whatever the date
            # boxes above say (they are for the repeating patterns).
            fields["rrule"] = repeats.rule_for_dates(dates)
            fields["first_date"], fields["last_date"] = dates[0], dates[-1]
            return fields
        repeat = self.repeat()
        if repeat is None:
            fields["rrule"] = self.cleaned_data["rrule"].strip()
        else:
            fields["rrule"] = repeats.rule_for(repeat)
            fields["first_date"] = repeats.first_day(repeat, fields["first_date"])
        return fields


class GroupChangeForm(_GroupDetailsForm):
    """What can change once a group runs (``changes.CHANGEABLE``): not when or how long it meets."""

    class Meta(_GroupDetailsForm.Meta):
        fields = [
            name for name in _GroupDetailsForm.Meta.fields if name in CHANGEABLE or name == "eligible_organisations"
        ]

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, pool=pool, **kwargs)
        del self.fields["purpose"]  # what a group is for is what people booked: it does not change
        if self.instance.purpose != GroupPurpose.COMMUNITY:
            del self.fields["host_email"]  # only a community of practice has a host


class CancelPlaceForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        **bounded("the reason", NOTE),
        help_text="You do not need to give one.",
    )


class CancelSomeonesPlaceForm(CancelPlaceForm):
    """The facilitator cancels someone's place: the same reason, which the person is sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = "We send it to them with the cancellation."


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


class SessionLinkForm(forms.Form):
    online_link = VideoLinkField(
        label="Video link for this session (optional)",
        required=False,
        **bounded("the link", video_links.LONGEST),
        assume_scheme="https",
        help_text="Only for this session, instead of the group's own link. "
        "Shown only to the people with a place. Leave empty to use the group's link.",
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
    earliest_start = TimeTextField(
        label="Start no earlier than (optional)", subject="the earliest start time", required=False
    )
    latest_end = TimeTextField(
        label="Finish no later than (optional)", subject="the latest finish time", required=False
    )


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
    # Reflective groups, learning sessions and communities of practice share the list; a person
    # may look at one of them (docs/groups.md, "Purposes"). The ranking ignores it.
    purpose = forms.ChoiceField(
        label="What are you looking for?",
        choices=[("", "Everything"), *list(GroupPurpose.choices)],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose what you are looking for from the list."},
    )
