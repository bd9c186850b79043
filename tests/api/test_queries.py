"""The API's reads cost a fixed number of queries whatever the data's size: measured at two
sizes, the same count (bench/bench_api.py measures them at city scale)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling.groups.places import book_place
from tests.api.conftest import token_client
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.core import staff_of
from tests.factories.groups import make_group

pytestmark = pytest.mark.django_db


def _count(client, path: str) -> int:
    client.get(path)  # the token's "last used" is written at most once a minute: not in the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


def _book_days(agreement, user, days: range) -> None:
    for day in days:
        book(agreement, user, utc(day, 10) + datetime.timedelta(days=7 * (day // 5)))


def test_bookings_list_and_slots_are_constant_in_the_number_of_sessions(world, frozen_now):
    agreement = agree(
        world.pool,
        world.organisation,
        supervisor_with_availability(monthly_capacity_hours=None),
        hours_per_month="200",
        allocation="400",
    )
    client = token_client(world.member)
    paths = ["/api/v1/bookings/?page_size=5", f"/api/v1/agreements/{agreement.pk}/slots/", "/api/v1/agreements/"]
    book(agreement, world.member, utc(5, 10))
    small = [_count(client, path) for path in paths]
    for day in (6, 7, 8, 11, 12, 13, 14, 15, 18, 19, 20, 21):
        book(agreement, world.member, utc(day, 10))
        book(agreement, world.colleague, utc(day, 14))
    large = [_count(client, path) for path in paths]
    assert small == large
    # Bookings: the token, then the page (its supervisor and organisation joined); slots: the
    # token, the agreement, then the booking page's own reads (offer_times).
    assert large == [2, 7, 2]


def test_group_lists_are_constant_in_the_number_of_groups_and_places(world, frozen_now):
    client = token_client(world.member)
    paths = ["/api/v1/groups/", "/api/v1/sessions/?page_size=20", "/api/v1/places/", "/api/v1/waitlist/"]
    group = make_group(world, capacity=30, now=NOW)
    book_place(
        group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first(), acting_user=world.member, now=NOW
    )
    small = [_count(client, path) for path in paths]
    for n in range(3):
        more = make_group(world, capacity=30, now=NOW, title=f"Group {n}")
        for person in (world.member, staff_of(world.organisation), staff_of(world.organisation)):
            book_place(
                more.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first(), acting_user=person, now=NOW
            )
    large = [_count(client, path) for path in paths]
    assert small == large
    assert large == [2, 2, 2, 2]


def test_directory_and_members_are_constant_in_their_size(world, frozen_now):
    lead = token_client(world.lead)
    paths = ["/api/v1/supervisors/", f"/api/v1/organisations/{world.organisation.pk}/members/"]
    supervisor_with_availability("Ann")
    small = [_count(lead, path) for path in paths]
    for name in ("Bea", "Cal", "Dee"):
        supervisor_with_availability(name)
        staff_of(world.organisation)
    large = [_count(lead, path) for path in paths]
    assert small == large
