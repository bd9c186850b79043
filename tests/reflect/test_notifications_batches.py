"""Delivering notifications in batches (docs/notifications.md, "Batches"), against a real SMTP
server on this machine (tests/reflect/smtp_sink.py): one connection a batch, each message
succeeding or failing on its own, a constant number of statements whatever the batch's size."""

from __future__ import annotations

import base64
import datetime
import email
import email.policy
import json
import os
import smtplib
from collections.abc import Callable, Iterator

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from config.celery import app as celery_app
from reflect import channels
from reflect.channels.smtp import send_message
from reflect.enums import Channel, NotificationStatus
from reflect.models import Notification
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import (
    DISPATCH_BATCH_TASK,
    DeliveryOutcome,
    deliver_notifications,
    publish_dispatch,
    publish_retries,
    queue_notification,
    sweep_due_notifications,
)
from tests.reflect.smtp_sink import SmtpSink, send_mail_to

SENT, RETRY, FAILED = DeliveryOutcome.SENT, DeliveryOutcome.RETRY, DeliveryOutcome.FAILED
needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")


@pytest.fixture
def smtp(settings) -> Iterator[Callable[..., SmtpSink]]:
    """Start an SMTP server on a free port and send e-mail to it over SMTP, as in production."""
    sinks: list[SmtpSink] = []

    def start(**behaviour: frozenset[str] | bool) -> SmtpSink:
        sink = SmtpSink(**behaviour).start()  # type: ignore[arg-type]
        sinks.append(sink)
        send_mail_to(sink, settings)
        return sink

    yield start
    for sink in sinks:
        sink.stop()


def reminders_to(*addresses: str) -> list[Notification]:
    """Due reminders to people with no account (their address on the row), in this order."""
    return [
        queue_notification(
            None,
            NotificationKind.REMINDER,
            key=f"reminder:{address}",
            email=address,
            context={"title": "Reflective practice group", "when": "Thursday 10 December 2026, 14:00"},
        )
        for address in addresses
    ]


def ids(rows: list[Notification]) -> list[int]:
    return [row.pk for row in rows]


def test_a_batch_goes_over_one_smtp_connection_and_each_row_is_recorded_sent(world, smtp):
    sink = smtp()
    rows = reminders_to(*(f"person{n}@example.org" for n in range(20)))
    outcomes = deliver_notifications(ids(rows))

    assert outcomes == dict.fromkeys(ids(rows), SENT)
    assert sink.connections == 1
    assert [mail.recipients for mail in sink.messages] == [(f"person{n}@example.org",) for n in range(20)]
    assert [mail.message_id for mail in sink.messages] == [f"<notification-{pk}@127.0.0.1>" for pk in ids(rows)]
    assert b"Subject: Reminder: Reflective practice group, Thursday 10 December 2026, 14:00" in sink.messages[0].data
    for row in Notification.objects.order_by("pk"):
        assert (row.status, row.channel, row.attempts, row.provider_reference, row.last_error) == (
            NotificationStatus.SENT,
            Channel.EMAIL,
            1,
            f"<notification-{row.pk}@127.0.0.1>",
            "",
        )
    # Each row's own time of acceptance by the server, in the order they were sent.
    sent_at = list(Notification.objects.order_by("pk").values_list("sent_at", flat=True))
    assert sent_at == sorted(sent_at)

    # The next batch opens its own connection.
    deliver_notifications(ids(reminders_to("later@example.org")))
    assert (sink.connections, len(sink.messages)) == (2, 21)


def test_a_refused_address_fails_alone_and_the_rest_of_the_batch_goes_on_the_same_connection(world, smtp):
    sink = smtp(refuse=frozenset({"nobody@example.org"}))
    first, refused, last = reminders_to("first@example.org", "nobody@example.org", "last@example.org")

    assert deliver_notifications(ids([first, refused, last])) == {first.pk: SENT, refused.pk: FAILED, last.pk: SENT}
    assert sink.connections == 1
    assert [mail.recipients for mail in sink.messages] == [("first@example.org",), ("last@example.org",)]
    refused.refresh_from_db()
    assert (refused.status, refused.channel, refused.last_error) == (
        NotificationStatus.FAILED,
        Channel.EMAIL,
        "The mail server refused the address: {'nobody@example.org': (550, b'No such mailbox')}",
    )


