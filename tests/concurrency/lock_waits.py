"""Running actions in threads, each with its own database session: all at once, or one paused
while the test watches whether the other waits for a lock (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from django.db import DatabaseError, connection

from reflect.errors import DomainError
from reflect.models import Organisation
from tests.factories.core import OrganisationFactory


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


def run_and_file(action: Callable[[], object], outcomes: dict[str, str], pids: dict[str, int]) -> None:
    """A thread's work: file its session's pid (for ``waits_for_a_lock``) and how ``action``
    ended under the thread's name — "done", a DomainError's message, or a database error's
    cause and text ("DeadlockDetected: …") — then close its connection."""
    name = threading.current_thread().name
    try:
        pids[name] = backend_pid()
        action()
        outcomes[name] = "done"
    except DomainError as error:
        outcomes[name] = error.message
    except DatabaseError as error:
        outcomes[name] = f"{type(error.__cause__).__name__}: {error}"
    finally:
        connection.close()


def first_pauses_then_second(
    first: tuple[str, Callable[[], object]],
    second: tuple[str, Callable[[], object]],
    paused: threading.Event,
    go_on: threading.Event,
    *,
    pause_means: str,
) -> tuple[dict[str, str], bool]:
    """Run ``first`` until it pauses (it sets ``paused``, then waits for ``go_on``), then
    ``second`` until it waits for a lock or ends, then let ``first`` go on. Returns how each
    ended, by name (``run_and_file``), and whether ``second`` had to wait."""
    outcomes: dict[str, str] = {}
    pids: dict[str, int] = {}
    (first_name, _), (second_name, _) = first, second
    threads = [
        threading.Thread(target=run_and_file, args=(action, outcomes, pids), name=name)
        for name, action in (first, second)
    ]
    threads[0].start()
    assert paused.wait(10), f"the {first_name} never {pause_means}"
    threads[1].start()
    second_waited = waits_for_a_lock(threads[1], pids, second_name)
    go_on.set()
    for thread in threads:
        thread.join()
    return outcomes, second_waited


def all_at_once(actions: Sequence[Callable[[], object]]) -> list[object]:
    """Run the actions together, one thread (and database connection) each, all let go at the
    same moment; returns how each ended, in the order they finished: "done", or the DomainError
    or DatabaseError that stopped it."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
            outcome: object = "done"
        except (DomainError, DatabaseError) as error:
            outcome = error
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def tally(outcomes: list[object], *, done: str, refused: str) -> dict[str, int]:
    """Count ``all_at_once``'s outcomes: ``done``, ``refused`` (a DomainError) and "error" (the
    database refusing a write)."""
    counts = {done: 0, refused: 0, "error": 0}
    for outcome in outcomes:
        counts[done if outcome == "done" else refused if isinstance(outcome, DomainError) else "error"] += 1
    return counts


def harehills_and_otley(world) -> tuple[Organisation, Organisation]:
    """Two organisations of the world's pool for a race over their ledger months: Harehills Drama
    (``world.organisation``) and a new Otley Care Farm, in that id order (the order the months
    are locked in)."""
    otley = OrganisationFactory(name="Otley Care Farm", in_pool=world.pool)
    assert world.organisation.pk < otley.pk
    return world.organisation, otley
