from __future__ import annotations

from typing import Any

from django import forms

from reflect.models import Organisation, Pool
from supervision.enums import QuestionKind
from supervision.models import Question
from supervision.scoring import format_money

FIELD_TEMPLATE = "supervision/questionnaire/field.html"


class StartForm(forms.Form):
    organisation = forms.ChoiceField(label="Which organisation is this for?", widget=forms.RadioSelect, required=False)
    organisation_name = forms.CharField(
        label="Your organisation's name (optional)",
        max_length=200,
        required=False,
        help_text="It goes on the brief for clinicians. Leave it empty to stay anonymous.",
    )
    about = forms.CharField(
        label="What does your organisation do, and who for? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text="For example, “a weekly drama group for refugee and asylum-seeking women”. It goes on the brief.",
    )
    OTHER = "other"

    def __init__(self, *args: Any, led: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if led:
            self.fields["organisation"].choices = [(str(o.pk), o.name) for o in led] + [
                (self.OTHER, "Another organisation, or I am just exploring")
            ]
            self.fields["organisation"].required = True
            self.fields["organisation"].error_messages["required"] = "Choose which organisation this is for."
        else:
            del self.fields["organisation"]
        self.led = {str(o.pk): o for o in led}

    def chosen_organisation(self) -> Organisation | None:
        return self.led.get(self.cleaned_data.get("organisation") or "")


class SectionForm(forms.Form):
    """One section's questions. With ``partial`` (save and come back later) nothing is required."""

    def __init__(self, *args: Any, questions: list[Question], partial: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.key] = self._field(question, required=question.required and not partial)

    @staticmethod
    def _field(question: Question, *, required: bool) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.text,
            "help_text": question.hint,
            "required": required,
            "template_name": FIELD_TEMPLATE,
        }
        choices = [(o.value, o.label) for o in question.options.all()]
        if question.kind == QuestionKind.MULTIPLE:
            field: forms.Field = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
            message = f"Select at least one answer to “{question.text}”."
        elif question.kind == QuestionKind.NUMBER:
            field = forms.IntegerField(
                min_value=0,
                max_value=10000,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
                **common,
            )
            message = f"Enter a number for “{question.text}” (0 if none)."
            field.error_messages["invalid"] = f"Enter a whole number for “{question.text}”, like 3."
            field.error_messages["min_value"] = f"Enter 0 or more for “{question.text}”."
            field.error_messages["max_value"] = f"Enter 10,000 or fewer for “{question.text}”."
        else:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            message = f"Answer “{question.text}”."
        field.error_messages["required"] = message
        field.why_we_ask = question.why_we_ask  # type: ignore[attr-defined]
        return field


class CompleteForm(forms.Form):
    """The check-answers page's submit button: no fields, but a form so errors render the GOV.UK way."""


class CostForm(forms.Form):
    months = forms.CharField(
        label="Period (months)",
        max_length=6,
        help_text="How long the bid runs for, for example 12.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    rate_source = forms.ChoiceField(label="Hourly rate", widget=forms.RadioSelect, required=False)
    rate = forms.CharField(
        label="Hourly rate (£)",
        max_length=12,
        required=False,
        help_text="What a clinician charges for an hour; £60 is typical for a registered clinician.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )
    TYPED = "typed"

    def __init__(self, *args: Any, pools: list[Pool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pools = {f"pool-{p.pk}": p for p in pools}
        if pools:
            self.fields["rate_source"].choices = [
                (key, f"{pool.name}: {format_money(pool.hourly_rate)} an hour") for key, pool in self.pools.items()
            ] + [(self.TYPED, "A rate I type below")]
        else:
            del self.fields["rate_source"]

    def chosen_rate(self) -> str:
        source = self.cleaned_data.get("rate_source") or self.TYPED
        if source in self.pools:
            return str(self.pools[source].hourly_rate)
        return (self.cleaned_data.get("rate") or "").replace("£", "").replace(",", "").strip()


class SaveToOrganisationForm(forms.Form):
    organisation = forms.ChoiceField(label="Save this result to", widget=forms.RadioSelect)

    def __init__(self, *args: Any, led: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in led]
        self.led = {str(o.pk): o for o in led}


class CompareForm(forms.Form):
    before = forms.ChoiceField(label="Earlier result")
    after = forms.ChoiceField(label="Later result")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["before"].choices = choices
        self.fields["after"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("before") and data.get("before") == data.get("after"):
            self.add_error("after", "Choose two different results to compare.")
        return data
