"""Concurrent acceptances for the last hours, on PostgreSQL (docs/architecture.md "Capacity").

Each thread accepts a different request with its own database connection. With the locks, the
supervisor's capacity and the organisation's allocation are never over-committed; the control
tests switch the locks off and show the race really happens, so the harness can catch a
regression. Both widen the window between reading the hours left and writing the agreement,
so the race does not depend on the machine's speed.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.db import connection

from supervision import queries
from supervision.models import SupervisionAgreement
from supervision.services import agreements as services
from tests.concurrency.lock_waits import all_at_once
from tests.conftest import requires_postgresql
from tests.factories.core import OrganisationFactory, PoolFactory
from tests.factories.supervision import SupervisionRequestFactory, SupervisorProfileFactory, allocate

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 4
CONTROL_TRIES = 5


@pytest.fixture(autouse=True)
def _slow_reads(monkeypatch):
    """Read the hours left, then pause: every thread reads before any writes, unless locked."""

    def slow(read):
        def wrapped(*args, **kwargs):
            value = read(*args, **kwargs)
            time.sleep(0.2)
            return value

        return wrapped

    monkeypatch.setattr(services, "supervisor_hours_left", slow(queries.supervisor_hours_left))
    monkeypatch.setattr(services, "organisation_hours_left", slow(queries.organisation_hours_left))


def _no_locks(monkeypatch):
    monkeypatch.setattr(services, "_lock_capacity_rows", lambda pool, organisation, supervisor: None)


def _accept_all(requests) -> int:
    """Accept every request at once, one thread each; returns how many succeeded."""
    acceptances = [lambda r=r: services.accept_request(r, acting_user=r.supervisor.user) for r in requests]
    return sum(outcome == "done" for outcome in all_at_once(acceptances))


def _last_hours_of_a_supervisor():
    """Capacity 2 hours; four organisations each ask for 1.5: only one can have them."""
    assert connection.vendor == "postgresql"
    pool = PoolFactory(from_this_month=True)
    supervisor = SupervisorProfileFactory(monthly_capacity_hours=Decimal("2"))
    requests = []
    for _ in range(THREADS):
        organisation = OrganisationFactory(in_pool=pool)
        allocate(pool, organisation, "100")
        requests.append(SupervisionRequestFactory(pool=pool, organisation=organisation, supervisor=supervisor))
    return supervisor, requests


def _last_hours_of_an_allocation():
    """An allocation of 18 hours (1.5 a month for 12 months) asked of four supervisors at once."""
    pool = PoolFactory(from_this_month=True)
    organisation = OrganisationFactory(in_pool=pool)
    allocate(pool, organisation, "18")
    requests = [SupervisionRequestFactory(pool=pool, organisation=organisation) for _ in range(THREADS)]
    return pool, organisation, requests


def test_concurrent_acceptances_never_exceed_the_supervisors_capacity():
    supervisor, requests = _last_hours_of_a_supervisor()
    assert _accept_all(requests) == 1
    assert SupervisionAgreement.objects.filter(supervisor=supervisor).count() == 1
    assert queries.supervisor_hours_left(supervisor) == Decimal("0.50")


def test_concurrent_acceptances_never_exceed_the_allocation():
    pool, organisation, requests = _last_hours_of_an_allocation()
    assert _accept_all(requests) == 1
    assert queries.organisation_hours_left(pool, organisation) == Decimal("0.00")


def test_control_without_the_locks_the_supervisor_is_over_committed(monkeypatch):
    _no_locks(monkeypatch)
    over_committed = False
    for _ in range(CONTROL_TRIES):
        supervisor, requests = _last_hours_of_a_supervisor()
        if _accept_all(requests) > 1:
            assert queries.supervisor_hours_left(supervisor) < 0
            over_committed = True
            break
    assert over_committed, "the harness never saw the race it exists to catch"


def test_control_without_the_locks_the_allocation_is_over_committed(monkeypatch):
    _no_locks(monkeypatch)
    over_committed = False
    for _ in range(CONTROL_TRIES):
        pool, organisation, requests = _last_hours_of_an_allocation()
        if _accept_all(requests) > 1:
            assert queries.organisation_hours_left(pool, organisation) < 0
            over_committed = True
            break
    assert over_committed, "the harness never saw the race it exists to catch"