def test_a_passing_failure_is_retried_after_a_backoff_and_the_rest_of_the_batch_is_sent(world, smtp):
    sink = smtp(defer=frozenset({"busy@example.org"}))
    first, deferred, last = reminders_to("first@example.org", "busy@example.org", "last@example.org")
    now = timezone.now()

    assert deliver_notifications(ids([first, deferred, last]), now=now) == {
        first.pk: SENT,
        deferred.pk: RETRY,
        last.pk: SENT,
    }
    assert sink.connections == 1
    deferred.refresh_from_db()
    assert (deferred.status, deferred.due_at, deferred.attempts, deferred.claimed_at, deferred.last_error) == (
        NotificationStatus.PENDING,
        now + datetime.timedelta(seconds=30),
        1,
        None,
        "Mail server: (451, b'Try again later')",
    )


def test_a_server_that_hangs_up_costs_that_message_a_retry_and_the_next_one_reconnects(world, smtp):
    sink = smtp(hang_up_on=frozenset({"dropped@example.org"}))
    first, dropped, last = reminders_to("first@example.org", "dropped@example.org", "last@example.org")

    assert deliver_notifications(ids([first, dropped, last])) == {first.pk: SENT, dropped.pk: RETRY, last.pk: SENT}
    assert sink.connections == 2
    assert [mail.recipients for mail in sink.messages] == [("first@example.org",), ("last@example.org",)]
    dropped.refresh_from_db()
    assert (dropped.status, dropped.last_error) == (
        NotificationStatus.PENDING,
        "Mail server: Connection unexpectedly closed",
    )


def test_a_mail_server_that_cannot_be_reached_is_tried_once_a_batch(world, smtp):
    """Every message waits for its retry; the batch does not knock on a dead server 20 times."""
    sink = smtp(greet=False)  # accepts the connection and closes it at once
    rows = reminders_to(*(f"person{n}@example.org" for n in range(20)))

    assert deliver_notifications(ids(rows)) == dict.fromkeys(ids(rows), RETRY)
    assert (sink.connections, sink.messages) == (1, [])
    assert set(Notification.objects.values_list("status", "attempts", "last_error")) == {
        (NotificationStatus.PENDING, 1, "Mail server: Connection unexpectedly closed")
    }


def test_a_batch_costs_the_same_statements_whatever_its_size(world, smtp, django_assert_num_queries):
    """The claim's transaction (its savepoint pair here, inside the test's transaction): read the
    rows with their recipients under the lock, mark them sending; then one UPDATE for all those
    sent. 5 statements for 3 rows or 30."""
    smtp()
    small = reminders_to(*(f"small{n}@example.org" for n in range(3)))
    large = reminders_to(*(f"large{n}@example.org" for n in range(30)))
    with django_assert_num_queries(5):
        assert set(deliver_notifications(ids(small)).values()) == {SENT}
    with django_assert_num_queries(5):
        assert set(deliver_notifications(ids(large)).values()) == {SENT}


def test_each_kind_of_outcome_adds_one_statement_however_many_rows_have_it(world, smtp, django_assert_num_queries):
    smtp(refuse=frozenset({"refused0@example.org", "refused1@example.org"}), defer=frozenset({"busy@example.org"}))
    rows = reminders_to(
        "sent0@example.org", "refused0@example.org", "busy@example.org", "refused1@example.org", "sent1@example.org"
    )
    # The claim (4, as above), then one UPDATE each for the sent, the failed and the retried.
    with django_assert_num_queries(7):
        outcomes = deliver_notifications(ids(rows))
    assert list(outcomes.values()) == [SENT, FAILED, RETRY, FAILED, SENT]


