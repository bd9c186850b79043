"""An endpoint sends only while the person who added it (or last turned it on) still manages
its owner: commissions the pool, or leads the organisation (docs/webhooks.md, "When its keeper
goes"). Otherwise it is turned off, and the owner's current commissioners or leads are told."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reflect.models import Membership, Notification
from tests.factories.bookings import book, utc
from tests.factories.core import UserFactory, make_commissioner, staff_of
from tests.factories.webhooks import endpoint_for
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.django_db

REASON_ORGANISATION = "Turned off because the person who added it no longer manages the organisation."


@pytest.fixture(autouse=True)
def _not_sent(monkeypatch):
    """The rows are what is tested here; the worker is tested in test_delivery.py."""
    monkeypatch.setattr("webhooks.services.publish_deliveries", lambda ids, eta=None: None)


def _notified(kind="webhook_endpoint_disabled") -> list:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_an_endpoint_kept_by_a_current_lead_hears_the_event(world, agreement, django_capture_on_commit_callbacks):
    """The control."""
    hook, _ = endpoint_for(organisation=world.organisation, events=["booking.created"], by=world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        book(agreement, world.member, utc(11, 10))
    hook.refresh_from_db()
    assert (hook.is_active, WebhookDelivery.objects.filter(endpoint=hook).count()) == (True, 1)


def test_a_former_leads_endpoint_is_turned_off_and_the_leads_told(world, agreement, django_capture_on_commit_callbacks):
    former = staff_of(world.organisation, lead=True, first_name="Fran")
    hook, _ = endpoint_for(organisation=world.organisation, events=["booking.created"], by=former)
    Membership.objects.filter(user=former).update(is_lead=False)  # steps down, stays as staff

    with django_capture_on_commit_callbacks(execute=True):
        book(agreement, world.member, utc(11, 10))

    hook.refresh_from_db()
    assert (hook.is_active, hook.disabled_reason) == (False, REASON_ORGANISATION)
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 0
    assert _notified() == [world.lead.pk]  # the lead now, not the one who left the role
    notice = Notification.objects.get(kind="webhook_endpoint_disabled")
    assert (notice.context["reason"], notice.context["advice"]) == (
        REASON_ORGANISATION,
        "If the system it sends to is yours to keep, turn it back on (it is then yours), or delete it,",
    )


def test_a_former_commissioners_endpoint_is_turned_off_and_the_others_told(
    world, agreement, django_capture_on_commit_callbacks
):
    former = make_commissioner(world.pool, UserFactory(first_name="Fay"))
    hook, _ = endpoint_for(pool=world.pool, events=["booking.created"], by=former)
    world.pool.commissioners.remove(former)

    with django_capture_on_commit_callbacks(execute=True):
        book(agreement, world.member, utc(11, 10))

    hook.refresh_from_db()
    assert (hook.is_active, hook.disabled_reason) == (
        False,
        "Turned off because the person who added it no longer manages the pool.",
    )
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 0
    assert _notified() == [world.commissioner.pk]


def test_a_delivery_waiting_when_the_keeper_goes_is_not_sent(world, agreement, django_capture_on_commit_callbacks):
    second = staff_of(world.organisation, lead=True, first_name="Fran")
    hook, _ = endpoint_for(organisation=world.organisation, events=["booking.created"], by=second)
    with django_capture_on_commit_callbacks(execute=True):
        book(agreement, world.member, utc(11, 10))
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    Membership.objects.filter(user=second).update(left_at=timezone.now())  # leaves the organisation

    outcome = services.deliver_webhooks([delivery.pk])

    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert outcome == {delivery.pk: DeliveryStatus.FAILED}
    assert (delivery.status, delivery.attempts, delivery.log.count()) == (DeliveryStatus.FAILED, 1, 0)  # never sent
    assert (hook.is_active, hook.disabled_reason) == (False, REASON_ORGANISATION)
    assert _notified() == [world.lead.pk]


def test_a_current_lead_turning_it_back_on_keeps_it(world, agreement, django_capture_on_commit_callbacks):
    hook, _ = endpoint_for(organisation=world.organisation, events=["booking.created"], by=None)  # keeper erased
    hook.created_by = None
    hook.save(update_fields=["created_by"])
    with django_capture_on_commit_callbacks(execute=True):
        book(agreement, world.member, utc(11, 10))
    hook.refresh_from_db()
    assert hook.is_active is False

    services.set_endpoint_active(hook, active=True, acting_user=world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        book(agreement, world.colleague, utc(12, 10))

    hook.refresh_from_db()
    assert (hook.is_active, hook.created_by) == (True, world.lead)
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 1
