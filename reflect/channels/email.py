"""E-mail through Django's mail backend (SMTP in production, the console in the demo).

Separate parts: ``email_content`` says what a message carries; ``build_email`` makes it a Django
message and ``MimeWriter`` (reflect/channels/mime.py) writes its bytes; ``MailBatch`` sends a
batch of them over one connection to the mail server (reflect/channels/smtp.py).
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
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.utils.module_loading import import_string

from reflect.channels import PermanentDeliveryError, RenderedMessage, TransientDeliveryError
from reflect.channels.mime import EmailContent, MimeWriter
from reflect.channels.smtp import envelope_address, send_message
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


def email_content(notification: Notification, address: str, message: RenderedMessage) -> EmailContent:
    """What the notification's e-mail carries: its text, HTML, calendar and headers."""
    headers = {"Message-ID": message_id(notification)}
    method = itip_method(notification.ics) if notification.ics else None
    if method and (organizer := organizer_of(notification.ics)):
        # Replying to an invitation reaches whoever runs the session, not the no-reply sender.
        headers["Reply-To"] = organizer
    return EmailContent(
        to=address,
        subject=message.subject,
        text=message.text,
        html=message.html,
        headers=headers,
        ics=notification.ics,
        method=method,
    )


def build_email(content: EmailContent) -> EmailMessage:
    """The message as Django's mail backends take it (the console in the demo, the tests' outbox,
    any backend but Django's SMTP one, which ``MailBatch`` does without)."""
    email = (
        InvitationEmail(
            method=content.method,
            ics=content.ics,
            subject=content.subject,
            body=content.text,
            to=[content.to],
            headers=content.headers,
        )
        if content.method
        else EmailMultiAlternatives(
            subject=content.subject, body=content.text, to=[content.to], headers=content.headers
        )
    )
    if content.html:
        email.attach_alternative(content.html, "text/html")
    if content.method:
        # The calendar inline, as the last alternative (text, HTML, calendar: the order the big
        # providers use), is what makes Outlook treat it as a meeting request rather than a
        # file; it updates or removes the event it already has (docs/calendars.md, "E-mail").
        email.attach_alternative(content.ics, "text/calendar")
        email.attach(_ics_file(content.ics))
    elif content.ics:
        email.attach("booking.ics", content.ics, "text/calendar")
    return email


class MailBatch:
    """One connection to the mail server for a batch of messages (docs/notifications.md, "Batches").

    Opening an SMTP connection (TCP, greeting, TLS, login) costs more than sending a message, so
    a batch opens one on its first message and sends the rest over it. Each message still
    succeeds or fails on its own: a refused address or a "try later" fails that message only, on
    the same connection. A connection that breaks is closed, and the next message opens a new one. If
    the connection cannot be opened at all, the rest of the batch is not tried (each waits for
    its retry), so a dead server costs one attempt per batch, not one per message.

    With Django's SMTP backend (as deployed), Django opens the connection (TLS, login) and the
    batch then speaks SMTP over it itself: each message's bytes written by ``MimeWriter``, and
    sent by ``send_message``, which pipelines the commands when the server allows it. With any
    other backend (the console in the demo, the tests' outbox) it hands the backend
    ``build_email``'s message.
    """

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None
        self._unreachable: TransientDeliveryError | None = None
        # Django's own SMTP backend, not one derived from it (which may send differently), and
        # the default charset, which MimeWriter writes as Django does.
        self._direct = import_string(settings.EMAIL_BACKEND) is SmtpEmailBackend and settings.DEFAULT_CHARSET == "utf-8"
        self._writer: MimeWriter | None = None
        self._sender = ""

    def __enter__(self) -> MailBatch:
        return self

    def __exit__(self, *exception: object) -> None:
        self._close()

    def send(self, notification: Notification, address: str, message: RenderedMessage) -> str:
        """Send one message; its reference (the Message-ID), or PermanentDeliveryError /
        TransientDeliveryError."""
        if self._unreachable is not None:
            raise self._unreachable
        content = email_content(notification, address, message)
        email = None if self._direct else build_email(content)
        if self._direct:
            if self._writer is None:
                self._writer, self._sender = MimeWriter(), envelope_address(settings.DEFAULT_FROM_EMAIL)
            data, recipient = self._writer.write(content), envelope_address(address)
        connection = self._open()
        try:
            if email is not None:
                connection.send_messages([email])
            else:
                send_message(_smtp(connection), self._sender, recipient, data)
        except smtplib.SMTPRecipientsRefused as error:
            # The server answered and the conversation was reset: the connection is still good,
            # unless the answer was 421, "closing". A 4xx answer (greylisting, a full mailbox)
            # is "not now": the message is tried again.
            answers = [code for code, _ in error.recipients.values()]
            if 421 in answers:
                self._close()
            if all(400 <= code < 500 for code in answers):
                raise TransientDeliveryError(f"Mail server: {error.recipients}") from error
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
        return content.headers["Message-ID"]

    def _open(self) -> BaseEmailBackend:
        if self._direct and self._connection is not None and _smtp(self._connection).sock is None:
            self._close()  # the server closed it (421 at an address)
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (OSError, smtplib.SMTPException) as error:
                self._unreachable = TransientDeliveryError(f"Mail server: {error}")
                raise self._unreachable from error
            self._connection = connection
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # A connection that is already broken cannot be closed politely.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.close()


def _smtp(connection: BaseEmailBackend) -> smtplib.SMTP:
    """The open connection of Django's SMTP backend."""
    smtp = cast(SmtpEmailBackend, connection).connection
    assert smtp is not None  # opened by MailBatch._open
    return smtp
