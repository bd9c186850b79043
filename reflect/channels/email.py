"""E-mail through Django's mail backend (SMTP in production, the console in the demo).

Two separate parts: ``build_email`` makes the message (what it says and carries), and
``MailBatch`` sends a batch of them over one connection to the mail server.
"""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from reflect.channels import PermanentDeliveryError, RenderedMessage, TransientDeliveryError
from reflect.models import Notification


def message_id(notification: Notification) -> str:
    # The same Message-ID on every attempt, so that in the one window where a message can go
    # twice (see reflect/tasks.py) mail systems can recognise the copy.
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "reflect.invalid"
    return f"<notification-{notification.pk}@{domain}>"


def build_email(notification: Notification, address: str, message: RenderedMessage) -> EmailMessage:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[address],
        headers={"Message-ID": message_id(notification)},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if notification.ics:
        # METHOD:REQUEST/CANCEL inside the file tells calendars to add or remove the event;
        # mail clients also look for it on the part's content type.
        method = "CANCEL" if "\r\nMETHOD:CANCEL\r\n" in notification.ics else "REQUEST"
        if "\r\nMETHOD:" not in notification.ics:
            email.attach("booking.ics", notification.ics, "text/calendar")
        else:
            email.attach("invite.ics", notification.ics, f"text/calendar; method={method}")
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
