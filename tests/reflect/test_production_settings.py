"""Production settings refuse to start half-configured and are strict once configured.

Each case loads the settings in a fresh interpreter (DJANGO_ENV is read at import time, and
the test process must keep its own settings)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-test-secret-key-that-is-long-enough-and-random-9f8e7d6c5b4a"

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "CONTENT_SECURITY_POLICY": settings.CONTENT_SECURITY_POLICY,
    "MFA_EXEMPT_DEMO_ACCOUNTS": settings.MFA_EXEMPT_DEMO_ACCOUNTS,
}))
"""


def run(args: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing from the test run (DATABASE_URL, REDIS_URL…) leaks in. The
    # timeout only stops a hung interpreter: collecting every static file with the manifest
    # storage (the API's documentation pages included) took over a minute on a loaded CI machine.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.update(environment)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def complete(tmp_path: Path) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "reflect.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "EMAIL_HOST": "smtp.example.org",
        "CALENDAR_CREDENTIALS_KEY": "dGVzdC1jYWxlbmRhci1jcmVkZW50aWFscy1rZXktMzI=",
    }


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "Set SECRET_KEY to a random value of at least 50 characters."),
        ("ALLOWED_HOSTS", "Set ALLOWED_HOSTS to the site's host names."),
        ("DATABASE_URL", "Set DATABASE_URL to the PostgreSQL database."),
        ("EMAIL_HOST", "Set EMAIL_HOST (and its EMAIL_* settings) so that e-mail reaches people."),
        (
            "CALENDAR_CREDENTIALS_KEY",
            "Set CALENDAR_CREDENTIALS_KEY to a Fernet key (32 random bytes in URL-safe base64).",
        ),
    ],
)
def test_production_refuses_to_start_without(tmp_path: Path, missing: str, message: str) -> None:
    environment = complete(tmp_path)
    del environment[missing]
    result = run(["-c", "import django; django.setup()"], **environment)
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "too-short",
        # 49 characters: long enough for the old rule (40), one short of Django's (check --deploy).
        "k7Qp2xVb9Lm4Rt8Wz1Hc6Nf3Js5Dg0Ya2Ue7Io9Pl4Mk8Nb3X",
        # Long, but fewer than 5 different characters.
        "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd",
        # Long and varied, but one of Django's generated development keys.
        "django-insecure-k7Qp2xVb9Lm4Rt8Wz1Hc6Nf3Js5Dg0Ya2Ue7Io9Pl4Mk8",
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path: Path, key: str) -> None:
    result = run(["-c", "import django; django.setup()"], **{**complete(tmp_path), "SECRET_KEY": key})
    assert result.returncode == 1
    assert "ImproperlyConfigured: Set SECRET_KEY to a random value of at least 50 characters." in result.stderr


def test_production_accepts_a_key_of_fifty_characters(tmp_path: Path) -> None:
    key = "k7Qp2xVb9Lm4Rt8Wz1Hc6Nf3Js5Dg0Ya2Ue7Io9Pl4Mk8Nb3Xq"
    assert len(key) == 50
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**complete(tmp_path), "SECRET_KEY": key}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_with_nothing_set() -> None:
    result = run(["-c", "import django; django.setup()"], DJANGO_ENV="production")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Set SECRET_KEY to a random value of at least 50 characters."
    )


def test_deploy_checks_pass_when_configured(tmp_path: Path) -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **complete(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_settings_are_strict(tmp_path: Path) -> None:
    result = run(["-c", "import django; django.setup()\n" + PRINT_SETTINGS], **complete(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "CONTENT_SECURITY_POLICY": values["CONTENT_SECURITY_POLICY"],
        "MFA_EXEMPT_DEMO_ACCOUNTS": False,
    }
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in values["CONTENT_SECURITY_POLICY"].split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert "unsafe-inline" not in values["CONTENT_SECURITY_POLICY"]


SERVE_PUBLIC_PAGES = """
import json, re, sys
import django
from django.conf import settings
django.setup()
# Collect into a temporary directory with the production (manifest) storage, as the
# Dockerfile does at build time, then serve pages that name static files.
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client()
responses = {path: client.get(path, secure=True, HTTP_HOST="reflect.example.org") for path in ["/", "/health/"]}
print(json.dumps({
    "status": {path: response.status_code for path, response in responses.items()},
    "static": sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', responses["/"].content.decode()))),
}))
"""


def test_production_serves_pages_with_hashed_static_files(tmp_path: Path) -> None:
    # A page naming a static file the build did not produce is a 500 in production (the
    # manifest storage refuses it): this serves the build's output the way production does.
    result = run(["-c", SERVE_PUBLIC_PAGES, str(tmp_path / "staticfiles")], **complete(tmp_path))
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.splitlines()[-1])
    assert served["status"] == {"/": 200, "/health/": 200}
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".HASH.", path) for path in served["static"]] == [
        "/static/reflect/init.HASH.js",
        "/static/reflect/reflect.HASH.css",
    ]


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = run(["-c", "import django; django.setup()"], **{**complete(tmp_path), "DEBUG": "1"})
    assert result.returncode == 1
    assert "ImproperlyConfigured: DEBUG must be off in production." in result.stderr


def test_production_refuses_a_calendar_credentials_key_that_is_not_a_fernet_key(tmp_path: Path) -> None:
    environment = complete(tmp_path) | {"CALENDAR_CREDENTIALS_KEY": "a-password-is-not-a-key"}
    result = run(["-c", "import django; django.setup()"], **environment)
    assert result.returncode == 1
    assert (
        "ImproperlyConfigured: Set CALENDAR_CREDENTIALS_KEY to a Fernet key (32 random bytes in URL-safe base64)."
        in result.stderr
    )


def test_database_url_options_are_kept_beside_ours() -> None:
    # sslmode=require from DATABASE_URL must survive our prepared statements and JIT switch: losing
    # it would silently stop requiring TLS to the database.
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    url = "postgres://reflect@db.example.org:5432/reflect?sslmode=require&options=-c%20statement_timeout%3D5000"
    options = json.loads(run(["-c", code], DATABASE_URL=url).stdout)
    assert options == {
        "sslmode": "require",
        "options": "-c statement_timeout=5000 -c jit=off",
        "server_side_binding": True,
        "prepare_threshold": 2,
    }
    options = json.loads(run(["-c", code], DATABASE_URL=url, DB_JIT="true", DB_PREPARED_STATEMENTS="false").stdout)
    assert options == {"sslmode": "require", "options": "-c statement_timeout=5000"}
