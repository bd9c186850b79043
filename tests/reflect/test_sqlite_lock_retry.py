"""The embedded SQLite default survives concurrent writers (issue 17; docs/security.md)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from reflect import locks
from reflect.locks import SQLITE_LOCK_ATTEMPTS, retry_when_sqlite_is_locked


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch):
    monkeypatch.setattr(locks, "SQLITE_LOCK_PAUSE_SECONDS", 0)


def flaky(failures: int, message: str = "database is locked"):
    calls = []

    @retry_when_sqlite_is_locked
    def use_case() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError(message)
        return "booked"

    return use_case, calls


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the retry is for SQLite only")
def test_a_use_case_that_found_sqlite_locked_runs_again_a_bounded_number_of_times():
    use_case, calls = flaky(2)
    assert use_case() == "booked"
    assert len(calls) == 3
    use_case, calls = flaky(SQLITE_LOCK_ATTEMPTS)
    with pytest.raises(OperationalError):
        use_case()
    assert len(calls) == SQLITE_LOCK_ATTEMPTS


def test_other_database_errors_are_not_retried():
    use_case, calls = flaky(1, "no such table: x")
    with pytest.raises(OperationalError):
        use_case()
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_callers_transaction_it_is_the_callers_to_retry():
    use_case, calls = flaky(1)
    with pytest.raises(OperationalError):
        use_case()
    assert len(calls) == 1


def test_the_sqlite_default_waits_its_turn():
    from config import settings as project_settings

    if project_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL configured")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "busy_timeout" in options["init_command"]
