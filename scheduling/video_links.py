"""Video links for online sessions: a supervisor's and a group's standing link, and a session's own.

Only https links are accepted (a link is opened by people in a session: an http or javascript:
address could be read on the way or run script), up to 200 characters (a URL field's usual bound). Calendars carry a link
as RFC 7986 CONFERENCE as well as in LOCATION and DESCRIPTION, so clients show a Join button.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

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


def video_link(value: str) -> str:
    """The link as a calendar's CONFERENCE, when it is one (older rows may hold an http link,
    which stays in the description but gets no Join button)."""
    safe = value.startswith("https://") and len(value) <= LONGEST and not any(c in value for c in "\r\n ")
    return value if safe else ""
