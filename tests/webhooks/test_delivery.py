"""Webhook deliveries end to end against a real local receiver (docs/webhooks.md): signed as
Standard Webhooks says, checked here with the specification's own library; retried with
backoff; turned off after a day of failures; sent again by hand; sent once however often the
task runs; bounded in time and in what is read."""

from __future__ import annotations

import datetime
import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from reflect.events import Audience, Event, EventKind
from reflect.models import Notification
from tests.factories.bookings import book, utc
from tests.factories.core import signed_in
from tests.factories.webhooks import endpoint_for
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def booked_and_delivered(agreement, member, capture) -> WebhookDelivery:
    """Book a session; the event, its delivery row and the delivery itself all follow the
    commit (in-process here: the tests run Celery's tasks eagerly)."""
    with capture(execute=True):
        book(agreement, member, utc(11, 10))
    return WebhookDelivery.objects.get()


def test_a_booking_reaches_the_commissioners_endpoint_signed_and_verified(
    world, agreement, receiver, django_capture_on_commit_callbacks
) -> None:
    _endpoint, secret = endpoint_for(
        pool=world.pool, url=receiver.url, events=["booking.created"], by=world.commissioner
    )

    delivery = booked_and_delivered(agreement, world.member, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/reflect-events"
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["content-type"] == "application/json"
    # The specification's reference library accepts it: id, timestamp and HMAC over id.timestamp.body.
    body = Webhook(secret).verify(request.body, request.headers)
    booking = agreement.bookings.get()
    assert body == {
        "type": "booking.created",
        "timestamp": "2027-01-04T09:00:00Z",
        "data": {
            "booking": {
                "id": booking.pk,
                "status": "booked",
                "starts_at": "2027-01-11T10:00:00Z",
                "ends_at": "2027-01-11T11:00:00Z",
                "minutes": 60,
                "hours": "1.00",
                "group_supervision": False,
                "mode": "online",
                "cancelled_at": None,
            },
            "pool_id": world.pool.pk,
            "organisation": {"id": world.organisation.pk, "name": world.organisation.name},
        },
    }
    # A wrong secret is refused by the same library.
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request.body, request.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    attempt = WebhookAttempt.objects.get()
    assert (attempt.delivery_id, attempt.status_code, attempt.error) == (delivery.pk, 200, "")
    assert 0 <= attempt.response_ms < 5000
    assert delivery.last_response_ms == attempt.response_ms


def test_an_endpoint_hears_only_the_events_it_chose_and_only_its_own_pool_or_organisation(
    world, agreement, receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(pool=world.pool, url=receiver.url, events=["booking.cancelled"])
    endpoint_for(pool=world.other_pool, url=receiver.url, events=["booking.created"])
    endpoint_for(organisation=world.other_organisation, url=receiver.url, events=["booking.created"])
    mine, _ = endpoint_for(organisation=world.organisation, url=receiver.url, events=["booking.created"])

    delivery = booked_and_delivered(agreement, world.member, django_capture_on_commit_callbacks)

    assert delivery.endpoint_id == mine.pk
    assert len(receiver.requests) == 1


def test_a_rotated_secret_keeps_the_old_one_signing_for_the_grace_period(world, receiver) -> None:
    endpoint, old = endpoint_for(pool=world.pool, url=receiver.url)
    new = services.rotate_secret(endpoint, acting_user=world.commissioner)
    endpoint.refresh_from_db()
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_rotation", event="booking.created", body="{}", due_at=timezone.now()
    )

    services.deliver_webhooks([delivery.pk])

    request = receiver.requests[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    # A receiver holding either secret accepts the delivery.
    assert Webhook(old).verify(request.body, request.headers) == {}
    assert Webhook(new).verify(request.body, request.headers) == {}
    # Once the grace period is over, only the new secret signs.
    assert services.signing_secrets(endpoint, timezone.now() + datetime.timedelta(hours=25)) == [new]


def test_a_failure_is_retried_later_with_backoff_and_logged(world, receiver) -> None:
    receiver.statuses = [500, 200]
    endpoint, _ = endpoint_for(pool=world.pool, url=receiver.url)
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_retry", event="booking.created", body="{}", due_at=timezone.now()
    )
    before = timezone.now()

    assert services.deliver_webhooks([delivery.pk]) == {delivery.pk: DeliveryStatus.PENDING}

    delivery.refresh_from_db()
    # The first wait is between half and all of the base (30 seconds): jitter.
    assert before + datetime.timedelta(seconds=15) <= delivery.due_at <= timezone.now() + datetime.timedelta(seconds=30)
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 500, "The endpoint answered 500.")
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.is_active
    # Not due yet: nothing is sent.
    assert services.deliver_webhooks([delivery.pk]) == {delivery.pk: "not claimed"}
    # When it falls due, it goes, and the endpoint's failures are forgotten.
    assert services.deliver_webhooks([delivery.pk], now=delivery.due_at) == {delivery.pk: DeliveryStatus.DELIVERED}
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
    assert list(WebhookAttempt.objects.order_by("pk").values_list("status_code", flat=True)) == [500, 200]
    assert {r.headers["webhook-id"] for r in receiver.requests} == {"msg_retry"}  # the same message, again


