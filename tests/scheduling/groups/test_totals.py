"""A lead sees their organisation's reflective-group totals, suppressed; never who attends."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.queries import OrganisationGroupTotals
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_the_lead_sees_suppressed_totals_and_no_names(client, world):
    group = make_group(world, capacity=12)
    session = group.sessions.order_by("starts_at").first()
    staff = [staff_of(world.organisation, first_name=f"Person{n}") for n in range(10)]
    places = [book_place(session, acting_user=person, now=NOW) for person in staff]
    cancel_place(places[-1], acting_user=staff[-1], now=NOW)  # 9 booked, net
    after = session.starts_at + datetime.timedelta(hours=1)
    facilitator = group.facilitator.user
    for place in places[:3]:
        mark_place_attendance(place, True, acting_user=facilitator, now=after)
    mark_place_attendance(places[3], False, acting_user=facilitator, now=after)
    client.force_login(world.lead)
    response = client.get(reverse("group_organisation_totals", args=[world.organisation.pk]))
    assert response.context["rows"] == [
        OrganisationGroupTotals(pool_name="Leeds pool", booked=10, attended="*", missed="*")
    ]
    body = response.content.decode()
    assert "Person" not in body and "Sam" not in body


def test_no_places_says_so(client, world):
    client.force_login(world.lead)
    response = client.get(reverse("group_organisation_totals", args=[world.organisation.pk]))
    assert response.context["rows"] == []


def test_staff_who_are_not_the_lead_and_other_leads_get_404(client, world):
    url = reverse("group_organisation_totals", args=[world.organisation.pk])
    for person in (world.member, world.outsider, world.commissioner):
        client.force_login(person)
        assert client.get(url).status_code == 404
