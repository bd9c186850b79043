"""A person's private calendar feed with 500 events (docs/performance.md: ≤ 10 ms, its 304 ≤ 2 ms).

Seeds a scratch database (PostgreSQL ``<name>_bench_feed`` beside DATABASE_URL's when it names
PostgreSQL, else a temporary SQLite file) with one person who has 450 supervision sessions
(45 of them cancelled in the last 30 days, so they are in the feed as CANCELLED) and 50
reflective-group places, 90 days back to a year ahead. Then it requests the feed through
Django's test client — the whole request in this process, middleware included — and reports
the median and 95th percentile server time of the feed (its text of this version already built
and cached, as a calendar's repeat fetch finds it), of the feed built afresh (the cache emptied
before each request), of the 304 answer to a conditional request, and the query counts. In
the same rounds it times the signed-in trivial view (``/health/signed-in/``) in the same way,
as the baseline the figures are also given against. Runs in a child process so its Django
set-up cannot leak into other benchmarks. ``BENCH_REDIS_URL``: a Redis database of your own
for the cache (the deployment shape); without it the cache is the process's memory.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 40
SESSIONS = 450
PLACES = 50


def _child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import datetime
    from decimal import Decimal

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reflect.models import Membership, Organisation, Pool, PoolOrganisation, User
    from scheduling.models import (
        BookingAttendee,
        BookingStatus,
        GroupSession,
        Place,
        ReflectiveGroup,
        SupervisionBooking,
    )
    from scheduling.services.calendar_feed import regenerate_feed
    from supervision.models import SupervisionAgreement, SupervisorProfile

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    person = User.objects.create_user("feed@bench.test", first_name="Fern", last_name="Bench")
    clinician = User.objects.create_user("clinician@bench.test", first_name="Ann", last_name="Carter")
    supervisor = SupervisorProfile.objects.create(user=clinician, profession="Counselling psychologist")
    pool = Pool.objects.create(
        name="Bench pool",
        starts_on=now.date(),
        ends_on=(now + datetime.timedelta(days=365)).date(),
        hours_budget=Decimal("1000"),
        money_budget=Decimal("60000"),
        hourly_rate=Decimal("60"),
    )
    organisation = Organisation.objects.create(name="Bench organisation", staff_size=5)
    PoolOrganisation.objects.create(pool=pool, organisation=organisation)
    Membership.objects.create(user=person, organisation=organisation)
    agreement = SupervisionAgreement.objects.create(
        organisation=organisation,
        supervisor=supervisor,
        pool=pool,
        format="one_to_one",
        hours_per_month=Decimal("100"),
        starts_on=now.date(),
        review_on=now.date(),
    )
    first = now - datetime.timedelta(days=89)
    bookings = []
    for number in range(SESSIONS):
        start = first + datetime.timedelta(hours=20 * number)
        cancelled = number % 10 == 0 and start > now
        bookings.append(
            SupervisionBooking(
                agreement=agreement,
                supervisor=supervisor,
                organisation=organisation,
                pool=pool,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=60),
                minutes=60,
                hours=Decimal("1"),
                status=BookingStatus.CANCELLED if cancelled else BookingStatus.BOOKED,
                cancelled_at=now - datetime.timedelta(days=2) if cancelled else None,
                online_link="https://meet.example.org/ann",
                booked_by=person,
            )
        )
    SupervisionBooking.objects.bulk_create(bookings)
    BookingAttendee.objects.bulk_create(
        BookingAttendee(booking=booking, user=person) for booking in SupervisionBooking.objects.all()
    )
    group = ReflectiveGroup.objects.create(
        pool=pool,
        title="Leeds reflective practice",
        external_facilitator_name="Dr Bea Jones",
        rrule="FREQ=WEEKLY",
        first_date=now.date(),
        start_time=datetime.time(14),
        duration_minutes=120,
        location="Room 2, Leeds Community Hub",
        capacity=10,
        ground_rules="What is said here stays here.",
        confidentiality_statement="Nothing said is written down.",
    )
    for number in range(PLACES):
        start = now - datetime.timedelta(days=80) + datetime.timedelta(days=7 * number, hours=3)
        session = GroupSession.objects.create(
            group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=2), place_limit=10, places_taken=1
        )
        Place.objects.create(session=session, user=person, organisation=organisation, booked_at=now)
    url = f"/calendar/feed/{regenerate_feed(person).token}.ics"
    client = Client()
    signed_in = Client()
    signed_in.force_login(person)
    first_response = client.get(url)
    assert first_response.status_code == 200, first_response.status_code
    events = first_response.content.count(b"BEGIN:VEVENT")

    def timed(request, status: int) -> float:
        started = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == status, response.status_code
        return elapsed

    def afresh():
        cache.clear()
        return client.get(url)

    timings: dict[str, list[float]] = {"feed": [], "built": [], "not_modified": [], "baseline": []}
    # In rounds, each kind once a round, so a busy moment on the machine slows them alike.
    for _ in range(RUNS):
        timings["baseline"].append(timed(lambda: signed_in.get("/health/signed-in/"), 200))
        timings["feed"].append(timed(lambda: client.get(url), 200))
        timings["not_modified"].append(timed(lambda: client.get(url, HTTP_IF_NONE_MATCH=first_response["ETag"]), 304))
        timings["built"].append(timed(afresh, 200))
    counts = {}
    for name, request in (
        ("feed", lambda: client.get(url)),
        ("not_modified", lambda: client.get(url, HTTP_IF_NONE_MATCH=first_response["ETag"])),
        ("built", afresh),
    ):
        with CaptureQueriesContext(connection) as queries:
            request()
        counts[name] = len(queries.captured_queries)
    result = {"events": events, "database": connection.vendor, "cache": settings.CACHES["default"]["BACKEND"]}
    for name, values in timings.items():
        values.sort()
        result[f"{name}_median"] = statistics.median(values)
        result[f"{name}_p95"] = values[int(0.95 * (len(values) - 1))]
    result["queries"] = counts
    print(json.dumps(result))


def main() -> dict[str, tuple[float, str]]:
    sys.path.insert(0, str(ROOT))
    from bench.bench_home import base_environment, throwaway_database

    # A scratch database as every bench makes one (only ever on this machine), and only what
    # the site needs in the environment; the cache on Redis only when given a database of its own.
    with throwaway_database() as (database_url, _):
        env = {**base_environment(), "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "true"}
        if os.environ.get("BENCH_REDIS_URL"):
            env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
        child = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT, capture_output=True, text=True)
    if child.returncode:
        raise RuntimeError(child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "child failed")
    output = child.stdout
    result = json.loads(output.strip().splitlines()[-1])
    baseline = result["baseline_median"]
    print(
        f"feed ({result['database']}, cache {result['cache'].rsplit('.', 1)[-1]}): {result['events']} events, "
        f"median {result['feed_median']:.2f} ms (p95 {result['feed_p95']:.2f}), built afresh "
        f"{result['built_median']:.1f} ms, 304 {result['not_modified_median']:.2f} ms, signed-in trivial view "
        f"{baseline:.2f} ms; queries {result['queries']}"
    )
    return {
        "feed_500_events_median_ms": (round(result["feed_median"], 2), "ms"),
        "feed_500_events_p95_ms": (round(result["feed_p95"], 2), "ms"),
        "feed_500_events_built_median_ms": (round(result["built_median"], 1), "ms"),
        "feed_304_median_ms": (round(result["not_modified_median"], 2), "ms"),
        "signed_in_trivial_view_median_ms": (round(baseline, 2), "ms"),
        "feed_to_signed_in_trivial_view_ratio": (round(result["feed_median"] / baseline, 2), "×"),
        "feed_built_to_signed_in_trivial_view_ratio": (round(result["built_median"] / baseline, 2), "×"),
        "feed_304_to_signed_in_trivial_view_ratio": (round(result["not_modified_median"] / baseline, 2), "×"),
        "feed_queries": (result["queries"]["feed"], "queries"),
        "feed_built_queries": (result["queries"]["built"], "queries"),
        "feed_304_queries": (result["queries"]["not_modified"], "queries"),
        "feed_events": (result["events"], "events"),
    }


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        print(main())
