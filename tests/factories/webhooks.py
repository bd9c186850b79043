"""Webhook endpoints and deliveries for tests, written directly (registering one through the
service looks the host name up, which a test with no network cannot)."""

from __future__ import annotations

from django.utils import timezone

from reflect.models import Membership
from scheduling.calendar_credentials import encrypt_secret
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.signing import new_message_id, new_secret


def endpoint_for(*, pool=None, organisation=None, url="https://hooks.example.org/reflect", events=None, by=None):
    """An active endpoint and its secret, kept (by default) by one who manages its owner: the
    pool's first commissioner, or the organisation's first lead (it sends only while they do)."""
    if by is None and pool is not None:
        by = pool.commissioners.order_by("pk").first()
    elif by is None and organisation is not None:
        lead = Membership.objects.leads().filter(organisation=organisation).first()
        by = lead.user if lead else None
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        pool=pool,
        organisation=organisation,
        url=url,
        events=events or ["booking.created", "place.taken"],
        secret=encrypt_secret(secret),
        created_by=by,
    )
    return endpoint, secret


def delivery_to(endpoint, *, status="failed", event="booking.created", body='{"type":"booking.created"}'):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id=new_message_id(),
        event=event,
        body=body,
        status=status,
        due_at=timezone.now(),
        attempts=1,
    )
