"""CPU per supervision booking, in process, and how long each booking holds its organisation's
allocation row (docs/performance.md; issue 20). Not part of ``make bench``: a measuring tool for
work on the booking path, steadier than throughput on a shared machine.

It seeds a throwaway database as bench_booking.py does (one organisation, BENCH_SUPERVISORS
supervisors with an agreement each, distinct free hours), then POSTs the supervision booking
form through Django's test client, one booking after another, each a different signed-in person
and hour: BENCH_BOOKINGS bookings after BENCH_WARM_BOOKINGS to warm up. For each it takes:

- the Django process's CPU time (``time.process_time()``) for the whole request;
- the PostgreSQL backend's CPU time (its ``/proc/<pid>/stat``, in clock ticks, so only as a
  mean over all the bookings), so the total is what one
  booking costs the machine whatever else runs on it;
- from the moment the statement that locks the ``PoolOrganisation`` row returns to the commit:
  the wall time (the hold every other booking of the organisation waits behind) and the
  process's CPU time within it;
- the statements the request ran.

BENCH_PROFILE=path writes a cProfile of the measured bookings there, timed by the process's CPU
(the CPU figures then include
the profiler's own cost). Prints the medians (and the 90th percentile of the hold) as ``name: value unit``. Needs
DATABASE_URL naming a local PostgreSQL (the database used is its name + "_cpu", dropped after);
BENCH_REDIS_URL, as for bench_booking, publishes to Redis as deployed (without it Celery runs
eagerly and each request also sends its confirmations).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_booking", HERE / "bench_booking.py")
assert _spec is not None and _spec.loader is not None
booking_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(booking_bench)

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "300"))
WARM_BOOKINGS = int(os.environ.get("BENCH_WARM_BOOKINGS", "60"))
PEOPLE = BOOKINGS + WARM_BOOKINGS + 10

# In the child: book each choice through the view and time it. The allocation lock's statement
# is the one that reads the PoolOrganisation table FOR UPDATE; the hold ends at the commit.
MEASURE = """
import json, os, sys, time
import django
django.setup()
from django.db import connection, transaction
from django.test import Client

choices, warm = json.loads(sys.stdin.read()), int(sys.argv[1])
hold = {}

def backend_cpu():
    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    hold["statements"] += 1
    if "poolorganisation" in sql and "FOR UPDATE" in sql and "start" not in hold:
        hold["start"] = (time.perf_counter(), time.process_time())
        transaction.on_commit(lambda: hold.__setitem__("end", (time.perf_counter(), time.process_time())))
    return result

import cProfile
profiler = cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE") else None
rows = []
client = Client()  # one handler, its middleware loaded once, as in a server's worker
for index, (key, user_id, agreement_id, start) in enumerate(choices):
    client.cookies.clear()
    client.cookies["sessionid"] = key
    path = f"/supervision/agreements/{agreement_id}/book/confirm/?start={start}&minutes=60"
    data = {"start": start, "minutes": "60", "attendees": str(user_id), "mode": "online"}
    hold.clear()
    hold["statements"] = 0
    if connection.connection is None:
        connection.ensure_connection()
    if index == warm:
        database_before = backend_cpu()
    cpu_before = time.process_time()
    if profiler and index >= warm:
        profiler.enable()
    with connection.execute_wrapper(watch):
        response = client.post(path, data)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - cpu_before
    assert response.status_code == 302 and "/supervision/sessions/" in response["Location"], response.status_code
    if index >= warm:
        (start_wall, start_cpu), (end_wall, end_cpu) = hold["start"], hold["end"]
        rows.append([cpu, end_wall - start_wall, end_cpu - start_cpu, hold["statements"]])
if profiler:
    profiler.dump_stats(os.environ["BENCH_PROFILE"])
# The backend's CPU is counted in clock ticks (10 ms): only its mean over every booking is exact enough.
print(json.dumps({"rows": rows, "database": (backend_cpu() - database_before) / len(rows)}))
"""


def main() -> dict[str, tuple[float, str]]:
    with booking_bench.cpu_measuring_database() as env:
        seeded = json.loads(
            booking_bench.python_output(["-c", booking_bench.SEED, str(PEOPLE), str(booking_bench.SUPERVISORS)], env)
        )
        choices = seeded["supervision"][: BOOKINGS + WARM_BOOKINGS]
        measured = booking_bench.measure_in_child(MEASURE, [str(WARM_BOOKINGS)], choices, env)
    cpu, hold, hold_cpu, statements = (list(column) for column in zip(*measured["rows"], strict=True))
    figures = {
        "supervision_booking_python_cpu_ms": (round(statistics.median(cpu) * 1000, 2), "ms"),
        "supervision_booking_database_cpu_mean_ms": (round(measured["database"] * 1000, 2), "ms"),
        "supervision_booking_allocation_hold_ms": (round(statistics.median(hold) * 1000, 2), "ms"),
        "supervision_booking_allocation_hold_p90_ms": (
            round(statistics.quantiles(hold, n=10)[-1] * 1000, 2),
            "ms",
        ),
        "supervision_booking_allocation_hold_python_cpu_ms": (round(statistics.median(hold_cpu) * 1000, 2), "ms"),
        "supervision_booking_request_statements": (statistics.median(statements), "statements"),
    }
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}", flush=True)
    return figures


if __name__ == "__main__":
    main()
