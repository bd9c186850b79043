"""Video links for online sessions: a supervisor's and a group's standing link, and a session's own.

Only https links are accepted (a link is opened by people in a session: an http or javascript:
address could be read on the way or run script), up to 200 characters (a URL field's usual bound). Calendars carry a link
as RFC 7986 CONFERENCE as well as in LOCATION and DESCRIPTION, so clients show a Join button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest

from reflect.errors import DomainError

LONGEST = 200

# Codes of their own: a form field would put its generic "Enter a valid URL" over "invalid".
_https = URLValidator(
    code="not_https",
    schemes=["https"],
    message="Enter a video link that starts with https://, like https://meet.example.org/room.",
)


def validate_video_link(value: str) -> None:
    if len(value) > LONGEST:
        raise ValidationError(f"Enter a video link of at most {LONGEST} characters.", code="link_too_long")
    _https(value)


class VideoLinkField(forms.URLField):
    """A form's video link: ``validate_video_link`` alone (an https web address, bounded), so a
    link that is wrong in both ways gets one message, not URLField's and ours run together."""

    default_validators = [validate_video_link]


def video_link(value: str) -> str:
    """The link as a calendar's CONFERENCE, when it is one (older rows may hold an http link,
    which stays in the description but gets no Join button)."""
    safe = value.startswith("https://") and len(value) <= LONGEST and not any(c in value for c in "\r\n ")
    return value if safe else ""


def checked_link(value: str, *, required: bool = True) -> str:
    """The link as it will be saved, or a refusal in the person's words (nothing is saved)."""
    link = value.strip()
    if link or required:
        try:
            validate_video_link(link)
        except ValidationError as error:
            raise DomainError(error.messages[0], field="online_link") from error
    return link


def give_own_link(session: Any, link: str) -> bool:
    """Save a session's own link (a SupervisionBooking or a GroupSession: the models import
    this module's validator, so it names neither) as a change its calendar entries take (SEQUENCE + 1, a new
    stamp for the feeds). False when it already had that link. Call under the session's lock."""
    if link == session.online_link:
        return False
    session.online_link = link
    session.sequence += 1
    session.save(update_fields=["online_link", "sequence", "updated_at"])
    return True


def save_link_form(request: HttpRequest, form: forms.Form, save: Callable[[str], object]) -> bool:
    """A session's link form, posted: saved and said so, or why not said. False when the form
    itself is not valid: the caller shows its page again with the form, its error summary and
    the field's own error, and what was typed (GOV.UK's pattern, as every other form)."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data["online_link"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The video link for this session is saved.")
    return True
