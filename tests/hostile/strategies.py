"""Hostile values for forms and requests (docs/testing.md, "Hostile input"): huge and empty
text, control characters with NUL, right-to-left marks, emoji, spreadsheet formulas, HTML and
SQL, and numbers and dates at and past every boundary."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from hypothesis import strategies as st

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x08\x1b[31m",
    "\r\n\r\nBcc: someone@example.org",
    "\u202egnp.exe",
    "\u200f\u200e\u2066",
    "💬🏳️‍🌈👩🏽‍⚕️",
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    '\t=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE reflect_pool; --",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "Europe",
    "Europe/London/../../etc",
    "http://127.0.0.1:9/calendar.ics",
    "FREQ=MINUTELY;COUNT=100000",
]
NUMBERS = [
    "-1",
    "0",
    "0.001",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "1_000",
    "١٢",  # Arabic-Indic digits
    "0x10",
]
DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "2027-02-30", "2027-13-01", "10000-01-01", "1900-01-01"]
TIMES = ["24:00", "23:59", "00:00", "99:99", "-1:00", "12:60"]

# Past every length limit (docs/security.md): drawn as often as the short ones.
HUGE = ["x" * 100_000, "é" * 5_001, "💬" * 4_001, "a\u202e" * 1_001, "=" + "9" * 2_100, "<b>" * 700]

hostile_text = st.one_of(st.sampled_from(NASTY + NUMBERS + DATES + TIMES), st.sampled_from(HUGE), st.text(max_size=40))


def _choice_values(field: forms.ChoiceField) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            values.extend(str(getattr(v, "value", v)) for v, _ in label)
        elif value != "":
            values.append(str(getattr(value, "value", value)))
    return values


def _typed(field: forms.Field) -> st.SearchStrategy[str]:
    """Values of the field's own kind, to reach past its parsing into the code behind it."""
    if isinstance(field, forms.IntegerField):
        return st.integers(min_value=-(10**20), max_value=10**20).map(str)
    if isinstance(field, forms.DecimalField):
        return st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
    if isinstance(field, forms.DateTimeField):
        return st.datetimes(timezones=st.just(datetime.UTC)).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M%z"))
    if isinstance(field, forms.DateField):
        return st.dates().map(datetime.date.isoformat)
    if isinstance(field, forms.TimeField):
        return st.times().map(lambda time: time.strftime("%H:%M"))
    return st.sampled_from(["Leeds", "Sam", "https://meet.example.org/room", "sam@example.org"])


def value_for(field: forms.Field) -> st.SearchStrategy[Any]:
    """What a hostile client might send for ``field``."""
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        choices = _choice_values(field)
        item = st.one_of(st.sampled_from(choices), hostile_text) if choices else hostile_text
        return st.lists(item, max_size=3)
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        choices = _choice_values(field)
        return st.one_of(st.sampled_from(choices), hostile_text) if choices else hostile_text
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "", "false"]), hostile_text)
    return st.one_of(hostile_text, _typed(field))


def form_data(form: forms.BaseForm) -> st.SearchStrategy[dict[str, Any]]:
    """Data for every field of ``form`` (a field may be left out), under its prefixed name."""
    fields = {
        form.add_prefix(name): value_for(field)
        for name, field in form.fields.items()
        if not isinstance(field, forms.FileField)
    }
    return st.fixed_dictionaries({}, optional=fields)
