"""The demo's year of learning needs (demo/learning.py): in every pool, deterministic for a day,
added once, the demo staff member left free to try it."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db.models import Count

from demo.learning import seed_learning
from learning.models import LearningNeed, OrganisationNeed
from learning.queries import open_needs
from reflect.models import Pool
from tests.factories.core import OrganisationFactory, PoolFactory, staff_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
# Of the 30 staff of test_the_demo_staff_member_has_none_to_try_it, those the day gives needs to.
PEOPLE_WITH_NEEDS = 13


def _pool_of_staff(name: str, organisations: int, staff: int, **fields: object) -> Pool:
    pool = PoolFactory(name=name, starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2027, 3, 31), **fields)
    for number in range(organisations):
        organisation = OrganisationFactory(name=f"{name} {number}", in_pool=pool)
        for _ in range(staff):
            staff_of(organisation)
    return pool


def _needs() -> list[tuple[int, str, str, bool]]:
    return sorted(
        (n.person_id, n.topic.slug, n.raised_at.isoformat(), n.withdrawn_at is None)
        for n in LearningNeed.objects.select_related("topic")
    )


def test_a_year_of_needs_in_every_pool_added_once() -> None:
    pool = _pool_of_staff("Leeds", 4, 10)
    other = _pool_of_staff("Wakefield", 2, 10)
    out = io.StringIO()
    seed_learning(out, today=TODAY)
    first = _needs()
    assert out.getvalue() == f"Learning needs: {len(first):,} added.\n"
    seed_learning(io.StringIO(), today=TODAY)  # a second run adds nothing
    assert _needs() == first
    by_pool = dict(LearningNeed.objects.values_list("pool").annotate(n=Count("pk")))
    assert set(by_pool) == {pool.pk, other.pk}
    # Within the pools' year so far, one open need per person and topic (the constraint holds).
    assert all(datetime.date(2026, 4, 1) <= datetime.date.fromisoformat(at[:10]) <= TODAY for _, _, at, _ in first)
    assert open_needs().values("person", "topic").distinct().count() == open_needs().count()
    # Every organisation's lead records something.
    assert OrganisationNeed.objects.values("organisation").distinct().count() == 6


def test_the_same_day_gives_the_same_needs() -> None:
    _pool_of_staff("Leeds", 3, 10)
    seed_learning(io.StringIO(), today=TODAY)
    first = _needs()
    LearningNeed.objects.all().delete()
    OrganisationNeed.objects.all().delete()
    seed_learning(io.StringIO(), today=TODAY)
    assert _needs() == first


def test_the_demo_staff_member_has_none_to_try_it() -> None:
    # The demo draws each pool's needs from a generator seeded by the pool's id: a fixed id, so
    # the count below is the same on every database (PostgreSQL's ids do not restart per test).
    pool = _pool_of_staff("Leeds", 1, 30, pk=4242)
    demo = staff_of(pool.organisations.get(), email="staff@demo.reflect.test")
    seed_learning(io.StringIO(), today=TODAY)
    assert not LearningNeed.objects.filter(person=demo).exists()
    # Not for want of needs: the same day gives the demo member's colleagues theirs.
    assert LearningNeed.objects.order_by().values("person").distinct().count() == PEOPLE_WITH_NEEDS
