"""Send a burst of 10,000 due notifications through real Celery worker processes on Redis to a
real SMTP server on this machine.

Needs PostgreSQL and Redis (DATABASE_URL, BENCH_REDIS_URL or REDIS_URL): the workers are other
processes. It uses a scratch database beside DATABASE_URL's (``<name>_bench_notifications``,
dropped after) and that Redis database. The SMTP server is the tests' sink (tests/reflect/smtp_sink.py) on
a free port: every message is a real SMTP conversation, so reusing a connection counts.

Reports notifications a second with 4 worker processes (from the moment all 10,000 are due to
the last one sent), the 95th-percentile delay from due to sent, and, as a baseline from the same
run, how many messages a second the SMTP server accepts from a trivial sender (one connection,
prepared messages, nothing else). Every message must arrive exactly once (counted by Message-ID).

First, in this process, it times the CPU a worker spends a message (``time.process_time``, the
SMTP server in another process): BENCH_NOTIFICATIONS_CPU_MESSAGES (2,000) reminders delivered
in batches of 50, half as deployed (``MailBatch`` writing the bytes and pipelining the commands)
and half, in turns, through Django's message and SMTP backend (smtplib, one command at a time),
the way before, as the baseline of the same run.

``BENCH_NOTIFICATIONS_TOTAL=100000`` then keeps sending bursts of 10,000 until that many have gone
and reports the workers' memory (resident set, all their processes) after the first burst and
at the end.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reflect.smtp_sink import SmtpSink  # noqa: E402  (needs the path above)

COUNT = 10_000
WORKER_PROCESSES = 4
RAW_MESSAGES = 2_000
CPU_MESSAGES = int(os.environ.get("BENCH_NOTIFICATIONS_CPU_MESSAGES", "2000"))
CPU_BATCH = 50
# The SMTP server of the CPU timing, in a process of its own so that its work is not counted.
SINK_PROCESS = """
import sys
from tests.reflect.smtp_sink import SmtpSink
sink = SmtpSink(keep_messages=False).start()
print(sink.port, flush=True)
sys.stdin.read()
print(sum(sink.message_ids.values()), flush=True)
"""


def _scratch_database(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_notifications"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path="/" + name)), admin_url


def _recreate(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def raw_accept_rate() -> float:
    """Messages a second the SMTP sink takes from a trivial sender: one connection, messages
    prepared beforehand, of about the size of a reminder. The ceiling for one sender."""
    sink = SmtpSink(keep_messages=False).start()
    messages = []
    for n in range(RAW_MESSAGES):
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = "Reminder", "bench@example.org", f"raw{n}@example.org"
        message["Message-ID"] = f"<raw-{n}@bench.invalid>"
        message.set_content("Reflective practice group, Thursday 10 December, 14:00.\n" * 20)
        message.add_alternative("<p>Reflective practice group, Thursday 10 December, 14:00.</p>\n" * 20, "html")
        messages.append(message.as_bytes())
    try:
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", sink.port) as client:
            for n, data in enumerate(messages):
                client.sendmail("bench@example.org", [f"raw{n}@example.org"], data)
        return RAW_MESSAGES / (time.monotonic() - started)
    finally:
        sink.stop()


def worker_rss_mb(pid: int) -> float:
    """Resident memory of the worker and its pool's processes, in MB (Linux's /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total_kb = 0
    for process in [str(pid), *children]:
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def cpu_ms_per_message(users: list, context: dict) -> dict[str, tuple[float, str]]:
    """CPU time of ``deliver_notifications`` a message in this process: as deployed, and through
    Django's message and SMTP backend (the baseline), in turns of 10 batches each."""
    from django.test import override_settings
    from django.utils import timezone

    from reflect.models import Notification
    from reflect.notification_kinds import NotificationKind
    from reflect.services.notifications import deliver_notifications

    sink = subprocess.Popen(
        [sys.executable, "-c", SINK_PROCESS], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert sink.stdin is not None and sink.stdout is not None
    port = int(sink.stdout.readline())
    smtp = {
        "DEBUG": False,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_TIMEOUT": 10,
    }
    ways = {
        "deployed": "django.core.mail.backends.smtp.EmailBackend",
        # Django's SMTP backend under another name: MailBatch hands it Django's message.
        "django_mail": "tests.reflect.mail_backends.DjangoSmtpBackend",
    }
    seconds = dict.fromkeys(ways, 0.0)
    sent = dict.fromkeys(ways, 0)
    turn = 10 * CPU_BATCH
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=users[n % len(users)],
                kind=NotificationKind.REMINDER,
                idempotency_key=f"bench-cpu:{n}",
                due_at=timezone.now(),
                context=context,
            )
            for n in range(CPU_MESSAGES + 2 * CPU_BATCH)
        ]
    )
    ids = [row.pk for row in rows]
    try:
        for backend in ways.values():  # warm up: templates, connections, code paths
            with override_settings(EMAIL_BACKEND=backend, **smtp):
                deliver_notifications(ids[:CPU_BATCH])
            ids = ids[CPU_BATCH:]
        for start in range(0, CPU_MESSAGES, turn):
            way = list(ways)[start // turn % 2]
            with override_settings(EMAIL_BACKEND=ways[way], **smtp):
                began = time.process_time()
                for batch in range(start, min(start + turn, CPU_MESSAGES), CPU_BATCH):
                    outcomes = deliver_notifications(ids[batch : batch + CPU_BATCH])
                    assert set(outcomes.values()) == {"sent"}, outcomes
                    sent[way] += len(outcomes)
                seconds[way] += time.process_time() - began
    finally:
        sink.stdin.close()
        received = int(sink.stdout.readline() or 0)
        sink.wait(30)
    assert received == CPU_MESSAGES + 2 * CPU_BATCH, received
    Notification.objects.filter(idempotency_key__startswith="bench-cpu:").delete()
    deployed, baseline = (1000 * seconds[way] / sent[way] for way in ways)
    return {
        "notification_worker_cpu_ms_per_message": (round(deployed, 3), "ms"),
        "notification_worker_cpu_ms_per_message_django_mail": (round(baseline, 3), "ms"),
        "notification_worker_cpu_to_django_mail_ratio": (round(deployed / baseline, 3), "ratio"),
    }


def main() -> dict[str, tuple[float, str]]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        print("bench_notifications: skipped (set DATABASE_URL to PostgreSQL and BENCH_REDIS_URL or REDIS_URL)")
        return {}
    total = int(os.environ.get("BENCH_NOTIFICATIONS_TOTAL", str(COUNT)))
    raw_rate = raw_accept_rate()
    bench_url, admin_url = _scratch_database(database_url)
    bench_name = urlsplit(bench_url).path.lstrip("/")
    _recreate(admin_url, bench_name)
    os.environ.update(
        DATABASE_URL=bench_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from config.celery import app as celery_app
    from reflect.models import Notification, User
    from reflect.notification_kinds import NotificationKind
    from reflect.services.notifications import sweep_due_notifications

    sink = SmtpSink(keep_messages=False).start()
    worker = None
    figures: dict[str, tuple[float, str]] = {}
    try:
        call_command("migrate", verbosity=0)
        celery_app.control.purge()  # tasks left in the queue by an interrupted run
        users = User.objects.bulk_create(
            [User(email=f"bench{n}@example.org", first_name=f"Person{n}") for n in range(100)]
        )
        context = {"title": "Reflective practice group", "when": "Thursday 10 December, 14:00", "where": "", "url": ""}
        # Before the workers start, so that they take none of the machine while it is timed.
        cpu_figures = cpu_ms_per_message(users, context)
        log_path = Path(tempfile.gettempdir()) / f"bench_notifications_worker_{os.getpid()}.log"
        with log_path.open("wb") as worker_log:  # the worker keeps its own descriptor
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                 f"--concurrency={WORKER_PROCESSES}", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel=INFO", "-n", f"bench-notify-{os.getpid()}@%h"],
                cwd=ROOT,
                # As deployed: SMTP, DEBUG off.
                env={**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
                     "EMAIL_USE_TLS": "false", "DEBUG": "false"},
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while b"ready." not in log_path.read_bytes():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start")
            time.sleep(0.1)

        def burst(first: int) -> tuple[float, list[float], float]:
            """10,000 rows due at once, published by the sweep; wait until all are sent."""
            due_at = timezone.now()
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient=users[n % len(users)],
                        kind=NotificationKind.REMINDER,
                        idempotency_key=f"bench:{n}",
                        due_at=due_at,
                        context=context,
                    )
                    for n in range(first, first + COUNT)
                ],
                batch_size=2000,
            )
            started = time.monotonic()
            published = sweep_due_notifications(limit=COUNT)
            assert len(published) == COUNT, len(published)
            publish_seconds = time.monotonic() - started
            deadline = time.monotonic() + 900
            while Notification.objects.filter(status="sent", due_at=due_at).count() < COUNT:
                if time.monotonic() > deadline:
                    raise RuntimeError("not all notifications were sent within 15 minutes")
                time.sleep(0.25)
            delays = sorted(
                (sent_at - due_at).total_seconds()
                for sent_at in Notification.objects.filter(due_at=due_at).values_list("sent_at", flat=True)
            )
            return delays[-1], delays, publish_seconds

        last_sent, delays, publish_seconds = burst(0)
        rate = COUNT / last_sent
        figures = {
            "notifications_per_second_4_workers": (round(rate, 1), "per s"),
            "notifications_due_to_sent_p95_s": (round(delays[int(0.95 * (COUNT - 1))], 2), "s"),
            "notifications_due_to_sent_median_s": (round(delays[COUNT // 2], 2), "s"),
            "notifications_publish_10000_s": (round(publish_seconds, 2), "s"),
            "smtp_sink_raw_accept_per_second": (round(raw_rate, 1), "per s"),
            "notifications_per_second_to_smtp_raw_ratio": (round(rate / raw_rate, 3), "ratio"),
            **cpu_figures,
        }
        if total > COUNT:
            figures["notification_worker_rss_mb_before"] = (worker_rss_mb(worker.pid), "MB")
            for first in range(COUNT, total, COUNT):
                burst(first)
            figures["notification_worker_rss_mb_after"] = (worker_rss_mb(worker.pid), "MB")
            figures["notifications_sent_for_rss"] = (total, "count")
        figures["notifications_not_sent"] = (Notification.objects.exclude(status="sent").count(), "count")
        figures["notifications_received_twice_or_more"] = (
            sum(1 for copies in sink.message_ids.values() if copies > 1),
            "count",
        )
        figures["notifications_received"] = (len(sink.message_ids), "count")
        figures["smtp_connections"] = (sink.connections, "count")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        sink.stop()
        connections.close_all()
        _recreate(admin_url, bench_name, drop_only=True)
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}")
    return figures


if __name__ == "__main__":
    main()
