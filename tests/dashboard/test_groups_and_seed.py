"""Reflective-group figures (fill, attendance, waits, overbooking) worked by hand, the
rebalancing form, escaping, and the city-scale seed at a small size."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from demo import city as demo_city
from reflect import wording
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, Pool, User
from reflect.services.ledger import record_ledger_entry
from scheduling.models import (
    GroupSession,
    Place,
    PlaceStatus,
    SupervisionBooking,
    WaitlistEntry,
    WaitlistStatus,
)
from tests.dashboard.test_dashboard import queries_for
from tests.factories.core import OrganisationFactory, signed_in, staff_of
from tests.factories.groups import ReflectiveGroupFactory

START = datetime.datetime(2026, 6, 10, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def busy_group(world):
    """One session held in June 2026 with capacity 10 and 20 % overbooking (limit 12):
    12 places taken (9 attended, 3 absent) and 1 cancelled; 8 people waited, each offered a
    place 2 days after joining, and took it.

    By hand: places 12 → 10; fill = 10 / 10 = 100 %; attended 9 → 10; attendance = 10 / 10 =
    100 %; waitlist 8 → 10, got a place 8 → 10; average wait 2.0 days; 1 session over
    capacity, 2 places over capacity → *.
    """
    group = ReflectiveGroupFactory(pool=world.pool, title="Leeds reflective practice")
    session = GroupSession.objects.create(
        group=group,
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=2),
        place_limit=12,
        places_taken=12,
        places_attended=9,  # the register's counts, as mark_place_attendance keeps them
        places_absent=3,
    )
    people = [staff_of(world.organisation) for _ in range(13)]
    statuses = [PlaceStatus.ATTENDED] * 9 + [PlaceStatus.ABSENT] * 3 + [PlaceStatus.CANCELLED]
    for user, status in zip(people, statuses, strict=True):
        Place.objects.create(
            session=session, user=user, organisation=world.organisation, status=status, booked_at=START
        )
    for user in people[:8]:
        joined = START - datetime.timedelta(days=5)
        entry = WaitlistEntry.objects.create(
            session=session,
            user=user,
            organisation=world.organisation,
            joined_at=joined,
            status=WaitlistStatus.TAKEN,
            first_offered_at=joined + datetime.timedelta(days=2),
        )
        record_ledger_entry(
            world.pool,
            LedgerKind.WAITLIST_OFFERED,
            organisation=world.organisation,
            quantity=1,
            occurred_at=joined + datetime.timedelta(days=2),
            source=f"group-waitlist:{entry.pk}:waitlist_offered",
        )
    ReflectiveGroupFactory(pool=world.pool, title="Quiet group")
    return world, group


GROUP_HEADERS = [
    "Group",
    "Sessions held",
    "Places taken",
    "Fill rate",
    "Attended",
    "Attendance rate",
    "Joined a waitlist",
    "Got a place from the waitlist",
    "Average wait for a place (days)",
    "Sessions over capacity",
]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_reflective_group_figures_worked_by_hand(busy_group, client) -> None:
    world, group = busy_group
    client = signed_in(client, world.commissioner)
    assert csv_rows(client.get(f"/pools/{world.pool.pk}/dashboard/groups.csv")) == [
        GROUP_HEADERS,
        ["Leeds reflective practice", "1", "10", "100", "10", "100", "10", "10", "2.0", "1"],
        ["Quiet group", "0", "0", "", "0", "", "0", "0", "", "0"],
    ]
    page = client.get(f"/pools/{world.pool.pk}/dashboard/?group={group.pk}").content.decode()
    assert "Leeds reflective practice</th>" in page and "Quiet group</th>" not in page
    # Filtered to one organisation, a shared session's fill rate is not shown, counts still are.
    rows = csv_rows(client.get(f"/pools/{world.pool.pk}/dashboard/groups.csv?organisation={world.organisation.pk}"))
    assert rows[1] == ["Leeds reflective practice", "1", "10", "", "10", "100", "10", "10", "2.0", ""]


def test_an_average_wait_of_fewer_than_8_people_is_not_shown(busy_group, client) -> None:
    world, group = busy_group
    WaitlistEntry.objects.filter(session__group=group).order_by("pk").first().delete()
    rows = csv_rows(signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/groups.csv"))
    assert rows[1][6:9] == ["*", "*", "*"]


def test_names_are_escaped_on_the_page_and_defused_in_exports(world, client) -> None:
    OrganisationFactory(name='=HYPERLINK("http://x")<script>', in_pool=world.pool)
    client = signed_in(client, world.commissioner)
    page = client.get(f"/pools/{world.pool.pk}/dashboard/").content.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
    rows = csv_rows(client.get(f"/pools/{world.pool.pk}/dashboard/quiet.csv"))
    assert rows[1][0] == '\'=HYPERLINK("http://x")<script>'


def test_the_commissioner_confirms_a_rebalancing_from_the_page(world, client, monkeypatch) -> None:
    pool = world.pool
    busy = OrganisationFactory(name="Beeston Peer Support", in_pool=pool)
    for organisation, hours in ((world.organisation, "40"), (busy, "30")):
        record_ledger_entry(pool, LedgerKind.ALLOCATED, organisation=organisation, hours=Decimal(hours))
    record_ledger_entry(pool, LedgerKind.WAITLIST_JOINED, organisation=busy, quantity=1)
    # Near the end of the period: move the pool's period so that today falls in its last months.
    today = datetime.date.today()
    Pool.objects.filter(pk=pool.pk).update(
        starts_on=today - datetime.timedelta(days=300), ends_on=today + datetime.timedelta(days=20)
    )
    client = signed_in(client, world.commissioner)
    page = client.get(f"/pools/{pool.pk}/dashboard/").content.decode()
    token = f"{world.organisation.pk}:{busy.pk}:20.00"
    assert f'name="move" value="{token}"' in page
    assert f"1 move, {wording.hours(20)} in all." in page
    assert (
        '<th scope="row" class="govuk-table__header">Harehills Drama</th>'
        '<td class="govuk-table__cell">Beeston Peer Support</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">20</td>'
    ) in page
    response = client.post(f"/pools/{pool.pk}/dashboard/rebalance/", {"move": [token]}, follow=True)
    assert "20 hours moved in 1 step, recorded in the ledger." in response.content.decode()
    response = client.post(f"/pools/{pool.pk}/dashboard/rebalance/", {"move": [token]}, follow=True)
    assert "The figures changed since the suggestion was made." in response.content.decode()
    assert LedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ALLOCATED).count() == 4
    signed_in(client, world.other_commissioner)
    assert client.post(f"/pools/{pool.pk}/dashboard/rebalance/", {"move": [token]}).status_code == 404


def test_the_city_seed_is_deterministic_and_the_dashboard_reads_it_in_constant_queries(
    world, client, monkeypatch
) -> None:
    for name, value in (("ORGANISATIONS", 12), ("SUPERVISORS", 3), ("GROUPS", 4), ("STAFF_EACH", 3)):
        monkeypatch.setattr(demo_city, name, value)
    commissioner = world.commissioner
    out = io.StringIO()
    demo_city.seed_city(commissioner, out)
    pool = Pool.objects.get(name=demo_city.CITY_POOL_NAME)
    first = list(LedgerEntry.objects.filter(pool=pool).order_by("pk").values_list("kind", "hours", "occurred_at"))
    places = Place.objects.filter(session__group__pool=pool).count()
    bookings = SupervisionBooking.objects.filter(pool=pool).count()
    assert bookings > 0
    assert out.getvalue() == (
        f"City-scale pool: 12 organisations, 3 supervisors, 96 group sessions, {places} places, "
        f"{bookings} supervision bookings, {len(first)} ledger entries.\n"
    )
    demo_city.seed_city(commissioner, out)
    assert out.getvalue().endswith("City-scale pool: already seeded.\n")
    # Run again from scratch: the same rows.
    LedgerEntry.objects.filter(pool=pool).delete()
    Place.objects.filter(session__group__pool=pool).delete()
    WaitlistEntry.objects.filter(session__group__pool=pool).delete()
    SupervisionBooking.objects.filter(pool=pool).delete()
    pool.delete()
    User.objects.filter(email__endswith="@city.reflect.test").delete()
    demo_city.seed_city(commissioner, io.StringIO())
    pool = Pool.objects.get(name=demo_city.CITY_POOL_NAME)
    assert (
        list(LedgerEntry.objects.filter(pool=pool).order_by("pk").values_list("kind", "hours", "occurred_at")) == first
    )
    client = signed_in(client, commissioner)
    assert queries_for(client, f"/pools/{pool.pk}/dashboard/") == queries_for(
        client, f"/pools/{world.pool.pk}/dashboard/"
    )
