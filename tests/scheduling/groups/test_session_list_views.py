"""The staff list (groups ranked for me) and the restricted group's session page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reflect.services.preferences import update_preferences
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import Place
from tests.factories.core import OrganisationFactory, staff_of
from tests.factories.groups import NOW, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_groups_are_ranked_for_the_person_with_reasons(client, world):
    make_group(world, title="Morning circle", start_time=datetime.time(9, 30), capacity=8)
    make_group(
        world,
        title="Evening online",
        start_time=datetime.time(18, 0),
        location="",
        online_link="https://meet.example.org/r",
    )
    update_preferences(world.member, no_sessions_before=datetime.time(11, 0))
    client.force_login(world.member)
    response = client.get(reverse("group_sessions"), {"mode": "online"})
    ranked = [(item["ranked"].option.title, item["ranked"].reasons) for item in response.context["ranked"]]
    assert ranked == [
        (
            "Evening online",
            (
                "starts at 6pm, not before 11am as you asked",
                "meets online, as you asked",
                "2 places left in the next session",
            ),
        ),
        (
            "Morning circle",
            (
                "starts at 9:30am, earlier than your 11am",
                "meets in person, not online",
                "8 places left in the next session",
            ),
        ),
    ]
    assert "Why it is here: starts at 6pm, not before 11am as you asked" in response.content.decode()


def test_the_way_they_like_to_meet_is_kept_and_ranks_their_list(client, world):
    make_group(world, title="A circle in person", start_time=datetime.time(14, 0), capacity=8)
    make_group(
        world,
        title="Online circle",
        start_time=datetime.time(14, 0),
        location="",
        online_link="https://meet.example.org/r",
    )
    client.force_login(world.member)
    response = client.post(
        reverse("contact_preferences"), {"channel": "email", "meets": "online", "missed_session_messages": "on"}
    )
    assert response.status_code == 302
    assert world.member.contact_preferences.meets == "online"

    def titles(query: dict[str, str]) -> list[str]:
        return [item["ranked"].option.title for item in client.get(reverse("group_sessions"), query).context["ranked"]]

    # With no choice on the page, the kept preference ranks: online first, though it has fewer places.
    assert titles({}) == ["Online circle", "A circle in person"]
    # Choosing on the page changes this look only.
    assert titles({"mode": "either"}) == ["A circle in person", "Online circle"]
    assert titles({}) == ["Online circle", "A circle in person"]


def test_a_bad_mode_is_ignored_not_a_500(client, world, group):
    client.force_login(world.member)
    response = client.get(reverse("group_sessions"), {"mode": "teleport"})
    assert (response.status_code, len(response.context["ranked"])) == (200, 1)


def test_held_offers_are_not_shown_as_free(client, world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    join_waitlist(session, acting_user=world.lead, now=NOW)
    cancel_place(place, acting_user=world.member, now=NOW)  # the freed place is held for Leila
    client.force_login(world.member)
    [row] = client.get(reverse("group_sessions")).context["ranked"]
    assert (row["session"].pk, row["places_left"], row["places_said"]) == (session.pk, 0, "Full")
    assert row["ranked"].reasons[2] == "the next session is full"
    # Leila, whom the place is held for, is offered it, and nothing tells her to join a waitlist.
    client.force_login(world.lead)
    page = client.get(reverse("group_sessions"))
    [row] = page.context["ranked"]
    assert row["standing"] == "offered"
    assert "A place is held for you: take it" in page.text and "waitlist" not in page.text
    assert [row["places_left"] for row in client.get(reverse("group_detail", args=[session.group_id])).context["rows"]][
        :2
    ] == [0, 2]


@pytest.mark.parametrize("groups", [1, 4])
def test_the_list_takes_the_same_queries_whatever_the_number_of_groups(
    client, world, groups, django_assert_num_queries
):
    for number in range(groups):
        make_group(
            world, title=f"Group {number}", all_pool_organisations=False, eligible_organisations=[world.organisation]
        )
    client.force_login(world.member)
    # session, user, memberships, groups, their eligible organisations, each group's next
    # session (with the person's place or waitlist entry in it), preferences, and the two the
    # navigation asks (staff? commissioner?)
    with django_assert_num_queries(9):
        response = client.get(reverse("group_sessions"))
    assert len(response.context["ranked"]) == groups


@pytest.fixture
def restricted_session(world):
    chosen = OrganisationFactory(name="Chapeltown Youth", in_pool=world.pool)
    group = make_group(
        world, title="Chapeltown staff group", all_pool_organisations=False, eligible_organisations=[chosen]
    )
    return group.sessions.order_by("starts_at").first()


def test_staff_of_an_organisation_not_chosen_see_why_and_cannot_book(client, world, restricted_session):
    client.force_login(world.member)
    response = client.get(reverse("group_session", args=[restricted_session.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    why = "This group is open to chosen organisations in Leeds pool only, and Harehills Drama is not one of them."
    assert response.context["why_not"] == why
    assert why in body
    assert "Book a place" not in body and "places left" not in body
    assert client.get(reverse("group_sessions")).context["ranked"] == []
    client.post(reverse("group_session_book", args=[restricted_session.pk]))
    assert Place.objects.count() == 0


def test_staff_of_a_chosen_organisation_can_book(client, world, restricted_session):
    staff = staff_of(restricted_session.group.eligible_organisations.get())
    client.force_login(staff)
    response = client.get(reverse("group_session", args=[restricted_session.pk]))
    assert response.context["why_not"] == ""
    assert "Book a place" in response.content.decode()


def test_a_cohorts_session_page_says_apply(client, world):
    cohort = make_group(world, title="Balint cohort", kind="cohort")
    client.force_login(world.member)
    response = client.get(reverse("group_session", args=[cohort.sessions.first().pk]))
    assert response.context["why_not"].startswith("Balint cohort is a cohort that meets with the same members")
    assert reverse("cohort_apply", args=[world.pool.pk]) in response.content.decode()


def test_a_group_whose_next_session_is_months_away_is_still_ranked(client, world):
    make_group(world, title="Weekly circle", rrule="FREQ=WEEKLY;BYDAY=SU")
    make_group(world, title="Summer group", first_date=datetime.date(2027, 8, 1))
    client.force_login(world.member)
    response = client.get(reverse("group_sessions"))
    ranked = [(item["ranked"].option.title, item["when"]) for item in response.context["ranked"]]
    assert ranked == [
        ("Weekly circle", "Sunday 8 November 2026, 2pm to 4pm"),
        ("Summer group", "Wednesday 11 August 2027, 2pm to 4pm"),
    ]