def test_only_due_pending_rows_are_claimed_and_a_second_delivery_of_the_batch_sends_nothing(world, smtp):
    sink = smtp()
    due, cancelled = reminders_to("due@example.org", "cancelled@example.org")
    later = queue_notification(
        None,
        NotificationKind.REMINDER,
        key="later",
        email="later@example.org",
        due_at=timezone.now() + datetime.timedelta(hours=1),
        context={},
    )
    Notification.objects.filter(pk=cancelled.pk).update(status=NotificationStatus.CANCELLED)
    batch = [due.pk, cancelled.pk, later.pk, 987654]
    not_claimed = DeliveryOutcome.NOT_CLAIMED

    assert deliver_notifications(batch) == {
        due.pk: SENT,
        cancelled.pk: not_claimed,
        later.pk: not_claimed,
        987654: not_claimed,
    }
    assert deliver_notifications(batch) == dict.fromkeys(batch, not_claimed)
    assert [mail.recipients for mail in sink.messages] == [("due@example.org",)]


def test_each_kind_s_templates_are_looked_up_once_a_batch(world, smtp, monkeypatch):
    smtp()
    looked_up: list[str] = []
    real_get_template = channels.get_template

    def counting_get_template(name: str):  # the real look-up, counted
        looked_up.append(name)
        return real_get_template(name)

    monkeypatch.setattr(channels, "get_template", counting_get_template)
    reminders = reminders_to(*(f"person{n}@example.org" for n in range(10)))
    invitations = [
        queue_notification(
            None, NotificationKind.INVITATION, key=f"invitation:{n}", email=f"invited{n}@example.org", context={}
        )
        for n in range(5)
    ]
    assert set(deliver_notifications(ids(reminders + invitations)).values()) == {SENT}
    assert sorted(looked_up) == sorted(
        f"emails/{kind}/{name}"
        for kind in ("invitation", "reminder")
        for name in ("subject.txt", "body.txt", "body.html", "sms.txt")
    )


def test_rows_a_batch_has_not_reached_by_half_the_sending_timeout_go_back_to_the_queue(world, smtp, settings):
    """So the sweep never hands a live batch's rows to another worker (a slow provider)."""
    sink = smtp()
    settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS = 0  # every batch is out of time at once
    rows = reminders_to("first@example.org", "second@example.org", "third@example.org")

    outcomes = deliver_notifications(ids(rows))
    assert list(outcomes.values()) == [SENT, DeliveryOutcome.GIVEN_BACK, DeliveryOutcome.GIVEN_BACK]
    assert len(sink.messages) == 1
    given_back = Notification.objects.filter(pk__in=ids(rows[1:]))
    assert set(given_back.values_list("status", "attempts", "claimed_at", "dispatched_at")) == {
        (NotificationStatus.PENDING, 0, None, None)
    }
    # The next sweep publishes them at once (without a worker, in this process).
    settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS = 600
    assert sweep_due_notifications() == ids(rows[1:])


