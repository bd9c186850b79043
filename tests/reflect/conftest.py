from __future__ import annotations

import pytest

from reflect.celery import app as celery_app


@pytest.fixture(autouse=True)
def celery_in_process():
    """Run tasks in the test's own process, even when REDIS_URL is set for the worker tests.

    Tests that start a real worker turn this off again (tests/reflect/test_notifications_worker.py).
    """
    was = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Personas are made with passwords; the real hasher is slow by design and not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
