"""The record's pages: reached from the home page, a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from records.models import CpdActivity
from records.services.record import choose_body, countersign_month
from tests.factories.core import signed_in, staff_of
from tests.records.conftest import at, attended_session

pytestmark = pytest.mark.django_db


def test_staff_home_links_the_record_and_supervisor_home_links_countersigning(scene):
    assert reverse("records_home") in signed_in(Client(), scene.practitioner).get(reverse("home")).content.decode()
    home = signed_in(Client(), scene.supervisor.user).get(reverse("home")).content.decode()
    assert reverse("records_supervisees") in home


def _more_sessions(scene, world, n: int) -> None:
    for day in range(1, n + 1):
        colleague = staff_of(world.organisation, first_name=f"Extra{day}")
        attended_session(scene.agreement, [scene.practitioner, colleague], at(day, month=10), 60)
        CpdActivity.objects.create(
            owner=scene.practitioner,
            activity=f"Course {day}",
            done_on=datetime.date(2026, 10, day),
            hours=2,
            learnt="x",
        )


# The session and the user; the body; the bookings, their attendees, the places and the
# countersignatures; then the page's own: notes, the CPD log, the signed copies; and the
# navigation's memberships and roles (the CSV has no page around it, nor notes).
@pytest.mark.parametrize(("name", "queries"), [("records_home", 12), ("records_csv", 7)])
def test_the_record_takes_the_same_queries_for_3_or_13_sessions(scene, world, name, queries, django_assert_num_queries):
    choose_body(scene.practitioner, "bacp")
    client = signed_in(Client(), scene.practitioner)
    url = reverse(name)
    for more in (0, 10):
        _more_sessions(scene, world, more)
        with django_assert_num_queries(queries):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code == 200


def test_the_countersign_list_takes_the_same_queries_for_one_or_eleven_people(scene, world, django_assert_num_queries):
    # The session, the user, the profile and two-factor; the sessions (bookings, attendees,
    # places, countersignatures) and the people's names in one; the navigation's two.
    client = signed_in(Client(), scene.supervisor.user)
    url = reverse("records_supervisees")
    for more in (0, 10):
        _more_sessions(scene, world, more)
        with django_assert_num_queries(11):
            assert "Countersign" in client.get(url).content.decode()


def test_the_verification_page_is_one_query(scene, django_assert_num_queries):
    countersign_month(scene.supervisor.user, scene.practitioner.pk, datetime.date(2026, 11, 1), now=at(30))
    signed_in(Client(), scene.practitioner).post(reverse("records_signed_pdf"), {})
    from records.models import SignedRecord

    url = reverse("records_verify", args=[SignedRecord.objects.get().token])
    anonymous = Client()
    with django_assert_num_queries(1):
        assert anonymous.get(url).status_code == 200
