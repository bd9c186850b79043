"""`make loadtest`: the Locust scenario of bench/loadtest/locustfile.py against the deployment's
shape, and its figures per page.

It makes a database of its own on the local PostgreSQL (DATABASE_URL's name plus "_loadtest",
or LOADTEST_DATABASE_URL), seeds the demo and the city-scale pool there, signs in the people of
bench/loadtest/seed.py, starts gunicorn with 4 workers and a Celery worker on Redis
(LOADTEST_REDIS_URL, default database 7), runs Locust headless at each number of users in
LOADTEST_USERS ("50 200") for LOADTEST_SECONDS (60) each, prints p50 and p95 per page and the
errors, and stops everything it started. LOADTEST_REUSE=1 keeps the seeded database between runs."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.bench_home import stop_process_group  # noqa: E402

BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", int(os.environ.get("LOADTEST_PORT", "8765"))


def log(message: str) -> None:
    print(f"[loadtest] {message}", file=sys.stderr, flush=True)


def database_url() -> str:
    """A fresh database of the load test's own (or the kept one, with LOADTEST_REUSE=1)."""
    import psycopg

    explicit = os.environ.get("LOADTEST_DATABASE_URL", "")
    parts = urlsplit(explicit or os.environ.get("DATABASE_URL", ""))
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("The load test needs PostgreSQL: set DATABASE_URL (or LOADTEST_DATABASE_URL).")
    name = parts.path.lstrip("/") if explicit else (parts.path.lstrip("/") or "reflect") + "_loadtest"
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (exists and os.environ.get("LOADTEST_REUSE") == "1"):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def run(command: list[str], env: dict[str, str], **kwargs: object) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str], log_file: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server process in a process group of its own, its output to ``log_file`` (the worker
    prints every e-mail it sends), stopped with its children afterwards."""
    with log_file.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        stop_process_group(process)


def wait_for_server(server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://{HOST}:{PORT}/health/", timeout=5) as answer:
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 60 s")


def figures(stats_csv: Path) -> list[dict[str, str]]:
    with stats_csv.open() as lines:
        return list(csv.DictReader(lines))


def main() -> None:
    users = [int(count) for count in os.environ.get("LOADTEST_USERS", "50 200").split()]
    seconds = int(os.environ.get("LOADTEST_SECONDS", "60"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/7"),
        "SITE_URL": f"http://{HOST}:{PORT}",
    }
    log("migrating and seeding the demo and the city-scale pool (a minute or two)")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "seed_demo", "--scale", "city", "--quiet-logins"], env)
    with tempfile.TemporaryDirectory(prefix="reflect-loadtest-") as directory:
        people = Path(directory) / "people.json"
        people.write_text(run([sys.executable, "bench/loadtest/seed.py"], env))
        counts = {kind: len(group) for kind, group in json.loads(people.read_text()).items()}
        log(f"signed in: {counts}")
        gunicorn = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"{HOST}:{PORT}", "--workers", "4"]
        worker = [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING"]
        logs = Path(directory)
        with (
            started([*gunicorn, "--log-level", "warning"], env, logs / "gunicorn.log") as server,
            started(worker, env, logs / "worker.log"),
        ):
            wait_for_server(server)
            results, errors = {}, {}
            for count in users:
                log(f"{count} users for {seconds} s")
                prefix = Path(directory) / f"users{count}"
                run(
                    [
                        str(BIN / "locust"),
                        "-f",
                        "bench/loadtest/locustfile.py",
                        "--headless",
                        "--users",
                        str(count),
                        "--spawn-rate",
                        str(max(1, count // 10)),
                        "--run-time",
                        f"{seconds}s",
                        "--host",
                        f"http://{HOST}:{PORT}",
                        "--csv",
                        str(prefix),
                        "--only-summary",
                        "--exit-code-on-error",
                        "0",
                    ],
                    env | {"LOADTEST_PEOPLE": str(people)},
                    timeout=seconds + 120,
                )
                results[count] = figures(Path(f"{prefix}_stats.csv"))
                errors[count] = figures(Path(f"{prefix}_failures.csv"))
    print("\n| page | users | requests | errors | p50 ms | p95 ms |\n|---|---|---|---|---|---|")
    for count, rows in results.items():
        for row in rows:
            print(
                f"| {row['Name']} | {count} | {row['Request Count']} | {row['Failure Count']} | "
                f"{row['50%']} | {row['95%']} |"
            )

    for count, rows in errors.items():
        for row in rows:
            print(f"errors at {count} users: {row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error']}")


if __name__ == "__main__":
    main()
