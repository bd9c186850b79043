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
from django.utils import timezone

from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from reflect import wording
from reflect.models import Pool
from tests.dashboard.test_dashboard import rows_of
from tests.factories.core import OrganisationFactory, signed_in, staff_of
from tests.outcomes.helpers import answered

pytestmark = pytest.mark.django_db

# A pool whose half-years have both ended (only ended half-years are shown).
BEFORE = datetime.date(2025, 4, 10)  # April to September 2025
AFTER = datetime.date(2025, 10, 10)  # October 2025 to March 2026
SATISFACTION = "Compassion satisfaction (higher is better)"


@pytest.fixture
def pool(world) -> Pool:
    world.pool.starts_on, world.pool.ends_on = datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)
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
    assert rows[(SATISFACTION, "April 2025 to September 2025")] == ["10", "30.0", "0", "", ""]
    assert rows[(SATISFACTION, "October 2025 to March 2026")] == ["10", "35.5", "10", "5.5", "3.3 to 7.7"]
    page = client.get(f"/pools/{pool.pk}/dashboard/outcomes/").content.decode().split('id="outcome-measures"', 1)[1]
    assert "+5.5" in page and "+3.3 to +7.7" in page
    assert "not from a randomised trial" in page


def test_fewer_than_8_people_show_nothing_but_a_star(world, pool, client) -> None:
    people_who_answered(pool, world.organisation, range(1, 8))
    rows = change_rows(signed_in(client, world.commissioner), pool)
    assert rows[(SATISFACTION, "October 2025 to March 2026")] == ["*", "*", "*", "*", "*"]


@pytest.mark.parametrize(
    ("people", "went", "shown"),
    [(12, 3, False), (16, 8, True), (9, 0, True)],
    ids=["a small half hides both", "two halves of 8", "no one attended"],
)
def test_the_attendance_split_is_shown_whole_or_not_at_all(world, pool, client, people, went, shown) -> None:
    people_who_answered(pool, world.organisation, [2] * people, attended=lambda index: index < went)
    rows = rows_of(signed_in(client, world.commissioner).get(f"/pools/{pool.pk}/dashboard/outcome-attendance.csv"))
    cells = {(row[0], row[1], row[2]): row[3:] for row in rows[1:]}
    yes = cells[(SATISFACTION, "October 2025 to March 2026", "Yes")]
    no = cells[(SATISFACTION, "October 2025 to March 2026", "No")]
    if shown:
        assert no[1] == "2.0" and (yes[1] == "2.0" if went else yes == ["0", "", ""])
    else:
        assert yes[1:] == ["*", "*"] and no[1:] == ["*", "*"]  # 9 who did not attend: hidden with the 3


def test_an_organisation_whose_complement_is_small_is_hidden(world, pool, client) -> None:
    small = OrganisationFactory(in_pool=pool)
    people_who_answered(pool, world.organisation, [2] * 10)
    people_who_answered(pool, small, [6] * 3)
    client = signed_in(client, world.commissioner)
    whole = change_rows(client, pool)[(SATISFACTION, "October 2025 to March 2026")]
    assert whole[2:4] == ["15", "2.9"]  # 13 people, disclosed as 15: (10 × 2 + 3 × 6) / 13
    # The pool less this organisation would be the other 3 people: so its figures are hidden.
    mine = change_rows(client, pool, f"?organisation={world.organisation.pk}")[
        (SATISFACTION, "October 2025 to March 2026")
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
        (SATISFACTION, "October 2025 to March 2026")
    ]
    assert mine[2:4] == ["10", "2.0"]


def test_a_month_filter_picks_whole_half_years_so_periods_cannot_be_subtracted(world, pool, client) -> None:
    people_who_answered(pool, world.organisation, range(1, 11))
    late = staff_of(world.organisation)  # one more person answering in December
    answered(late, pool, world.organisation, BEFORE, round=0, satisfaction=30)
    answered(late, pool, world.organisation, datetime.date(2025, 12, 10), round=1, satisfaction=50)
    client = signed_in(client, world.commissioner)
    whole = change_rows(client, pool)
    for query in ("?from=2025-10&to=2025-11", "?from=2025-12&to=2025-12", "?from=2025-10&to=2026-03"):
        rows = change_rows(client, pool, query)
        assert list(rows) == [key for key in whole if key[1] == "October 2025 to March 2026"]
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


# --- Only half-years that have ended (two looks a few days apart must not differ) -----------------


def moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def looked_at(pool, on: datetime.date) -> tuple[list[list[object]], list[list[object]], list[str]]:
    """The two outcome tables' CSV rows and the section's notes, as the page would be on ``on``."""
    figures = PoolFigures(pool, whole_pool(pool), now=moment(on)).outcome_measures
    return (
        [list(row) for row in figures.change_table().csv_rows()],
        [list(row) for row in figures.attendance_table().csv_rows()],
        figures.section().notes,
    )


@pytest.fixture
def running_pool(world) -> Pool:
    """April 2026 to March 2027: on 7 December 2026 its first half-year has ended, its second not."""
    world.pool.starts_on, world.pool.ends_on = datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)
    world.pool.save()
    return world.pool


def test_a_half_year_still_filling_up_is_never_shown(world, running_pool) -> None:
    for change in range(1, 11):
        person = staff_of(world.organisation)
        answered(person, running_pool, world.organisation, datetime.date(2026, 4, 10), round=0, satisfaction=30)
        answered(
            person, running_pool, world.organisation, datetime.date(2026, 10, 10), round=1, satisfaction=30 + change
        )
    change, attendance, notes = looked_at(running_pool, datetime.date(2026, 12, 7))
    assert {row[1] for row in change[1:]} == {"April 2026 to September 2026"}
    assert {row[1] for row in attendance[1:]} == {"April 2026 to September 2026"}
    assert (
        "Figures appear only once a half-year has ended, so that two looks a few days apart cannot be set "
        "side by side to learn about one person. Shown: April 2026 to September 2026. The next, "
        f"October 2026 to March 2027, appears on {wording.date(datetime.date(2027, 4, 1))}."
    ) in notes
    # Once it has ended, it appears, and nothing more is to come.
    change, _, notes = looked_at(running_pool, datetime.date(2027, 4, 1))
    assert [str(cell) for cell in change[2]] == [
        SATISFACTION, "October 2026 to March 2027", "10", "35.5", "10", "5.5", "3.3 to 7.7",
    ]  # fmt: skip
    assert any(note.endswith("Shown: April 2026 to September 2026 and October 2026 to March 2027.") for note in notes)


def test_two_looks_a_few_days_apart_cannot_be_differenced(world, running_pool) -> None:
    """The finding of the review: with the half-year still filling up shown, one more answer
    between two looks changed its cells, and the difference was that person's."""
    for _ in range(10):
        person = staff_of(world.organisation)
        answered(person, running_pool, world.organisation, datetime.date(2026, 4, 10), round=0, satisfaction=30)
        answered(person, running_pool, world.organisation, datetime.date(2026, 10, 10), round=1, satisfaction=32)
    first_look = looked_at(running_pool, datetime.date(2026, 12, 7))
    late = staff_of(world.organisation)
    answered(late, running_pool, world.organisation, datetime.date(2026, 4, 10), round=0, satisfaction=30)
    answered(late, running_pool, world.organisation, datetime.date(2026, 12, 9), round=1, satisfaction=50)
    assert looked_at(running_pool, datetime.date(2026, 12, 12)) == first_look


def test_before_any_half_year_has_ended_the_section_says_when_the_first_appears(world, running_pool) -> None:
    person = staff_of(world.organisation)
    answered(person, running_pool, world.organisation, datetime.date(2026, 4, 10), round=0, satisfaction=30)
    change, attendance, notes = looked_at(running_pool, datetime.date(2026, 9, 30))
    assert change[1:] == [] and attendance[1:] == []
    assert (
        "No half-year of this pool has ended yet, so there is nothing to show. The first, April 2026 to "
        f"September 2026, appears on {wording.date(datetime.date(2026, 10, 1))}."
    ) in notes


def test_the_csv_on_todays_date_leaves_out_the_current_half_year(world, client) -> None:
    """The exports read the real clock: a pool that began this month has nothing to show yet."""
    today = timezone.localdate()
    world.pool.starts_on, world.pool.ends_on = today.replace(day=1), today.replace(day=1) + datetime.timedelta(days=360)
    world.pool.save()
    for _ in range(10):
        answered(staff_of(world.organisation), world.pool, world.organisation, today, round=0, satisfaction=30)
    client = signed_in(client, world.commissioner)
    assert change_rows(client, world.pool) == {}
    rows = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/outcome-attendance.csv"))
    assert rows[1:] == []
