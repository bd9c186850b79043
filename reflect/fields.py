"""Form fields for the dates and times a person types.

A date is three boxes (day, month, year), the GOV.UK date-input pattern, and a time is plain
text ("9:30", "0930", "9.30am", "2pm", "midday"). Neither leans on the browser's own date or
time controls, which read and write in the browser's locale: a day off typed as 15/01/2027 was
once saved as 1 December 2027 (docs/availability-and-booking.md, "Typing dates and times").
Both refuse what they cannot read for certain rather than guess, and both do a bounded amount
of work on any input: every box and every time is cut off at a few characters before it is read.

The two parsers, ``read_date`` and ``read_time``, are pure and raise ``NotUnderstood`` with the
sentence to show; the fields wrap them for Django forms.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django import forms

from reflect import wording

DATE_HINT = "For example, 14 1 2027"
TIME_HINT = "For example, 9:30am or 2pm"
TIME_MESSAGE = "Enter a time, like 9:30am or 2pm"

# Longer than anything we accept ("12:30 p.m." is 10), so a pasted essay is refused unread.
_LONGEST_TIME = 12
_LONGEST_BOX = 9  # "September"

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_PARTS = ("day", "month", "year")


class NotUnderstood(ValueError):
    """Typed input we will not guess at; ``message`` is the sentence to show, ``parts`` the
    date boxes it is about (empty for a time)."""

    def __init__(self, message: str, parts: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.parts = tuple(parts)


def _joined(parts: Sequence[str]) -> str:
    return " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"


def read_date(day: str, month: str, year: str, *, subject: str = "the date") -> datetime.date:
    """The date in three typed boxes, or ``NotUnderstood`` naming the boxes that are wrong.

    Months may be numbers or names ("1", "01", "jan", "January"); the year must be four
    numbers, so "27" is never read as 1927 or 2027. The GOV.UK wording for each problem."""
    typed = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
    missing = [part for part in _PARTS if not typed[part]]
    if len(missing) == 3:
        raise NotUnderstood(f"Enter {subject}", _PARTS)
    if missing:
        raise NotUnderstood(f"{subject[:1].upper()}{subject[1:]} must include a {_joined(missing)}", missing)
    unreal = f"{subject[:1].upper()}{subject[1:]} must be a real date"
    if any(len(value) > _LONGEST_BOX for value in typed.values()):
        raise NotUnderstood(unreal, [part for part in _PARTS if len(typed[part]) > _LONGEST_BOX])
    numbers: dict[str, int] = {}
    wrong = []
    for part in _PARTS:
        value = typed[part]
        if re.fullmatch(r"[0-9]+", value):
            numbers[part] = int(value)
        elif part == "month" and value.lower() in _MONTH_NAMES:
            numbers[part] = _MONTH_NAMES[value.lower()]
        else:
            wrong.append(part)
    if wrong:
        raise NotUnderstood(unreal, wrong)
    if len(typed["year"]) != 4:
        raise NotUnderstood("Year must be 4 numbers", ["year"])
    if not 1 <= numbers["month"] <= 12:
        raise NotUnderstood(unreal, ["month"])
    try:
        return datetime.date(numbers["year"], numbers["month"], numbers["day"])
    except ValueError:
        raise NotUnderstood(unreal, ["day"]) from None


_WORDS = {"midday": datetime.time(12), "noon": datetime.time(12), "12 noon": datetime.time(12)}
_WORDS |= {"midnight": datetime.time(0), "12 midnight": datetime.time(0)}
# An hour, then either ":30", ".30" or "30" straight after, then am/pm if any. Anchored and
# without nested repeats, so it runs in time proportional to the (already short) text.
_TIME = re.compile(r"([0-9]{1,2})(?:[:.]?([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.ASCII)


def read_time(text: str) -> datetime.time:
    """The time of day in what a person typed, or ``NotUnderstood``.

    Without am or pm the 24-hour clock is read ("9:30" is 9:30am, "14:00" is 2pm), but only
    when minutes are given: a bare "2" could be 2am or 2pm, so it is refused. "12am" is
    midnight and "12pm" midday; an hour past 12 with am or pm ("14pm") is refused."""
    cleaned = " ".join((text or "").lower().split())
    if not cleaned or len(cleaned) > _LONGEST_TIME:
        raise NotUnderstood(TIME_MESSAGE)
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    found = _TIME.fullmatch(cleaned)
    if not found:
        raise NotUnderstood(TIME_MESSAGE)
    hour_text, minute_text, half = found.groups()
    hour, minute = int(hour_text), int(minute_text or 0)
    if minute > 59:
        raise NotUnderstood(TIME_MESSAGE)
    if half:
        if not 1 <= hour <= 12:
            raise NotUnderstood(TIME_MESSAGE)
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    elif minute_text is None or hour > 23:
        raise NotUnderstood(TIME_MESSAGE)
    return datetime.time(hour, minute)


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes (GOV.UK date input). The day box carries the field's own id
    (the first wrong box, when there is an error), so a label, an error summary link and
    ``id_for_label`` land on it."""

    template_name = "includes/forms/widgets/govuk_date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({part: forms.TextInput() for part in _PARTS}, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        return id_

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        final = context["widget"]["attrs"]
        # The error class and aria-describedby come from the field template's filter
        # (reflect/templatetags/govuk.py): the description belongs on the fieldset, and only
        # the boxes that are wrong are marked, as GOV.UK asks.
        in_error = "govuk-input--error" in str(final.get("class", ""))
        wrong: tuple[str, ...] = ()
        if in_error:
            typed = [str(v or "") for v in (value if isinstance(value, list) else self.decompress(value))]
            try:
                read_date(*typed)
                wrong = _PARTS  # the date reads but the form refused it (too early, say)
            except NotUnderstood as problem:
                wrong = problem.parts
        base_id = final.get("id", "")
        # The field's own id, which the error summary links to, goes on the first box that is
        # wrong (GOV.UK: the link takes the person to what needs fixing), else on the day.
        first_box = next((part for part in _PARTS if part in wrong), "day")
        for part, sub in zip(_PARTS, context["widget"]["subwidgets"], strict=True):
            width = "4" if part == "year" else "2"
            classes = f"govuk-input govuk-date-input__input govuk-input--width-{width}"
            if part in wrong:
                classes += " govuk-input--error"
            sub_attrs = {
                key: val
                for key, val in sub["attrs"].items()
                if key not in ("aria-describedby", "aria-invalid", "class", "id")
            }
            # No maxlength: a browser would silently cut "15/01/2027" typed in the day box to
            # "15"; the server refuses it whole instead.
            sub_attrs |= {"class": classes, "inputmode": "numeric" if part != "month" else "text"}
            sub_attrs["autocomplete"] = "off"
            if part in wrong:
                sub_attrs["aria-invalid"] = "true"
            if base_id:
                sub_attrs["id"] = base_id if part == first_box else f"{base_id}_{part}"
            sub["attrs"] = sub_attrs
            sub["part"] = part
            sub["label"] = part.capitalize()
        return context


