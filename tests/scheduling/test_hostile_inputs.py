"""Inputs that gave server errors (issue 17): each is now a 400/404 page or a form error in words.

docs/security.md, "Hostile input".
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from scheduling.models import ReflectiveGroup
from tests.factories.core import signed_in
from tests.factories.groups import make_facilitator, typed_dates

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def group_data(facilitator):
    data = {
        "title": "Harehills reflective practice",
        "description": "Monthly.",
        "kind": "drop_in",
        "facilitator": facilitator.pk,
        "rrule": "FREQ=MONTHLY;BYDAY=+2WE",
        "first_date": "2026-11-11",  # after the frozen today (tests.factories.groups.NOW)
        "start_time": "14:00",
        "duration_minutes": "120",
        "time_zone": "Europe/London",
        "location": "Room 2",
        "capacity": "8",
        "overbooking_percent": "0",
        "booking_opens_days": "28",
        "all_pool_organisations": "on",
        "ground_rules": "Be kind.",
        "confidentiality_statement": "What is said here stays here.",
    }
    return typed_dates(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"time_zone": "Europe"},
        {"time_zone": "Europe/"},
        {"time_zone": "../../etc/passwd"},
        {"facilitator": HUGE},
    ],
    ids=["zone-directory", "zone-slash", "zone-path", "huge-choice-id"],
)
def test_a_group_form_with_a_hostile_value_is_a_form_error(client, world, frozen_now, changes):
    signed_in(client, world.commissioner)
    facilitator = make_facilitator()
    response = client.post(reverse("group_create", args=[world.pool.pk]), group_data(facilitator) | changes)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {next(iter(changes))}
    assert not ReflectiveGroup.objects.exists()


def test_the_group_form_data_above_is_valid(client, world, frozen_now):
    """So that each hostile value above is the only thing wrong with its form."""
    signed_in(client, world.commissioner)
    response = client.post(reverse("group_create", args=[world.pool.pk]), group_data(make_facilitator()))
    assert response.status_code == 302
    assert ReflectiveGroup.objects.count() == 1


def test_a_huge_id_in_a_checkbox_list_is_refused_and_changes_nothing(client, world):
    signed_in(client, world.commissioner)
    data = group_data(make_facilitator()) | {"eligible_organisations": [HUGE], "all_pool_organisations": ""}
    response = client.post(reverse("group_create", args=[world.pool.pk]), data)
    # The form refuses an id no row could have before any database reads it: a message in words.
    assert response.status_code == 200
    assert response.context["form"].errors == {"eligible_organisations": ["Choose organisations from this pool."]}
    assert not ReflectiveGroup.objects.exists()


def test_the_availability_settings_refuse_a_zone_directory_in_words(client, supervisor):
    client.force_login(supervisor.user)
    response = client.post(
        reverse("availability_settings"),
        {"time_zone": "Europe", "session_lengths": ["60"], "buffer_minutes": "0", "minimum_notice_hours": "24",
         "horizon_weeks": "8", "monthly_capacity_hours": "10"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "is not a time zone we know" in response.content.decode()


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "9999-12-27", "0001-01-07"])
def test_the_supervisors_week_outside_the_calendar_is_a_400(client, supervisor, week):
    client.force_login(supervisor.user)
    response = client.get(reverse("availability_week") + f"?week={week}")
    assert response.status_code == 400


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_the_slot_picker_week_outside_the_calendar_is_a_400(client, world, agreement, week):
    client.force_login(world.member)
    response = client.get(reverse("supervision_book", args=[agreement.pk]) + f"?week={week}")
    assert response.status_code == 400


@pytest.mark.parametrize("value", [HUGE, str(2**63), str(2**64), "-" + HUGE])
def test_huge_ids_in_the_address_are_a_404(client, world, value):
    signed_in(client, world.commissioner)
    for url in (
        f"/pools/{value}/",
        f"/groups/sessions/{value}/",
        f"/supervision/sessions/{value}/",
        f"/organisations/{value}/",
        f"/questionnaire/{value}/check/",
    ):
        assert client.get(url).status_code == 404, url
