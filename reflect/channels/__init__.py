"""Delivery channels: e-mail (Django's mail backend) and GOV.UK Notify (text message, letter).

A channel either returns the provider's reference for the message, or raises one of the two
errors below; the dispatcher decides what happens next (reflect/services/notifications.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

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


class Template(Protocol):
    """What ``get_template`` gives: something that renders a context to text."""

    def render(self, context: dict[str, Any] | None = None) -> str: ...


class KindTemplates:
    """A kind's templates (templates/emails/<kind>/…), looked up once and used for many messages."""

    def __init__(self, kind: str) -> None:
        directory = kind_spec(kind).template_dir
        self.subject = get_template(f"{directory}/subject.txt")
        self.body = get_template(f"{directory}/body.txt")
        self.html = _optional_template(f"{directory}/body.html")
        self.sms = _optional_template(f"{directory}/sms.txt")

    def render(self, context: dict[str, Any], *, short: bool = True) -> RenderedMessage:
        """``short`` renders the text-message form too (sms.txt, or the subject when there is none).
        The subject and the text message are cut to what a mail client and a phone show
        (reflect/text_limits.py): they carry people's own text (titles, places), bounded in turn.
        """
        subject = shorten(" ".join(self.subject.render(context).split()), SUBJECT)
        text = self.body.render(context).strip() + "\n"
        html = self.html.render(context).strip() if self.html is not None else ""
        short_text = ""
        if short:
            short_text = self.sms.render(context).strip() if self.sms is not None else subject
        return RenderedMessage(subject=subject, text=text, html=html, short_text=shorten_keeping_link(short_text, SMS))


def _optional_template(name: str) -> Template | None:
    try:
        return get_template(name)
    except TemplateDoesNotExist:
        return None


def render_kind(kind: str, context: dict[str, Any], *, short: bool = True) -> RenderedMessage:
    """Render a kind's templates with the given context (KindTemplates.render)."""
    return KindTemplates(kind).render(context, short=short)


def render_notification(notification: Notification, *, short: bool = True) -> RenderedMessage:
    return render_kind(notification.kind, message_context(notification), short=short)


class Renderer:
    """Renders a batch's messages, looking each kind's templates up once for the whole batch."""

    def __init__(self) -> None:
        self._templates: dict[str, KindTemplates] = {}

    def render(self, notification: Notification, *, short: bool = True) -> RenderedMessage:
        templates = self._templates.get(notification.kind)
        if templates is None:
            templates = self._templates[notification.kind] = KindTemplates(notification.kind)
        return templates.render(message_context(notification), short=short)
