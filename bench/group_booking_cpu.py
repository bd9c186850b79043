"""CPU per group-place booking, in process, beside the signed-in trivial view (docs/performance.md;
issue 20). Not part of ``make bench``: a measuring tool for work on the booking path, steadier
than throughput on a shared machine.

It seeds a throwaway database as bench_booking.py does (one session with room for everyone, its
staff signed in), then, through Django's test client, POSTs the session's *Book* one booking
after another, each a different signed-in person: BENCH_BOOKINGS bookings after
BENCH_WARM_BOOKINGS to warm up, and as many GETs of ``/health/signed-in/`` (the signed-in
trivial view) in turns with them. For each kind of request it takes:

- the Django process's CPU time (``time.process_time()``) for the whole request;
- the PostgreSQL backend's CPU time (its ``/proc/<pid>/schedstat``, in nanoseconds), so the
  two together are what one request costs the machine whatever else runs on it;
- the statements the request ran;
- for a booking, how long the session's row is locked: from the conditional UPDATE that takes
  the lock to the end of the commit (its WAL flushed), wall time. Every booking of the session
  waits behind it, so one session can take no more than one booking per that time, however
  many cores; and the Django process's CPU time within it (``…_held_python_cpu_ms``);

each a median.

It prints those, and ``group_booking_cpu_ratio``: the trivial view's CPU (Python and database)
over the booking's. BENCH_PROFILE=path writes a cProfile of the measured bookings there, timed by
the process's CPU. Needs DATABASE_URL naming a local PostgreSQL (the database used is its name +
"_cpu", dropped after); BENCH_REDIS_URL, as for bench_booking, publishes to Redis as deployed
(its ``celery`` queue is purged afterwards).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_booking as booking_bench  # a script beside this one, not a package

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "300"))
WARM_BOOKINGS = int(os.environ.get("BENCH_WARM_BOOKINGS", "30"))
PEOPLE = BOOKINGS + WARM_BOOKINGS + 10

# In the child: a booking, then a signed-in trivial view, in turns, each timed.
MEASURE = """
import json, os, sys, time
import django
django.setup()
from django.db import connection, transaction
from django.test import Client

session_id, reader, keys, warm = json.loads(sys.stdin.read())

def backend_cpu():
    # The backend's time on a CPU, in nanoseconds as its scheduler counts it: exact for one request.
    with open(f"/proc/{connection.connection.info.backend_pid}/schedstat") as schedstat:
        return int(schedstat.read().split()[0]) / 1e9

statements = [0]
hold = {}

def count(execute, sql, params, many, context):
    statements[0] += 1
    if sql.startswith('UPDATE "scheduling_groupsession"') and "start" not in hold:
        # The session's row is locked from this statement to the commit (its WAL flushed): the
        # time every other booking of the session waits.
        hold["start"], hold["start_cpu"] = time.perf_counter(), time.process_time()
        transaction.on_commit(lambda: hold.update(end=time.perf_counter(), end_cpu=time.process_time()))
    return execute(sql, params, many, context)

import cProfile
profiler = cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE") else None
path = f"/groups/sessions/{session_id}/book/"
client = Client(enforce_csrf_checks=False)  # one handler, its middleware loaded once, as in a server's worker
measured = {"book": [], "signed-in": []}

def timed(kind, key, send, index):
    client.cookies.clear()
    client.cookies["sessionid"] = key
    statements[0] = 0
    hold.clear()
    if connection.connection is None:
        connection.ensure_connection()
    database_before = backend_cpu()
    cpu_before = time.process_time()
    if profiler and kind == "book" and index >= warm:
        profiler.enable()
    with connection.execute_wrapper(count):
        response = send()
    if profiler:
        profiler.disable()
    cpu = time.process_time() - cpu_before
    if index >= warm:
        held = hold["end"] - hold["start"] if hold else 0.0
        held_cpu = hold["end_cpu"] - hold["start_cpu"] if hold else 0.0
        measured[kind].append([cpu, backend_cpu() - database_before, statements[0], held, held_cpu])
    return response

for index, key in enumerate(keys):
    response = timed("book", key, lambda: client.post(path), index)
    assert response.status_code == 302 and response["Location"].endswith(f"/groups/sessions/{session_id}/"), (
        response.status_code, response.get("Location"))
    response = timed("signed-in", reader, lambda: client.get("/health/signed-in/"), index)
    assert response.status_code == 200, response.status_code
if profiler:
    profiler.dump_stats(os.environ["BENCH_PROFILE"])
print(json.dumps(measured))
"""


def main() -> dict[str, tuple[float, str]]:
    with booking_bench.cpu_measuring_database() as env:
        seeded = json.loads(booking_bench.python_output(["-c", booking_bench.SEED, str(PEOPLE), "1"], env))
        reader, *bookers = seeded["keys"]
        given = [seeded["session"], reader, bookers[: BOOKINGS + WARM_BOOKINGS], WARM_BOOKINGS]
        measured = booking_bench.measure_in_child(MEASURE, [], given, env)
    figures: dict[str, tuple[float, str]] = {}
    for kind, name in (("book", "group_booking"), ("signed-in", "signed_in_trivial_view")):
        cpu, database, statements, held, held_cpu = (list(column) for column in zip(*measured[kind], strict=True))
        figures[f"{name}_python_cpu_ms"] = (round(statistics.median(cpu) * 1000, 2), "ms")
        figures[f"{name}_database_cpu_ms"] = (round(statistics.median(database) * 1000, 2), "ms")
        figures[f"{name}_request_statements"] = (statistics.median(statements), "statements")
        if kind == "book":
            figures["group_booking_session_row_held_ms"] = (round(statistics.median(held) * 1000, 2), "ms")
            # The Django process's own CPU within that hold: what of it is Python, steadier than
            # its wall time on a busy machine (it leaves out waiting for the database and the disk).
            figures["group_booking_session_row_held_python_cpu_ms"] = (
                round(statistics.median(held_cpu) * 1000, 2),
                "ms",
            )
    booking = figures["group_booking_python_cpu_ms"][0] + figures["group_booking_database_cpu_ms"][0]
    trivial = figures["signed_in_trivial_view_python_cpu_ms"][0] + figures["signed_in_trivial_view_database_cpu_ms"][0]
    figures["group_booking_cpu_ratio"] = (round(trivial / booking, 3), "ratio")
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}", flush=True)
    return figures


if __name__ == "__main__":
    main()
