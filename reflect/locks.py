"""The row locks that use cases share, the one order they are taken in, and the one switch that turns
them off for the concurrency tests' controls.

A use case takes its locks inside its ``transaction.atomic()``, just before the check that
needs them, in the order of ``LOCK_ORDER`` below (a use case skips those it does not need, but
never takes an earlier one after a later one). Two transactions that take rows in the same
order cannot deadlock: the second waits at its first lock for the first to commit. The database
constraints back every lock (docs/architecture.md, "Locks and their order").

The switch: a concurrency control test runs the same race with one lock taken away, to show
the harness would catch the regression (``switched_off``). Production code asks ``lock_on(…)``
where such a lock is taken; nothing but a test ever turns one off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection


class Lock(StrEnum):
    """The locks a control test may switch off, by what they protect."""

    # The account being erased: a second erasure waits, then finds nothing left to do.
    ERASURE_USER = "erasure user"
    # A supervision booking's capacity rows: the organisation's allocation, the supervisor's
    # time and monthly capacity, the agreement's hours a month.
    SUPERVISION_CAPACITY = "supervision capacity"
    # A reflective group session's places (its places_taken counter).
    GROUP_SESSION = "group session"
    # Outbox rows a worker is claiming: another worker skips them (docs/notifications.md).
    NOTIFICATION_CLAIM = "notification claim"
    # Webhook deliveries a worker is claiming: another worker skips them (docs/webhooks.md).
    WEBHOOK_CLAIM = "webhook claim"
    # A pool's or an organisation's row while an endpoint is added: its limit is counted once.
    WEBHOOK_OWNER = "webhook owner"


# The order, first taken first: the row, and the use cases that take it. Rows that only their
# own use case ever locks (an invitation, a person's contact preferences, a supervisor's
# availability settings, a needs assessment, outbox rows …) are left out; so are the known
# departures from the order, each shown harmless in docs/architecture.md.
LOCK_ORDER: tuple[tuple[str, str], ...] = (
    ("User (being erased, applying to a cohort, or making an API token)", "erasure, cohort applications, API tokens"),
    ("Pool (FOR NO KEY UPDATE)", "allocations, rebalancing, adding a webhook endpoint"),
    ("Organisation (FOR NO KEY UPDATE)", "adding a webhook endpoint"),
    ("PoolOrganisation, by organisation id", "allocations, rebalancing, agreement requests, supervision booking"),
    ("SupervisorProfile", "agreement acceptance, supervision booking, days off, removing weekly hours"),
    ("SupervisionRequest / SupervisionAgreement", "answering requests, ending an agreement, supervision booking"),
    ("SupervisionBooking", "moving, cancelling, marking a supervision session"),
    ("ReflectiveGroup (FOR NO KEY UPDATE)", "changing a group, moving a session"),
    ("CohortApplication / CohortMembership", "filling cohorts, leaving a cohort, a cohort's new last date"),
    ("GroupSession, by id", "booking, cancelling, waitlist offers, cohort bookings"),
    (
        "Place / WaitlistEntry",
        "attendance, cancelling a place, taking an offer, a learning session's feedback (a person's places in the group, by id)",
    ),
    ("LedgerMonth, by kind then organisation", "every ledger entry"),
)

# The one advisory lock, and why it stands outside the order above: "could anyone hear of this
# event?" asked inside a use case's own statement is exact only if no listener can be registered
# between the question and the commit (reflect/events.py, ``listeners_question``). A group place
# takes it SHARED with its claim (bookings never wait for each other on it); every change that
# could turn the answer to yes takes it EXCLUSIVE (webhooks: a trigger on its endpoints,
# migration webhooks/0003, which freezes this number). Neither side takes a row lock after it
# that the other holds first, so it cannot deadlock with the rows above.
LISTENERS_LOCK = 0x5EF1EC7

_switched_off: set[Lock] = set()


def lock_on(lock: Lock) -> bool:
    """Whether ``lock`` is taken: always, except inside a control test's ``switched_off``."""
    return lock not in _switched_off


@contextmanager
def switched_off(*locks: Lock) -> Iterator[None]:
    """For concurrency control tests only: run the block as code without these locks would."""
    _switched_off.update(locks)
    try:
        yield
    finally:
        _switched_off.difference_update(locks)


# --- SQLite: retry a use case that found the database locked -----------------------------------
# The embedded SQLite default has one writer at a time. WAL mode, a busy timeout and IMMEDIATE
# transactions (config/settings.py) make a writer wait its turn; when the wait still runs out,
# the use case's whole transaction is run again, a bounded number of times. Nothing had been
# written (the transaction rolled back), so running it again can neither lose nor double a
# booking (docs/security.md, "Hostile input"; docs/architecture.md, "Locks and their order").
SQLITE_LOCK_ATTEMPTS = 5
P = ParamSpec("P")
R = TypeVar("R")
SQLITE_LOCK_PAUSE_SECONDS = 0.05


def _is_sqlite_lock(error: OperationalError) -> bool:
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def retry_when_sqlite_is_locked(use_case: Callable[P, R]) -> Callable[P, R]:
    """Run the use case again when SQLite says "database is locked", only at the outermost
    transaction (inside another one, the caller's transaction is the one to retry)."""

    @wraps(use_case)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, SQLITE_LOCK_ATTEMPTS + 1):
            try:
                return use_case(*args, **kwargs)
            except OperationalError as error:
                if attempt == SQLITE_LOCK_ATTEMPTS or connection.in_atomic_block or not _is_sqlite_lock(error):
                    raise
                time.sleep(SQLITE_LOCK_PAUSE_SECONDS * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapped
