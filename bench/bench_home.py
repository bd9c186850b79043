"""Throughput of the home page for a signed-in lead, beside two trivial views on the same
gunicorn server and database: /health/ (no database, no session) and /health/signed-in/ (the
session, the person and one simple query: the baseline of the target, home >= 0.3 of it).

It migrates and seeds a throwaway database (PostgreSQL when DATABASE_URL names a local
PostgreSQL server, else a temporary SQLite file), starts gunicorn with BENCH_WORKERS (2) workers on
127.0.0.1, signs in as the demo lead, warms up, then drives each URL with CLIENTS threads for
DURATION seconds over keep-alive connections. It reports requests per second, the ratio, and
the 95th-percentile latency; then stops the server and drops the database. It only ever talks
to 127.0.0.1.

Environment: BENCH_PORT (default: a free port), BENCH_CLIENTS (16), BENCH_SECONDS (5), BENCH_WORKERS (2),
BENCH_DATABASE_URL (a local PostgreSQL database the bench may drop and recreate; default:
DATABASE_URL's database name + "_bench").
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
WARM_UP = 1.0
# gunicorn's worker processes (issue 20 measured with 4; the shared 2-core machine runs 2).
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
LEAD_EMAIL = "lead@demo.reflect.test"
LEAD_PASSWORD = "reflect-demo-2026"  # noqa: S105 - the published demo password (demo/__init__.py)

# seed_demo, with a fast password hasher for its ~60 demo people (hashing them properly takes
# most of a minute and measures nothing here); the lead's password is then hashed for real,
# so signing in goes through the site's normal hasher.
SEED = f"""
import django
django.setup()
from django.core.management import call_command
from django.test.utils import override_settings
from reflect.models import User
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))
lead = User.objects.get(email={LEAD_EMAIL!r})
lead.set_password({LEAD_PASSWORD!r})
lead.save(update_fields=["password"])
"""


def log(message: str) -> None:
    print(f"  [bench_home] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def base_environment() -> dict[str, str]:
    # Only what the site needs: no REDIS_URL (Celery stays eager, the cache local), no
    # DJANGO_ENV (production would insist on HTTPS). DEBUG off, as a real server runs.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


@contextlib.contextmanager
def throwaway_database(*, keep: bool = False) -> Iterator[tuple[str, str]]:
    """Yield (DATABASE_URL, description) for a fresh database, removed afterwards.

    With ``keep`` (PostgreSQL only), an existing database of that name is used as it is and left
    in place afterwards, for a benchmark whose seeding is slow and idempotent."""
    explicit = os.environ.get("BENCH_DATABASE_URL", "")
    parts = urlsplit(explicit or os.environ.get("DATABASE_URL", ""))
    if parts.scheme.startswith("postgres") and parts.hostname in {"127.0.0.1", "localhost"}:
        import psycopg

        # A database of its own, dropped and created afresh: BENCH_DATABASE_URL names it, else
        # it is DATABASE_URL's name with "_bench" added (the tests' database is never touched).
        name = parts.path.lstrip("/") if explicit else (parts.path.lstrip("/") or "reflect") + "_bench"
        admin_url = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not (keep and exists):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
        try:
            kept = " kept" if keep else ""
            yield parts._replace(path=f"/{name}").geturl(), f"PostgreSQL ({name}{kept})"
        finally:
            if not keep:
                with psycopg.connect(admin_url, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        directory = tempfile.mkdtemp(prefix="reflect-bench-")
        try:
            yield f"sqlite:///{directory}/bench.sqlite3", "SQLite (temporary file)"
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def run_python(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)[:60]} failed:\n{result.stdout}\n{result.stderr}")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[None]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        # BENCH_GUNICORN_START_SECONDS: more than 30 on a machine so busy that its workers boot slowly.
        deadline = time.monotonic() + float(os.environ.get("BENCH_GUNICORN_START_SECONDS", "30"))
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}")
            with contextlib.suppress(OSError):
                status, _, _ = request(http.client.HTTPConnection(HOST, port, timeout=5), "GET", "/health/")
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time (BENCH_GUNICORN_START_SECONDS)")
            time.sleep(0.2)
        yield
    finally:
        stop_process_group(server)


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop the whole process group we started (a master and its workers), and only it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def request(
    connection: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str] | None = None, body=None
) -> tuple[int, dict[str, str], bytes]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def cookie(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"no {name} cookie in the response")


def sign_in(port: int) -> str:
    """Sign in through the site's own form, as a browser would. Returns the session cookie."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = cookie(response.getheaders(), "csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    body = urlencode({"csrfmiddlewaretoken": token.group(1), "login": LEAD_EMAIL, "password": LEAD_PASSWORD})
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
    )
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"signing in answered {response.status}, not a redirect")
    return cookie(response.getheaders(), "sessionid")


