"""Throughput of booking a reflective-group place, beside two trivial views on the same gunicorn
server and database (docs/performance.md: the book-a-place request sustains at least half the trivial
view's throughput):

- /health/ touches neither the database nor a session (the floor of any request);
- /health/signed-in/ is what every signed-in page pays and nothing more: the middleware reads
  the session and the person, then one simple query. This is the trivial view "on the same
  database" that the target names; both ratios are reported, each under its own name.

Every booking is a real one: CLIENTS threads POST "book a place" for ONE session, each request
as a different signed-in member of staff who has no place yet, so each takes the session-row
lock, checks eligibility and room, counts the place, writes the place, its ledger entry and its
confirmation (outbox row) and publishes the dispatch — the whole path, contended on one row.
The same threads GET /health/signed-in/ (as one of the seeded staff) and /health/, in turns with
the bookings (BENCH_ROUNDS turns of each, BENCH_SECONDS in all per view). It checks afterwards that the session holds exactly as many places as bookings answered, and that
no place was lost or doubled.

Like bench_home: a throwaway database (PostgreSQL when DATABASE_URL names a local server),
gunicorn with 2 workers on 127.0.0.1, keep-alive connections. Celery publishes to
BENCH_REDIS_URL (or REDIS_URL) when one is set, as deployed — the queue it fills is purged
afterwards, so use a Redis database of your own — and otherwise runs eagerly, as the embedded
demo does (each confirmation is then rendered and "sent" to the console inside the request).

Environment: BENCH_PORT, BENCH_CLIENTS (32), BENCH_SECONDS (5), BENCH_ROUNDS (5), BENCH_PEOPLE (staff to sign
in, 6000: more than the bookings a run can make), BENCH_DATABASE_URL, BENCH_REDIS_URL.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import queue
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_home", HERE / "bench_home.py")
assert _spec is not None and _spec.loader is not None
home = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(home)

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "6000"))
CSRF_TOKEN = "b" * 32  # any 32-character secret is a valid unmasked CSRF cookie and token

# One pool, one organisation, PEOPLE staff each with a signed-in session, one drop-in group
# whose first session is open for booking and has room for everyone. Prints the session id
# and the session keys as JSON.
SEED = """
import datetime, json, sys
import django
django.setup()
from decimal import Decimal
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from reflect.models import Membership, Organisation, Pool, PoolCommissioner, PoolOrganisation, User
from scheduling.groups.changes import create_group

people = int(sys.argv[1])
pool = Pool.objects.create(
    name="Bench pool", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2030, 12, 31),
    hours_budget=Decimal("100"), money_budget=Decimal("6000"), hourly_rate=Decimal("60"), allocation_rule="equal",
)
organisation = Organisation.objects.create(name="Bench organisation", area="Leeds", staff_size=people)
PoolOrganisation.objects.create(pool=pool, organisation=organisation)
commissioner = User.objects.create(email="commissioner@bench.test", first_name="Cora")
PoolCommissioner.objects.create(pool=pool, user=commissioner)
tomorrow = timezone.localdate() + datetime.timedelta(days=1)
group = create_group(
    pool, acting_user=commissioner, title="Bench group", rrule="FREQ=WEEKLY", first_date=tomorrow,
    start_time=datetime.time(14, 0), duration_minutes=120, capacity=people, external_facilitator_name="Fay",
    ground_rules="Stays in the room.", confidentiality_statement="Nothing is written down.",
)
session = group.sessions.order_by("starts_at").first()
users = User.objects.bulk_create(
    [User(email=f"staff{n}@bench.test", first_name=f"Staff{n}", password="!") for n in range(people)]
)
Membership.objects.bulk_create([Membership(organisation=organisation, user=user) for user in users])
backend = "django.contrib.auth.backends.ModelBackend"
store = SessionStore()
expire = timezone.now() + datetime.timedelta(days=1)
rows, keys = [], []
for user in users:
    key = store._get_new_session_key()
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
    rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    keys.append(key)
Session.objects.bulk_create(rows)
print(json.dumps({"session": session.pk, "keys": keys}))
"""

CHECK = """
import json, sys
import django
django.setup()
from scheduling.models import GroupSession, Place
session = GroupSession.objects.get(pk=int(sys.argv[1]))
print(json.dumps({"places_taken": session.places_taken, "places": Place.objects.filter(session=session).count()}))
"""


def log(message: str) -> None:
    print(f"  [bench_booking] {message}", file=sys.stderr, flush=True)


def python_output(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=home.ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)[:60]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def book(port: int, path: str, keys: queue.SimpleQueue, seconds: float) -> tuple[int, list[float], float]:
    """CLIENTS threads POST ``path``, each request as the next person who has not booked yet."""

    def one_booking(connection: http.client.HTTPConnection) -> None:
        try:
            key = keys.get_nowait()
        except queue.Empty:
            raise home.Refused("ran out of people: raise BENCH_PEOPLE") from None
        headers = {
            "Cookie": f"sessionid={key}; csrftoken={CSRF_TOKEN}",
            "X-CSRFToken": CSRF_TOKEN,
            "Content-Length": "0",
        }
        status, answer, _ = home.request(connection, "POST", path, headers)
        if status != 302 or not answer.get("location", "").endswith(path.removesuffix("book/")):
            raise home.Refused(f"booking answered {status} {answer.get('location')}")

    return home.run_clients(port, one_booking, seconds)


def combined(turns: list[tuple[int, list[float], float]]) -> tuple[int, list[float], float]:
    """One view's turns added up: requests, every latency (sorted) and the seconds they took."""
    return (
        sum(count for count, _, _ in turns),
        sorted(latency for _, latencies, _ in turns for latency in latencies),
        sum(elapsed for _, _, elapsed in turns),
    )


