"""Delivery channels: e-mail (Django's mail backend) and GOV.UK Notify (text message, letter).

A channel either returns the provider's reference for the message, or raises one of the two
errors below; the dispatcher decides what happens next (reflect/services/notifications.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from reflect.models import Notification
from reflect.notification_kinds import kind_spec
from reflect.text_limits import SMS, SUBJECT, shorten, shorten_keeping_link


class DeliveryError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermanentDeliveryError(DeliveryError):
    """The provider refused the message (a bad number, say): trying again cannot help."""


class TransientDeliveryError(DeliveryError):
    """The provider or the network failed for now (5xx, timeout): try again later."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    short_text: str


def message_context(notification: Notification) -> dict[str, Any]:
    context: dict[str, Any] = dict(notification.context)
    context.update(notification.secret_context)
    context["recipient"] = notification.recipient
    context["site_url"] = settings.SITE_URL
    return context


def render_kind(kind: str, context: dict[str, Any], *, short: bool = True) -> RenderedMessage:
    """Render a kind's templates (templates/emails/<kind>/…) with the given context.

    ``short`` renders the text-message form too (sms.txt, or the subject when there is none).
    The subject and the text message are cut to what a mail client and a phone show
    (reflect/text_limits.py): they carry people's own text (titles, places), bounded in turn.
    """
    directory = kind_spec(kind).template_dir
    subject = shorten(" ".join(render_to_string(f"{directory}/subject.txt", context).split()), SUBJECT)
    text = render_to_string(f"{directory}/body.txt", context).strip() + "\n"
    try:
        html = render_to_string(f"{directory}/body.html", context).strip()
    except TemplateDoesNotExist:
        html = ""
    short_text = ""
    if short:
        try:
            short_text = render_to_string(f"{directory}/sms.txt", context).strip()
        except TemplateDoesNotExist:
            short_text = subject
    return RenderedMessage(subject=subject, text=text, html=html, short_text=shorten_keeping_link(short_text, SMS))


def render_notification(notification: Notification, *, short: bool = True) -> RenderedMessage:
    return render_kind(notification.kind, message_context(notification), short=short)
