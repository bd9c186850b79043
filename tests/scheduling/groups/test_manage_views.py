"""Commissioner pages: the pool's groups, a group's sessions, moving and cancelling one; cohorts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reflect import wording
from reflect.models import Notification
from scheduling.groups.places import book_place
from scheduling.models import ApplicationStatus, CohortApplication, CohortMembership, SessionStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.core import give_two_factor, signed_in
from tests.factories.groups import NOW, make_group
from tests.factories.typed_input import date_boxes
from tests.scheduling.conftest import send_what_is_waiting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def commissioner(client, world):
    signed_in(client, world.commissioner)
    return world.commissioner


def test_the_groups_page_lists_the_pools_groups_only(client, world, commissioner, group):
    make_group(world, title="Balint cohort", kind="cohort")
    response = client.get(reverse("group_pool_groups", args=[world.pool.pk]))
    assert [g.title for g in response.context["groups"]] == ["Balint cohort", "Leeds reflective practice"]
    assert response.context["has_cohorts"] is True


def test_a_groups_sessions_show_booked_numbers_suppressed(client, world, commissioner, group, session):
    book_place(session, acting_user=world.member, now=NOW)
    response = client.get(reverse("group_manage", args=[world.pool.pk, group.pk]))
    rows = response.context["rows"]
    assert (len(rows), rows[0]["booked"], rows[1]["booked"]) == (12, "*", 0)
    assert "Sam" not in response.content.decode()


def test_moving_a_session_from_its_page(client, world, commissioner, group, session):
    book_place(session, acting_user=world.member, now=NOW)
    send_what_is_waiting()  # the confirmation has gone: the move is news
    url = reverse("group_session_move", args=[world.pool.pk, session.pk])
    form = client.get(url).context["form"]
    assert form.initial == {
        "starts_on": datetime.date(2026, 11, 11),
        "start_time": datetime.time(14, 0),
        "duration_minutes": 120,
    }
    response = client.post(
        url, {**date_boxes("starts_on", datetime.date(2026, 11, 12)), "start_time": "10am", "duration_minutes": "90"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (
        datetime.datetime(2026, 11, 12, 10, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 12, 11, 30, tzinfo=datetime.UTC),
    )
    assert list(
        Notification.objects.filter(kind=GroupNotificationKind.SESSION_MOVED).values_list("recipient", flat=True)
    ) == [world.member.pk]
    # The new time is said back in words (the date was typed in three boxes, the time as "10am").
    when = wording.span(session.starts_at, session.ends_at, "Europe/London")
    assert (
        f"The session is moved to {when}. Everyone with a place or on the waitlist is being told."
        in client.get(response["Location"]).content.decode()
    )


def test_a_bad_move_shows_why_on_the_form(client, world, commissioner, session):
    url = reverse("group_session_move", args=[world.pool.pk, session.pk])
    response = client.post(
        url, {**date_boxes("starts_on", datetime.date(2026, 12, 9)), "start_time": "2pm", "duration_minutes": "120"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_on": ["The group already has a session at that time."]}


def test_cancelling_a_session_from_its_page(client, world, commissioner, session):
    response = client.post(reverse("group_session_cancel_all", args=[world.pool.pk, session.pk]), {"note": ""})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_another_pools_commissioner_and_staff_get_404(client, world, group, session):
    give_two_factor(world.other_commissioner)
    for person in (world.other_commissioner, world.member):
        client.force_login(person)
        for name, args in [
            ("group_pool_groups", [world.pool.pk]),
            ("group_manage", [world.pool.pk, group.pk]),
            ("group_session_move", [world.pool.pk, session.pk]),
            ("group_session_cancel_all", [world.pool.pk, session.pk]),
            ("cohort_fill", [world.pool.pk]),
        ]:
            assert client.get(reverse(name, args=args)).status_code == 404, name
    give_two_factor(world.commissioner)
    client.force_login(world.other_commissioner)
    # A session of another pool under one's own pool's address is a 404 as well.
    assert client.get(reverse("group_session_move", args=[world.other_pool.pk, session.pk])).status_code == 404


def test_staff_apply_and_the_commissioner_previews_then_confirms(client, world, commissioner):
    cohort = make_group(world, title="Tuesday evening", kind="cohort", rrule="FREQ=MONTHLY;BYDAY=+1TU")
    client.force_login(world.member)
    apply_url = reverse("cohort_apply", args=[world.pool.pk])
    assert client.get(apply_url).status_code == 200
    response = client.post(apply_url, {"weekdays": ["1"], "earliest_start": "", "latest_end": ""})
    assert response.status_code == 302
    assert CohortApplication.objects.get().weekdays == [1]
    client.force_login(world.outsider)
    assert client.get(apply_url).status_code == 404

    client.force_login(world.commissioner)
    fill_url = reverse("cohort_fill", args=[world.pool.pk])
    preview = client.get(fill_url)
    assert [(row["group"].title, row["joining"]) for row in preview.context["rows"]] == [("Tuesday evening", "*")]
    assert "Sam" not in preview.content.decode()
    fingerprint = preview.context["proposal"].fingerprint
    stale = client.post(fill_url, {"organisation_cap": "2", "fingerprint": "stale"}, follow=True)
    assert CohortMembership.objects.count() == 0
    assert "Applications or cohorts changed" in stale.content.decode()
    response = client.post(fill_url, {"organisation_cap": "2", "fingerprint": fingerprint})
    assert response.status_code == 302
    assert CohortMembership.objects.get().group == cohort
    assert CohortApplication.objects.get().status == ApplicationStatus.ASSIGNED
