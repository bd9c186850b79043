"""Text messages and letters through the real GOV.UK Notify client, against a local stand-in."""

from __future__ import annotations

import datetime
import errno
import uuid

import pytest
from django.core import mail

from reflect.enums import Channel, NotificationStatus
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import DeliveryOutcome, deliver_notification, queue_notification
from reflect.services.preferences import update_preferences
from tests.reflect.fake_notify import API_KEY, FakeNotify

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
SMS_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
LETTER_TEMPLATE = "0a8b1e2c-3d4f-4a5b-8c6d-7e8f9a0b1c2d"


@pytest.fixture
def notify(settings):
    server = None
    for port in range(8150, 8170):  # this branch's port range
        try:
            server = FakeNotify(port).start()
            break
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    assert server is not None, "no free port in 8150–8169"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE
    settings.NOTIFY_LETTER_TEMPLATE_ID = LETTER_TEMPLATE
    settings.NOTIFY_BASE_URL = server.base_url
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    yield server
    server.stop()


def reminder(user, key="r"):
    context = {"title": "Reflective practice group", "when": "Tuesday 1 December, 14:00", "where": "", "url": ""}
    return queue_notification(user, NotificationKind.REMINDER, key=key, due_at=NOON, context=context)


def test_a_text_message_goes_through_notify(world, notify):
    update_preferences(world.member, channel=Channel.SMS, phone="07700 900123")
    notification = reminder(world.member)
    assert deliver_notification(notification.pk, now=NOON) == DeliveryOutcome.SENT
    assert notify.requests == [
        {
            "path": "/v2/notifications/sms",
            "body": {
                "phone_number": "07700 900123",
                "template_id": SMS_TEMPLATE,
                "personalisation": {
                    "message": "Reflect reminder: Reflective practice group, Tuesday 1 December, 14:00. "
                    "Can't make it? Let us know: http://127.0.0.1:8000"
                },
                "reference": f"reflect-notification-{notification.pk}",
            },
        }
    ]
    notification.refresh_from_db()
    assert (notification.status, notification.channel, notification.fallback_reason) == (
        NotificationStatus.SENT,
        Channel.SMS,
        "",
    )
    assert str(uuid.UUID(notification.provider_reference)) == notification.provider_reference
    assert mail.outbox == []


def test_a_letter_goes_through_notify_with_the_address_in_lines(world, notify):
    update_preferences(world.member, channel=Channel.LETTER, postal_address="Flat 2\n14 Roundhay Road\nLeeds\nLS8 5AN")
    notification = reminder(world.member)
    assert deliver_notification(notification.pk, now=NOON) == DeliveryOutcome.SENT
    [request] = notify.requests
    assert request["path"] == "/v2/notifications/letter"
    assert request["body"]["template_id"] == LETTER_TEMPLATE
    personalisation = request["body"]["personalisation"]
    assert {key: personalisation[key] for key in personalisation if key.startswith("address_line")} == {
        "address_line_1": "Flat 2",
        "address_line_2": "14 Roundhay Road",
        "address_line_3": "Leeds",
        "address_line_4": "LS8 5AN",
    }
    assert personalisation["subject"] == "Reminder: Reflective practice group, Tuesday 1 December, 14:00"


def test_notify_refusing_a_number_fails_with_the_reason_and_no_retry(world, notify):
    update_preferences(world.member, channel=Channel.SMS, phone="07700900400")
    notification = reminder(world.member)
    assert deliver_notification(notification.pk, now=NOON) == DeliveryOutcome.FAILED
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        NotificationStatus.FAILED,
        1,
        "GOV.UK Notify 400: phone_number Not a UK mobile number",
    )
    # A failed row is not picked up again.
    assert deliver_notification(notification.pk) == DeliveryOutcome.NOT_CLAIMED
    assert len(notify.requests) == 1


def test_a_notify_server_error_is_retried_with_backoff_then_fails(world, notify, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    update_preferences(world.member, channel=Channel.SMS, phone="07700900500")
    notification = reminder(world.member)
    now = NOON
    delays = []
    for _ in range(2):
        assert deliver_notification(notification.pk, now=now) == DeliveryOutcome.RETRY
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.PENDING
        assert notification.last_error == "GOV.UK Notify 500: Internal server error"
        delays.append(notification.due_at - now)
        # Not due yet: a duplicate task or the sweep does nothing before the backoff ends.
        assert deliver_notification(notification.pk, now=now) == DeliveryOutcome.NOT_CLAIMED
        now = notification.due_at
    assert delays == [datetime.timedelta(seconds=30), datetime.timedelta(seconds=60)]
    assert deliver_notification(notification.pk, now=now) == DeliveryOutcome.FAILED
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        NotificationStatus.FAILED,
        3,
        "Gave up after 3 attempts. Last error: GOV.UK Notify 500: Internal server error",
    )
    assert len(notify.requests) == 3


def test_a_notify_timeout_is_retried(world, notify):
    update_preferences(world.member, channel=Channel.LETTER, postal_address="slow\nLeeds\nLS1 1AA")
    notify.slow_seconds = 1.5
    notification = reminder(world.member)
    assert deliver_notification(notification.pk, now=NOON) == DeliveryOutcome.RETRY
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error.startswith("GOV.UK Notify 503: ")


def test_a_wrong_key_is_refused_by_notify_and_marked_failed(world, notify, settings):
    settings.NOTIFY_API_KEY = "reflect_test-26785a09-ab16-4eb0-8407-a37497a57506-00000000-0000-0000-0000-000000000000"
    update_preferences(world.member, channel=Channel.SMS, phone="07700900123")
    notification = reminder(world.member)
    assert deliver_notification(notification.pk, now=NOON) == DeliveryOutcome.FAILED
    notification.refresh_from_db()
    assert notification.last_error == "GOV.UK Notify 403: Signature verification failed"
    assert notify.requests == []
