"""What leads and commissioners see of learning needs: counts by topic, every count of people
through the one disclosure rule, never who asked (docs/learning.md)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.figures.learning_demand import learning_demand
from learning.enums import CoveredBy
from learning.services.needs import raise_need
from learning.services.organisation_needs import record_organisation_need
from reflect.disclosure import disclosed
from tests.factories.core import OrganisationFactory, give_two_factor, signed_in, staff_of
from tests.learning.conftest import topic

pytestmark = pytest.mark.django_db


def _asking(organisation, slug: str, people: int) -> None:
    for _ in range(people):
        raise_need(topic(slug), acting_user=staff_of(organisation))


def _row(demand, title: str) -> list[str]:
    return next([cell.text for cell in row.cells] for row in demand.rows if row.topic == title)


def test_the_commissioner_sees_people_disclosed_and_organisations_exactly(world) -> None:
    second = OrganisationFactory(name="Chapeltown Youth", in_pool=world.pool)
    _asking(world.organisation, "suicide-prevention", 9)
    _asking(second, "suicide-prevention", 4)
    _asking(world.organisation, "deaf-awareness", 1)
    record_organisation_need(second, topic("ageism"), covered_by=CoveredBy.NONE, staff_count=12, acting_user=world.lead)
    record_organisation_need(
        world.organisation,
        topic("ageism"),
        covered_by=CoveredBy.PAST_TRAINING,
        staff_count=None,
        acting_user=world.lead,
    )
    demand = learning_demand(world.pool)
    # Topic, kind, staff asking, organisations whose staff asked, organisations that recorded it,
    # staff they counted, organisations covering it.
    assert _row(demand, "Suicide prevention") == ["Suicide prevention", "Topic", "15", "2", "0", "0", "0"]
    assert _row(demand, "Deaf awareness") == ["Deaf awareness", "Topic", "*", "1", "0", "0", "0"]
    assert _row(demand, "Ageism") == ["Ageism", "Topic", "0", "0", "1", "10", "1"]
    assert _row(demand, "Psychosis") == ["Psychosis", "Presentation", "0", "0", "0", "0", "0"]
    # Most asked for first.
    assert [row.topic for row in demand.rows][:3] == ["Suicide prevention", "Deaf awareness", "Ageism"]
    # The headline counts people, not needs, disclosed on its own (never a sum of the rows).
    assert (demand.headline.label, demand.headline.cell.text) == ("Staff asking for at least one topic", "15")


@pytest.mark.parametrize("people", range(0, 14))
def test_every_topic_cell_of_people_is_disclosed_for_the_lead_and_the_commissioner(client, world, people) -> None:
    _asking(world.organisation, "vicarious-trauma", people)
    shown = str(disclosed(people))
    assert _row(learning_demand(world.pool), "Vicarious trauma")[2] == shown
    page = signed_in(client, world.lead).get(reverse("learning_organisation", args=[world.organisation.pk]))
    cells = page.text.split("Vicarious trauma</th>")[1].split("</tr>")[0]
    assert f'govuk-table__cell--numeric">{shown}</td>' in cells


def test_the_demand_page_and_its_csv_show_the_same_cells(client, world) -> None:
    give_two_factor(world.commissioner)
    _asking(world.organisation, "risk-enablement", 8)
    signed_in(client, world.commissioner)
    page = client.get(reverse("pool_learning_needs", args=[world.pool.pk]))
    assert page.status_code == 200
    assert "Risk enablement<br>" in page.text and "Add a topic for this pool" in page.text
    # One of the dashboard's pages: its list of pages, this one marked, each keeping the filters.
    filtered = client.get(reverse("pool_learning_needs", args=[world.pool.pk]) + "?from=2026-05").text
    dashboard = reverse("pool_dashboard", args=[world.pool.pk])
    assert f'href="{dashboard}?from=2026-05&amp;to=' in filtered
    assert 'aria-current="page">Learning needs</a>' in filtered
    response = client.get(reverse("pool_learning_export", args=[world.pool.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Topic", "Kind", "Staff asking", "Organisations whose staff asked", "Organisations that recorded the need",
        "Staff those organisations counted", "Organisations already covering it",
    ]  # fmt: skip
    assert ["Risk enablement", "Topic", "10", "1", "0", "0", "0"] in rows


def test_the_demand_page_costs_the_same_queries_however_many_needs(client, world) -> None:
    give_two_factor(world.commissioner)
    signed_in(client, world.commissioner)
    address = reverse("pool_learning_needs", args=[world.pool.pk])
    client.get(address)
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200
    second = OrganisationFactory(in_pool=world.pool)
    for slug in ("ageism", "psychosis", "splitting", "dissociation"):
        _asking(second, slug, 9)
        record_organisation_need(second, topic(slug), covered_by=CoveredBy.NONE, staff_count=3, acting_user=world.lead)
    with CaptureQueriesContext(connection) as many:
        assert client.get(address).status_code == 200
    # 11, and the two that read the dashboard's filters, kept by its links to the other pages.
    assert len(many) == len(few) == 13, [q["sql"] for q in many.captured_queries]


def test_a_commissioner_adds_a_topic_and_staff_can_choose_it(client, world) -> None:
    give_two_factor(world.commissioner)
    signed_in(client, world.commissioner)
    response = client.post(
        reverse("learning_topic_add", args=[world.pool.pk]),
        {"title": "Working with interpreters", "description": "Three-way conversations."},
        follow=True,
    )
    assert "Added “Working with interpreters”. Staff in Leeds pool can now choose it." in response.text
    staff_page = signed_in(client, world.member).get(reverse("learning_home"))
    assert "Added for Leeds pool" in staff_page.text and "Working with interpreters" in staff_page.text
    # Not offered in another pool.
    other = signed_in(client, world.outsider).get(reverse("learning_home"))
    assert "Working with interpreters" not in other.text


def test_the_lead_records_needs_and_covered_topics(client, world) -> None:
    signed_in(client, world.lead)
    address = reverse("learning_organisation", args=[world.organisation.pk])
    page = client.get(address)
    assert "Lived experience and past training are strengths" in page.text
    client.post(address, {"topic": topic("ageism").pk, "covered_by": "none", "staff_count": "6"})
    client.post(address, {"topic": topic("autism-awareness").pk, "covered_by": "lived_experience", "staff_count": ""})
    page = client.get(address)
    assert "Needed, by 6 members of staff" in page.text
    assert "Covered by lived experience" in page.text
    bad = client.post(address, {"topic": topic("ageism").pk, "covered_by": "none", "staff_count": "lots"})
    assert bad.status_code == 200 and "Number of staff must be a whole number" in bad.text


@pytest.mark.parametrize("address", ["learning_home", "learning_organisation"])
def test_the_staff_and_lead_pages_cost_the_same_queries_however_many_needs(client, world, address) -> None:
    signed_in(client, world.lead)
    url = reverse(address, args=[world.organisation.pk] if address == "learning_organisation" else [])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for slug in ("ageism", "psychosis", "splitting"):
        raise_need(topic(slug), acting_user=world.lead)
        _asking(world.organisation, slug, 3)
        record_organisation_need(
            world.organisation, topic(slug), covered_by=CoveredBy.NONE, staff_count=3, acting_user=world.lead
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) == {"learning_home": 9, "learning_organisation": 9}[address]  # home: 8, and the needs met (learnb)
