"""Forms for booking supervision: they parse what was sent; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from reflect.forms import form_field
from reflect.models import User
from reflect.row_choices import RowChoices
from reflect.text_limits import bounded
from scheduling import video_links
from scheduling.models import SessionMode
from scheduling.video_links import VideoLinkField


class SlotField(forms.Form):
    """The chosen slot, carried in the address from the slot list (start in UTC, ISO 8601)."""

    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%MZ"])
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60)

    def clean_start(self) -> datetime.datetime:
        start: datetime.datetime = self.cleaned_data["start"]
        try:
            start = start.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError("That time could not be read. Choose a time from the list.") from None
        # Nothing can be booked this far out; refusing here keeps date arithmetic in range.
        now = timezone.now()
        if not now - datetime.timedelta(days=1) <= start <= now + datetime.timedelta(days=2 * 366):
            raise forms.ValidationError("That time is too far away. Choose a time from the list.")
        return start


class PeopleChoiceField(RowChoices):
    """People by their display name."""

    # The one person offered, when there is only one (booking for oneself): read already, so
    # the id posted is checked against theirs without a query.
    only_person: User | None = None

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name

    def _check_values(self, value: Any) -> Any:
        if self.only_person is None:
            return super()._check_values(value)  # type: ignore[misc]  # Django's own, not in the stubs
        # As the query would answer (RowChoices has refused anything that is not an id): the
        # one person, or "Select a valid choice" naming the first id that is not theirs.
        for each in value:
            if str(each) != str(self.only_person.pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": each}
                )
        return [self.only_person]


class BookingForm(SlotField):
    attendees = PeopleChoiceField(
        queryset=User.objects.none(),
        label="Who is the session for?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who the session is for."},
    )
    mode = forms.ChoiceField(
        label="How will you meet?",
        choices=SessionMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you will meet."},
    )

    def __init__(self, *args: Any, staff: list[User], modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].widget = forms.HiddenInput()
        self.fields["minutes"].widget = forms.HiddenInput()
        # Booking for oneself only: nothing to choose, so no box to tick (the page says who),
        # and no list to build: the field checks the id posted against theirs (only_person).
        self.only_person = staff[0] if len(staff) == 1 else None
        if self.only_person is not None:
            form_field(self, "attendees", PeopleChoiceField).only_person = self.only_person
            self.fields["attendees"].widget = forms.MultipleHiddenInput()
            self.initial["attendees"] = [self.only_person.pk]
        else:
            form_field(self, "attendees", forms.ModelChoiceField).queryset = User.objects.filter(
                pk__in=[user.pk for user in staff]
            ).order_by("first_name", "last_name")
        form_field(self, "mode", forms.ChoiceField).choices = [
            (value, label) for value, label in SessionMode.choices if value in modes
        ]


class MoveForm(SlotField):
    pass


class BookingLinkForm(forms.Form):
    online_link = VideoLinkField(
        label="Video link for this session",
        **bounded("the link", video_links.LONGEST),
        assume_scheme="https",
        help_text="Only for this session, instead of your usual link. Only the people booked see it.",
    )


class CancelBookingForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        help_text="A few words for the others, such as “unwell”. Please do not write anything about the session itself.",
        required=False,
        **bounded("the reason", 200),
    )