class Refused(Exception):
    """One request's answer was wrong: the run stops and says why."""


def run_clients(
    port: int, one_request: Callable[[http.client.HTTPConnection], None], seconds: float
) -> tuple[int, list[float], float]:
    """CLIENTS threads, each on its own keep-alive connection, call ``one_request`` for
    ``seconds`` (it raises Refused when the answer is wrong). Returns the number of requests
    completed, their latencies in seconds (sorted) and the seconds the run took."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    failures: list[str] = []
    start = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine = latencies[index]
        start.wait()
        try:
            while time.monotonic() < stop_at[0]:
                began = time.perf_counter()
                one_request(connection)
                mine.append(time.perf_counter() - began)
        except Refused as refused:
            failures.append(str(refused))
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - began
    if failures:
        raise RuntimeError(failures[0])
    every = sorted(latency for mine in latencies for latency in mine)
    return len(every), every, elapsed


def drive(port: int, path: str, headers: dict[str, str], seconds: float) -> tuple[int, list[float], float]:
    """CLIENTS threads GET ``path`` for ``seconds`` (see ``run_clients``)."""

    def get(connection: http.client.HTTPConnection) -> None:
        status, _, _ = request(connection, "GET", path, headers)
        if status != 200:
            raise Refused(f"{path} answered {status}")

    return run_clients(port, get, seconds)


def p95(latencies: list[float]) -> float:
    return latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]


def main() -> dict[str, tuple[float, str]]:
    port = int(os.environ.get("BENCH_PORT") or free_port())
    with throwaway_database() as (database_url, description):
        env = {**base_environment(), "DATABASE_URL": database_url}
        log(f"database: {description}; migrating and seeding")
        began = time.monotonic()
        run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
        run_python(["-c", SEED], env)
        log(f"seeded in {time.monotonic() - began:.1f} s; gunicorn ({WORKERS} workers) on {HOST}:{port}")
        with gunicorn(env, port):
            session = sign_in(port)
            signed_in = {"Cookie": f"sessionid={session}"}
            status, _, page = request(http.client.HTTPConnection(HOST, port, timeout=10), "GET", "/", signed_in)
            if status != 200 or b"Harehills Women&#x27;s Drama Collective" not in page:
                raise RuntimeError("the home page is not the signed-in lead's")
            figures: dict[str, tuple[int, list[float], float]] = {}
            views = [
                ("home", "/", signed_in),
                ("signed-in", "/health/signed-in/", signed_in),
                ("health", "/health/", {}),
            ]
            for name, path, headers in views:
                drive(port, path, headers, WARM_UP)
                figures[name] = drive(port, path, headers, DURATION)
                log(f"{path}: {figures[name][0]} requests")
    home_count, home_latencies, home_elapsed = figures["home"]
    health_count, health_latencies, health_elapsed = figures["health"]
    home_rps = home_count / home_elapsed
    health_rps = health_count / health_elapsed
    signed_in_count, _, signed_in_elapsed = figures["signed-in"]
    signed_in_rps = signed_in_count / signed_in_elapsed
    result = {
        "home_page_lead_throughput": (round(home_rps, 1), "requests/s"),
        "trivial_view_throughput": (round(health_rps, 1), "requests/s"),
        "home_page_to_trivial_view_ratio": (round(home_rps / health_rps, 3), "ratio"),
        # The target's baseline (issue 20): the session, the person and one simple query.
        "home_signed_in_trivial_view_throughput": (round(signed_in_rps, 1), "requests/s"),
        "home_to_signed_in_trivial_view_ratio": (round(home_rps / signed_in_rps, 3), "ratio"),
        "home_page_lead_p95_latency": (round(p95(home_latencies) * 1000, 1), "ms"),
        "trivial_view_p95_latency": (round(p95(health_latencies) * 1000, 1), "ms"),
    }
    result["bench_home_database"] = (0 if description.startswith("SQLite") else 1, "0=SQLite 1=PostgreSQL")
    for name, (value, unit) in result.items():
        print(f"{name}: {value} {unit}", flush=True)
    return result


if __name__ == "__main__":
    main()
