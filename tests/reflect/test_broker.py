"""A task published in one Redis command (reflect/broker.py): what goes on the broker is what
Celery's apply_async puts there, ids apart, so a worker takes it as before. A real worker
consuming it, exactly once, is tests/reflect/test_notifications_worker.py's."""

from __future__ import annotations

import base64
import datetime
import json
import os
from collections.abc import Callable

import pytest
import redis
from django.conf import settings as django_settings
from django.core import mail

from config.celery import app as celery_app
from reflect.broker import publish_task
from reflect.enums import NotificationStatus
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import DISPATCH_BATCH_TASK, queue_notification
from scheduling.services import calendar_sync

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")
IDS = ("id", "root_id", "correlation_id", "delivery_tag")  # each message's own


def queued(publish: Callable[[], None]) -> list[dict]:
    """What ``publish`` puts on the broker's queue, oldest first, each body decoded."""
    celery_app.conf.task_always_eager = False  # the autouse fixture puts it back
    celery_app.control.purge()
    try:
        publish()
        raw = redis.Redis.from_url(django_settings.REDIS_URL).lrange("celery", 0, -1)
    finally:
        celery_app.control.purge()
    messages = [json.loads(message) for message in reversed(raw)]  # the broker pushes on the left
    for message in messages:
        message["body"] = json.loads(base64.b64decode(message["body"]))
    return messages


def without_ids(message: dict) -> dict:
    headers = {name: value for name, value in message["headers"].items() if name not in IDS}
    properties = {name: value for name, value in message["properties"].items() if name not in IDS}
    return message | {"headers": headers, "properties": properties}


@needs_redis
def test_a_task_published_in_one_command_is_what_apply_async_publishes_but_for_its_ids():
    task = celery_app.tasks[DISPATCH_BATCH_TASK]
    by_celery, first, second = queued(
        lambda: (
            task.apply_async(args=[[5, 6]], retry=False),
            publish_task(DISPATCH_BATCH_TASK, [[5, 6]]),
            publish_task(DISPATCH_BATCH_TASK, [[7]]),
        )
    )
    assert without_ids(first) == without_ids(by_celery)
    assert first["body"] == [[[5, 6]], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}]
    assert (first["headers"]["task"], first["headers"]["argsrepr"]) == (DISPATCH_BATCH_TASK, "[[5, 6]]")
    # Each message its own task id, named where Celery names it, and its own delivery tag.
    for message in (by_celery, first, second):
        task_id = message["headers"]["id"]
        assert message["headers"]["root_id"] == message["properties"]["correlation_id"] == task_id
    assert len({message["headers"]["id"] for message in (by_celery, first, second)}) == 3
    assert len({message["properties"]["delivery_tag"] for message in (by_celery, first, second)}) == 3
    assert (second["body"][0], second["headers"]["argsrepr"]) == ([[7]], "[[7]]")


@needs_redis
def test_a_task_with_a_time_to_wait_for_is_left_to_apply_async():
    eta = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    [message] = queued(lambda: publish_task(DISPATCH_BATCH_TASK, [[5]], eta=eta))
    assert message["headers"]["eta"] == eta.isoformat()


@pytest.mark.django_db
def test_in_eager_mode_the_task_runs_here():
    row = queue_notification(
        None,
        NotificationKind.REMINDER,
        key="reminder:eager",
        email="eager@example.org",
        context={"title": "Reflective practice group", "when": "Thursday 10 December 2026, 2pm"},
    )
    mail.outbox.clear()
    publish_task(DISPATCH_BATCH_TASK, [[row.pk]])
    row.refresh_from_db()
    assert (row.status, [message.to for message in mail.outbox]) == (NotificationStatus.SENT, [["eager@example.org"]])


@needs_redis
def test_a_calendar_sync_is_published_as_apply_async_would_with_its_time_limits():
    # Every supervision booking queues one after its commit; the sync task carries time limits,
    # which are in the message's headers.
    task = celery_app.tasks[calendar_sync.SYNC_TASK]
    by_celery, published = queued(lambda: (task.apply_async(args=[9], retry=False), calendar_sync.publish_sync(9)))
    assert without_ids(published) == without_ids(by_celery)
    assert published["headers"]["task"] == calendar_sync.SYNC_TASK
    assert published["headers"]["timelimit"] == [task.time_limit, task.soft_time_limit] != [None, None]
