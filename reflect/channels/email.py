"""E-mail through Django's mail backend (SMTP in production, the console in the demo).

Two separate parts: ``build_email`` makes the message (what it says and carries), and
``MailBatch`` sends a batch of them over one connection to the mail server.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.text import MIMEText
from email.utils import formataddr
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from reflect.channels import PermanentDeliveryError, RenderedMessage, TransientDeliveryError
from reflect.models import Notification

# An invitation's organizer, as scheduling/ical.py writes it: ORGANIZER;CN="Name":mailto:address
ORGANIZER = re.compile(r'^ORGANIZER;CN="([^"]*)":mailto:(\S+)$', re.MULTILINE)


def message_id(notification: Notification) -> str:
    # The same Message-ID on every attempt, so that in the one window where a message can go
    # twice (see reflect/tasks.py) mail systems can recognise the copy.
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "reflect.invalid"
    return f"<notification-{notification.pk}@{domain}>"


def itip_method(ics: str) -> str | None:
    """REQUEST or CANCEL for an invitation (RFC 5546), None for a plain calendar file."""
    for method in ("REQUEST", "CANCEL"):
        if f"\r\nMETHOD:{method}\r\n" in ics:
            return method
    return None


def organizer_of(ics: str) -> str:
    """The invitation's organizer as an address to reply to, or "" when it names none."""
    found = ORGANIZER.search(ics.replace("\r\n ", "").replace("\r\n", "\n"))
    return formataddr((found[1], found[2])) if found else ""


class InvitationEmail(EmailMultiAlternatives):
    """A message whose calendar part says its iTIP method on its content type
    (``text/calendar; charset=utf-8; method=REQUEST``), as RFC 6047 asks. Django writes the
    type alone, and re-writes an 8-bit part's parameters quoted when it sends, so the part is
    made here, in base64."""

    def __init__(self, *, method: str, ics: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.method, self.ics = method, ics

    def message(self, **kwargs: Any) -> Any:  # Django's signature differs between versions
        message = super().message(**kwargs)
        for part in message.walk():
            if part.get_content_type() == "multipart/alternative":
                parts = cast(list[Message], part.get_payload())  # a multipart's payload is its parts
                part.set_payload([self._calendar() if p.get_content_type() == "text/calendar" else p for p in parts])
        return message

    def _calendar(self) -> MIMEText:
        part = MIMEText(self.ics, "calendar", "utf-8")
        part.set_param("method", self.method, requote=False)
        return part


def _ics_file(ics: str) -> MIMEApplication:
    """The invitation again as a file, for the clients that look only at attachments. As
    ``application/ics`` (what the big providers send), so that a client which reads both
    does not show the meeting twice."""
    part = MIMEApplication(ics.encode(), "ics", name="invite.ics")
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def build_email(notification: Notification, address: str, message: RenderedMessage) -> EmailMessage:
    headers = {"Message-ID": message_id(notification)}
    method = itip_method(notification.ics) if notification.ics else None
    if method and (organizer := organizer_of(notification.ics)):
        # Replying to an invitation reaches whoever runs the session, not the no-reply sender.
        headers["Reply-To"] = organizer
    email = (
        InvitationEmail(
            method=method,
            ics=notification.ics,
            subject=message.subject,
            body=message.text,
            to=[address],
            headers=headers,
        )
        if method
        else EmailMultiAlternatives(subject=message.subject, body=message.text, to=[address], headers=headers)
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if method:
        # The calendar inline, as the last alternative (text, HTML, calendar: the order the big
        # providers use), is what makes Outlook treat it as a meeting request rather than a
        # file; it updates or removes the event it already has (docs/calendars.md, "E-mail").
        email.attach_alternative(notification.ics, "text/calendar")
        email.attach(_ics_file(notification.ics))
    elif notification.ics:
        email.attach("booking.ics", notification.ics, "text/calendar")
    return email


class MailBatch:
    """One connection to the mail server for a batch of messages (docs/notifications.md, "Batches").

    Opening an SMTP connection (TCP, greeting, TLS, login) costs more than sending a message, so
    a batch opens one on its first message and sends the rest over it. Each message still
    succeeds or fails on its own: a refused address or a "try later" fails that message only, on
    the same connection. A connection that breaks is closed, and the next message opens a new one. If
    the connection cannot be opened at all, the rest of the batch is not tried (each waits for
    its retry), so a dead server costs one attempt per batch, not one per message.
    """

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None
        self._unreachable: TransientDeliveryError | None = None

    def __enter__(self) -> MailBatch:
        return self

    def __exit__(self, *exception: object) -> None:
        self._close()

    def send(self, notification: Notification, email: EmailMessage) -> str:
        """Send one message; its reference (the Message-ID), or PermanentDeliveryError /
        TransientDeliveryError."""
        if self._unreachable is not None:
            raise self._unreachable
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (OSError, smtplib.SMTPException) as error:
                self._unreachable = TransientDeliveryError(f"Mail server: {error}")
                raise self._unreachable from error
            self._connection = connection
        try:
            self._connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            # The server answered and reset the conversation: the connection is still good.
            raise PermanentDeliveryError(f"The mail server refused the address: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            # The server answered (451: try later) and the conversation was reset: the
            # connection is still good, unless the answer was 421, "closing".
            if error.smtp_code == 421:
                self._close()
            raise TransientDeliveryError(f"Mail server: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            self._close()
            raise TransientDeliveryError(f"Mail server: {error}") from error
        return message_id(notification)

    def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # A connection that is already broken cannot be closed politely.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.close()
