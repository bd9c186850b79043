"""Server time and query count of the commissioner dashboard and each CSV export at city scale
(docs/performance.md: ≤ 300 ms on PostgreSQL).

It migrates a throwaway database (PostgreSQL when DATABASE_URL names a local server, as
bench_home.py does: database ``<name>_bench`` or BENCH_DATABASE_URL; else a temporary SQLite
file), runs ``seed_demo --scale city``, then, in a fresh process started as the server starts
(``config.wsgi``), signs the demo commissioner in with Django's test client and times each URL
in-process (server time: the whole request through
the middleware, views and templates, without a network). Each URL is warmed once, then timed
BENCH_REPEAT times (default 7); the median and the 95th percentile are reported, with the
page's query count. On a shared machine wall-clock time also counts the time other processes
held the CPU, so the bench reports as well the CPU time each request costs (mean over the runs):
this process's own, plus the database server's for the connection (read from /proc, so only
where the database runs on this machine, and 0 where it is SQLite, whose time is the process's).

Seeding takes a minute or more. With BENCH_REUSE=1 the PostgreSQL database is kept afterwards
and, when it already holds the city-scale pool, reused as it is (only new migrations run on it),
so that timing a change to the queries does not seed again. Without it the database is dropped.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_home import base_environment, log, run_python, throwaway_database  # noqa: E402

REUSE = os.environ.get("BENCH_REUSE", "") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
EXPORTS = [
    "organisations",
    "months",
    "fair-share",
    "group-months",
    "supervisors",
    "groups",
    "quiet",
    "first-sessions",
    "communities",
    "outcomes",
]

MEASURE = f"""
import json, os, statistics, time
import config.wsgi  # start up as the server does (views loaded, start-up kept out of the collector)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from demo.city import CITY_POOL_NAME
from reflect.models import LedgerEntry, Pool, User
from scheduling.models import Place

pool = Pool.objects.get(name=CITY_POOL_NAME)
client = Client()
client.force_login(User.objects.get(email="commissioner@demo.reflect.test"))
urls = {{"dashboard": f"/pools/{{pool.pk}}/dashboard/"}}
urls.update({{f"export_{{key}}": f"/pools/{{pool.pk}}/dashboard/{{key}}.csv" for key in {EXPORTS!r}}})
result = {{"rows": LedgerEntry.objects.filter(pool=pool).count() + Place.objects.filter(session__group__pool=pool).count()}}
backend = None
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]


def database_cpu():
    # utime + stime of the server process serving this connection, in seconds.
    if backend is None:
        return 0.0
    try:
        fields = open(f"/proc/{{backend}}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


for name, url in urls.items():
    assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200, url
    times = []
    cpu_began, database_began = time.process_time(), database_cpu()
    for _ in range({REPEAT}):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, url
    cpu = (time.process_time() - cpu_began + database_cpu() - database_began) / {REPEAT}
    times.sort()
    # The nearest-rank 95th percentile: with 7 runs, the slowest.
    p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
    result[name] = (statistics.median(times) * 1000, p95 * 1000, cpu * 1000, len(queries))
print("RESULT " + json.dumps(result))
"""


def main() -> dict[str, tuple[float, str]]:
    with throwaway_database(keep=REUSE) as (database_url, description):
        env = {**base_environment(), "DATABASE_URL": database_url}
        log(f"database: {description}; migrating and seeding the city-scale pool")
        began = time.monotonic()
        run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        run_python(["manage.py", "seed_demo", "--scale", "city", "--quiet-logins", "-v0"], env)
        seeded = time.monotonic() - began
        log(f"migrated and seeded in {seeded:.1f} s; timing {1 + len(EXPORTS)} URLs × {REPEAT}")
        import subprocess

        output = subprocess.run(
            [sys.executable, "-c", MEASURE],
            cwd=HERE.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        ).stdout
    measured = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    result: dict[str, tuple[float, str]] = {
        "dashboard_city_seed_seconds": (round(seeded, 1), "s"),
        "dashboard_city_places_and_ledger_entries": (measured.pop("rows"), "rows"),
    }
    for name, (milliseconds, p95, cpu, queries) in measured.items():
        result[f"dashboard_{name}_server_time"] = (round(milliseconds, 1), "ms")
        result[f"dashboard_{name}_server_time_p95"] = (round(p95, 1), "ms")
        result[f"dashboard_{name}_server_cpu"] = (round(cpu, 1), "ms")
        result[f"dashboard_{name}_queries"] = (queries, "queries")
    result["bench_dashboard_database"] = (0 if description.startswith("SQLite") else 1, "0=SQLite 1=PostgreSQL")
    for name, (value, unit) in result.items():
        print(f"{name}: {value} {unit}", flush=True)
    return result


if __name__ == "__main__":
    main()
