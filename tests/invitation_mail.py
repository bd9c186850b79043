"""Reading a sent e-mail back as a mail client does: its bytes parsed with the standard library,
and the calendar invitation inside it (RFC 6047)."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from icalendar import Calendar


@dataclass(frozen=True)
class Invitation:
    mail: EmailMessage  # the whole message, as received
    method: str  # the method on the inline part's content type
    text: str  # the inline calendar, decoded
    calendar: Calendar
    attached: str  # the invite.ics attachment, decoded

    @property
    def event(self):
        [event] = self.calendar.walk("VEVENT")
        return event


def received(sent) -> EmailMessage:
    """A message from django.core.mail.outbox as its recipient's mail client reads it."""
    parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def invitation_in(sent) -> Invitation:
    """The invitation: inline as the last alternative of multipart/alternative (text, HTML,
    calendar), and once more as an ``application/ics`` attachment."""
    mail = received(sent)
    [alternative] = [part for part in mail.walk() if part.get_content_type() == "multipart/alternative"]
    parts = list(alternative.iter_parts())
    assert [part.get_content_type() for part in parts][-1] == "text/calendar"
    inline = parts[-1]
    assert inline.get_content_disposition() is None
    assert inline.get_param("charset") == "utf-8"
    text = inline.get_content()
    [attachment] = [part for part in mail.iter_attachments()]
    assert (attachment.get_content_type(), attachment.get_filename()) == ("application/ics", "invite.ics")
    return Invitation(
        mail=mail,
        method=inline.get_param("method"),
        text=text,
        calendar=Calendar.from_ical(text),
        attached=attachment.get_content().decode(),
    )
