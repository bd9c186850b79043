"""/groups/ lists groups (each with its next session and its button), a group's own page lists
its coming sessions, and cancelling a place asks first (issue 18)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reflect import wording
from scheduling.groups.places import book_place
from scheduling.models import Place, PlaceStatus, WaitlistEntry
from tests.factories.groups import NOW, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_each_group_shows_its_next_session_with_a_book_button(client, world, group):
    client.force_login(world.member)
    response = client.get(reverse("group_sessions"))
    [row] = response.context["ranked"]
    session = group.sessions.order_by("starts_at").first()
    assert (row["session"], row["places_said"], row["standing"], row["opens"]) == (session, "2 places left", "", "")
    body = response.content.decode()
    assert reverse("group_session_book", args=[session.pk]) in body
    assert reverse("group_detail", args=[group.pk]) in body

    # Booking from the list books that session and lands on it.
    response = client.post(reverse("group_session_book", args=[session.pk]))
    assert response.url == reverse("group_session", args=[session.pk])
    assert Place.objects.get(user=world.member).session == session
    [row] = client.get(reverse("group_sessions")).context["ranked"]
    assert row["standing"] == "place"
    assert (
        reverse("group_session_book", args=[session.pk]) not in client.get(reverse("group_sessions")).content.decode()
    )


def test_a_full_next_session_offers_the_waitlist(client, world, group):
    session = group.sessions.order_by("starts_at").first()
    book_place(session, acting_user=world.colleague, now=NOW)
    book_place(session, acting_user=world.lead, now=NOW)
    client.force_login(world.member)
    body = client.get(reverse("group_sessions")).content.decode()
    assert reverse("group_waitlist_join", args=[session.pk]) in body
    assert "Join the waitlist" in body
    client.post(reverse("group_waitlist_join", args=[session.pk]))
    assert WaitlistEntry.objects.get(user=world.member).session == session
    [row] = client.get(reverse("group_sessions")).context["ranked"]
    assert (row["places_said"], row["standing"]) == ("Full", "waiting")


def test_the_groups_page_lists_coming_sessions_with_places_and_when_booking_opens(client, world, group):
    first, second = group.sessions.order_by("starts_at")[:2]
    book_place(first, acting_user=world.member, now=NOW)
    client.force_login(world.member)
    response = client.get(reverse("group_detail", args=[group.pk]))
    rows = response.context["rows"]
    assert len(rows) == 12
    assert [(r["session"], r["places_said"], r["standing"]) for r in rows[:2]] == [
        (first, "1 place left", "place"),
        (second, "2 places left", ""),
    ]
    # Booking opens 28 days before each session: the third (13 January 2027) is not open yet.
    opens = rows[2]["session"].starts_at - datetime.timedelta(days=28)
    assert rows[2]["opens"] == f"Booking opens on {wording.day(opens, 'Europe/London')}"
    assert response.context["meets"] == (
        f"Meets every month on the second Wednesday at {wording.clock(group.start_time)}, for 120 minutes."
    )
    assert "Sam" not in response.content.decode()


@pytest.mark.parametrize("groups", [1, 3])
def test_the_groups_page_takes_the_same_queries_whatever_the_data(client, world, groups, django_assert_num_queries):
    made = [make_group(world, title=f"Group {n}", capacity=4, booking_opens_days=365) for n in range(groups)]
    for session in made[0].sessions.all()[:groups]:
        book_place(session, acting_user=world.colleague, now=NOW)
    client.force_login(world.member)
    # session, user, the group, its sessions (with places held and the person's standing),
    # the eligibility check (membership), and the two the navigation asks
    with django_assert_num_queries(7):
        response = client.get(reverse("group_detail", args=[made[0].pk]))
    assert len(response.context["rows"]) == 12


def test_cancelling_a_place_asks_first_and_says_what_follows(client, world, group):
    session = group.sessions.order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    client.force_login(world.member)
    detail = client.get(reverse("group_session", args=[session.pk])).content.decode()
    assert f'href="{reverse("group_session_cancel", args=[session.pk])}"' in detail

    response = client.get(reverse("group_session_cancel", args=[session.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    when = response.context["when"]
    assert f"Cancel your place on {when}?" in body
    assert "the place goes to the first person on the waitlist, if anyone is waiting;" in body
    assert "Yes, cancel my place" in body and "No, keep my place" in body
    place.refresh_from_db()
    assert place.status == PlaceStatus.BOOKED  # looking at the page changes nothing

    response = client.post(reverse("group_session_cancel", args=[session.pk]), {"reason": ""})
    assert response.url == reverse("group_session", args=[session.pk])
    place.refresh_from_db()
    assert place.status == PlaceStatus.CANCELLED


def test_the_confirmation_page_without_a_place_goes_back_to_the_session(client, world, session):
    client.force_login(world.member)
    response = client.get(reverse("group_session_cancel", args=[session.pk]))
    assert response.url == reverse("group_session", args=[session.pk])


def test_the_confirmation_page_is_a_404_outside_the_pool(client, world, session):
    client.force_login(world.outsider)
    assert client.get(reverse("group_session_cancel", args=[session.pk])).status_code == 404