def published(publish: Callable[[], int], expected: int) -> list[dict]:
    """The tasks ``publish`` puts on the broker (Redis), oldest first."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        assert publish() == expected
        queued = redis.Redis.from_url(django_settings.REDIS_URL).lrange("celery", 0, -1)
    finally:
        celery_app.control.purge()
    return [json.loads(raw) for raw in reversed(queued)]  # the broker pushes on the left


@needs_redis
def test_dispatch_is_published_in_tasks_of_one_batch_each(world, settings):
    settings.NOTIFICATION_BATCH_SIZE = 2
    rows = reminders_to(*(f"person{n}@example.org" for n in range(5)))
    messages = published(lambda: publish_dispatch(ids(rows)), 5)
    assert [message["headers"]["task"] for message in messages] == [DISPATCH_BATCH_TASK] * 3
    assert [json.loads(base64.b64decode(message["body"]))[0] for message in messages] == [
        [ids(rows)[0:2]],
        [ids(rows)[2:4]],
        [ids(rows)[4:5]],
    ]


@needs_redis
def test_rows_to_retry_are_published_for_when_their_backoff_ends(world, smtp):
    smtp(defer=frozenset({"busy0@example.org", "busy1@example.org"}))
    rows = reminders_to("busy0@example.org", "sent@example.org", "busy1@example.org")
    now = timezone.now()
    assert list(deliver_notifications(ids(rows), now=now).values()) == [RETRY, SENT, RETRY]

    [message] = published(lambda: publish_retries(ids(rows)), 2)
    assert json.loads(base64.b64decode(message["body"]))[0] == [[rows[0].pk, rows[2].pk]]
    assert message["headers"]["eta"] == (now + datetime.timedelta(seconds=30)).isoformat()


def test_the_smtp_server_gives_back_each_message_as_it_was_sent(smtp):
    """The tests read messages from it, so its undoing of SMTP's dot-stuffing must be exact."""
    sink = smtp()
    text = ".starts with a dot\r\nmiddle\r\n..two dots\r\n.\r\nlast\r\n"
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        client.sendmail("from@example.org", ["to@example.org"], text.encode())
        client.sendmail("from@example.org", ["to@example.org"], b"")
    assert [(mail.sender, mail.recipients, mail.data) for mail in sink.messages] == [
        ("from@example.org", ("to@example.org",), text.encode()),
        ("from@example.org", ("to@example.org",), b"\r\n"),
    ]


# --- The SMTP conversation: commands pipelined when the server offers it (reflect/channels/smtp.py)


@pytest.fixture
def smtp_writes(monkeypatch) -> list[list[str]]:
    """What this process writes to the mail server, one entry a write: the commands in it, or
    "<message>" for a message's data."""
    writes: list[list[str]] = []
    real_send = smtplib.SMTP.send

    def send(self: smtplib.SMTP, data: str | bytes) -> None:
        if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
            writes.append(["<message>"])
        else:
            text = data.decode() if isinstance(data, bytes) else data
            writes.append([line.split(" ")[0].upper() for line in text.split("\r\n") if line])
        real_send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    return writes


@pytest.mark.parametrize(
    ("pipelining", "each_message"),
    [
        (True, [["MAIL", "RCPT", "DATA"], ["<message>"]]),
        (False, [["MAIL"], ["RCPT"], ["DATA"], ["<message>"]]),
    ],
    ids=["pipelining", "one command at a time"],
)
def test_a_message_s_commands_go_together_when_the_server_offers_pipelining(
    world, smtp, smtp_writes, pipelining, each_message
):
    sink = smtp(pipelining=pipelining)
    rows = reminders_to("a@example.org", "b@example.org", "c@example.org")
    assert deliver_notifications(ids(rows)) == dict.fromkeys(ids(rows), SENT)

    assert smtp_writes == [["EHLO"], *each_message * 3, ["QUIT"]]
    assert [(mail.recipients, mail.message_id) for mail in sink.messages] == [
        ((row.recipient_email,), f"<notification-{row.pk}@127.0.0.1>") for row in rows
    ]
    received = email.message_from_bytes(sink.messages[0].data, policy=email.policy.default)
    assert (received["To"], received["Subject"]) == (
        "a@example.org",
        "Reminder: Reflective practice group, Thursday 10 December 2026, 14:00",
    )


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "one command at a time"])
def test_each_answer_is_taken_for_its_own_message_pipelined_or_not(world, smtp, pipelining):
    """Refused, greylisted, deferred at the end of the data: each its own outcome and error, on
    one connection, and the messages after them sent, each under its own Message-ID."""
    sink = smtp(
        pipelining=pipelining,
        refuse=frozenset({"nobody@example.org"}),
        greylist=frozenset({"grey@example.org"}),
        defer=frozenset({"busy@example.org"}),
    )
    rows = reminders_to(
        "first@example.org", "nobody@example.org", "grey@example.org", "busy@example.org", "last@example.org"
    )
    assert list(deliver_notifications(ids(rows)).values()) == [SENT, FAILED, RETRY, RETRY, SENT]
    assert sink.connections == 1
    assert [mail.message_id for mail in sink.messages] == [
        f"<notification-{rows[0].pk}@127.0.0.1>",
        f"<notification-{rows[4].pk}@127.0.0.1>",
    ]
    assert list(Notification.objects.order_by("pk").values_list("status", "last_error")) == [
        (NotificationStatus.SENT, ""),
        (
            NotificationStatus.FAILED,
            "The mail server refused the address: {'nobody@example.org': (550, b'No such mailbox')}",
        ),
        (NotificationStatus.PENDING, "Mail server: {'grey@example.org': (450, b'Greylisted, try again later')}"),
        (NotificationStatus.PENDING, "Mail server: (451, b'Try again later')"),
        (NotificationStatus.SENT, ""),
    ]


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "one command at a time"])
def test_a_server_closing_at_an_address_costs_that_message_a_retry_and_the_next_one_reconnects(world, smtp, pipelining):
    sink = smtp(pipelining=pipelining, closing_on=frozenset({"closing@example.org"}))
    first, closing, last = reminders_to("first@example.org", "closing@example.org", "last@example.org")

    assert deliver_notifications(ids([first, closing, last])) == {first.pk: SENT, closing.pk: RETRY, last.pk: SENT}
    assert (sink.connections, [mail.recipients for mail in sink.messages]) == (
        2,
        [("first@example.org",), ("last@example.org",)],
    )
    closing.refresh_from_db()
    assert closing.last_error == "Mail server: {'closing@example.org': (421, b'Shutting down')}"


