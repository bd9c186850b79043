"""Fixtures for the webhook tests: a real local receiver, and an agreement to book under."""

from __future__ import annotations

import pytest

from tests.factories.bookings import agree, supervisor_with_availability
from tests.webhooks.receiver import local_receiver


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # plain http to 127.0.0.1, for this test only
    with local_receiver() as receiver:
        yield receiver


@pytest.fixture
def agreement(world):
    """The world's organisation's one-to-one agreement with Ann Carter, free on weekdays."""
    return agree(world.pool, world.organisation, supervisor_with_availability())
