"""What the benchmarks of one dashboard section at city scale share (bench_learning.py,
bench_outcomes.py, bench_reach.py), so that each says only what it times.

- ``measure_at_city_scale``: a throwaway database (PostgreSQL when DATABASE_URL names a local
  server: database ``<name>_bench``, or BENCH_DATABASE_URL; else a temporary SQLite file),
  migrated and seeded with ``seed_demo --scale city``; with BENCH_REUSE=1 a kept PostgreSQL
  database that already holds what the bench reads is reused as it is (bench_dashboard.py's
  rule). Then the bench's measuring script runs in a fresh process started as the server starts,
  after ``PRELUDE``: the city pool, a test client signed in as its commissioner, ``page(url)``
  (a GET read to its end) and ``timed(work)`` (warmed once, then BENCH_REPEAT times, default 7:
  median and 95th percentile in ms, and the query count of one run).
- ``timing_figures``: each timed thing's median, 95th percentile, queries and ratio to the
  baseline measured in the same run, under the names the benches have always printed.

Not a benchmark itself: bench/run.py runs only files named ``bench_*.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_home import base_environment, log, run_python, throwaway_database  # noqa: E402

REUSE = os.environ.get("BENCH_REUSE", "") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))

PRELUDE = f"""
import json, statistics, time
import config.wsgi  # start up as the server does
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from demo.city import CITY_POOL_NAME
from reflect.models import Pool, User

client = Client()
client.force_login(User.objects.get(email="commissioner@demo.reflect.test"))
pool = Pool.objects.get(name=CITY_POOL_NAME)


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
"""

SEEDED = """
import django; django.setup()
from demo.city import CITY_POOL_NAME
{imports}
print("SEEDED", bool({expression}))
"""


def _python(args: list[str], env: dict[str, str], timeout: int) -> str:
    return subprocess.run(
        [sys.executable, *args], cwd=HERE.parent, env=env, capture_output=True, text=True, timeout=timeout, check=True
    ).stdout


def measure_at_city_scale(label: str, measure: str, *, seeded: tuple[str, str]) -> tuple[dict[str, Any], str]:
    """Seed the city and run ``PRELUDE`` + ``measure``, which prints one line ``RESULT <json>``.
    ``seeded``: (imports, expression) true in a kept database that holds what ``measure`` reads.
    Returns what it printed and the database's description."""
    with throwaway_database(keep=REUSE) as (database_url, description):
        env = {**base_environment(), "DATABASE_URL": database_url}
        log(f"{label}: {description}; migrating, seeding the city-scale pool")
        run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        began = time.monotonic()
        imports, expression = seeded
        check = SEEDED.format(imports=imports, expression=expression)
        settings = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
        if not (REUSE and "SEEDED True" in _python(["-c", check], settings, 300)):
            _python(["manage.py", "seed_demo", "--scale", "city", "--quiet-logins", "-v0"], env, 3600)
        log(f"{label}: seeded the city in {time.monotonic() - began:.1f} s; timing × {REPEAT}")
        output = _python(["-c", PRELUDE + measure], env, 900)
    measured = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    return measured, description


def timing_figures(
    measured: dict[str, list[float]], baseline: float, *, csv_in_seconds: bool = False
) -> dict[str, tuple[float, str]]:
    """``name_median_ms`` (or ``name_s`` for a CSV, with ``csv_in_seconds``), ``name_p95_ms``,
    ``name_queries`` and ``name_to_baseline_ratio`` for each timed thing."""
    figures: dict[str, tuple[float, str]] = {}
    for name, (milliseconds, p95, queries) in measured.items():
        if csv_in_seconds and name.startswith("csv_"):
            figures[f"{name}_s"] = (round(milliseconds / 1000, 3), "s")
        else:
            figures[f"{name}_median_ms"] = (round(milliseconds, 1), "ms")
        figures[f"{name}_p95_ms"] = (round(p95, 1), "ms")
        figures[f"{name}_queries"] = (queries, "queries")
        figures[f"{name}_to_baseline_ratio"] = (round(milliseconds / baseline, 1), "× baseline")
    return figures


def database_figure(name: str, description: str) -> dict[str, tuple[float, str]]:
    """Which database the figures were measured on."""
    return {name: (1 if description.startswith("PostgreSQL") else 0, "0=SQLite 1=PostgreSQL")}


def print_figures(figures: dict[str, tuple[float, str]]) -> None:
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}", flush=True)
