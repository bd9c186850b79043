"""Server time and query count of the commissioner dashboard (the overview, and the reach and
outcome pages it links to: ``dashboard_reach_page_<scale>``, ``dashboard_outcomes_page_<scale>``)
and each CSV export, at city scale and at national scale, beside a baseline measured in the same
run (docs/performance.md: the page ≤ 100 ms median at city scale, ≤ 300 ms at national scale;
each export under 1 s nationally).

It migrates a throwaway database (PostgreSQL when DATABASE_URL names a local server, as
bench_home.py does: database ``<name>_bench`` or BENCH_DATABASE_URL; else a temporary SQLite
file), runs ``seed_demo --scale city`` and then ``--scale national`` (PostgreSQL only; on SQLite
the national figures are left out), timing each seed. Then, in a fresh process started as the
server starts (``config.wsgi``), it signs the demo commissioner in with Django's test client and
times each URL in-process (server time: the whole request through the middleware, views and
templates, without a network; a streamed CSV is read to its end). Each URL is warmed once, then
timed BENCH_REPEAT times (default 7); the median and the 95th percentile are reported, with the
query count. The baseline is the signed-in trivial view (``/health/signed-in/``) timed the same
way, and each figure is also given as a ratio to it.

On a shared machine wall-clock time also counts the time other processes held the CPU, so the
bench reports as well the CPU time each request costs (mean over the runs): this process's own,
plus the database server's for the connection (read from /proc, so only where the database runs
on this machine, and 0 where it is SQLite, whose time is the process's).

Seeding takes minutes. With BENCH_REUSE=1 the PostgreSQL database is kept afterwards and, when it
already holds the pools, reused as it is (only new migrations run on it), so that timing a
change to the queries does not seed again; the seed figures are then only the check that they
exist. Without it the database is dropped.

BENCH_DASHBOARD_SCALES (``city,national``, the default) names the scales to seed and time:
``city`` leaves the national pool out, its 25 minutes of seeding included.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_home import base_environment, log, run_python, throwaway_database  # noqa: E402

REUSE = os.environ.get("BENCH_REUSE", "") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
SCALES = [scale for scale in os.environ.get("BENCH_DASHBOARD_SCALES", "city,national").split(",") if scale]
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
import json, os, statistics, sys, time
import config.wsgi  # start up as the server does (views loaded, start-up kept out of the collector)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from demo.city import CITY_POOL_NAME, NATIONAL_POOL_NAME
from reflect.models import LedgerEntry, Pool, User
from scheduling.models import Place, SupervisionBooking

client = Client()
client.force_login(User.objects.get(email="commissioner@demo.reflect.test"))
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


def get(url):
    response = client.get(url, HTTP_HOST="127.0.0.1")
    # A streamed export is timed to its last byte.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and body, url
    return response


def timed(url):
    get(url)
    times = []
    cpu_began, database_began = time.process_time(), database_cpu()
    for _ in range({REPEAT}):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            get(url)
            times.append(time.perf_counter() - began)
    cpu = (time.process_time() - cpu_began + database_cpu() - database_began) / {REPEAT}
    times.sort()
    # The nearest-rank 95th percentile: with 7 runs, the slowest.
    p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
    return (statistics.median(times) * 1000, p95 * 1000, cpu * 1000, len(queries))


result = {{"baseline": timed("/health/signed-in/")}}
for scale in sys.argv[1:]:
    pool = Pool.objects.get(name={{"city": CITY_POOL_NAME, "national": NATIONAL_POOL_NAME}}[scale])
    result[f"{{scale}}_rows"] = (
        LedgerEntry.objects.filter(pool=pool).count()
        + Place.objects.filter(session__group__pool=pool).count()
        + SupervisionBooking.objects.filter(pool=pool).count()
    )
    result[f"dashboard_{{scale}}"] = timed(f"/pools/{{pool.pk}}/dashboard/")
    # The pages of their own the overview links to (docs/dashboard.md, "Pages").
    for name in ("reach", "outcomes"):
        result[f"dashboard_{{name}}_page_{{scale}}"] = timed(f"/pools/{{pool.pk}}/dashboard/{{name}}/")
    for key in {EXPORTS!r}:
        result[f"csv_{{key}}_{{scale}}"] = timed(f"/pools/{{pool.pk}}/dashboard/{{key}}.csv")
print("RESULT " + json.dumps(result))
"""


def _python(args: list[str], env: dict[str, str]) -> str:
    # Seeding the national scale takes minutes on a busy machine: a generous timeout.
    return subprocess.run(
        [sys.executable, *args], cwd=HERE.parent, env=env, capture_output=True, text=True, timeout=3600, check=True
    ).stdout


def _seed(scale: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds the seed took, and the CPU seconds its own process used (steadier on a busy machine)."""
    began, cpu_began = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    _python(["manage.py", "seed_demo", "--scale", scale, "--quiet-logins", "-v0"], env)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.monotonic() - began, cpu.ru_utime + cpu.ru_stime - cpu_began.ru_utime - cpu_began.ru_stime


def main() -> dict[str, tuple[float, str]]:
    with throwaway_database(keep=REUSE) as (database_url, description):
        env = {**base_environment(), "DATABASE_URL": database_url}
        on_postgresql = not description.startswith("SQLite")
        log(f"database: {description}; migrating, seeding the city-scale pool")
        run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        pools = [scale for scale in ("city", "national") if scale in SCALES and (on_postgresql or scale == "city")]
        seeded = {}
        for scale in pools:
            seeded[scale] = _seed(scale, env)
            log(f"seeded {scale} in {seeded[scale][0]:.1f} s")
        log(f"timing the baseline and {3 + len(EXPORTS)} URLs per scale × {REPEAT}")
        output = _python(["-c", MEASURE, *pools], env)
    measured = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    baseline = measured.pop("baseline")[0]
    result: dict[str, tuple[float, str]] = {"baseline_signed_in_trivial_view_median_ms": (round(baseline, 2), "ms")}
    for scale in pools:
        result[f"seed_{scale}_s"] = (round(seeded[scale][0], 1), "s")
        result[f"seed_{scale}_process_cpu_s"] = (round(seeded[scale][1], 1), "s")
        result[f"{scale}_places_bookings_and_ledger_entries"] = (measured.pop(f"{scale}_rows"), "rows")
    for name, (milliseconds, p95, cpu, queries) in measured.items():
        if name.startswith("csv_"):
            result[f"{name}_s"] = (round(milliseconds / 1000, 3), "s")
        else:
            result[f"{name}_median_ms"] = (round(milliseconds, 1), "ms")
        result[f"{name}_p95_ms"] = (round(p95, 1), "ms")
        result[f"{name}_cpu_ms"] = (round(cpu, 1), "ms")
        result[f"{name}_queries"] = (queries, "queries")
        result[f"{name}_to_baseline_ratio"] = (round(milliseconds / baseline, 1), "× baseline")
    result["bench_dashboard_database"] = (1 if on_postgresql else 0, "0=SQLite 1=PostgreSQL")
    for name, (value, unit) in result.items():
        print(f"{name}: {value} {unit}", flush=True)
    return result


if __name__ == "__main__":
    main()
