"""The reflective groups' tests: the shared ``world``, with its Leeds pool running long enough
for a year of a group's sessions, made at the tests' fixed now or today, to fit inside it (a
group makes no session after its pool ends, docs/groups.md)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.conftest import World


@pytest.fixture
def world(world: World) -> World:
    world.pool.ends_on = max(datetime.date(2028, 3, 31), timezone.localdate() + datetime.timedelta(days=2 * 366))
    world.pool.save(update_fields=["ends_on"])
    return world
