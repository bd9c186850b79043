"""Who added an endpoint is in their data export; erasing them forgets it and leaves the
pool's or the organisation's endpoint working; erasing a person takes them out of stored
deliveries, and bodies are dropped after the retention period (docs/webhooks.md, "Data
protection")."""

from __future__ import annotations

import datetime
import json

import pytest
from celery import current_app

from reflect.data_protection.erasure import erase_account
from reflect.data_protection.export import export_document
from reflect.errors import DomainError
from scheduling.services.bookings import reschedule_supervision
from tests.factories.bookings import NOW, book, utc
from tests.factories.webhooks import delivery_to, endpoint_for
from webhooks.data_protection import drop_old_payloads
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import resend_delivery

pytestmark = pytest.mark.django_db


def test_the_endpoint_is_in_its_makers_export_and_outlives_their_erasure(world) -> None:
    endpoint, _ = endpoint_for(
        organisation=world.organisation, url="https://hr.example.org/reflect", by=world.colleague
    )

    exported = json.dumps(export_document(world.colleague), default=str)
    assert "https://hr.example.org/reflect" in exported
    assert "https://hr.example.org/reflect" not in json.dumps(export_document(world.member), default=str)

    assert erase_account(world.colleague, acting_user=world.colleague) is True

    endpoint.refresh_from_db()
    assert (endpoint.created_by, endpoint.is_active, endpoint.url) == (None, True, "https://hr.example.org/reflect")


def _bodies_naming(person) -> list[str]:
    texts = [person.get_full_name(), person.first_name, person.email]  # their last name is everyone's
    return [
        body
        for body in WebhookDelivery.objects.values_list("body", flat=True)
        if any(text and text.lower() in body.lower() for text in texts)
    ]


def test_erasing_a_person_takes_them_out_of_the_leads_stored_deliveries(
    world, agreement, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """Delivered: the body is dropped (the receiver has it). Still to be sent, or failed: the
    message stays, without the person, and still names who else it named."""
    monkeypatch.setattr("webhooks.services.publish_deliveries", lambda ids, eta=None: None)
    hook, _ = endpoint_for(
        organisation=world.organisation, events=["booking.created", "booking.changed", "booking.cancelled"]
    )
    supervisor = agreement.supervisor.user
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(agreement, world.member, utc(11, 10))
        reschedule_supervision(booking, utc(12, 10), 60, acting_user=world.member, now=NOW)
        book(agreement, world.colleague, utc(13, 10))
    created, changed, colleagues = WebhookDelivery.objects.filter(endpoint=hook).order_by("pk")
    WebhookDelivery.objects.filter(pk=created.pk).update(status=DeliveryStatus.DELIVERED, delivered_at=NOW)
    WebhookDelivery.objects.filter(pk=changed.pk).update(status=DeliveryStatus.FAILED)
    colleagues_body = colleagues.body
    assert len(_bodies_naming(world.member)) == 2  # the control: the member is named before

    with django_capture_on_commit_callbacks(execute=True):  # the erasure cancels the session: one more event
        assert erase_account(world.member, acting_user=world.member) is True

    created.refresh_from_db()
    changed.refresh_from_db()
    colleagues.refresh_from_db()
    assert created.body == ""
    data = json.loads(changed.body)["data"]["booking"]
    assert (data["attendees"], data["supervisor"]) == (["[erased]"], supervisor.display_name)
    assert colleagues.body == colleagues_body  # another person's session: untouched
    cancelled = WebhookDelivery.objects.filter(endpoint=hook, event="booking.cancelled").get()
    assert json.loads(cancelled.body)["data"]["booking"]["attendees"] == [f"Erased account {world.member.pk}"]
    assert _bodies_naming(world.member) == []


def test_a_delivery_whose_body_is_gone_is_not_sent_again(world) -> None:
    hook, _ = endpoint_for(organisation=world.organisation)
    delivery = delivery_to(hook, status=DeliveryStatus.DELIVERED, body="")
    with pytest.raises(DomainError, match="no longer kept"):
        resend_delivery(delivery, acting_user=world.lead)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_delivered_and_failed_bodies_are_dropped_after_the_retention_period(world, settings) -> None:
    settings.WEBHOOK_PAYLOAD_RETENTION_DAYS = 30
    hook, _ = endpoint_for(organisation=world.organisation)
    old_delivered, new_delivered, old_failed, new_failed, waiting = (
        delivery_to(hook, status=status, body='{"data":{"attendees":["Sam Smith"]}}')
        for status in ["delivered", "delivered", "failed", "failed", "pending"]
    )
    made = NOW - datetime.timedelta(days=40)
    WebhookDelivery.objects.filter(pk__in=[old_failed.pk, waiting.pk, old_delivered.pk]).update(created_at=made)
    WebhookDelivery.objects.filter(pk=old_delivered.pk).update(delivered_at=NOW - datetime.timedelta(days=31))
    WebhookDelivery.objects.filter(pk=new_delivered.pk).update(delivered_at=NOW - datetime.timedelta(days=29))
    WebhookDelivery.objects.filter(pk=new_failed.pk).update(created_at=NOW - datetime.timedelta(days=29))

    assert drop_old_payloads(now=NOW) == 2
    assert drop_old_payloads(now=NOW) == 0  # a second run finds nothing
    bodies = dict(WebhookDelivery.objects.values_list("pk", "body"))
    assert [bodies[d.pk] == "" for d in (old_delivered, new_delivered, old_failed, new_failed, waiting)] == [
        True, False, True, False, False
    ]  # fmt: skip


def test_the_retention_works_in_bounded_batches_and_leaves_the_rest_to_the_next_run(
    world, settings, monkeypatch, django_assert_num_queries
) -> None:
    """Bounded work per run: batches of PAYLOAD_DROP_BATCH rows, at most PAYLOAD_DROP_MAX_BATCHES
    of them (a read and an UPDATE each); what is left is emptied by the next run."""
    settings.WEBHOOK_PAYLOAD_RETENTION_DAYS = 30
    monkeypatch.setattr("webhooks.data_protection.PAYLOAD_DROP_BATCH", 2)
    monkeypatch.setattr("webhooks.data_protection.PAYLOAD_DROP_MAX_BATCHES", 2)
    hook, _ = endpoint_for(organisation=world.organisation)
    old = [delivery_to(hook, status=DeliveryStatus.DELIVERED, body='{"data":{}}') for _ in range(5)]
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in old]).update(delivered_at=NOW - datetime.timedelta(days=31))

    with django_assert_num_queries(4):  # two batches: read two ids, empty them; twice
        assert drop_old_payloads(now=NOW) == 4
    assert WebhookDelivery.objects.exclude(body="").count() == 1
    with django_assert_num_queries(2):  # one short batch: the run ends there
        assert drop_old_payloads(now=NOW) == 1
    with django_assert_num_queries(1):
        assert drop_old_payloads(now=NOW) == 0
    assert WebhookDelivery.objects.exclude(body="").count() == 0


def test_the_daily_beat_runs_the_retention() -> None:
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["webhooks.drop_old_payloads"]["task"] == "webhooks.drop_old_payloads"
    assert "webhooks.drop_old_payloads" in current_app.tasks