def test_the_backoff_doubles_up_to_its_cap_with_jitter(settings) -> None:
    rng = random.Random(7)
    for attempts in range(1, 16):
        ceiling = min(6 * 60 * 60, 30 * 2 ** (attempts - 1))
        wait = services.retry_delay(attempts, rng=rng).total_seconds()
        assert ceiling / 2 <= wait <= ceiling
    # The waits between the attempts add up to more than a day even at their shortest: a dead
    # endpoint is turned off (after a day) before its deliveries run out of attempts.
    assert sum(min(6 * 3600, 30 * 2 ** (n - 1)) / 2 for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)) > 24 * 3600


def test_a_day_of_failures_turns_the_endpoint_off_and_tells_its_owner(world, receiver) -> None:
    receiver.statuses = [503]
    endpoint, _ = endpoint_for(pool=world.pool, url=receiver.url, by=world.commissioner)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - datetime.timedelta(hours=24))
    failing = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_last", event="booking.created", body="{}", due_at=timezone.now()
    )
    waiting = services.WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_waiting",
        event="booking.created",
        body="{}",
        due_at=timezone.now() + datetime.timedelta(hours=1),
    )

    assert services.deliver_webhooks([failing.pk]) == {failing.pk: DeliveryStatus.FAILED}

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "Turned off after 24 hours in which no delivery worked."
    waiting.refresh_from_db()
    assert (waiting.status, waiting.last_error) == (DeliveryStatus.FAILED, "The endpoint was turned off.")
    notice = Notification.objects.get(kind="webhook_endpoint_disabled")
    assert notice.recipient == world.commissioner
    assert notice.context["url"] == receiver.url
    assert notice.context["page"].endswith(reverse("webhook_endpoint", args=[endpoint.pk]))
    # A second failing worker does not tell them twice.
    services._disable_after_failures(endpoint, timezone.now())
    assert Notification.objects.filter(kind="webhook_endpoint_disabled").count() == 1


