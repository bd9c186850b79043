"""Throughput of booking a reflective-group place and of booking a supervision session, beside two
trivial views on the same gunicorn server and database (docs/performance.md; issue 20: each booking
kind sustains at least half the signed-in trivial view's throughput):

- /health/ touches neither the database nor a session (the floor of any request);
- /health/signed-in/ is what every signed-in page pays and nothing more: the middleware reads
  the session and the person, then one simple query. This is the trivial view "on the same
  database" that the target names; both ratios are reported, each under its own name.

Every booking is a real one: CLIENTS threads POST "book a place" for ONE session, each request
as a different signed-in member of staff who has no place yet, so each takes the session-row
lock, checks eligibility and room, counts the place, writes the place, its ledger entry and its
confirmation (outbox row) and publishes the dispatch — the whole path, contended on one row.
Supervision bookings are real too: each POST books a different member of staff into a different
free hour (Monday to Friday, 09:00–17:00, from three days ahead) with one of BENCH_SUPERVISORS
supervisors, one agreement each, all of one organisation — so every request takes the
organisation's allocation lock (contended, like the session row), the supervisor's, checks the
slot and the hours, and writes the booking, its ledger entries and the outbox rows.
The same threads GET /health/signed-in/ (as one of the seeded staff) and /health/, in turns with
the bookings (BENCH_ROUNDS turns of each, BENCH_SECONDS in all per view). It checks afterwards that the session holds exactly as many places as bookings answered, and that
no place was lost or doubled, and that there are exactly as many supervision bookings as answered.

Like bench_home: a throwaway database (PostgreSQL when DATABASE_URL names a local server),
gunicorn with BENCH_WORKERS (2) workers on 127.0.0.1, keep-alive connections. Celery publishes to
BENCH_REDIS_URL (or REDIS_URL) when one is set, as deployed — the queue it fills is purged
afterwards, so use a Redis database of your own — and otherwise runs eagerly, as the embedded
demo does (each confirmation is then rendered and "sent" to the console inside the request).

Environment: BENCH_PORT, BENCH_CLIENTS (32), BENCH_SECONDS (5), BENCH_ROUNDS (5), BENCH_PEOPLE (staff to sign
in, 6000: more than the bookings a run can make), BENCH_SUPERVISORS (60), BENCH_DATABASE_URL, BENCH_REDIS_URL.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import os
import queue
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_home", HERE / "bench_home.py")
assert _spec is not None and _spec.loader is not None
home = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(home)

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "6000"))
SUPERVISORS = int(os.environ.get("BENCH_SUPERVISORS", "60"))
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

people, supervisors = int(sys.argv[1]), int(sys.argv[2])
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

# Supervision: a second organisation's staff book supervisors, one agreement each, hours to spare.
from reflect.enums import LedgerKind
from reflect.services.ledger import record_ledger_entry
from scheduling.models import AvailabilitySettings, WeeklyRule
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile
booking_org = Organisation.objects.create(name="Bench supervision organisation", area="Leeds", staff_size=people)
PoolOrganisation.objects.create(pool=pool, organisation=booking_org)
record_ledger_entry(pool, LedgerKind.ALLOCATED, organisation=booking_org, hours=Decimal("100000"))
bookers = User.objects.bulk_create(
    [User(email=f"booker{n}@bench.test", first_name=f"Booker{n}", password="!") for n in range(people)]
)
Membership.objects.bulk_create([Membership(organisation=booking_org, user=user) for user in bookers])
agreements = []
for n in range(supervisors):
    person = User.objects.create(email=f"supervisor{n}@bench.test", first_name=f"Supervisor{n}")
    # Room for every session the bench books: booking holds a supervisor to their monthly capacity.
    profile = SupervisorProfile.objects.create(user=person, profession="Counsellor", monthly_capacity_hours=1000)
    AvailabilitySettings.objects.create(
        supervisor=profile, session_lengths=[60], buffer_minutes=0, minimum_notice_hours=24, horizon_weeks=8,
        online_link="https://meet.example.org/bench",
    )
    WeeklyRule.objects.bulk_create(
        [WeeklyRule(supervisor=profile, weekday=day, start=datetime.time(9), end=datetime.time(17)) for day in range(5)]
    )
    agreements.append(SupervisionAgreement.objects.create(
        organisation=booking_org, supervisor=profile, pool=pool, format="one_to_one", hours_per_month=Decimal("1000"),
        starts_on=timezone.localdate(), review_on=timezone.localdate() + datetime.timedelta(days=365),
        status=AgreementStatus.ACTIVE,
    ))
# Free hours from three days ahead to seven weeks ahead (inside the 8-week horizon), London clock.
from zoneinfo import ZoneInfo
london = ZoneInfo("Europe/London")
hours = []
for offset in range(3, 49):
    day = timezone.localdate() + datetime.timedelta(days=offset)
    if day.weekday() < 5:
        for hour in range(9, 17):
            start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=london).astimezone(datetime.UTC)
            hours.append(start.strftime("%Y-%m-%dT%H:%MZ"))
# Booking k: supervisor k mod S, that supervisor's (k div S)-th free hour — distinct people and slots.
choices = []
for k, user in enumerate(bookers[: min(people, len(hours) * supervisors)]):
    key = store._get_new_session_key()
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
    Session.objects.create(session_key=key, session_data=store.encode(data), expire_date=expire)
    choices.append([key, user.pk, agreements[k % supervisors].pk, hours[k // supervisors]])
print(json.dumps({"session": session.pk, "keys": keys, "supervision": choices}))
"""

