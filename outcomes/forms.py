"""The measure's questions, built from its file, and the commissioner's schedule."""

from __future__ import annotations

from typing import Any

from django import forms

from outcomes.bank import Measure


def item_field(number: int) -> str:
    return f"item_{number}"


class MeasureForm(forms.Form):
    """One radio question per item, numbered and worded exactly as the measure's file has them."""

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        choices = [(point.value, point.label) for point in measure.scale]
        for item in measure.items:
            self.fields[item_field(item.number)] = forms.TypedChoiceField(
                coerce=int,
                choices=choices,
                widget=forms.RadioSelect,
                label=f"{item.number}. {item.shown_text}",
                error_messages={
                    "required": f"Choose an answer to question {item.number}: {item.shown_text}",
                    "invalid_choice": f"Choose one of the answers given to question {item.number}: {item.shown_text}",
                },
            )

    def answers(self) -> dict[int, int]:
        return {item.number: self.cleaned_data[item_field(item.number)] for item in self.measure.items}


class ScheduleForm(forms.Form):
    interval_months = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, f"Every {n} months") for n in (3, 4, 6, 9, 12, 18, 24)],
        label="How often staff are asked",
        help_text="Staff are first asked when they join, then after each of these periods.",
    )
    measure = forms.ChoiceField(choices=(), label="Which questionnaire")

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ChoiceField)
        measure.choices = measures
