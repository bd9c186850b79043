"""Workers claiming the same batch of webhook deliveries at once each take a row once
(docs/webhooks.md, "How it is built"): the claim reads the rows FOR UPDATE SKIP LOCKED and marks
them sending in the same transaction.

On PostgreSQL only: SQLite serialises every writer, so it cannot show the race. Each thread
claims through its own database connection and closes it afterwards.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.utils import timezone

from reflect.locks import Lock
from tests.concurrency.lock_waits import all_at_once
from tests.conftest import requires_postgresql
from tests.factories.core import PoolFactory
from tests.factories.webhooks import endpoint_for
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import claim_deliveries

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

ROWS = 200
WORKERS = 8


def due_deliveries() -> list[int]:
    endpoint, _ = endpoint_for(pool=PoolFactory())
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, message_id=f"msg_{n}", event="place.taken", body="{}", due_at=timezone.now())
        for n in range(ROWS)
    )
    return [row.pk for row in rows]


def claim_all_at_once(ids: list[int]) -> Counter[int]:
    """Every worker asks for the whole batch at the same moment; how often each row was taken."""
    taken: Counter[int] = Counter()
    lock = threading.Lock()
    now = timezone.now()

    def claim() -> None:
        rows = claim_deliveries(ids, now=now)
        with lock:
            taken.update(row.pk for row in rows)

    assert all_at_once([claim] * WORKERS) == ["done"] * WORKERS
    return taken


def test_eight_workers_claiming_one_batch_at_once_take_each_delivery_exactly_once(db):
    ids = due_deliveries()
    taken = claim_all_at_once(ids)
    assert taken == Counter(dict.fromkeys(ids, 1))
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENDING, 1)}


def test_control_without_the_claim_s_lock_workers_take_the_same_deliveries(db, switch_off):
    """Proof the harness can catch a regression: read without the lock, rows are taken twice."""
    switch_off(Lock.WEBHOOK_CLAIM)
    for _ in range(5):
        WebhookDelivery.objects.all().delete()
        taken = claim_all_at_once(due_deliveries())
        if max(taken.values()) > 1:
            break
    else:  # pragma: no cover - the race did not show in five tries
        pytest.fail("Without the lock, eight workers never took the same delivery in five tries.")
