"""Two erasure requests for one person at once (a double click, two tabs), on PostgreSQL.

The user row is the erasure's lock: the second request waits, then finds the account erased
and does nothing. The control switches the lock off and sees both requests erase.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from reflect.data_protection import erasure as erasure_module
from reflect.locks import Lock
from reflect.models import AuditEvent
from tests.conftest import requires_postgresql
from tests.factories.core import MembershipFactory

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 2


@pytest.fixture(autouse=True)
def _slow_reads(monkeypatch):
    """Read the person's identifying strings, then pause: both requests read before either writes."""
    read = erasure_module.identifying_strings

    def slow(user):
        value = read(user)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(erasure_module, "identifying_strings", slow)


def _erase_at_once(user) -> list[object]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def erase():
        try:
            barrier.wait()
            outcomes.append(erasure_module.erase_account(user, acting_user=user))
        except Exception as error:  # the control may trip over itself; that is a double erasure too
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=erase) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_second_erasure_while_one_runs_does_nothing():
    assert connection.vendor == "postgresql"
    user = MembershipFactory().user
    assert sorted(_erase_at_once(user), key=str) == [False, True]
    assert AuditEvent.objects.filter(action="account.erased").count() == 1
    assert AuditEvent.objects.filter(action="membership.left").count() == 1


def test_control_without_the_lock_both_requests_erase(switch_off):
    switch_off(Lock.ERASURE_USER)
    user = MembershipFactory().user
    outcomes = _erase_at_once(user)
    assert outcomes.count(False) == 0, "the harness never saw the race it exists to catch"
    assert outcomes.count(True) >= 1  # at least one erasure ran: not two unrelated crashes
    assert (
        AuditEvent.objects.filter(action="account.erased").count() + sum(isinstance(o, Exception) for o in outcomes)
        == 2
    )