CHECK = """
import json, sys
import django
django.setup()
from scheduling.models import GroupSession, Place
session = GroupSession.objects.get(pk=int(sys.argv[1]))
from scheduling.models import SupervisionBooking
print(json.dumps({
    "places_taken": session.places_taken,
    "places": Place.objects.filter(session=session).count(),
    "supervision_bookings": SupervisionBooking.objects.count(),
}))
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


def book_supervision(port: int, choices: queue.SimpleQueue, seconds: float) -> tuple[int, list[float], float]:
    """CLIENTS threads POST the supervision booking form, each as the next person with their own
    free hour (key, user id, agreement id, start)."""

    def one_booking(connection: http.client.HTTPConnection) -> None:
        try:
            key, user_id, agreement_id, start = choices.get_nowait()
        except queue.Empty:
            raise home.Refused("ran out of supervision bookings: raise BENCH_PEOPLE or BENCH_SUPERVISORS") from None
        body = f"start={start}&minutes=60&attendees={user_id}&mode=online".encode()
        headers = {
            "Cookie": f"sessionid={key}; csrftoken={CSRF_TOKEN}",
            "X-CSRFToken": CSRF_TOKEN,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
        }
        path = f"/supervision/agreements/{agreement_id}/book/confirm/?start={start}&minutes=60"
        status, answer, _ = home.request(connection, "POST", path, headers, body)
        if status != 302 or "/supervision/sessions/" not in answer.get("location", ""):
            raise home.Refused(f"supervision booking answered {status} {answer.get('location')}")

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


@contextlib.contextmanager
def cpu_measuring_database() -> Iterator[dict[str, str]]:
    """What the CPU measuring tools (group_booking_cpu.py, supervision_booking_cpu.py) run in: a
    throwaway database, DATABASE_URL's (a local PostgreSQL) with "_cpu" added, migrated and
    dropped after; yields the environment for the processes that seed and measure in it, with
    BENCH_PROFILE passed on and BENCH_REDIS_URL as REDIS_URL (whose queue is purged after)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a local PostgreSQL database.")
    os.environ["BENCH_DATABASE_URL"] = url + "_cpu"
    redis_url = os.environ.get("BENCH_REDIS_URL", "")
    with home.throwaway_database() as (database_url, _):
        env = {**home.base_environment(), "DATABASE_URL": database_url}
        if os.environ.get("BENCH_PROFILE"):
            env["BENCH_PROFILE"] = os.environ["BENCH_PROFILE"]
        if redis_url:
            env["REDIS_URL"] = redis_url
        home.run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        try:
            yield env
        finally:
            if redis_url:
                purge_broker(redis_url)


