"""The outbox with a real Celery worker on Redis and PostgreSQL: nothing lost, nothing twice.

Skipped unless DATABASE_URL (PostgreSQL) and REDIS_URL are set: a worker in another process
cannot see pytest's in-memory SQLite database.
"""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction

from config.celery import app as celery_app
from reflect.enums import InvitationKind, NotificationStatus
from reflect.models import Notification
from reflect.notification_kinds import NotificationKind
from reflect.services.invitations import create_invitation
from reflect.services.notifications import outbox_row, publish_dispatch, queue_notification, sweep_due_notifications
from reflect.tasks import task_dispatch_notification
from tests.reflect.mail_backends import delivered

pytestmark = [
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_REDIS_PORT = 6391  # our own Redis, which these tests may stop; never the shared one


def wait_for(condition: Callable[[], object], timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def worker_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, mail_dir: Path, redis_url: str, log: Path, beat: bool = False, **env: str) -> None:
        self.log = log
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=INFO", "-n", f"notify-test-{os.getpid()}@%h",
        ]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(mail_dir / "beat-schedule")]
        with log.open("ab") as output:  # the worker keeps its own copy of the file descriptor
            self.process = self._popen(command, output, mail_dir, redis_url, env)
        wait_for(lambda: "ready." in log.read_text(errors="replace"), what="the worker to start")

    @staticmethod
    def _popen(
        command: list[str], output: IO[bytes], mail_dir: Path, redis_url: str, env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": worker_database_url(),
                "REDIS_URL": redis_url,
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "EMAIL_BACKEND": "tests.reflect.mail_backends.DirectoryBackend",
                "REFLECT_TEST_MAIL_DIR": str(mail_dir),
                **env,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


@pytest.fixture
def real_celery() -> Iterator[None]:
    """Publish to the broker from this process (the autouse fixture made tasks run in-process)."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # tasks left in the queue by an earlier, interrupted run
    yield


@pytest.fixture
def start_worker(mail_dir: Path, tmp_path: Path, real_celery: None) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(redis_url: str = django_settings.REDIS_URL, **kwargs: Any) -> Worker:
        worker = Worker(mail_dir, redis_url, tmp_path / f"worker-{len(workers)}.log", **kwargs)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def test_an_invitation_is_delivered_by_the_worker_after_commit(world, start_worker, mail_dir):
    start_worker()
    with transaction.atomic():
        _invitation, token = create_invitation(
            InvitationKind.ORGANISATION_STAFF,
            "worker@example.org",
            acting_user=world.lead,
            organisation=world.organisation,
        )
    wait_for(lambda: delivered(mail_dir), what="the e-mail")
    [message] = delivered(mail_dir)
    text = message.read_text()
    assert "Subject: You are invited to join Harehills Drama on Reflect" in text
    assert f"/invitations/{token}/" in text
    wait_for(lambda: Notification.objects.get().status == NotificationStatus.SENT, what="the row to be marked sent")
    notification = Notification.objects.get()
    assert (notification.attempts, notification.secret_context, notification.recipient_email) == (
        1,
        {},
        "worker@example.org",
    )


def test_the_same_dispatch_published_three_times_sends_one_message(world, start_worker, mail_dir):
    with transaction.atomic():
        notification = queue_notification(world.member, NotificationKind.REMINDER, key="dup", context={"title": "x"})
    for _ in range(2):
        task_dispatch_notification.delay(notification.pk)
    start_worker()
    wait_for(lambda: Notification.objects.get().status == NotificationStatus.SENT, what="the row to be sent")
    # Give the other two tasks time to run: they find the row claimed and send nothing.
    marker = queue_notification(world.colleague, NotificationKind.REMINDER, key="after", context={"title": "y"})
    wait_for(lambda: Notification.objects.get(pk=marker.pk).status == NotificationStatus.SENT, what="the later row")
    assert len(delivered(mail_dir)) == 2
    assert Notification.objects.get(pk=notification.pk).attempts == 1


def test_a_worker_killed_mid_delivery_delivers_once_after_restart(world, start_worker, mail_dir, settings):
    (mail_dir / "hold").touch()
    worker = start_worker()
    with transaction.atomic():
        notification = queue_notification(world.member, NotificationKind.REMINDER, key="kill", context={"title": "x"})
    wait_for(lambda: list(mail_dir.glob("started-*")), what="delivery to start")
    worker.kill()
    (mail_dir / "hold").unlink()
    assert delivered(mail_dir) == []
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENDING, 1)

    start_worker()
    # The redelivered task (if Redis hands it back) cannot claim a row that is "sending".
    # The sweep, once the claim is older than the timeout, hands the row back and dispatches it.
    settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS = 0
    assert sweep_due_notifications() == [notification.pk]
    wait_for(lambda: Notification.objects.get().status == NotificationStatus.SENT, what="the row to be sent")
    assert len(delivered(mail_dir)) == 1
    assert Notification.objects.get().attempts == 2
    # A second sweep finds nothing left to do.
    assert sweep_due_notifications() == []
    assert len(delivered(mail_dir)) == 1


def test_a_worker_killed_mid_batch_sends_again_only_what_the_server_had_accepted(
    world, start_worker, mail_dir, settings
):
    """The window of reflect/tasks.py for a batch: the messages accepted before the kill go
    twice, with the same Message-ID; the rest once."""
    (mail_dir / "hold").write_text("2")  # two messages go through, the third is held
    worker = start_worker()
    rows = Notification.objects.bulk_create(
        [
            outbox_row(world.member, NotificationKind.REMINDER, key=f"batch{n}", context={"title": f"{n}"})
            for n in range(4)
        ]
    )
    assert publish_dispatch([row.pk for row in rows]) == 4  # one task, one batch
    wait_for(lambda: list(mail_dir.glob("started-*")), what="the third message to start")
    worker.kill()
    (mail_dir / "hold").unlink()
    assert len(delivered(mail_dir)) == 2
    # Claimed together, none recorded: the results of a batch are written once it is sent.
    assert set(Notification.objects.values_list("status", "attempts")) == {(NotificationStatus.SENDING, 1)}

    start_worker()
    settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS = 0
    assert sorted(sweep_due_notifications()) == [row.pk for row in rows]
    wait_for(
        lambda: set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT},
        what="the rows to be sent",
    )
    message_ids = Counter(message_id_of(message) for message in delivered(mail_dir))
    first, second, third, fourth = (f"<notification-{row.pk}@127.0.0.1>" for row in rows)
    assert message_ids == Counter({first: 2, second: 2, third: 1, fourth: 1})
    assert set(Notification.objects.values_list("attempts", flat=True)) == {2}


def message_id_of(message: Path) -> str:
    return email.message_from_bytes(message.read_bytes())["Message-ID"]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A Redis server of our own on port 6391, which the test may stop and start again."""
    processes: list[subprocess.Popen] = []

    def start() -> None:
        command = [
            "redis-server",
            "--port",
            str(OUTAGE_REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        with (tmp_path / "redis.log").open("ab") as output:
            processes.append(subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT))
        client = redis.Redis(port=OUTAGE_REDIS_PORT)
        wait_for(lambda: _pings(client), what="our Redis to start")

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_with_redis_down_the_request_succeeds_quickly_and_the_e_mail_goes_when_it_is_back(
    world, own_redis, start_worker, mail_dir
):
    redis_url = f"redis://127.0.0.1:{OUTAGE_REDIS_PORT}/1"
    assert not _pings(redis.Redis(port=OUTAGE_REDIS_PORT, socket_connect_timeout=1)), "port 6391 must be free"
    # Redis on 6391 is not running: a lead invites someone to their organisation.
    result = subprocess.run(
        [sys.executable, "-m", "tests.reflect.outage_request", str(world.lead.pk), str(world.organisation.pk)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 302  # back to the organisation's page, as normal
    assert outcome["seconds"] < 2
    notification = Notification.objects.get()
    assert (notification.status, notification.recipient_email, notification.dispatched_at) == (
        NotificationStatus.PENDING,
        "outage@example.org",
        None,
    )

    # Redis comes back; the worker's beat runs the sweep (every second here), which sends it.
    own_redis()
    start_worker(redis_url, beat=True, NOTIFICATION_SWEEP_SECONDS="1")
    wait_for(lambda: delivered(mail_dir), what="the e-mail after Redis is back")
    wait_for(lambda: Notification.objects.get().status == NotificationStatus.SENT, what="the row to be sent")
    assert len(delivered(mail_dir)) == 1
