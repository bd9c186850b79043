"""Server time of the dashboard's reach and equality section at city scale, beside a baseline
measured in the same run (docs/equality.md: ≤ 300 ms median at city scale).

It migrates a throwaway database as bench_dashboard.py does (PostgreSQL when DATABASE_URL names
a local server: database ``<name>_bench``, or BENCH_DATABASE_URL; else a temporary SQLite file)
and runs ``seed_demo --scale city``, which also gives about seven in ten staff equality answers
(demo/equality.py). Then, in a fresh process started as the server starts, it times building the
section (its four queries, the tally, suppression, and every cell of its seven tables, as the
page and the CSVs render them): warmed once, then BENCH_REPEAT times (default 7), median and
95th percentile, with the query count. The baseline is the signed-in trivial view
(``/health/signed-in/``) timed the same way, and the section is also given as a ratio to it.
With BENCH_REUSE=1 a PostgreSQL database that already holds the city pool is kept and reused.
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

from bench.bench_home import base_environment, log, throwaway_database  # noqa: E402

REUSE = os.environ.get("BENCH_REUSE", "") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))

MEASURE = f"""
import json, statistics, time
import config.wsgi  # start up as the server does
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from demo.city import CITY_POOL_NAME
from equality.models import EqualityAnswers
from reflect.models import Pool, User

client = Client()
client.force_login(User.objects.get(email="commissioner@demo.reflect.test"))
pool = Pool.objects.get(name=CITY_POOL_NAME)


def health():
    assert client.get("/health/signed-in/", HTTP_HOST="127.0.0.1").status_code == 200


def reach():
    section = PoolFigures(pool, whole_pool(pool)).reach.section()
    # Every cell, as the page and the CSVs make them.
    return sum(len(list(table.csv_rows())) + len(table.body_html()) for table in section.tables)


def timed(run):
    run()
    times = []
    for _ in range({REPEAT}):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            run()
            times.append(time.perf_counter() - began)
    times.sort()
    p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
    return (statistics.median(times) * 1000, p95 * 1000, len(queries))


result = {{"baseline": timed(health), "reach": timed(reach), "answers": EqualityAnswers.objects.count()}}
print("RESULT " + json.dumps(result))
"""


def _python(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, *args], cwd=HERE.parent, env=env, capture_output=True, text=True, timeout=3600, check=True
    ).stdout


def main() -> dict[str, tuple[float, str]]:
    figures: dict[str, tuple[float, str]] = {}
    with throwaway_database(keep=REUSE) as (url, description):
        env = base_environment() | {"DATABASE_URL": url}
        log(f"reach: {description}")
        _python(["manage.py", "migrate", "-v0"], env)
        began = time.monotonic()
        _python(["manage.py", "seed_demo", "--scale", "city", "--quiet-logins", "-v0"], env)
        log(f"reach: seeded in {time.monotonic() - began:.0f} s")
        output = _python(["-c", MEASURE], env)
        result = json.loads(output.split("RESULT ", 1)[1])
    baseline, reach = result["baseline"], result["reach"]
    figures["dashboard_reach_city_median_ms"] = (round(reach[0], 1), "ms")
    figures["dashboard_reach_city_p95_ms"] = (round(reach[1], 1), "ms")
    figures["dashboard_reach_city_queries"] = (reach[2], "queries")
    figures["dashboard_reach_city_baseline_median_ms"] = (round(baseline[0], 1), "ms")
    figures["dashboard_reach_city_ratio_to_baseline"] = (round(reach[0] / baseline[0], 1), "x")
    figures["dashboard_reach_city_staff_answered"] = (result["answers"], "people")
    return figures
