"""The three reads a supervision booking makes under its locks, with SQL the ORM built once per
process (reflect/statements.py, ``fetch_rows``): the supervisor's hours and days off, their
sessions and busy times, and the hours rules' totals. Each kept statement must answer exactly as
the ORM's own query does, for other supervisors, agreements, months and sessions left out, in
each of its shapes (a session left out or not, a monthly capacity or not)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from reflect import statements
from reflect.statements import fetch_rows
from scheduling.models import BusyCalendarFeed, BusyInterval, DateOverride
from scheduling.queries import _hours_rows_query
from scheduling.services.bookings import _hours_position_query, _taken_times_query, month_bounds
from tests.conftest import World
from tests.factories.bookings import agree, book, supervisor_with_availability, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(statements, "_kept_rows", {})


def _same_as_the_orm(key: tuple[str, ...], build, cases: list[dict]) -> list[int]:
    """Every case answered by the kept statement as by the ORM (the first case keeps it); the
    number of rows in each answer."""
    counts = []
    for values in cases:
        kept = fetch_rows((*key, *values), build, **values)
        assert sorted(kept, key=repr) == sorted(build(**values), key=repr)
        counts.append(len(kept))
    assert all(statements._kept_rows[(*key, *values)] is not None for values in cases)
    return counts


def test_the_kept_reads_answer_as_the_orm_does(world: World) -> None:
    ann = supervisor_with_availability(monthly_capacity_hours=Decimal("20"))
    bea = supervisor_with_availability("Bea")
    DateOverride.objects.create(supervisor=ann, date=datetime.date(2027, 1, 7))
    DateOverride.objects.create(
        supervisor=bea, date=datetime.date(2027, 1, 8), start=datetime.time(10), end=datetime.time(12)
    )
    feed = BusyCalendarFeed.objects.create(supervisor=ann, url="https://calendar.example.org/ann.ics")
    BusyInterval.objects.create(feed=feed, start=utc(11, 9), end=utc(11, 10))
    with_ann, with_bea = agree(world.pool, world.organisation, ann), agree(world.pool, world.organisation, bea)
    first = book(with_ann, world.member, utc(5, 10))
    book(with_ann, world.colleague, utc(6, 10))
    book(with_bea, world.lead, utc(5, 10), attendees=[world.lead])
    book(with_ann, world.lead, utc(8, 14), minutes=90, attendees=[world.lead])

    assert _same_as_the_orm(("hours",), _hours_rows_query, [{"supervisor": ann.pk}, {"supervisor": bea.pk}]) == [6, 6]

    since, until = utc(4, 0), utc(20, 0)
    # Ann's three sessions and busy hour; Bea's one session; Ann's two from the 6th to the 9th.
    assert _same_as_the_orm(
        ("taken",),
        _taken_times_query,
        [
            {"supervisor": ann.pk, "since": since, "until": until},
            {"supervisor": bea.pk, "since": since, "until": until},
            {"supervisor": ann.pk, "since": utc(6, 0), "until": utc(9, 0)},
        ],
    ) == [4, 1, 2]
    assert _same_as_the_orm(
        ("taken", "exclude"),
        _taken_times_query,
        [
            {"supervisor": ann.pk, "since": since, "until": until, "exclude": first.pk},
            {"supervisor": ann.pk, "since": since, "until": until, "exclude": 0},
        ],
    ) == [3, 4]

    january, february = month_bounds(utc(5, 10)), month_bounds(utc(5, 10, month=2))
    organisation = {"pool": world.pool.pk, "organisation": world.organisation.pk}
    _same_as_the_orm(
        ("position",),
        _hours_position_query,
        [
            {**organisation, "agreement": with_ann.pk, "first": january[0], "following": january[1]},
            {**organisation, "agreement": with_bea.pk, "first": january[0], "following": february[1]},
            {**organisation, "agreement": with_ann.pk, "first": february[0], "following": february[1]},
        ],
    )
    _same_as_the_orm(
        ("position", "capacity", "exclude"),
        _hours_position_query,
        [
            {
                **organisation,
                "agreement": agreement.pk,
                "first": january[0],
                "following": january[1],
                "supervisor": supervisor.pk,
                "supervisor_first": january[0],
                "supervisor_following": january[1],
                "exclude": exclude,
            }
            for agreement, supervisor, exclude in ((with_ann, ann, first.pk), (with_bea, bea, 0), (with_ann, ann, 0))
        ],
    )