def test_a_server_that_wants_the_data_after_refusing_the_address_gets_an_empty_message_and_stays_in_step(
    world, smtp, smtp_writes
):
    """RFC 2920 forbids it, but a server that answers 354 all the same must not take our next
    message's commands for this one's text: it gets "." alone, and the next message goes whole."""
    sink = smtp(refuse=frozenset({"nobody@example.org"}), data_without_recipients=True)
    refused, sent = reminders_to("nobody@example.org", "sent@example.org")

    assert deliver_notifications(ids([refused, sent])) == {refused.pk: FAILED, sent.pk: SENT}
    assert smtp_writes == [
        ["EHLO"],
        ["MAIL", "RCPT", "DATA"],
        ["."],
        ["RSET"],
        ["MAIL", "RCPT", "DATA"],
        ["<message>"],
        ["QUIT"],
    ]
    assert [(mail.recipients, mail.message_id) for mail in sink.messages] == [
        (("sent@example.org",), f"<notification-{sent.pk}@127.0.0.1>")
    ]


def test_a_message_s_lines_that_begin_with_a_dot_arrive_as_they_were(smtp):
    sink = smtp()
    data = b".starts with a dot\r\nmiddle\r\n..two dots\r\n.\r\nlast line, no line break"
    with smtplib.SMTP("127.0.0.1", sink.port) as connection:
        send_message(connection, "from@example.org", "to@example.org", data)
        send_message(connection, "from@example.org", "to@example.org", b"")
    assert [(mail.sender, mail.recipients, mail.data) for mail in sink.messages] == [
        ("from@example.org", ("to@example.org",), data + b"\r\n"),
        ("from@example.org", ("to@example.org",), b"\r\n"),
    ]


def test_a_backend_derived_from_django_s_smtp_backend_is_handed_django_s_message(world, smtp, smtp_writes, settings):
    """Only Django's own SMTP backend is spoken for; one derived from it may send otherwise."""
    sink = smtp()
    settings.EMAIL_BACKEND = "tests.reflect.mail_backends.DjangoSmtpBackend"
    [row] = reminders_to("a@example.org")
    assert deliver_notifications([row.pk]) == {row.pk: SENT}
    assert smtp_writes == [["EHLO"], ["MAIL"], ["RCPT"], ["DATA"], ["<message>"], ["QUIT"]]
    assert [mail.message_id for mail in sink.messages] == [f"<notification-{row.pk}@127.0.0.1>"]
