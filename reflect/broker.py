"""A task published to the broker with one Redis command (docs/performance.md, "Booking a group
place: the dispatch published in one command").

Celery's ``apply_async`` builds every message afresh (the task's options and route, protocol 2's
headers and body, kombu's envelope for its Redis transport) before its one LPUSH: about 1 to 2 ms
of CPU in a request, the largest single cost of booking a group place beyond what every signed-in
page pays. A task due now, with positional arguments only, differs from one message to the next
in nothing but its ids and its arguments. So Celery builds the message once per process and
thread, and kombu's last step, the LPUSH, keeps it instead of sending it (``_message_for``);
each publish then copies it with a new task id, delivery tag and arguments and sends it in ONE
LPUSH, over kombu's own connection settings (its database, its one-second timeouts). A worker
receives what ``apply_async`` would have sent, ids apart: tests/reflect/test_broker.py reads
both off Redis and compares them, and the worker tests (tests/reflect/test_notifications_worker.py)
consume it.

Only with Redis as the broker and tasks not run eagerly, and only for a message that carries no
time (``eta``, ``expires``) and no priority; otherwise ``publish_task`` is ``apply_async``.
Celery's publish signals (``before_task_publish``, ``after_task_publish``) are not sent for the
copies: nothing here listens to them.
"""

from __future__ import annotations

import base64
import datetime
import functools
import os
import threading
from dataclasses import dataclass
from typing import Any

import redis
from celery import current_app
from celery.utils.saferepr import saferepr
from kombu import Connection
from kombu.transport.redis import Channel as RedisChannel
from kombu.utils.json import dumps, loads
from kombu.utils.uuid import uuid


def publish_task(task_name: str, args: list[Any], *, eta: datetime.datetime | None = None) -> None:
    """Publish the task registered as ``task_name`` with these positional arguments: what
    ``apply_async(args=args, eta=eta, retry=False)`` publishes, in one Redis command when it is
    due now. With the broker down, raises kombu's ``OperationalError`` or redis's ``RedisError``.

    The task is looked up in the app's registry rather than sent by name, so that in eager mode
    (the embedded demo, the tests) it runs here, as ``apply_async`` runs it."""
    if eta is None and not current_app.conf.task_always_eager:
        message = _message_for(task_name, os.getpid(), threading.get_ident())
        if message is not None:
            message.send(args)
            return
    current_app.tasks[task_name].apply_async(args=args, eta=eta, retry=False)


@dataclass(frozen=True)
class _Message:
    """A task's message as kombu puts it on Redis, to be sent again with new ids and arguments."""

    queue: str  # the Redis list it goes on
    envelope: dict[str, Any]  # kombu's envelope: the body, its encoding, headers and properties
    embed: dict[str, Any]  # the body's third part (callbacks, errbacks, chain, chord)
    client: redis.Redis
    connection: Connection  # kept open with the process, as the client's pool is its channel's

    def send(self, args: list[Any]) -> None:
        task_id = uuid()
        body = dumps([args, {}, self.embed])
        headers = self.envelope["headers"]
        properties = self.envelope["properties"]
        message = self.envelope | {
            "body": base64.b64encode(body.encode()).decode(),
            "headers": headers
            | {"id": task_id, "root_id": task_id, "argsrepr": saferepr(args, current_app.amqp.argsrepr_maxsize)},
            "properties": properties | {"correlation_id": task_id, "delivery_tag": uuid()},
        }
        self.client.lpush(self.queue, dumps(message))


@functools.cache
def _message_for(task_name: str, process: int, thread: int) -> _Message | None:
    """The message ``apply_async`` would publish for ``task_name``, built by Celery and kept by
    kombu's Redis channel instead of sent; None when it cannot be sent again as it is (another
    broker; a time or a priority in it). Once per process and thread: the message names its
    process (``origin``) and thread (``reply_to``)."""
    del process, thread  # the cache's key only
    connection = current_app.connection_for_write()
    channel = connection.default_channel
    if not isinstance(channel, RedisChannel):
        connection.release()
        return None
    kept: list[tuple[str, dict[str, Any]]] = []
    # kombu's virtual channel delivers a message to a queue through _put, which LPUSHes it.
    channel._put = lambda queue, message, **_: kept.append((queue, message))  # type: ignore[method-assign]
    try:
        current_app.tasks[task_name].apply_async(args=[[]], producer=current_app.amqp.Producer(channel), retry=False)
    finally:
        del channel._put
    # Straight to one queue (not through an exchange of its own), and fit to send again.
    if len(kept) != 1 or not _reusable(kept[0][1]):
        connection.release()
        return None
    [(queue, envelope)] = kept
    _, _, embed = loads(base64.b64decode(envelope["body"]))
    return _Message(queue, envelope, embed, redis.Redis(connection_pool=channel.pool), connection)


def _reusable(envelope: dict[str, Any]) -> bool:
    """Whether a message kept can be sent again with new ids and arguments: no time in it, no
    priority (which would put it on another list), a JSON body in base64."""
    headers, properties = envelope["headers"], envelope["properties"]
    return (
        headers["eta"] is None
        and headers["expires"] is None
        and not properties.get("priority")
        and properties.get("body_encoding") == "base64"
        and envelope.get("content-type") == "application/json"
    )
