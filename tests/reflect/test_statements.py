"""A row read with SQL the ORM built once per process (reflect/statements.py): the same answers as
the ORM's own query, for each person and each day; kept only when the values are all it changes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reflect import statements
from reflect.enums import InvitationKind
from reflect.home import home_facts
from reflect.models import User
from reflect.navigation import _row_of_facts
from reflect.queries import open_invitations_to
from reflect.services.invitations import create_invitation
from reflect.statements import fetch_row, fetch_rows
from supervision.services.check_ins import due_check_ins_for
from tests.factories.supervision import SupervisionAgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(statements, "_kept", {})
    monkeypatch.setattr(statements, "_kept_rows", {})


def _check_in_due(person, now, today):
    return User.objects.filter(pk=person).annotate(due=Exists(due_check_ins_for(person, today))).values("due")


def test_the_kept_row_answers_as_the_orm_does_for_each_person(world):
    now, today = timezone.now(), timezone.localdate()
    people = [world.lead, world.member, world.commissioner, world.outsider]
    for person in people:
        kept = fetch_row(
            ("test",), lambda **values: _row_of_facts(home_facts(), **values), person=person.pk, now=now, today=today
        )
        assert kept == _row_of_facts(home_facts(), person.pk, now, today).first()
    assert statements._kept[("test",)] is not None
    assert [
        fetch_row(("test",), lambda **_: pytest.fail("built again"), person=p.pk, now=now, today=today)["pools"]
        for p in people
    ] == [
        None,
        None,
        1,
        None,
    ]


def test_a_kept_row_is_one_query_and_is_not_built_again(world):
    now, today = timezone.now(), timezone.localdate()
    built = []

    def build(**values):
        built.append(values)
        return _check_in_due(**values)

    fetch_row(("test",), build, person=world.member.pk, now=now, today=today)
    assert len(built) == 2  # the two stand-ins
    with CaptureQueriesContext(connection) as captured:
        assert fetch_row(("test",), build, person=world.member.pk, now=now, today=today) == {"due": False}
    assert (len(built), len(captured)) == (2, 1)


def test_the_day_is_put_in_each_time_not_kept(world):
    review_on = timezone.localdate()
    SupervisionAgreementFactory(
        organisation=world.organisation,
        pool=world.pool,
        hours_per_month=Decimal("1.5"),
        starts_on=review_on - datetime.timedelta(days=90),
        review_on=review_on,
    )
    now = timezone.now()
    the_day_before = review_on - datetime.timedelta(days=1)
    asked = [
        fetch_row(("test",), _check_in_due, person=world.member.pk, now=now, today=day)
        for day in (the_day_before, review_on, the_day_before)
    ]
    assert asked == [{"due": False}, {"due": True}, {"due": False}]
    assert statements._kept[("test",)] is not None


def test_the_persons_own_address_comes_from_their_row(world):
    """An invitation matched on the row's own e-mail column: nothing about the person but their
    id is put into the kept SQL."""
    create_invitation(
        InvitationKind.ORGANISATION_STAFF,
        world.outsider.email.upper(),
        acting_user=world.lead,
        organisation=world.organisation,
    )

    def invited(person, now, today):
        return (
            User.objects.filter(pk=person)
            .annotate(invited=Exists(open_invitations_to(OuterRef("email"), now)))
            .values("invited")
        )

    now, today = timezone.now(), timezone.localdate()
    answers = [
        fetch_row(("test",), invited, person=p.pk, now=now, today=today)
        for p in (world.member, world.outsider, world.member)
    ]
    assert answers == [{"invited": False}, {"invited": True}, {"invited": False}]


def test_a_value_worked_out_inside_the_builder_is_not_kept_and_the_orm_answers(world):
    def an_hour_ago(person, now, today):
        return User.objects.filter(pk=person, date_joined__lt=now - datetime.timedelta(hours=1)).values("pk")

    now, today = timezone.now(), timezone.localdate()
    assert fetch_row(("test",), an_hour_ago, person=world.member.pk, now=now, today=today) is None
    assert statements._kept[("test",)] is None
    later = now + datetime.timedelta(days=1)
    assert fetch_row(("test",), an_hour_ago, person=world.member.pk, now=later, today=today) == {"pk": world.member.pk}


def test_sql_that_changes_with_the_values_is_not_kept(world):
    def by_sign(person, now, today):
        people = User.objects.filter(pk=person) if person > -7302 else User.objects.filter(pk=person, is_active=True)
        return people.values("pk")

    assert fetch_row(("test",), by_sign, person=world.member.pk, now=timezone.now(), today=timezone.localdate()) == {
        "pk": world.member.pk
    }
    assert statements._kept[("test",)] is None


def test_only_ids_times_and_dates_are_put_in():
    with pytest.raises(TypeError):
        fetch_row(("test",), lambda **_: User.objects.values("pk"), person="someone@example.org")  # type: ignore[arg-type]


def _memberships(person, now):
    return (
        User.objects.filter(memberships__organisation__memberships__user_id=person, date_joined__lte=now)
        .values("pk", "first_name", "date_joined")
        .order_by("pk")[:10]
    )


def test_kept_rows_answer_as_the_orm_does_every_row_and_in_order(world):
    now = timezone.now()
    people = [world.lead, world.member, world.outsider, world.commissioner]
    answers = [statements.fetch_named_rows(("test-rows",), _memberships, person=p.pk, now=now) for p in people]
    assert answers == [list(_memberships(p.pk, now)) for p in people]
    assert [len(rows) for rows in answers] == [3, 3, 1, 0]  # Leila, Sam and Chris; Olu alone; no organisation
    assert statements._kept[("test-rows",)] is not None
    with CaptureQueriesContext(connection) as captured:
        again = statements.fetch_named_rows(
            ("test-rows",), lambda **_: pytest.fail("built again"), person=world.member.pk, now=now
        )
    assert (again, len(captured)) == (answers[1], 1)
    # A row read by fetch_row from the same kind of statement is the first of them.
    assert statements.fetch_row(("test-rows",), _memberships, person=world.member.pk, now=now) == answers[1][0]


def test_kept_rows_tell_two_values_of_one_kind_apart(world):
    """fetch_rows: a UNION with two ids and two times, each put in its own places."""
    built = []

    def joined_between(first, second, since, until):
        built.append(first)
        label = Value("joined", output_field=CharField())
        return (
            User.objects.filter(pk=first, date_joined__gte=since)
            .order_by()
            .values_list("pk", label)
            .union(User.objects.filter(pk=second, date_joined__lt=until).order_by().values_list("pk", label), all=True)
        )

    now = timezone.now()
    day = datetime.timedelta(days=1)
    cases = [
        (
            (world.member.pk, world.lead.pk, now - day, now + day),
            [(world.member.pk, "joined"), (world.lead.pk, "joined")],
        ),
        ((world.member.pk, world.lead.pk, now + day, now + day), [(world.lead.pk, "joined")]),
        ((world.lead.pk, world.member.pk, now - day, now - day), [(world.lead.pk, "joined")]),
        ((world.lead.pk, world.outsider.pk, now + day, now - day), []),
    ]
    for (first, second, since, until), expected in cases:
        values = {"first": first, "second": second, "since": since, "until": until}
        assert fetch_rows(("test",), joined_between, **values) == expected
        assert list(joined_between(**values)) == expected
    assert statements._kept_rows[("test",)] is not None
    # Built twice to keep it (the stand-ins), then once per case above by the test itself.
    assert len(built) == 2 + len(cases)


def test_two_ids_of_one_kind_each_go_in_their_own_place(world):
    # Each value gets stand-ins of its own, so a parameter names one value (a session's id and a
    # person's, say), and the query is kept.
    def build(first, second):
        return User.objects.filter(pk__in=[first, second]).order_by("pk").values("email")

    def emails(first, second):
        return [row["email"] for row in statements.fetch_named_rows(("test",), build, first=first, second=second)]

    assert emails(world.member.pk, world.lead.pk) == sorted(
        [world.member.email, world.lead.email], key=lambda email: User.objects.get(email=email).pk
    )
    assert statements._kept[("test",)] is not None
    assert emails(world.commissioner.pk, world.member.pk) == [
        row["email"] for row in build(world.commissioner.pk, world.member.pk)
    ]
    assert emails(world.commissioner.pk, -1) == [world.commissioner.email]


def test_kept_instances_are_the_orms(world):
    kept = statements.fetch_instances(("test",), lambda person: User.objects.filter(pk=person), person=world.member.pk)
    assert statements._kept[("test",)] is not None
    again = statements.fetch_instances(("test",), lambda **_: pytest.fail("built again"), person=world.lead.pk)
    for found, person in ((kept, world.member), (again, world.lead)):
        [user] = found
        assert (user.pk, user.email, user.first_name, user.date_joined, user._state.adding) == (
            person.pk,
            person.email,
            person.first_name,
            person.date_joined,
            False,
        )
    assert statements.fetch_instances(("test",), lambda **_: pytest.fail("built again"), person=-1) == []


def test_a_row_of_related_columns_makes_the_instances_select_related_would(world):
    from reflect.models import Membership, Organisation

    columns = [*statements.columns_of(Membership), *statements.columns_of(Organisation, "organisation__")]
    row = Membership.objects.filter(user=world.member).values(*columns).get()
    membership = statements.instance_from(Membership, row)
    organisation = statements.instance_from(Organisation, row, "organisation__")
    assert (membership, organisation) == (Membership.objects.get(user=world.member), world.organisation)
    assert organisation is not None and organisation.name == world.organisation.name
    assert statements.instance_from(Organisation, dict.fromkeys(row), "organisation__") is None


def test_only_some_columns_read_make_an_instance_with_the_rest_deferred(world, django_assert_num_queries):
    from reflect.models import Membership

    only = ("first_name", "email")
    columns = [*statements.columns_of(Membership), *statements.columns_of(User, "user__", only)]
    assert statements.columns_of(User, "user__", only) == ["user__id", "user__first_name", "user__email"]
    row = Membership.objects.filter(user=world.member).values(*columns).get()
    with django_assert_num_queries(0):
        person = statements.instance_from(User, row, "user__", only)
        assert person is not None
        assert (person.pk, person.first_name, person.email) == (
            world.member.pk,
            world.member.first_name,
            world.member.email,
        )
    assert person.get_deferred_fields() == {field.attname for field in User._meta.concrete_fields} - {"id", *only}
    with django_assert_num_queries(1):  # a column left out is read when asked for, as only() does
        assert person.last_name == world.member.last_name
