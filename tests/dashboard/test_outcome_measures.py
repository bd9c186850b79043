"""The dashboard's outcome section (docs/outcomes.md): exact means, changes and intervals;
nothing over fewer than 8 people; and no hidden group recoverable by subtracting what is shown
— across the attendance split, an organisation filter, or two overlapping periods."""

from __future__ import annotations

import datetime
import math
import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reflect.models import Pool
from tests.dashboard.test_dashboard import rows_of
from tests.factories.core import OrganisationFactory, signed_in, staff_of
from tests.outcomes.helpers import answered

pytestmark = pytest.mark.django_db

BEFORE = datetime.date(2026, 4, 10)  # April to September 2026
AFTER = datetime.date(2026, 10, 10)  # October 2026 to March 2027
SATISFACTION = "Compassion satisfaction (higher is better)"


@pytest.fixture
def pool(world) -> Pool:
    world.pool.starts_on, world.pool.ends_on = datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)
    world.pool.save()
    return world.pool


def people_who_answered(pool, organisation, changes, *, attended=lambda index: False):
    for index, change in enumerate(changes):
        person = staff_of(organisation)
        answered(person, pool, organisation, BEFORE, round=0, satisfaction=30)
        answered(person, pool, organisation, AFTER, round=1, satisfaction=30 + change, attended=attended(index))


def change_rows(client, pool, query="") -> dict[tuple[str, str], list[str]]:
    rows = rows_of(client.get(f"/pools/{pool.pk}/dashboard/outcome-change.csv{query}"))
    assert rows[0] == [
        "Part of the questionnaire", "Half-year", "People who answered", "Mean score",
        "People with an earlier answer to compare", "Mean change since their first answer",
        "95% confidence interval of the change",
    ]  # fmt: skip
    return {(row[0], row[1]): row[2:] for row in rows[1:]}


def test_exact_mean_change_and_its_interval(world, pool, client) -> None:
    people_who_answered(pool, world.organisation, range(1, 11))
    rows = change_rows(signed_in(client, world.commissioner), pool)
    half = 2.262157 * statistics.stdev(range(1, 11)) / math.sqrt(10)  # t(0.975, 9) from the tables
    assert (round(5.5 - half, 1), round(5.5 + half, 1)) == (3.3, 7.7)
    assert rows[(SATISFACTION, "April 2026 to September 2026")] == ["10", "30.0", "0", "", ""]
    assert rows[(SATISFACTION, "October 2026 to March 2027")] == ["10", "35.5", "10", "5.5", "3.3 to 7.7"]
    page = client.get(f"/pools/{pool.pk}/dashboard/").content.decode().split('id="outcome-measures"', 1)[1]
    assert "+5.5" in page and "+3.3 to +7.7" in page
    assert "not from a randomised trial" in page


def test_fewer_than_8_people_show_nothing_but_a_star(world, pool, client) -> None:
    people_who_answered(pool, world.organisation, range(1, 8))
    rows = change_rows(signed_in(client, world.commissioner), pool)
    assert rows[(SATISFACTION, "October 2026 to March 2027")] == ["*", "*", "*", "*", "*"]


@pytest.mark.parametrize(
    ("people", "went", "shown"),
    [(12, 3, False), (16, 8, True), (9, 0, True)],
    ids=["a small half hides both", "two halves of 8", "no one attended"],
)
def test_the_attendance_split_is_shown_whole_or_not_at_all(world, pool, client, people, went, shown) -> None:
    people_who_answered(pool, world.organisation, [2] * people, attended=lambda index: index < went)
    rows = rows_of(signed_in(client, world.commissioner).get(f"/pools/{pool.pk}/dashboard/outcome-attendance.csv"))
    cells = {(row[0], row[1], row[2]): row[3:] for row in rows[1:]}
    yes = cells[(SATISFACTION, "October 2026 to March 2027", "Yes")]
    no = cells[(SATISFACTION, "October 2026 to March 2027", "No")]
    if shown:
        assert no[1] == "2.0" and (yes[1] == "2.0" if went else yes == ["0", "", ""])
    else:
        assert yes[1:] == ["*", "*"] and no[1:] == ["*", "*"]  # 9 who did not attend: hidden with the 3


def test_an_organisation_whose_complement_is_small_is_hidden(world, pool, client) -> None:
    small = OrganisationFactory(in_pool=pool)
    people_who_answered(pool, world.organisation, [2] * 10)
    people_who_answered(pool, small, [6] * 3)
    client = signed_in(client, world.commissioner)
    whole = change_rows(client, pool)[(SATISFACTION, "October 2026 to March 2027")]
    assert whole[2:4] == ["15", "2.9"]  # 13 people, disclosed as 15: (10 × 2 + 3 × 6) / 13
    # The pool less this organisation would be the other 3 people: so its figures are hidden.
    mine = change_rows(client, pool, f"?organisation={world.organisation.pk}")[
        (SATISFACTION, "October 2026 to March 2027")
    ]
    assert mine == ["10", "*", "10", "*", "*"]
    # The attendance split is for the whole pool only.
    split = rows_of(
        client.get(f"/pools/{pool.pk}/dashboard/outcome-attendance.csv?organisation={world.organisation.pk}")
    )
    assert split[1:] == []


def test_an_organisation_with_a_large_complement_is_shown(world, pool, client) -> None:
    other = OrganisationFactory(in_pool=pool)
    people_who_answered(pool, world.organisation, [2] * 10)
    people_who_answered(pool, other, [6] * 8)
    client = signed_in(client, world.commissioner)
    mine = change_rows(client, pool, f"?organisation={world.organisation.pk}")[
        (SATISFACTION, "October 2026 to March 2027")
    ]
    assert mine[2:4] == ["10", "2.0"]


def test_a_month_filter_picks_whole_half_years_so_periods_cannot_be_subtracted(world, pool, client) -> None:
    people_who_answered(pool, world.organisation, range(1, 11))
    late = staff_of(world.organisation)  # one more person answering in December
    answered(late, pool, world.organisation, BEFORE, round=0, satisfaction=30)
    answered(late, pool, world.organisation, datetime.date(2026, 12, 10), round=1, satisfaction=50)
    client = signed_in(client, world.commissioner)
    whole = change_rows(client, pool)
    for query in ("?from=2026-10&to=2026-11", "?from=2026-12&to=2026-12", "?from=2026-10&to=2027-03"):
        rows = change_rows(client, pool, query)
        assert list(rows) == [key for key in whole if key[1] == "October 2026 to March 2027"]
        assert all(rows[key] == whole[key] for key in rows)


def test_the_section_takes_the_same_queries_at_two_sizes(world, pool, client) -> None:
    client = signed_in(client, world.commissioner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/pools/{pool.pk}/dashboard/outcome-change.csv").getvalue()
        return len(queries)

    people_who_answered(pool, world.organisation, [1] * 8)
    small = count()
    people_who_answered(pool, world.organisation, [1] * 30)
    assert count() == small == 9
