"""Text messages and letters through GOV.UK Notify, with its official Python client.

Our Notify templates are generic: the SMS template's body is ``((message))``; the letter
template's is ``((subject))`` as its heading and ``((body))``, with the address in
``address_line_1`` … ``address_line_7`` as Notify requires.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from reflect.channels import PermanentDeliveryError, RenderedMessage, TransientDeliveryError
from reflect.models import Notification


def notify_configured_for(channel: str) -> bool:
    template_id = settings.NOTIFY_SMS_TEMPLATE_ID if channel == "sms" else settings.NOTIFY_LETTER_TEMPLATE_ID
    return bool(settings.NOTIFY_API_KEY and template_id)


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT_SECONDS
    )


def _reference(notification: Notification) -> str:
    return f"reflect-notification-{notification.pk}"


def _describe(error: HTTPError) -> str:
    message = error.message
    if isinstance(message, list):  # Notify answers {"errors": [{"error": …, "message": …}]}
        message = "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in message)
    return f"GOV.UK Notify {error.status_code}: {message}"


def _send(call: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> str:
    try:
        response = call(*args, **kwargs)
    except HTTPError as error:
        # The client turns timeouts and refused connections into a 503 too. Too many
        # requests (429) and server errors pass; anything else is about this message.
        if error.status_code == 429 or error.status_code >= 500:
            raise TransientDeliveryError(_describe(error)) from error
        raise PermanentDeliveryError(_describe(error)) from error
    return str(response.get("id", ""))


def address_lines(postal_address: str) -> dict[str, str]:
    lines = [line.strip() for line in postal_address.replace(",", "\n").splitlines() if line.strip()]
    # Notify takes at most 7 lines; join any surplus onto the last so nothing is lost.
    if len(lines) > 7:
        lines = [*lines[:6], ", ".join(lines[6:])]
    return {f"address_line_{number}": line for number, line in enumerate(lines, start=1)}


def send_sms(notification: Notification, phone: str, message: RenderedMessage) -> str:
    return _send(
        _client().send_sms_notification,
        phone_number=phone,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"message": message.short_text},
        reference=_reference(notification),
    )


def send_letter(notification: Notification, postal_address: str, message: RenderedMessage) -> str:
    return _send(
        _client().send_letter_notification,
        template_id=settings.NOTIFY_LETTER_TEMPLATE_ID,
        personalisation={**address_lines(postal_address), "subject": message.subject, "body": message.text},
        reference=_reference(notification),
    )
