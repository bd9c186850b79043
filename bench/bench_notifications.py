"""Dispatch 10,000 due notifications through a real Celery worker on Redis to the locmem mail backend.

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): the worker is another process. It uses
a scratch database beside DATABASE_URL's (``<name>_bench_notifications``, dropped after) and
the Redis database of REDIS_URL. Reports notifications per second (from the moment they are
all due to the last one sent) and the 95th-percentile delay from due to sent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
COUNT = 10_000
WORKER_CONCURRENCY = 2


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


def main() -> dict[str, tuple[float, str]]:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        print("bench_notifications: skipped (set DATABASE_URL to PostgreSQL and REDIS_URL)")
        return {}
    bench_url, admin_url = _scratch_database(database_url)
    bench_name = urlsplit(bench_url).path.lstrip("/")
    _recreate(admin_url, bench_name)
    os.environ.update(
        DATABASE_URL=bench_url, CELERY_TASK_ALWAYS_EAGER="false", DJANGO_SETTINGS_MODULE="config.settings"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from config.celery import app as celery_app
    from reflect.models import Notification, User
    from reflect.notification_kinds import NotificationKind
    from reflect.services.notifications import sweep_due_notifications

    worker = None
    try:
        call_command("migrate", verbosity=0)
        celery_app.control.purge()  # tasks left in the queue by an interrupted run
        log_path = Path(tempfile.gettempdir()) / f"bench_notifications_worker_{os.getpid()}.log"
        with log_path.open("wb") as worker_log:  # the worker keeps its own descriptor
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                 f"--concurrency={WORKER_CONCURRENCY}", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel=INFO", "-n", f"bench-notify-{os.getpid()}@%h"],
                cwd=ROOT,
                env={**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while b"ready." not in log_path.read_bytes():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start")
            time.sleep(0.1)

        users = User.objects.bulk_create(
            [User(email=f"bench{n}@example.org", first_name=f"Person{n}") for n in range(100)]
        )
        due_at = timezone.now()
        context = {"title": "Reflective practice group", "when": "Thursday 10 December, 14:00", "where": "", "url": ""}
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=users[n % len(users)],
                    kind=NotificationKind.REMINDER,
                    idempotency_key=f"bench:{n}",
                    due_at=due_at,
                    context=context,
                )
                for n in range(COUNT)
            ],
            batch_size=2000,
        )
        started = time.monotonic()
        published = sweep_due_notifications(limit=COUNT)
        assert len(published) == COUNT, len(published)
        publish_seconds = time.monotonic() - started
        deadline = time.monotonic() + 900
        while Notification.objects.filter(status="sent").count() < COUNT:
            if time.monotonic() > deadline:
                raise RuntimeError("not all notifications were sent within 15 minutes")
            time.sleep(0.25)
        delays = sorted(
            (sent_at - due_at).total_seconds() for sent_at in Notification.objects.values_list("sent_at", flat=True)
        )
        last_sent = delays[-1]
        failed = Notification.objects.exclude(status="sent").count()
        figures = {
            "notifications dispatched per second": (round(COUNT / last_sent, 1), "per s"),
            "p95 delay from due to sent": (round(delays[int(0.95 * (COUNT - 1))], 2), "s"),
            "median delay from due to sent": (round(delays[COUNT // 2], 2), "s"),
            "time to publish 10,000 dispatch tasks": (round(publish_seconds, 2), "s"),
            "notifications not sent": (failed, "count"),
        }
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        connections.close_all()
        _recreate(admin_url, bench_name, drop_only=True)
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}")
    return figures


if __name__ == "__main__":
    main()
