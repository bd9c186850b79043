"""What a person types into the date and time fields of reflect/fields.py, for form posts."""

from __future__ import annotations

import datetime


def date_boxes(name: str, day: datetime.date) -> dict[str, str]:
    """A date typed into the day, month and year boxes of the GOV.UK date input called ``name``."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}
