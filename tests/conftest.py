"""Shared fixtures: personas so that every access test has something that could leak.

- ``member``: staff at ``organisation`` (in ``pool``); ``lead``: its lead;
- ``colleague``: another member of staff at the same organisation;
- ``outsider``: lead of ``other_organisation``, in ``other_pool``;
- ``commissioner``: commissions ``pool``; ``other_commissioner``: commissions ``other_pool``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Generator
from dataclasses import dataclass

import hypothesis
import pytest
from django.db import connection

from reflect.locks import switched_off
from reflect.models import Organisation, Pool, User
from tests.factories.core import (
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    give_two_factor,
    make_commissioner,
    staff_of,
)

# Property tests (hypothesis): few examples each in CI, so that the suite stays within its
# time on two cores (docs/testing.md, "Hostile input"); HYPOTHESIS_PROFILE=thorough digs deeper.
# Tests that name their own max_examples keep it. No deadline: a page's first request is slow.
hypothesis.settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@dataclass
class World:
    pool: Pool
    other_pool: Pool
    organisation: Organisation
    other_organisation: Organisation
    lead: User
    member: User
    colleague: User
    outsider: User
    commissioner: User
    other_commissioner: User


@pytest.fixture
def world(db: None) -> World:
    pool = PoolFactory(name="Leeds pool")
    other_pool = PoolFactory(name="Wakefield pool")
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    other_organisation = OrganisationFactory(name="Otley Care Farm", in_pool=other_pool)
    lead = staff_of(organisation, lead=True, first_name="Leila")
    member = staff_of(organisation, first_name="Sam")
    colleague = staff_of(organisation, first_name="Chris")
    outsider = staff_of(other_organisation, lead=True, first_name="Olu")
    return World(
        pool=pool,
        other_pool=other_pool,
        organisation=organisation,
        other_organisation=other_organisation,
        lead=lead,
        member=member,
        colleague=colleague,
        outsider=outsider,
        commissioner=make_commissioner(pool, UserFactory(first_name="Carys")),
        other_commissioner=make_commissioner(other_pool, UserFactory(first_name="Dan")),
    )


@pytest.fixture
def admin_user(admin_user: User) -> User:
    """pytest-django's administrator, with the two-factor authentication the admin requires."""
    give_two_factor(admin_user)
    return admin_user


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


requires_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (set DATABASE_URL)"
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing is deliberately slow; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Run tasks in the test's own process, even when REDIS_URL is set for the worker tests,
    so that e-mails land in ``mail.outbox``. Tests that start a real worker turn this off
    themselves (tests/reflect/test_notifications_worker.py)."""
    from config.celery import app as celery_app

    was = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was


def _uses_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or "db" in names or "transactional_db" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """After every test that used the database, while its data is still there: the ledger's
    monthly totals equal the sums of its entries, and each group session's places taken and
    register count its places (but in a control that breaks them on purpose), whatever the test did (booking, cancelling, attendance, allocation, rebalancing,
    erasure…), since every writer keeps them in step."""
    result = yield
    if _uses_database(item):
        from tests.ledger_months import assert_months_agree_with_the_ledger
        from tests.register_counts import assert_register_counts_agree_with_the_places

        assert_months_agree_with_the_ledger()
        if item.get_closest_marker("counts_broken_on_purpose") is None:
            assert_register_counts_agree_with_the_places()
    return result


@pytest.fixture
def switch_off():
    """For a concurrency control: ``switch_off(Lock.X)`` runs the rest of the test without that
    lock, as code that forgot it would (reflect.locks)."""
    with contextlib.ExitStack() as stack:
        yield lambda *locks: stack.enter_context(switched_off(*locks))


@pytest.fixture
def hanging_resolver(monkeypatch, settings):
    """A resolver that never answers (until the test ends: then it gives up, freeing the look-up
    thread it held), and a short bound on waiting for it (reflect/outgoing.py)."""
    settings.DNS_TIMEOUT_SECONDS = 0.2
    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait(30)
        raise socket.gaierror("gave up")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    yield
    release.set()
