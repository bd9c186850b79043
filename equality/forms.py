from __future__ import annotations

from typing import Any

from django import forms

from equality.categories import CATEGORIES, Category


def _field(category: Category) -> forms.ChoiceField:
    if category.key == "ethnic_group":
        # The 19 answers under their 5 headings, as the Census asks them.
        headings: dict[str, list[tuple[str, str]]] = {}
        for answer in category.answers:
            headings.setdefault(answer.heading, []).append((answer.code, answer.label))
        choices: list[Any] = [("", "Not answered"), *headings.items(), ("Or", category.choices[-1:])]
        return forms.ChoiceField(
            label=category.question, help_text=category.hint, required=False, choices=choices, widget=forms.Select
        )
    return forms.ChoiceField(
        label=category.question,
        help_text=category.hint,
        required=False,
        choices=category.choices,
        widget=forms.RadioSelect,
    )


class EqualityForm(forms.Form):
    """Every question optional, each with "Prefer not to say"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in CATEGORIES:
            self.fields[category.key] = _field(category)
