"""The deployment files, checked by reading them: no Docker engine runs on these machines
(docs/deployment.md), so a YAML parse and a look at the Dockerfile are what keeps them honest."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_five_services(compose: dict[str, Any]) -> None:
    assert sorted(compose["services"]) == ["beat", "postgres", "redis", "web", "worker"]
    assert compose["services"]["postgres"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        test = service["healthcheck"]["test"]
        assert test[0] in {"CMD", "CMD-SHELL"}, name
        assert len(test) >= 2, name
    assert compose["services"]["postgres"]["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U reflect -d reflect"]
    assert compose["services"]["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/health/" in compose["services"]["web"]["healthcheck"]["test"][-1]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_are_configured_for_production(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    environment = service["environment"]
    assert environment["DJANGO_ENV"] == "production"
    assert environment["DATABASE_URL"] == "postgres://reflect:${POSTGRES_PASSWORD:-reflect}@postgres:5432/reflect"
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert environment["CALENDAR_CREDENTIALS_KEY"].startswith("${CALENDAR_CREDENTIALS_KEY:?")
    # Empty unless set: X-Forwarded-For is then never believed (docs/deployment.md).
    assert environment["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-}"
    assert environment["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-localhost}"
    assert service["build"] == "."
    assert service["image"] == "reflect:latest"
    # They start only once PostgreSQL and Redis answer their health checks.
    assert service["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_web_migrates_then_runs_gunicorn(compose: dict[str, Any]) -> None:
    command = compose["services"]["web"]["command"]
    assert re.fullmatch(
        r'sh -c "python manage\.py migrate --noinput && exec gunicorn config\.wsgi:application .*"', command
    ), command


def test_worker_and_beat_run_celery(compose: dict[str, Any]) -> None:
    assert compose["services"]["worker"]["command"].startswith("celery -A config worker ")
    assert compose["services"]["beat"]["command"].startswith("celery -A config beat ")


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_builds_assets_installs_requirements_and_runs_gunicorn() -> None:
    instructions = _instructions((ROOT / "Dockerfile").read_text())
    froms = [argument for op, argument in instructions if op == "FROM"]
    assert froms == ["python:3.11-slim AS assets", "python:3.11-slim"]
    runs = " ".join(argument for op, argument in instructions if op == "RUN")
    assert "npm ci" in runs
    assert "npm run build" in runs
    assert "pip install -r requirements.txt" in runs
    assert "manage.py collectstatic --noinput" in runs
    cmds = [argument for op, argument in instructions if op == "CMD"]
    assert len(cmds) == 1
    command = json.loads(cmds[0])
    assert command[:2] == ["gunicorn", "config.wsgi:application"]


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_server_entry_points_load_the_views_and_keep_start_up_out_of_the_collector(module: str) -> None:
    """In a process of its own, as a server starts: the application loads, every view module is
    imported before the first request, and what start-up made is frozen (gc.freeze)."""
    import subprocess
    import sys

    probe = (
        f"import gc, sys; import {module} as entry; "
        "print(callable(entry.application), 'scheduling.groups.views.sessions' in sys.modules, gc.get_freeze_count() > 0)"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True", "True"]