def purge_broker(redis_url: str) -> None:
    """Drop the dispatch tasks the bench published (their rows are in the dropped database)."""
    from kombu import Connection

    with Connection(redis_url) as connection:
        connection.default_channel.queue_purge("celery")


def main() -> dict[str, tuple[float, str]]:
    home.CLIENTS = CLIENTS
    port = int(os.environ.get("BENCH_PORT") or home.free_port())
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL", "")
    with home.throwaway_database() as (database_url, description):
        env = {**home.base_environment(), "DATABASE_URL": database_url}
        if redis_url:
            env["REDIS_URL"] = redis_url
        log(f"database: {description}; Celery: {'Redis' if redis_url else 'eager'}; seeding {PEOPLE} staff")
        home.run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        seeded = json.loads(python_output(["-c", SEED, str(PEOPLE)], env))
        session_id, keys = seeded["session"], queue.SimpleQueue()
        signed_in = {"Cookie": f"sessionid={seeded['keys'][0]}"}  # a reader, who books nothing
        for key in seeded["keys"][1:]:
            keys.put(key)
        path = f"/groups/sessions/{session_id}/book/"
        log(f"gunicorn (2 workers) on {home.HOST}:{port}, {CLIENTS} clients")
        try:
            with home.gunicorn(env, port):
                warm, _, _ = book(port, path, keys, home.WARM_UP)
                home.drive(port, "/health/signed-in/", signed_in, home.WARM_UP)
                home.drive(port, "/health/", {}, home.WARM_UP)
                # Side by side: ROUNDS short turns of each, so that load from elsewhere on a
                # shared machine falls on all three alike rather than on whichever ran then.
                runs: dict[str, list[tuple[int, list[float], float]]] = {"book": [], "signed-in": [], "health": []}
                for _ in range(ROUNDS):
                    runs["book"].append(book(port, path, keys, DURATION / ROUNDS))
                    runs["signed-in"].append(home.drive(port, "/health/signed-in/", signed_in, DURATION / ROUNDS))
                    runs["health"].append(home.drive(port, "/health/", {}, DURATION / ROUNDS))
                booked, booking_latencies, booking_elapsed = combined(runs["book"])
                signed_in_count, signed_in_latencies, signed_in_elapsed = combined(runs["signed-in"])
                health_count, health_latencies, health_elapsed = combined(runs["health"])
                log(
                    f"{path}: {warm} + {booked} bookings; /health/signed-in/: {signed_in_count}; /health/: {health_count}"
                )
            check = json.loads(python_output(["-c", CHECK, str(session_id)], env))
        finally:
            if redis_url:
                purge_broker(redis_url)
    if check != {"places_taken": warm + booked, "places": warm + booked}:
        raise RuntimeError(f"{warm + booked} bookings answered, but the session holds {check}")
    booking_rps = booked / booking_elapsed
    health_rps = health_count / health_elapsed
    signed_in_rps = signed_in_count / signed_in_elapsed
    result = {
        "booking_throughput": (round(booking_rps, 1), "requests/s"),
        # /health/: no database, no session.
        "booking_trivial_view_throughput": (round(health_rps, 1), "requests/s"),
        "booking_to_trivial_view_ratio": (round(booking_rps / health_rps, 3), "ratio"),
        # /health/signed-in/: the session, the person and one simple query, on the same database.
        "booking_signed_in_trivial_view_throughput": (round(signed_in_rps, 1), "requests/s"),
        "booking_to_signed_in_trivial_view_ratio": (round(booking_rps / signed_in_rps, 3), "ratio"),
        "booking_p95_latency": (round(home.p95(booking_latencies) * 1000, 1), "ms"),
        "booking_trivial_view_p95_latency": (round(home.p95(health_latencies) * 1000, 1), "ms"),
        "booking_signed_in_trivial_view_p95_latency": (round(home.p95(signed_in_latencies) * 1000, 1), "ms"),
        "bench_booking_database": (0 if description.startswith("SQLite") else 1, "0=SQLite 1=PostgreSQL"),
        "bench_booking_celery": (1 if redis_url else 0, "0=eager 1=Redis"),
    }
    for name, (value, unit) in result.items():
        print(f"{name}: {value} {unit}", flush=True)
    return result


if __name__ == "__main__":
    main()
