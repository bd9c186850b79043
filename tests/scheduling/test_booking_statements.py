"""The reads a supervision booking makes with SQL the ORM built once per process
(reflect/statements.py): under its locks, the supervisor's hours and days off, their sessions and
busy times, and the hours rules' totals (``fetch_rows``); and, as model instances
(``fetch_models``), the agreement the page books under with whether the booker leads its
organisation, the everyone's contact preferences with their memberships, and the two lock
statements. Each kept statement must answer exactly as the ORM's own query does, for other
supervisors, agreements, months, sessions and people, in each of its shapes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Model

from reflect import statements
from reflect.inserts import new_key
from reflect.models import Membership
from reflect.services.preferences import _preferences_and_memberships, update_preferences
from reflect.statements import fetch_models, fetch_rows
from scheduling.access import access_agreement_to_book, agreement_to_book
from scheduling.models import BusyCalendarFeed, BusyInterval, DateOverride, SupervisionBooking
from scheduling.queries import _hours_rows_query
from scheduling.services.bookings import (
    _agreement_with_capacity,
    _allocation_locked,
    _hours_position_query,
    _lock_capacity,
    _taken_times_query,
    month_bounds,
)
from tests.conftest import World
from tests.factories.bookings import agree, book, supervisor_with_availability, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(statements, "_kept_rows", {})
    monkeypatch.setattr(statements, "_kept_models", {})


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


def _columns(instance: Model | None, related: tuple[str, ...], annotations: tuple[str, ...] = ()) -> dict:
    """Every column read into the instance and into each related row (``select_related``
    paths), and its annotations: what a caller can see of it."""
    if instance is None:
        return {}
    deferred = instance.get_deferred_fields()
    seen: dict = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }
    seen |= {name: getattr(instance, name) for name in annotations}
    # The paths by their first step, so that two through one row ("supervisor__user",
    # "supervisor__availability_settings") both reach it.
    onward: dict[str, list[str]] = {}
    for path in related:
        first, _, rest = path.partition("__")
        onward.setdefault(first, []).extend([rest] if rest else [])
    for first, rests in onward.items():
        child = getattr(instance, first, None) if instance._meta.get_field(first).is_cached(instance) else "not read"
        seen[first] = child if not isinstance(child, Model) else _columns(child, tuple(rests))
    return seen


def _models_same_as_the_orm(key, build, related, annotations, cases: list[dict]) -> list[dict]:
    """Every case answered by the kept statement as by the ORM (the first case keeps it), the
    instances and their related rows column by column; what each answer held."""
    answers = []
    for values in cases:
        kept = fetch_models(key, build, **values)
        orm = list(build(**values))
        assert [_columns(one, related, annotations) for one in kept] == [
            _columns(one, related, annotations) for one in orm
        ]
        answers.append([_columns(one, related, annotations) for one in kept])
    assert statements._kept_models[key] is not None
    return answers


def test_the_agreement_to_book_is_read_as_the_orm_reads_it(world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    elsewhere = agree(world.other_pool, world.other_organisation, supervisor_with_availability("Bea"))
    Membership.objects.filter(user=world.colleague).update(left_at=utc(1, 9))  # left: no longer staff
    related = ("supervisor__user", "supervisor__availability_settings", "organisation", "pool")
    cases = [
        {"agreement_id": agreement.pk, "user_id": person.pk}
        for person in (world.lead, world.member, world.colleague, world.outsider)
    ] + [{"agreement_id": elsewhere.pk, "user_id": world.lead.pk}]
    answers = _models_same_as_the_orm(("agreement",), agreement_to_book, related, ("booker_is_lead",), cases)
    # The lead and the member find it (the lead told apart); who has left, an outsider and
    # another pool's agreement do not.
    assert [[row["booker_is_lead"] for row in answer] for answer in answers] == [[True], [False], [], [], []]
    assert answers[0][0]["supervisor"]["user"]["first_name"] == "Ann"
    assert access_agreement_to_book(world.member, agreement.pk)[1] is False


def test_the_preferences_and_memberships_are_read_as_the_orm_reads_them(world: World) -> None:
    update_preferences(world.member, reminder_hours=[48, 3])
    supervisor = supervisor_with_availability()
    cases = [
        {"organisation": world.organisation.pk, "user_0": world.member.pk, "user_1": supervisor.user.pk},
        {"organisation": world.organisation.pk, "user_0": world.lead.pk, "user_1": world.outsider.pk},
        {"organisation": world.other_organisation.pk, "user_0": world.outsider.pk, "user_1": world.member.pk},
    ]
    answers = _models_same_as_the_orm(
        ("preferences", "2"), _preferences_and_memberships, ("contact_preferences",), ("staff_is_lead",), cases
    )
    by_person = [{row["id"]: row["staff_is_lead"] for row in answer} for answer in answers]
    assert by_person[0] == {world.member.pk: False, supervisor.user.pk: None}
    assert by_person[1] == {world.lead.pk: True, world.outsider.pk: None}
    member = next(row for row in answers[0] if row["id"] == world.member.pk)
    assert member["contact_preferences"]["reminder_hours"] == [48, 3]


def test_the_lock_statements_are_the_orms(world: World) -> None:
    ann, bea = supervisor_with_availability(), supervisor_with_availability("Bea")
    with_ann, with_bea = agree(world.pool, world.organisation, ann), agree(world.pool, world.organisation, bea)
    elsewhere = agree(world.other_pool, world.other_organisation, bea)
    related = ("supervisor__user", "supervisor__availability_settings", "organisation", "pool")
    _models_same_as_the_orm(
        ("locked",),
        lambda agreement: _agreement_with_capacity(agreement, locked=True),
        related,
        (),
        [{"agreement": agreement.pk} for agreement in (with_ann, with_bea, elsewhere)],
    )
    pairs = [
        (world.pool, world.organisation),
        (world.other_pool, world.other_organisation),
        (world.pool, world.other_organisation),
    ]
    for pool, organisation in pairs:
        values = {"pool": pool.pk, "organisation": organisation.pk}
        assert fetch_rows(("allocation",), _allocation_locked, **values) == list(_allocation_locked(**values))
    assert [len(fetch_rows(("allocation",), _allocation_locked, pool=p.pk, organisation=o.pk)) for p, o in pairs] == [
        1,
        1,
        0,
    ]
    locked = _lock_capacity(with_ann)
    assert locked.pk == with_ann.pk and locked.supervisor.availability_settings.horizon_weeks


@pytest.mark.skipif(connection.vendor != "postgresql", reason="keys from sequences: PostgreSQL")
def test_a_new_key_is_taken_from_the_bookings_sequence_each_time(world: World) -> None:
    """A booking takes its key before its locks (``_book``): each call takes the next, and so
    does the booking itself."""
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    first = new_key(SupervisionBooking)
    assert new_key(SupervisionBooking) == first + 1
    assert book(agreement, world.member, utc(6, 10)).pk == first + 2