def test_a_delivery_is_sent_again_by_hand_from_the_endpoints_page(
    client, world, receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.statuses = [500, 200]
    endpoint, secret = endpoint_for(organisation=world.organisation, url=receiver.url, by=world.lead)
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_again", event="booking.created", body='{"a":1}', due_at=timezone.now()
    )
    services.WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=17)  # the next is the last
    services.deliver_webhooks([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED

    signed_in(client, world.lead)
    page = client.get(reverse("webhook_endpoint", args=[endpoint.pk]))
    assert "Send again" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhook_delivery_resend", args=[endpoint.pk, delivery.pk]))

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert [r.headers["webhook-id"] for r in receiver.requests] == ["msg_again", "msg_again"]
    assert Webhook(secret).verify(receiver.requests[1].body, receiver.requests[1].headers) == {"a": 1}


def test_a_batch_is_sent_once_however_often_its_task_runs(world, receiver) -> None:
    endpoint, _ = endpoint_for(pool=world.pool, url=receiver.url)
    deliveries = [
        services.WebhookDelivery.objects.create(
            endpoint=endpoint, message_id=f"msg_{n}", event="place.taken", body="{}", due_at=timezone.now()
        )
        for n in range(3)
    ]
    ids = [d.pk for d in deliveries]

    first = services.deliver_webhooks(ids)
    second = services.deliver_webhooks(ids)

    assert set(first.values()) == {DeliveryStatus.DELIVERED}
    assert set(second.values()) == {"not claimed"}
    assert sorted(r.headers["webhook-id"] for r in receiver.requests) == ["msg_0", "msg_1", "msg_2"]


def test_a_slow_receiver_is_cut_off_at_the_timeout(settings, world, receiver) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.delay_seconds = 2
    endpoint, _ = endpoint_for(pool=world.pool, url=receiver.url)
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_slow", event="place.taken", body="{}", due_at=timezone.now()
    )

    services.deliver_webhooks([delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "No answer within 0.5 seconds."
    assert delivery.last_status_code is None
    assert 400 <= delivery.last_response_ms < 1500


def test_a_long_answer_is_read_only_up_to_the_cap(settings, world, receiver) -> None:
    settings.WEBHOOK_RESPONSE_MAX_BYTES = 1024
    receiver.answer_bytes = 4 * 1024 * 1024
    endpoint, _ = endpoint_for(pool=world.pool, url=receiver.url)
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_long", event="place.taken", body="{}", due_at=timezone.now()
    )

    assert services.deliver_webhooks([delivery.pk]) == {delivery.pk: DeliveryStatus.DELIVERED}


def test_the_sweep_publishes_what_was_missed_and_recovers_a_dead_workers_rows(world, monkeypatch) -> None:
    published: list[list[int]] = []
    monkeypatch.setattr(services, "publish_deliveries", lambda ids, eta=None: published.append(list(ids)))
    endpoint, _ = endpoint_for(pool=world.pool)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    lost = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_lost", event="place.taken", body="{}", due_at=long_ago
    )
    stuck = services.WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_stuck",
        event="place.taken",
        body="{}",
        due_at=long_ago,
        status=DeliveryStatus.SENDING,
        claimed_at=long_ago,
    )
    fresh = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_fresh", event="place.taken", body="{}", due_at=timezone.now()
    )

    ids = services.sweep_webhooks()

    assert sorted(ids) == sorted([lost.pk, stuck.pk])  # the fresh one's own task is on its way
    stuck.refresh_from_db()
    assert stuck.status == DeliveryStatus.PENDING
    assert fresh.pk not in ids


def test_the_body_is_json_with_the_event_type(world) -> None:
    event = Event(
        EventKind.PLACE_TAKEN,
        world.pool.pk,
        None,
        datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC),
        lambda a: {"x": a},
    )
    assert json.loads(services.message_body(event, event.payload(Audience.COMMISSIONER))) == {
        "type": "place.taken",
        "timestamp": "2027-01-04T09:00:00Z",
        "data": {"x": "commissioner"},
    }


def test_a_batch_costs_the_same_statements_whatever_its_size(world, receiver) -> None:
    """Claimed in one transaction, its results written in one more: never a commit per delivery."""
    endpoint, _ = endpoint_for(pool=world.pool, url=receiver.url)
    counts = []
    for size in (2, 12):
        ids = [
            services.WebhookDelivery.objects.create(
                endpoint=endpoint, message_id=f"msg_{size}_{n}", event="place.taken", body="{}", due_at=timezone.now()
            ).pk
            for n in range(size)
        ]
        with CaptureQueriesContext(connection) as captured:
            assert set(services.deliver_webhooks(ids).values()) == {DeliveryStatus.DELIVERED}
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert WebhookAttempt.objects.count() == 14
