"""The API at city scale: a supervisor's bookable slots and a paginated list of supervision
sessions (docs/api.md, "Performance"), with their query counts, which must not grow with the data.

Seeds a scratch database (PostgreSQL ``<name>_bench`` beside DATABASE_URL's when it names a local
PostgreSQL, else a temporary SQLite file) with the city-scale demo (``seed_demo --scale city``:
300 organisations, 60 supervisors, 24 months of sessions). Then, in a child process, through
Django's test client (the whole request in process, middleware included) with a personal access
token: the busiest supervisor's list of sessions, its first page and its last (by following
``next``), and the slots of one of that supervisor's agreements for one of its
organisation's staff (weekly hours added for the supervisor, as the city data have none), and a
commissioner's pool figures (``/pools/<id>/usage/``) for the pool with the most organisations. Each is
timed (median and 95th percentile of BENCH_REPEAT runs, default 30) beside the signed-in trivial
view (``/health/signed-in/``), and its queries counted; tests/api/test_queries.py asserts the
same counts at two small sizes.
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
RUNS = int(os.environ.get("BENCH_REPEAT", "30"))


def _child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import datetime

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from api.scopes import ALL_SCOPES
    from api.services.tokens import make_token
    from reflect.models import Membership, Pool
    from scheduling.models import AvailabilitySettings, SupervisionBooking, WeeklyRule
    from supervision.models import SupervisionAgreement, SupervisorProfile

    busiest = (
        SupervisionBooking.objects.values("supervisor_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "supervisor_id")
        .first()
    )
    assert busiest is not None, "no city-scale sessions: was the database seeded?"
    supervisor = SupervisorProfile.objects.select_related("user").get(pk=busiest["supervisor_id"])
    AvailabilitySettings.objects.update_or_create(
        supervisor=supervisor,
        defaults={"session_lengths": [60, 90], "buffer_minutes": 15, "minimum_notice_hours": 24, "horizon_weeks": 8},
    )
    if not WeeklyRule.objects.filter(supervisor=supervisor).exists():
        WeeklyRule.objects.bulk_create(
            WeeklyRule(supervisor=supervisor, weekday=day, start=datetime.time(9), end=datetime.time(17))
            for day in range(5)
        )
    agreement = SupervisionAgreement.objects.filter(supervisor=supervisor, status="active").order_by("pk").first()
    assert agreement is not None
    staff = Membership.objects.current().filter(organisation_id=agreement.organisation_id).first()
    assert staff is not None

    def client_for(user) -> APIClient:
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {make_token(user, name='bench', scopes=list(ALL_SCOPES), days=7).secret}"
        )
        return client

    supervisor_client, staff_client = client_for(supervisor.user), client_for(staff.user)
    signed_in = Client()
    signed_in.force_login(staff.user)
    first_page = "/api/v1/bookings/?page_size=50"
    # The last page, by following next: the cursor furthest into the list.
    url, later_page, pages = first_page, first_page, 1
    while url:
        later_page = url.removeprefix("http://testserver")
        url = supervisor_client.get(url).json()["next"]
        pages += 1 if url else 0
    slots = f"/api/v1/agreements/{agreement.pk}/slots/"
    # A commissioner's pool figures (the dashboard's headlines and its organisations and months
    # tables): the pool with the most organisations. Demo accounts skip two-factor outside production.
    pool = Pool.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    assert pool is not None
    commissioner = pool.commissioners.order_by("pk").first()
    assert commissioner is not None
    usage_client = APIClient()
    usage_client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {make_token(commissioner, name='bench', scopes=['usage:read'], days=7).secret}"
    )
    usage = f"/api/v1/pools/{pool.pk}/usage/"
    requests = {
        "bookings_first_page": (supervisor_client, first_page),
        "bookings_last_page": (supervisor_client, later_page),
        "slots": (staff_client, slots),
        "pool_usage": (usage_client, usage),
        "baseline": (signed_in, "/health/signed-in/"),
    }

    def timed(client, path: str) -> float:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    timings: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(RUNS):  # in rounds, so that a busy moment slows them alike
        for name, (client, path) in requests.items():
            timings[name].append(timed(client, path))
    counts = {}
    for name, (client, path) in requests.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[name] = len(queries.captured_queries)
    result: dict[str, object] = {
        "database": connection.vendor,
        "sessions_of_supervisor": busiest["n"],
        "sessions": SupervisionBooking.objects.count(),
        "slots_found": len(staff_client.get(slots).json()),
        "pages": pages,
        "pool_organisations": pool.n,
        "queries": counts,
    }
    for name, values in timings.items():
        values.sort()
        result[f"{name}_median"] = statistics.median(values)
        result[f"{name}_p95"] = values[int(0.95 * (len(values) - 1))]
    print(json.dumps(result))


def main() -> dict[str, tuple[float, str]]:
    sys.path.insert(0, str(ROOT))
    from bench.bench_home import base_environment, throwaway_database

    with throwaway_database() as (database_url, description):
        env = {**base_environment(), "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "true"}
        print(f"  [bench_api] database: {description}; migrating, seeding the city-scale pool", file=sys.stderr)
        for args in (
            ["manage.py", "migrate", "-v0"],
            ["manage.py", "seed_demo", "--scale", "city", "--quiet-logins", "-v0"],
        ):
            subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        child = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT, capture_output=True, text=True)
    if child.returncode:
        raise RuntimeError(child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "child failed")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    queries = result["queries"]
    print(
        f"api ({result['database']}, {result['sessions']} sessions, the supervisor's {result['sessions_of_supervisor']}): "
        f"bookings page 1 {result['bookings_first_page_median']:.1f} ms ({queries['bookings_first_page']} queries), "
        f"last page (of {result['pages']}) {result['bookings_last_page_median']:.1f} ms ({queries['bookings_last_page']} queries), "
        f"slots {result['slots_median']:.1f} ms ({queries['slots']} queries, {result['slots_found']} times), "
        f"pool usage {result['pool_usage_median']:.1f} ms ({queries['pool_usage']} queries, "
        f"{result['pool_organisations']} organisations), "
        f"signed-in trivial view {result['baseline_median']:.2f} ms"
    )
    return {
        "api_bookings_page_median_ms": (round(result["bookings_first_page_median"], 1), "ms"),
        "api_bookings_page_p95_ms": (round(result["bookings_first_page_p95"], 1), "ms"),
        "api_bookings_last_page_median_ms": (round(result["bookings_last_page_median"], 1), "ms"),
        "api_bookings_page_queries": (queries["bookings_first_page"], "queries"),
        "api_bookings_last_page_queries": (queries["bookings_last_page"], "queries"),
        "api_slots_median_ms": (round(result["slots_median"], 1), "ms"),
        "api_slots_p95_ms": (round(result["slots_p95"], 1), "ms"),
        "api_slots_queries": (queries["slots"], "queries"),
        "api_pool_usage_median_ms": (round(result["pool_usage_median"], 1), "ms"),
        "api_pool_usage_p95_ms": (round(result["pool_usage_p95"], 1), "ms"),
        "api_pool_usage_queries": (queries["pool_usage"], "queries"),
        "api_signed_in_trivial_view_median_ms": (round(result["baseline_median"], 2), "ms"),
    }


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        print(main())
