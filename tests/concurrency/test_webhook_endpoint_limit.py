"""Adding endpoints at once never passes the limit (docs/webhooks.md, "Bounds"): the addition
locks its pool's or organisation's row before counting (reflect/locks.py), so the second waits
and counts the first's endpoint.

On PostgreSQL only: SQLite serialises every writer, so it cannot show the race. Each thread
registers through its own database connection.
"""

from __future__ import annotations

import pytest

from reflect.locks import Lock
from tests.concurrency.lock_waits import all_at_once
from tests.conftest import requires_postgresql
from tests.factories.core import OrganisationFactory, PoolFactory, UserFactory
from tests.factories.webhooks import endpoint_for
from webhooks import services
from webhooks.models import WebhookEndpoint

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

AT_ONCE = 8


def _add_at_once(owner, by) -> list[object]:
    """The owner has one place left; eight additions race for it. How each ended."""
    scope = {"pool": owner} if hasattr(owner, "commissioners") else {"organisation": owner}
    for _ in range(services.MAX_ENDPOINTS - 1):
        endpoint_for(**scope, by=by)

    def add() -> None:
        services.register_endpoint(owner, acting_user=by, url="http://127.0.0.1:9/hooks", events=["booking.created"])

    return all_at_once([add] * AT_ONCE)


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # a literal address: no name to look up


@pytest.mark.parametrize("kind", ["pool", "organisation"])
def test_additions_at_once_stop_at_the_limit(kind):
    owner = PoolFactory() if kind == "pool" else OrganisationFactory()
    outcomes = _add_at_once(owner, UserFactory())
    assert sorted(str(outcome) for outcome in outcomes) == sorted(
        ["done"] + [f"You can have at most {services.MAX_ENDPOINTS} endpoints. Delete one first."] * (AT_ONCE - 1)
    )
    scope = {"pool": owner} if kind == "pool" else {"organisation": owner}
    assert WebhookEndpoint.objects.filter(**scope).count() == services.MAX_ENDPOINTS


def test_control_without_the_owner_lock_additions_pass_the_limit(switch_off):
    """Proof the harness can catch a regression: counted without the lock, more get in."""
    switch_off(Lock.WEBHOOK_OWNER)
    for _ in range(5):
        pool = PoolFactory()
        _add_at_once(pool, UserFactory())
        if WebhookEndpoint.objects.filter(pool=pool).count() > services.MAX_ENDPOINTS:
            break
    else:  # pragma: no cover - the race did not show in five tries
        pytest.fail("Without the lock, eight additions at once never passed the limit in five tries.")
