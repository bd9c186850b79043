"""Personas for the API: the world's people, each able to get a token with chosen scopes; the
world's supervision agreement and a reflective group, at a pinned time."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.scopes import ALL_SCOPES
from api.services.tokens import make_token
from reflect.models import User
from scheduling.models import GroupSession, ReflectiveGroup
from supervision.models import SupervisionAgreement
from tests.factories.bookings import NOW, agree, supervisor_with_availability
from tests.factories.groups import make_group


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_now() -> Iterator:
    """The API reads ``timezone.now()``: pinned to the factories' NOW (a Monday in January 2027)."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def token_client(user: User, scopes: list[str] | None = None) -> APIClient:
    """An API client sending a fresh token of ``user`` with these scopes (all of them by default)."""
    made = make_token(user, name="Test", scopes=scopes or list(ALL_SCOPES), days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    return client


@pytest.fixture
def agreement(world) -> SupervisionAgreement:
    """The world's organisation's one-to-one agreement with Ann Carter (weekdays 09:00–17:00)."""
    return agree(world.pool, world.organisation, supervisor_with_availability())


@pytest.fixture
def group(world) -> ReflectiveGroup:
    return make_group(world)


@pytest.fixture
def session(group) -> GroupSession:
    return group.sessions.order_by("starts_at").first()