class GovukDateField(forms.MultiValueField):
    """A date typed in three boxes; ``cleaned_data`` holds a ``datetime.date``.

    ``subject`` names the date in messages ("Enter the first day off", "The first day off must
    include a month"); it defaults to "the date"."""

    widget = GovukDateInput

    def __init__(self, *, subject: str = "the date", **kwargs: Any) -> None:
        self.subject = subject
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs["error_messages"] = {"required": f"Enter {subject}"} | (kwargs.get("error_messages") or {})
        parts = [forms.CharField(required=False) for _ in _PARTS]
        super().__init__(parts, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        # MultiValueField.clean would call each part's clean and compress; the three boxes
        # are read together instead, so a message can name which of them is wrong.
        if isinstance(value, datetime.date):
            return value
        boxes = [str(v) if v is not None else "" for v in (value or ["", "", ""])][:3]
        boxes += [""] * (3 - len(boxes))
        if not any(box.strip() for box in boxes):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        try:
            day = read_date(*boxes, subject=self.subject)
        except NotUnderstood as problem:
            raise forms.ValidationError(problem.message, code="invalid") from None
        self.validate(day)
        self.run_validators(day)
        return day

    def validate(self, value: Any) -> None:
        return None

    def compress(self, data_list: list[Any]) -> datetime.date | None:
        return read_date(*data_list, subject=self.subject) if data_list else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.clean(data) != (initial if isinstance(initial, datetime.date) else None)
        except forms.ValidationError:
            return True


class TimeTextField(forms.Field):
    """A time of day typed as text; ``cleaned_data`` holds a ``datetime.time``."""

    widget = forms.TextInput

    def __init__(self, *, subject: str = "a time", **kwargs: Any) -> None:
        # The message names what is asked for (GOV.UK: "Enter the start time, like 2pm"), so a
        # person with several times on one page knows which one to fix.
        message = f"Enter {subject}, like 9:30am or 2pm"
        kwargs.setdefault("help_text", TIME_HINT)
        kwargs["error_messages"] = {"required": message, "invalid": message} | (kwargs.get("error_messages") or {})
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs |= {"class": "govuk-input--width-5", "autocomplete": "off", "spellcheck": "false"}
        return attrs

    def prepare_value(self, value: Any) -> Any:
        # A saved time shows in the box as pages write it ("2pm" once wording says so); the
        # reader takes back anything wording.clock writes (tests/reflect/test_fields.py).
        if isinstance(value, datetime.time):
            return wording.clock(value)
        return value

    def to_python(self, value: Any) -> datetime.time | None:
        if isinstance(value, datetime.time):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            return read_time(str(value))
        except NotUnderstood as problem:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from problem