def measure_in_child(script: str, args: list[str], given: Any, env: dict[str, str]) -> Any:
    """Run a CPU measuring tool's child ``script`` (``python -c``) with ``given`` as JSON on its
    standard input; its answer is the JSON on the last line it prints."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=home.ROOT,
        env=env,
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"measuring failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


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
        seeded = json.loads(python_output(["-c", SEED, str(PEOPLE), str(SUPERVISORS)], env))
        supervision_choices: queue.SimpleQueue = queue.SimpleQueue()
        for choice in seeded["supervision"]:
            supervision_choices.put(choice)
        session_id, keys = seeded["session"], queue.SimpleQueue()
        signed_in = {"Cookie": f"sessionid={seeded['keys'][0]}"}  # a reader, who books nothing
        for key in seeded["keys"][1:]:
            keys.put(key)
        path = f"/groups/sessions/{session_id}/book/"
        log(f"gunicorn ({home.WORKERS} workers) on {home.HOST}:{port}, {CLIENTS} clients")
        try:
            with home.gunicorn(env, port):
                warm, _, _ = book(port, path, keys, home.WARM_UP)
                warm_supervision, _, _ = book_supervision(port, supervision_choices, home.WARM_UP)
                home.drive(port, "/health/signed-in/", signed_in, home.WARM_UP)
                home.drive(port, "/health/", {}, home.WARM_UP)
                # Side by side: ROUNDS short turns of each, so that load from elsewhere on a
                # shared machine falls on all three alike rather than on whichever ran then.
                runs: dict[str, list[tuple[int, list[float], float]]] = {
                    "book": [],
                    "supervision": [],
                    "signed-in": [],
                    "health": [],
                }
                for _ in range(ROUNDS):
                    runs["book"].append(book(port, path, keys, DURATION / ROUNDS))
                    runs["supervision"].append(book_supervision(port, supervision_choices, DURATION / ROUNDS))
                    runs["signed-in"].append(home.drive(port, "/health/signed-in/", signed_in, DURATION / ROUNDS))
                    runs["health"].append(home.drive(port, "/health/", {}, DURATION / ROUNDS))
                booked, booking_latencies, booking_elapsed = combined(runs["book"])
                supervised, supervision_latencies, supervision_elapsed = combined(runs["supervision"])
                signed_in_count, signed_in_latencies, signed_in_elapsed = combined(runs["signed-in"])
                health_count, health_latencies, health_elapsed = combined(runs["health"])
                log(
                    f"{path}: {warm} + {booked} bookings; supervision: {warm_supervision} + {supervised}; "
                    f"/health/signed-in/: {signed_in_count}; /health/: {health_count}"
                )
            check = json.loads(python_output(["-c", CHECK, str(session_id)], env))
        finally:
            if redis_url:
                purge_broker(redis_url)
    expected = {"places_taken": warm + booked, "places": warm + booked}
    expected["supervision_bookings"] = warm_supervision + supervised
    if check != expected:
        raise RuntimeError(f"bookings answered: {expected}, but the database holds {check}")
    supervision_rps = supervised / supervision_elapsed
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
        # Issue 20's names: each booking kind against the signed-in trivial view, same run.
        "group_booking_to_signed_in_trivial_view_ratio": (round(booking_rps / signed_in_rps, 3), "ratio"),
        "supervision_booking_throughput": (round(supervision_rps, 1), "requests/s"),
        "supervision_booking_to_signed_in_trivial_view_ratio": (round(supervision_rps / signed_in_rps, 3), "ratio"),
        "supervision_booking_p95_latency": (round(home.p95(supervision_latencies) * 1000, 1), "ms"),
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
