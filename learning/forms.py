"""Input for learning needs: a supervisor's suggestion, a lead's record, a commissioner's topic."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from learning.enums import CoveredBy
from learning.models import LearningTopic
from reflect.forms import form_field
from reflect.models import User
from reflect.text_limits import bounded, too_long


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LearningTopic) -> str:
        return obj.title


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SuggestionForm(forms.Form):
    person = PersonChoiceField(
        queryset=User.objects.none(),
        label="Who to suggest it to",
        empty_label="Choose a person",
        error_messages={
            "required": "Choose who to suggest the topic to",
            "invalid_choice": "Choose who to suggest it to from the list",
        },
    )
    topic = TopicChoiceField(
        queryset=LearningTopic.objects.none(),
        label="Topic",
        empty_label="Choose a topic",
        error_messages={"required": "Choose a topic to suggest", "invalid_choice": "Choose a topic from the list"},
    )

    def __init__(self, *args: Any, people: QuerySet[User], topics: QuerySet[LearningTopic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "person", PersonChoiceField).queryset = people
        form_field(self, "topic", TopicChoiceField).queryset = topics


class OrganisationNeedForm(forms.Form):
    topic = TopicChoiceField(
        queryset=LearningTopic.objects.none(),
        label="Topic",
        empty_label="Choose a topic",
        error_messages={"required": "Choose a topic", "invalid_choice": "Choose a topic from the list"},
    )
    covered_by = forms.ChoiceField(
        label="Is it needed?",
        choices=[
            (CoveredBy.NONE, "Yes, staff need to learn about this"),
            (CoveredBy.LIVED_EXPERIENCE, "Already covered by staff's lived experience"),
            (CoveredBy.PAST_TRAINING, "Already covered by training staff have had"),
        ],
        initial=CoveredBy.NONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is needed or already covered"},
    )
    staff_count = forms.IntegerField(
        label="How many staff would benefit (optional)",
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": "Number of staff must be a whole number, like 6",
            "min_value": "Number of staff must be 1 or more",
            "max_value": "Number of staff must be 100,000 or fewer",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )

    def __init__(self, *args: Any, topics: QuerySet[LearningTopic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "topic", TopicChoiceField).queryset = topics


class PoolTopicForm(forms.Form):
    title = forms.CharField(
        label="Title",
        **{
            **bounded("the title", 120),
            "error_messages": {**too_long("the title", 120), "required": "Enter the topic's title"},
        },
    )
    description = forms.CharField(
        label="What it covers (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **bounded("what it covers", 300),
    )
