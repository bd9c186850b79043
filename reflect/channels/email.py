"""E-mail through Django's mail backend (SMTP in production, the console in the demo)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from reflect.channels import PermanentDeliveryError, RenderedMessage, TransientDeliveryError
from reflect.models import Notification


def message_id(notification: Notification) -> str:
    # The same Message-ID on every attempt, so that in the one window where a message can go
    # twice (see reflect/tasks.py) mail systems can recognise the copy.
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "reflect.invalid"
    return f"<notification-{notification.pk}@{domain}>"


def send_email(notification: Notification, address: str, message: RenderedMessage) -> str:
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
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(f"The mail server refused the address: {error.recipients}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise TransientDeliveryError(f"Mail server: {error}") from error
    return message_id(notification)
