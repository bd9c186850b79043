"""Every CSV the app serves is safe to open in a spreadsheet (docs/security.md, "CSV exports").

The CSV URLs are found by walking the URL patterns, so a new export fails here until the test
knows how to request it; each is requested with hostile names seeded, and every text cell must
be quoted and must not begin with a formula character."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dashboard.figures.exports import EXPORTS
from learning.models import LearningTopic
from reflect.csv_export import FORMULA_STARTS, csv_response, number
from reflect.models import Community, User
from scheduling.models import BookingStatus, SupervisionBooking
from tests.conftest import World
from tests.factories.bookings import agree, book, supervisor_with_availability, utc
from tests.factories.core import OrganisationFactory, signed_in
from tests.factories.groups import ReflectiveGroupFactory

# What a hostile person types as a name, a profession, an organisation or a group.
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def _csv_patterns(patterns: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern that serves a .csv file."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _csv_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and ".csv" in route:
            yield route, pattern.name or ""


def _log_csvs(world: World) -> list[tuple[User, str]]:
    return [(world.member, reverse("supervision_log_csv"))]


def _dashboard_csvs(world: World) -> list[tuple[User, str]]:
    return [(world.commissioner, reverse("pool_export", args=[world.pool.pk, key])) for key in EXPORTS]


# How to request each CSV URL pattern: as whom, and with which arguments.
REQUESTS: dict[str, Callable[[World], list[tuple[User, str]]]] = {
    "supervision_log_csv": _log_csvs,
    "pool_export": _dashboard_csvs,
    # The member's own supervision record (records/): their attended session, its supervisor's name.
    "records_csv": lambda world: [(world.member, reverse("records_csv"))],
    # Demand for learning by topic (docs/learning.md), with the pool's own hostile topic titles.
    "pool_learning_export": lambda world: [(world.commissioner, reverse("pool_learning_export", args=[world.pool.pk]))],
}


@pytest.fixture
def hostile_world(world: World) -> World:
    """Hostile names everywhere a CSV shows text: a supervisor (name and profession) with a
    session the member attended, an organisation, a group and a community."""
    supervisor = supervisor_with_availability(first_name=HOSTILE[0])
    supervisor.user.last_name = HOSTILE[2]
    supervisor.user.save()
    supervisor.profession = HOSTILE[1]
    supervisor.save()
    booking = book(agree(world.pool, world.organisation, supervisor), world.member, utc(6, 10))
    SupervisionBooking.objects.filter(pk=booking.pk).update(status=BookingStatus.ATTENDED)
    for name in HOSTILE:
        OrganisationFactory(name=name, in_pool=world.pool)
        ReflectiveGroupFactory(pool=world.pool, title=name)
    for index, name in enumerate(HOSTILE):
        Community.objects.create(slug=f"hostile-{index}", name=name)
        LearningTopic.objects.create(pool=world.pool, slug=f"hostile-{index}", title=name)
    return world


def _cells(content: str) -> list[list[str | float]]:
    """The file's cells: quoted fields as text, bare ones as numbers. A bare field that is not a
    number is text written unquoted, which the rule forbids."""
    try:
        return list(csv.reader(io.StringIO(content), quoting=csv.QUOTE_NONNUMERIC))
    except ValueError as error:
        raise AssertionError(f"a text cell is not quoted: {error}") from error


def test_every_csv_url_is_known_to_this_test() -> None:
    names = {name for _route, name in _csv_patterns(get_resolver().url_patterns)}
    assert names == set(REQUESTS), "a CSV URL this test does not request: add it to REQUESTS"


def test_no_csv_cell_starts_with_a_formula_character(hostile_world: World, client: Client) -> None:
    seen, two_factor = "", set()
    for name, urls in REQUESTS.items():
        for user, url in urls(hostile_world):
            if user.pk not in two_factor:
                signed_in(client, user)
                two_factor.add(user.pk)
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == "text/csv; charset=utf-8", url
            assert response.streaming, url
            content = response.getvalue().decode()
            seen += content
            for row in _cells(content):
                for cell in row:
                    assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS)), (name, url, cell)
    # The hostile text did reach the files, escaped (not just left out).
    assert "'=HYPERLINK(" in seen and "'+1+cmd" in seen and "'@SUM(A1)" in seen


def test_the_supervision_log_escapes_what_the_supervisor_typed(hostile_world: World, client: Client) -> None:
    rows = _cells(signed_in(client, hostile_world.member).get(reverse("supervision_log_csv")).getvalue().decode())
    assert rows[1][1:4] == [60.0, f"'{HOSTILE[0]} {HOSTILE[2]}", f"'{HOSTILE[1]}"]


def test_numbers_the_app_writes_stay_numbers_and_text_is_escaped() -> None:
    rows = [
        ["Name", "Balance", "Hours", "Count", "Date", "Empty"],
        ["-12.50", number("-12.50"), Decimal("-3.5"), -4, datetime.date(2027, 1, 6), None],
        ["=1+1", number("*"), number("=1+1"), number("١٢"), "\rx", ""],
    ]
    response = csv_response("test.csv", rows)
    assert response.streaming
    content = response.getvalue().decode()
    assert content.split("\r\n") == [
        '"Name","Balance","Hours","Count","Date","Empty"',
        '"\'-12.50",-12.50,-3.5,-4,"2027-01-06",""',
        '"\'=1+1","*","\'=1+1","١٢","\'\rx",""',
        "",
    ]
