"""Webhook deliveries to a real receiver on this machine (docs/webhooks.md, "Figures").

Seeds a scratch database (as bench_home does: PostgreSQL beside DATABASE_URL's, else a
temporary SQLite file) with one pool endpoint pointing at a local HTTP server and 1,000 due
deliveries, then sends them as the worker does, in batches of ``WEBHOOK_BATCH_SIZE`` (claim,
sign, POST, log). Reports deliveries a second in one process, the median and 95th-percentile
time of one batch, the statements a batch costs (the same for each), and the time to sign one
message with standardwebhooks alone. Every delivery must arrive exactly once (by webhook-id).
Runs in a child process so that its Django set-up cannot leak into other benchmarks.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DELIVERIES = 1000


def _child() -> None:
    sys.path.insert(0, str(ROOT))
    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reflect.models import Pool, User
    from scheduling.calendar_credentials import encrypt_secret
    from tests.webhooks.receiver import local_receiver
    from webhooks import services
    from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
    from webhooks.signing import delivery_headers, new_secret

    call_command("migrate", verbosity=0)
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    today = timezone.localdate()
    pool = Pool.objects.create(
        name="Bench pool",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=365),
        hours_budget=100,
        money_budget=4500,
        hourly_rate=45,
    )
    body = json.dumps({"type": "place.taken", "data": {"session": {"id": 1}, "pool_id": pool.pk}})
    secret = new_secret()
    started = time.perf_counter()
    for _ in range(2000):
        delivery_headers([secret], "msg_bench", timezone.now(), body.encode())
    sign_us = (time.perf_counter() - started) / 2000 * 1e6
    with local_receiver() as receiver:
        # Kept by a commissioner of the pool: an endpoint sends only while its keeper is one.
        keeper = User.objects.create_user(email="bench-commissioner@example.org", password=None)
        pool.commissioners.add(keeper)
        endpoint = WebhookEndpoint.objects.create(
            pool=pool, url=receiver.url, events=["place.taken"], secret=encrypt_secret(secret), created_by=keeper
        )
        now = timezone.now()
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint, message_id=f"msg_{n}", event="place.taken", body=body, due_at=now)
            for n in range(DELIVERIES)
        )
        ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
        size = settings.WEBHOOK_BATCH_SIZE
        batch_ms, statements = [], set()
        started = time.perf_counter()
        for start in range(0, len(ids), size):
            with CaptureQueriesContext(connection) as captured:
                one = time.perf_counter()
                services.deliver_webhooks(ids[start : start + size])
                batch_ms.append((time.perf_counter() - one) * 1000)
            statements.add(len(captured.captured_queries))
        elapsed = time.perf_counter() - started
        arrived = sorted(request.headers["webhook-id"] for request in receiver.requests)
    assert arrived == sorted(f"msg_{n}" for n in range(DELIVERIES)), "every delivery exactly once"
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == DELIVERIES
    batch_ms.sort()
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "per_second": DELIVERIES / elapsed,
                "batch": size,
                "batch_median": statistics.median(batch_ms),
                "batch_p95": batch_ms[int(0.95 * (len(batch_ms) - 1))],
                "statements": sorted(statements),
                "sign_us": sign_us,
            }
        )
    )


def main() -> dict[str, tuple[float, str]]:
    sys.path.insert(0, str(ROOT))
    from bench.bench_home import base_environment, throwaway_database

    with throwaway_database() as (database_url, _):
        env = {**base_environment(), "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "true"}
        child = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT, capture_output=True, text=True)
    if child.returncode:
        raise RuntimeError(child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "child failed")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"webhooks ({result['database']}): {DELIVERIES} deliveries, {result['per_second']:.0f} a second in one "
        f"process; a batch of {result['batch']} median {result['batch_median']:.1f} ms (p95 "
        f"{result['batch_p95']:.1f}), {result['statements']} statements each; signing {result['sign_us']:.1f} µs"
    )
    return {
        "webhooks_deliveries_per_second": (round(result["per_second"]), "/s"),
        "webhooks_batch_median_ms": (round(result["batch_median"], 1), "ms"),
        "webhooks_batch_p95_ms": (round(result["batch_p95"], 1), "ms"),
        "webhooks_sign_us": (round(result["sign_us"], 1), "µs"),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
    else:
        main()
