"""Workers claiming the same batch of notifications at once each take a row once
(docs/notifications.md, "Batches"): the claim reads the rows FOR UPDATE SKIP LOCKED and marks
them sending in the same transaction.

On PostgreSQL only: SQLite serialises every writer, so it cannot show the race. Each thread
claims through its own database connection and closes it afterwards.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.utils import timezone

from reflect.enums import NotificationStatus
from reflect.locks import Lock
from reflect.models import Notification
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import claim_notifications, deliver_notifications
from tests.concurrency.lock_waits import all_at_once
from tests.conftest import requires_postgresql
from tests.reflect.smtp_sink import SmtpSink, send_mail_to

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

ROWS = 200
WORKERS = 8


def due_reminders() -> list[int]:
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_email=f"person{n}@example.org",
                kind=NotificationKind.REMINDER,
                idempotency_key=f"claim:{n}",
                due_at=timezone.now(),
                context={"title": "Reflective practice group", "when": "Thursday 10 December 2026, 14:00"},
            )
            for n in range(ROWS)
        ]
    )
    return [row.pk for row in rows]


def claim_all_at_once(ids: list[int]) -> Counter[int]:
    """Every worker asks for the whole batch at the same moment (the same task delivered to
    each, as a redelivery or a racing sweep would); how many times each row was taken."""
    taken: Counter[int] = Counter()
    lock = threading.Lock()
    now = timezone.now()

    def claim() -> None:
        rows = claim_notifications(ids, now=now)
        with lock:
            taken.update(row.pk for row in rows)

    assert all_at_once([claim] * WORKERS) == ["done"] * WORKERS
    return taken


def test_eight_workers_claiming_one_batch_at_once_take_each_row_exactly_once(db):
    ids = due_reminders()
    taken = claim_all_at_once(ids)
    assert taken == Counter(dict.fromkeys(ids, 1))
    assert set(Notification.objects.values_list("status", "attempts")) == {(NotificationStatus.SENDING, 1)}


def test_control_without_the_claim_s_lock_workers_take_the_same_rows(db, switch_off):
    """Proof the harness can catch a regression: read without the lock, the rows are taken twice."""
    switch_off(Lock.NOTIFICATION_CLAIM)
    for _ in range(5):
        Notification.objects.all().delete()
        taken = claim_all_at_once(due_reminders())
        if max(taken.values()) > 1:
            break
    else:  # pragma: no cover - the race did not show in five tries
        pytest.fail("Without the lock, eight workers never took the same row in five tries.")
    # Each extra claim counted an attempt: the rows taken twice would have been sent twice.
    twice = [pk for pk, times in taken.items() if times > 1]
    assert Notification.objects.filter(pk__in=twice, attempts__gt=1).count() == len(twice)


def test_four_workers_delivering_one_batch_at_once_send_each_message_once(db, settings):
    """The whole way, to a real SMTP server: every message arrives once, by its Message-ID."""
    sink = SmtpSink(keep_messages=False).start()
    send_mail_to(sink, settings)
    try:
        ids = due_reminders()
        assert all_at_once([lambda: deliver_notifications(ids)] * 4) == ["done"] * 4
    finally:
        sink.stop()
    assert sink.message_ids == Counter({f"<notification-{pk}@127.0.0.1>": 1 for pk in ids})
    assert set(Notification.objects.values_list("status", "attempts")) == {(NotificationStatus.SENT, 1)}
