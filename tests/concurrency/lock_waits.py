"""Watching another thread's database session from the test: is it waiting for a lock? (PostgreSQL)"""

from __future__ import annotations

import threading
import time

from django.db import connection


def backend_pid() -> int:
    """This thread's database session, for another thread to watch."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def waiting_for_a_lock(pid: int) -> bool:
    """Whether the database session ``pid`` is waiting for a lock another transaction holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


def waits_for_a_lock(thread: threading.Thread, pids: dict[str, int], name: str, *, seconds: float = 10) -> bool:
    """Watch ``thread`` (its session's pid filed in ``pids`` under ``name``) until it has ended
    or waits for a lock; True when it is waiting. Fails if it does neither in time."""
    deadline = time.monotonic() + seconds
    while thread.is_alive() and not (name in pids and waiting_for_a_lock(pids[name])):
        assert time.monotonic() < deadline, f"the {name} neither finished nor waited for a lock"
        time.sleep(0.01)
    return thread.is_alive()
