"""The commissioner's demand for learning by topic at city scale (docs/learning.md: < 300 ms),
beside a baseline measured in the same run, as bench_outcomes.py measures the outcome section.

It migrates a throwaway database (PostgreSQL when DATABASE_URL names a local server: database
``<name>_bench``, or BENCH_DATABASE_URL; else a temporary SQLite file) and runs
``seed_demo --scale city``, whose last step writes every pool's learning needs (demo/learning.py:
a year of them from the city pool's staff). Then, in a fresh process started as the server
starts, it times in-process:

- ``learning_demand_city``: the demand figures alone (its queries and every cell presented);
- the page (``learning_page_city``) and its CSV (``csv_learning-demand_city``), through Django's
  test client, read to their end;
- the baseline, the signed-in trivial view (``/health/signed-in/``), timed the same way.

Each is warmed once and timed BENCH_REPEAT times (default 7): median, 95th percentile, query
count, and the ratio to the baseline. With BENCH_REUSE=1 the seeded PostgreSQL database is kept
and reused (bench_dashboard.py's rule).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_home import base_environment, log, run_python, throwaway_database  # noqa: E402

REUSE = os.environ.get("BENCH_REUSE", "") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))

MEASURE = f"""
import json, statistics, time
import config.wsgi  # start up as the server does
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from dashboard.figures.learning_demand import learning_demand
from demo.city import CITY_POOL_NAME
from learning.queries import open_needs
from reflect.models import Pool, User

client = Client()
client.force_login(User.objects.get(email="commissioner@demo.reflect.test"))
pool = Pool.objects.get(name=CITY_POOL_NAME)


def figures():
    demand = learning_demand(pool)
    list(demand.table.csv_rows())


def page(url):
    def get():
        response = client.get(url, HTTP_HOST="127.0.0.1")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and body, url
    return get


def timed(work):
    work()
    times = []
    for _ in range({REPEAT}):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            work()
            times.append(time.perf_counter() - began)
    times.sort()
    p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
    return (statistics.median(times) * 1000, p95 * 1000, len(queries))


result = {{
    "baseline": timed(page("/health/signed-in/")),
    "learning_demand_city": timed(figures),
    "learning_page_city": timed(page(f"/pools/{{pool.pk}}/learning/")),
    "csv_learning-demand_city": timed(page(f"/pools/{{pool.pk}}/learning/demand.csv")),
    "needs": open_needs().filter(pool=pool).count(),
    "people": open_needs().filter(pool=pool).values("person_id").distinct().count(),
}}
print("RESULT " + json.dumps(result))
"""


SEEDED = """
import django; django.setup()
from demo.city import CITY_POOL_NAME
from learning.models import LearningNeed
print("SEEDED", LearningNeed.objects.filter(pool__name=CITY_POOL_NAME).exists())
"""


def _seeded(env: dict[str, str]) -> bool:
    """Whether a kept database already holds the city and its needs (BENCH_REUSE=1)."""
    output = subprocess.run(
        [sys.executable, "-c", SEEDED],
        cwd=HERE.parent,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return "SEEDED True" in output


def main() -> dict[str, tuple[float, str]]:
    with throwaway_database(keep=REUSE) as (database_url, description):
        env = {**base_environment(), "DATABASE_URL": database_url}
        log(f"database: {description}; migrating, seeding the city-scale pool")
        run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        began = time.monotonic()
        if not (REUSE and _seeded(env)):
            subprocess.run(
                [sys.executable, "manage.py", "seed_demo", "--scale", "city", "--quiet-logins", "-v0"],
                cwd=HERE.parent,
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
                check=True,
            )
        log(f"seeded the city in {time.monotonic() - began:.1f} s; timing × {REPEAT}")
        output = subprocess.run(
            [sys.executable, "-c", MEASURE],
            cwd=HERE.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        ).stdout
    measured = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    baseline = measured.pop("baseline")[0]
    result: dict[str, tuple[float, str]] = {
        "baseline_signed_in_trivial_view_median_ms": (round(baseline, 2), "ms"),
        "learning_needs_open_city": (measured.pop("needs"), "needs"),
        "learning_people_asking_city": (measured.pop("people"), "people"),
    }
    for name, (milliseconds, p95, queries) in measured.items():
        result[f"{name}_median_ms"] = (round(milliseconds, 1), "ms")
        result[f"{name}_p95_ms"] = (round(p95, 1), "ms")
        result[f"{name}_queries"] = (queries, "queries")
        result[f"{name}_to_baseline_ratio"] = (round(milliseconds / baseline, 1), "× baseline")
    result["bench_learning_database"] = (1 if description.startswith("PostgreSQL") else 0, "0=SQLite 1=PostgreSQL")
    for name, (value, unit) in result.items():
        print(f"{name}: {value} {unit}", flush=True)
    return result


if __name__ == "__main__":
    main()
