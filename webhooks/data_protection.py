"""Webhooks in a person's data (docs/data-protection.md; docs/webhooks.md, "Data protection").

An endpoint belongs to the pool or the organisation, not to the person: erasing them keeps it,
and forgets that they made it (``created_by`` is set to nobody); with no keeper it is turned off
at its next event until a current lead or commissioner turns it back on (webhooks.services).

A lead's deliveries name the organisation's staff (a supervision session's supervisor and
attendees, reflect/events.py), and the body is stored so that a retry is the same message.
Erasing a person takes them out of those bodies: a delivery still to be sent (or failed, and so
open to being sent again) is rewritten without them; one already delivered keeps no body at all.
And no delivered or failed body is kept longer than ``WEBHOOK_PAYLOAD_RETENTION_DAYS``
(``drop_old_payloads``, daily from beat).
"""

from __future__ import annotations

import datetime
import json
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from reflect.data_protection.registry import Erasure, register_erasure_step, register_export
from reflect.models import User
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import encode_body


def _registered_by(user: User) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(created_by=user).order_by("pk")


register_export(
    WebhookEndpoint,
    "Webhook endpoints you registered",
    _registered_by,
    ["url", "description", "events", "created_at", "is_active"],
)


@register_erasure_step(40, "webhooks: forget who registered an endpoint")
def forget_endpoint_owner(erasure: Erasure) -> None:
    erasure.count("webhook endpoints", WebhookEndpoint.objects.filter(created_by=erasure.user).update(created_by=None))


def _as_in_a_body(text: str) -> str:
    """The text as ``encode_body`` writes it inside a JSON string (non-ASCII escaped)."""
    return json.dumps(text)[1:-1]


@register_erasure_step(41, "webhooks: take the person out of stored deliveries")
def forget_person_in_deliveries(erasure: Erasure) -> None:
    """Bodies that may mention the person are found by their strings, then read: a value that is
    the person's address or full name (or exactly their first or last name) goes. A body that
    only contains the text elsewhere (a colleague named Ann beside an erased Ann Carter) is
    left as it was."""
    strings = [text for text in [*erasure.phrases, *erasure.names] if text]
    if not strings:
        return
    maybe = reduce(or_, (Q(body__icontains=_as_in_a_body(text)) for text in strings))
    changed = []
    for delivery in WebhookDelivery.objects.filter(maybe).exclude(body="").only("pk", "status", "body").iterator():
        document = json.loads(delivery.body)
        scrubbed = erasure.scrub_json(document)
        if scrubbed == document:
            continue
        # Delivered: the receiver has it; we keep no copy. Otherwise it may still be sent (or
        # sent again), so the message stays, without the person.
        delivery.body = "" if delivery.status == DeliveryStatus.DELIVERED else encode_body(scrubbed)
        changed.append(delivery)
    WebhookDelivery.objects.bulk_update(changed, ["body"], batch_size=500)
    erasure.count("webhook deliveries", len(changed))


# The retention's work per run is bounded: bodies are emptied in batches of this many rows, each
# its own short UPDATE (no long transaction holding row locks against the worker), and a run
# stops after this many batches; what is left waits for the next run. Walking up by id, each run
# reads the table once, however many batches it takes.
PAYLOAD_DROP_BATCH = 1000
PAYLOAD_DROP_MAX_BATCHES = 100


def drop_old_payloads(*, now: datetime.datetime | None = None) -> int:
    """Daily from beat: delivered deliveries keep their body ``WEBHOOK_PAYLOAD_RETENTION_DAYS``
    after delivery, failed ones as long after they were made (long enough to mend the receiver
    and send them again); then only the facts of sending stay (when, the status code, how long).

    How many bodies this run emptied: at most ``PAYLOAD_DROP_BATCH × PAYLOAD_DROP_MAX_BATCHES``.
    Idempotent: an emptied body is never chosen again, so a second run (or two at once) finds
    only what the first left."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WEBHOOK_PAYLOAD_RETENTION_DAYS)
    old = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.DELIVERED, delivered_at__lt=cutoff)
        | Q(status=DeliveryStatus.FAILED, created_at__lt=cutoff)
    ).exclude(body="")
    dropped, after = 0, 0
    for _ in range(PAYLOAD_DROP_MAX_BATCHES):
        batch = list(old.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:PAYLOAD_DROP_BATCH])
        if not batch:
            break
        # Status and age are checked again by the UPDATE itself: a row sent again since the
        # batch was read (pending now) keeps its body.
        dropped += old.filter(pk__in=batch).update(body="")
        after = batch[-1]
        if len(batch) < PAYLOAD_DROP_BATCH:
            break
    return dropped
