"""Webhook endpoints, and the outbox of deliveries to them (docs/webhooks.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


# A delivery no worker will send again by itself: its owner may (webhooks.services.resend_delivery).
FINISHED = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


class WebhookEndpoint(models.Model):
    """An HTTPS address a commissioner (for their pool) or a lead (for their organisation) asked
    us to send events to. Exactly one of ``pool`` and ``organisation`` is set: it decides the
    audience, and so what the payloads may say (reflect/events.py)."""

    pool = models.ForeignKey("reflect.Pool", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        "reflect.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    url = models.CharField("endpoint address", max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="The event kinds it receives (reflect.events.EventKind).")
    # whsec_… encrypted at rest (scheduling/calendar_credentials.py); the previous one stays valid
    # until previous_secret_until after a rotation, and deliveries carry both signatures.
    secret = models.TextField()
    previous_secret = models.TextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The first failure since the last delivery that worked: a day of them disables the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pool__isnull=False, organisation__isnull=True)
                | Q(pool__isnull=True, organisation__isnull=False),
                name="webhook_endpoint_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row the worker claims, sends and retries. The body
    is fixed when the row is written, so a re-send is byte for byte the same message."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)  # the webhook-id header: msg_…
    event = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"

    @property
    def may_be_sent_again(self) -> bool:
        """Finished (delivered or failed) with its body still kept (webhooks/data_protection.py):
        what *Send again* offers, and what ``services.resend_delivery`` accepts."""
        return self.status in FINISHED and bool(self.body)


class WebhookAttempt(models.Model):
    """The log of each try: when, the status code, how long the receiver took, what went wrong."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%dT%H:%M:%SZ} {self.status_code or self.error}"
