"""What goes out to other programs is bounded, whatever people typed (docs/security.md,
"Length limits"): e-mail subjects, text messages and calendar entries."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest

from reflect import text_limits
from reflect.channels import render_kind
from reflect.notification_kinds import all_kinds
from scheduling.ical import CalendarEvent, calendar_text

LONG = '\u202eNUL\x00 =HYPERLINK("x") <b>bold</b> 💬 \'; DROP TABLE x; -- ' * 200  # about 11,000 characters


def _swollen(value: Any) -> Any:
    """Every text in a sample made huge and hostile, but links kept as links."""
    if isinstance(value, str):
        return value if value.startswith("http") else LONG
    if isinstance(value, dict):
        return {key: _swollen(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_swollen(item) for item in value]
    return value


@pytest.mark.parametrize("spec", all_kinds(), ids=lambda spec: spec.code)
def test_every_message_is_bounded(spec, settings) -> None:
    context = _swollen(dict(spec.sample_context()))
    context.update(context.pop("secret", {}))
    context.setdefault("recipient", {"first_name": LONG, "email": "sam@example.org"})
    context["site_url"] = settings.SITE_URL
    message = render_kind(spec.code, context)
    assert len(message.subject) <= text_limits.SUBJECT
    assert len(message.short_text) <= text_limits.SMS


def test_a_long_text_message_keeps_its_link() -> None:
    context = {
        "title": LONG,
        "when": "Thursday 10 December, 14:00",
        "where": LONG,
        "url": "https://reflect.example.org/b/1/",
        "site_url": "https://reflect.example.org",
    }
    text = render_kind("reminder", context).short_text
    assert text_limits.SMS - 5 < len(text) <= text_limits.SMS
    assert text.endswith("… https://reflect.example.org/b/1/")


def test_a_calendar_entry_is_bounded() -> None:
    start = datetime.datetime(2027, 3, 4, 10, tzinfo=datetime.UTC)
    event = CalendarEvent(
        uid="1@reflect",
        sequence=0,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        summary=LONG,
        stamp=start,
        description=LONG,
        location=LONG,
    )
    parsed = icalendar.Calendar.from_ical(calendar_text([event]))
    (vevent,) = parsed.walk("VEVENT")
    assert len(str(vevent["SUMMARY"])) == text_limits.CALENDAR_SUMMARY
    assert len(str(vevent["DESCRIPTION"])) == text_limits.CALENDAR_DESCRIPTION
    assert len(str(vevent["LOCATION"])) == text_limits.CALENDAR_LOCATION
    assert str(vevent["SUMMARY"]).endswith("…")
