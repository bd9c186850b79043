"""How long each kind of free text may be (docs/security.md, "Length limits").

Every box a person types into has a limit that fits what it holds, enforced twice: by the
form, as a field error in words, and by the database, as a check constraint on each text
column (Django's ``TextField(max_length=…)`` only sizes the form field, so the constraint is
what holds for the admin, the services and anything else that writes). What is sent on (text
messages, e-mail subjects, calendar entries) is cut to what the receiving end can show.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from reflect import wording

NAME = 200  # names, titles, areas: one line
SEARCH = 100  # a word typed into a filter
LIST = 500  # a comma-separated list (languages, areas, modalities)
ADDRESS = 500  # a postal address, a meeting place
NOTE = 1000  # a note, a reason, a short "about"
DESCRIPTION = 2000  # descriptions, messages, replies, a biography
GROUND_RULES = 4000  # a group's ground rules and confidentiality statement

# What goes out to other programs (docs/notifications.md, docs/calendars.md).
SMS = 612  # four text-message fragments: GOV.UK Notify charges per fragment
SUBJECT = 150  # an e-mail subject line
CALENDAR_SUMMARY = NAME
CALENDAR_DESCRIPTION = GROUND_RULES + DESCRIPTION
CALENDAR_LOCATION = ADDRESS
ELLIPSIS = "…"


def too_long(what: str, limit: int) -> dict[str, str]:
    """Error messages for a field's ``max_length``, in words: "Enter a description in 2,000
    characters or fewer." (Django's own names the count in figures, not the thing.)"""
    return {"max_length": f"Enter {what} in {wording.count(limit, 'character')} or fewer."}


def bounded(what: str, limit: int) -> dict[str, Any]:
    """A form field's ``max_length`` and its message, for ``forms.CharField(**bounded(…))``."""
    return {"max_length": limit, "error_messages": too_long(what, limit)}


def length_constraint(field: str, limit: int) -> models.CheckConstraint:
    """The database's own refusal of ``field`` longer than ``limit`` characters, for a model's
    ``Meta.constraints``; named after the model so that one helper serves every table."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"%(app_label)s_%(class)s_{field}_length",
        violation_error_message=f"Enter {field.replace('_', ' ')} in {wording.count(limit, 'character')} or fewer.",
    )


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def shorten_keeping_link(text: str, limit: int) -> str:
    """A text message cut to ``limit`` characters: a link at its end is kept whole, and the
    words before it are shortened instead, since the link is what the person acts on."""
    if len(text) <= limit:
        return text
    words, _, last = text.rpartition(" ")
    if last.startswith(("http://", "https://")) and len(last) < limit // 2:
        return f"{shorten(words, limit - len(last) - 1)} {last}"
    return shorten(text, limit)
