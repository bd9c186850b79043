"""The commissioner's short forms: a learning session (the group form, cut down to what a
session needs, with its topics) and an external course."""

from __future__ import annotations

from typing import Any

from django import forms

from learning.models import LearningTopic
from learning.queries import topics_open_to
from learning.session_models import FeedbackAnswer
from reflect.fields import GovukDateField
from reflect.models import Pool
from reflect.row_choices import RowChoices
from reflect.text_limits import NAME, bounded
from scheduling.groups import repeats
from scheduling.groups.forms import GroupForm

# What the short form asks: the rest of a group's details take a learning session's defaults
# (learning/sessions/services.py, publish_learning_session).
SESSION_FIELDS = (
    "title",
    "topics",
    "chosen_dates",
    "start_time",
    "duration_minutes",
    "facilitator",
    "location",
    "online_link",
    "capacity",
    "description",
)
_GROUP_FIELDS = tuple(name for name in SESSION_FIELDS if name not in {"topics", "chosen_dates"})


class _TopicChoices(RowChoices):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


def _topics_field() -> _TopicChoices:
    return _TopicChoices(
        queryset=LearningTopic.objects.none(),
        label="Topics it is for",
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in the pool who asked to learn about one of them is told.",
        error_messages={
            "required": "Choose at least one of the topics.",
            "invalid_choice": "Choose topics from the list.",
            "invalid_pk_value": "Choose topics from the list.",
        },
    )


class LearningSessionForm(GroupForm):
    """A learning session: its topics, its dates (one, or a short series, one a line), the time,
    who runs it (a verified supervisor, who keeps the register), where or the link, and its places."""

    topics = _topics_field()

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, pool=pool, **kwargs)
        for name in list(self.fields):
            if name not in SESSION_FIELDS:
                del self.fields[name]
        self.order_fields(SESSION_FIELDS)
        self.fields["description"].label = "What it covers (optional)"
        self.fields["topics"].queryset = topics_open_to(pool)  # type: ignore[attr-defined]  # a ModelMultipleChoiceField
        self.fields["chosen_dates"].required = True
        self.fields["chosen_dates"].label = "Date or dates"
        self.fields["chosen_dates"].help_text = (
            f"One date for a one-off session, or up to {repeats.MOST_CHOSEN_DATES} for a short series, one a "
            "line, at least a week apart. For example, 14 1 2027"
        )
        self.fields["chosen_dates"].error_messages["required"] = "Enter the date of the session, like 14 1 2027."
        # A supervisor, never an external name alone: the register is kept by someone who signs
        # in, and marking people attended is what meets their need (docs/learning.md).
        self.fields["facilitator"].required = True
        self.fields["facilitator"].error_messages["required"] = (
            "Choose the facilitator: the supervisor who runs the session."
        )
        self.fields["capacity"].initial = 20
        self.fields["capacity"].label = "How many places"
        self.fields["location"].label = "Where, in person (an address and room)"
        self.fields["online_link"].label = "Or online: the video link"

    def _on_chosen_dates(self) -> bool:
        return True  # a learning session is always on the dates the commissioner gives

    def group_fields(self) -> dict[str, Any]:
        dates = self.chosen() or []
        fields = {name: self.cleaned_data[name] for name in _GROUP_FIELDS}
        fields["rrule"] = repeats.rule_for_dates(dates)
        fields["first_date"], fields["last_date"] = dates[0], dates[-1]
        return fields


class ExternalCourseForm(forms.Form):
    title = forms.CharField(label="Course title", **bounded("the course title", NAME))
    provider = forms.CharField(label="Who runs it", **bounded("who runs it", NAME))
    url = forms.URLField(
        label="Web address",
        max_length=500,
        assume_scheme="https",
        help_text="Where people can read about it and sign up.",
        error_messages={
            "invalid": "Enter the course's web address, like https://example.org/course.",
            "max_length": "Enter a web address in 500 characters or fewer.",
        },
    )
    starts_on = GovukDateField(subject="the first date", label="First date")
    ends_on = GovukDateField(subject="the last date", label="Last date (optional)", required=False)
    topics = _topics_field()

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics_open_to(pool)  # type: ignore[attr-defined]  # a ModelMultipleChoiceField
        for name, message in {
            "title": "Enter the course title.",
            "provider": "Enter who runs the course.",
            "url": "Enter the course's web address, like https://example.org/course.",
        }.items():
            self.fields[name].error_messages["required"] = message


class FeedbackForm(forms.Form):
    answer = forms.ChoiceField(
        choices=FeedbackAnswer.choices,
        error_messages={
            "required": "Choose yes, partly or no as your answer.",
            "invalid_choice": "Choose yes, partly or no as your answer.",
        },
    )
