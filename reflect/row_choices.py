"""Form fields that choose rows by id, refusing a posted id no row could have.

A checkbox list or a select posts ids. A posted 99999999999999999999 would reach the database
as a look-up, and SQLite refuses integers beyond 64 bits with OverflowError, a server error
where the person should see "Select a valid choice" on the field. These fields check the id's
shape first, so every form that chooses rows answers alike (docs/security.md, "Hostile input").
"""

from __future__ import annotations

from typing import Any

from django import forms


def is_row_id(value: object) -> bool:
    """Whether a posted value could be a row's id: a positive number the database can hold."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) < 2**63


class RowChoice(forms.ModelChoiceField):
    """One row chosen by id."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_row_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowChoices(forms.ModelMultipleChoiceField):
    """Several rows chosen by id."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and any(not is_row_id(each) for each in value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)
