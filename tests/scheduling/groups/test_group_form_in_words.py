"""Creating a group in words, with its first dates previewed before it is saved (issue 18)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from reflect import wording
from scheduling.models import GroupSession, ReflectiveGroup
from tests.factories.core import give_two_factor
from tests.factories.groups import make_facilitator, make_group, typed_dates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LONDON = ZoneInfo("Europe/London")
POOL_ENDS = datetime.date(2027, 3, 31)


@pytest.fixture
def commissioner(client, world):
    world.pool.ends_on = POOL_ENDS
    world.pool.save(update_fields=["ends_on"])
    give_two_factor(world.commissioner)
    client.force_login(world.commissioner)
    return world.commissioner


def words(supervisor, **changes: object) -> dict[str, object]:
    """The form as a commissioner fills it in: the second Wednesday of each month at 2pm."""
    return typed_dates(
        {
            "title": "Balint group",
            "kind": "drop_in",
            "facilitator": supervisor.pk,
            "how_often": "month",
            "month_ordinal": "2",
            "month_weekday": "2",
            "weeks": "2",
            "week_weekday": "1",
            "first_date": "2026-11-02",
            "start_time": "2pm",
            "duration_minutes": "90",
            "time_zone": "Europe/London",
            "capacity": "8",
            "overbooking_percent": "0",
            "booking_opens_days": "28",
            "all_pool_organisations": "on",
            "ground_rules": "Stays in the room.",
            "confidentiality_statement": "Nothing written down.",
            **changes,
        }
    )


def at_two(*days: tuple[int, int, int]) -> list[str]:
    return [wording.moment(datetime.datetime(*day, 14, 0, tzinfo=LONDON), "Europe/London") for day in days]


def create_url(world) -> str:
    return reverse("group_create", args=[world.pool.pk])


def test_the_form_starts_monthly_for_90_minutes_with_8_places(client, world, commissioner):
    form = client.get(create_url(world)).context["form"]
    assert (form["how_often"].value(), form["duration_minutes"].value(), form["capacity"].value()) == ("month", 90, 8)
    body = client.get(create_url(world)).content.decode()
    assert "Advanced: a repeat rule (RRULE)" in body
    assert "Preview dates" in body and "Create group" not in body


def test_a_preview_shows_the_dates_and_where_the_series_stops_and_saves_nothing(client, world, commissioner):
    response = client.post(create_url(world), words(make_facilitator()) | {"preview": "yes"})
    assert response.status_code == 200, response.context["form"].errors
    preview = response.context["preview"]
    assert preview == {
        "how": "Every month on the second Wednesday, for 90 minutes.",
        "dates": at_two((2026, 11, 11), (2026, 12, 9), (2027, 1, 13), (2027, 2, 10), (2027, 3, 10)),
        "stops": f"The series stops when the pool ends, on {wording.day(POOL_ENDS)}: no session is made after it.",
        "total": "",
    }
    body = response.content.decode()
    assert "Create group" in body and "Preview the dates again" in body
    assert ReflectiveGroup.objects.count() == 0 and GroupSession.objects.count() == 0


def test_every_two_weeks_on_tuesday_starts_on_the_first_tuesday_and_counts_the_rest(client, world, commissioner):
    data = words(make_facilitator(), how_often="weeks", weeks="2", week_weekday="1", first_date="2026-11-04")
    preview = client.post(create_url(world), data | {"preview": "yes"}).context["preview"]
    assert preview["how"] == "Every 2 weeks on Tuesday, for 90 minutes."
    assert preview["dates"] == at_two(
        (2026, 11, 10), (2026, 11, 24), (2026, 12, 8), (2026, 12, 22), (2027, 1, 5), (2027, 1, 19)
    )
    last = datetime.date(2027, 3, 30)
    assert preview["total"] == f"That is 11 sessions in all, the last on {wording.day(last)}."

    response = client.post(create_url(world), data | {"create": "yes"})
    assert response.status_code == 302
    group = ReflectiveGroup.objects.get()
    assert (group.rrule, group.first_date, group.duration_minutes, group.capacity) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        datetime.date(2026, 11, 10),
        90,
        8,
    )
    starts = [s.starts_at.astimezone(LONDON).date() for s in group.sessions.order_by("starts_at")]
    assert (len(starts), starts[0], starts[-1]) == (11, datetime.date(2026, 11, 10), last)


def test_creating_from_the_preview_makes_the_group_the_words_said(client, world, commissioner):
    response = client.post(create_url(world), words(make_facilitator(), month_ordinal="-1", month_weekday="4"))
    assert response.status_code == 302
    group = ReflectiveGroup.objects.get()
    assert group.rrule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert [s.starts_at.astimezone(LONDON).date().isoformat() for s in group.sessions.order_by("starts_at")] == [
        "2026-11-27",
        "2026-12-25",
        "2027-01-29",
        "2027-02-26",
        "2027-03-26",
    ]


def test_the_advanced_rule_wins_over_the_words_and_is_said_back(client, world, commissioner):
    data = words(make_facilitator(), rrule="FREQ=MONTHLY;BYMONTHDAY=1")
    preview = client.post(create_url(world), data | {"preview": "yes"}).context["preview"]
    assert preview["how"] == "By the repeat rule FREQ=MONTHLY;BYMONTHDAY=1, for 90 minutes."
    assert preview["dates"] == at_two((2026, 12, 1), (2027, 1, 1), (2027, 2, 1), (2027, 3, 1))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"rrule": "FREQ=DAILY"},
            "rrule",
            "A group can meet at most once a week: use FREQ=WEEKLY (one day a week) or FREQ=MONTHLY, "
            "for example FREQ=MONTHLY;BYDAY=+2WE for the second Wednesday of each month.",
        ),
        ({"how_often": ""}, "how_often", "Choose how often the group meets."),
        ({"how_often": "weeks", "weeks": ""}, "weeks", "Enter how many weeks apart the sessions are, for example 2."),
        ({"how_often": "weeks", "weeks": "13"}, "weeks", "Enter how many weeks apart: at most 12."),
        (
            {"month_ordinal": "9"},
            "month_ordinal",
            "Choose which one in the month: first, second, third, fourth or last.",
        ),
        ({"facilitator": ""}, "facilitator", "Choose a supervisor or name an external facilitator."),
        (
            {"first_date": "2027-04-01"},
            "first_date",
            f"The pool ends on {wording.date(POOL_ENDS)}: choose a first date on or before then.",
        ),
        (
            {"first_date": "2027-03-31", "month_ordinal": "1"},
            "first_date",
            "No session falls between the first date and the pool's end: choose an earlier first date or another day.",
        ),
    ],
)
def test_a_refusal_is_a_sentence_on_its_field_and_nothing_is_saved(
    client, world, commissioner, changes, field, message
):
    response = client.post(create_url(world), words(make_facilitator(), **changes) | {"preview": "yes"})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert response.context["preview"] is None
    body = response.content.decode()
    assert "<title>Error: Create a reflective group" in body
    assert "Constraint" not in body and "violated" not in body
    assert ReflectiveGroup.objects.count() == 0


def test_a_groups_own_pages_say_when_it_meets_in_words(client, world, commissioner):
    group = make_group(world, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", first_date=datetime.date(2026, 11, 3))
    said = f"Meets every 2 weeks on Tuesday at {wording.clock(datetime.time(14))}, for 120 minutes."
    for name in ("group_manage", "group_change"):
        response = client.get(reverse(name, args=[world.pool.pk, group.pk]))
        assert response.context["meets"] == said
        assert said in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": "0"}, "capacity", "Enter how many places each session has: at least 1."),
        ({"capacity": "99999999999"}, "capacity", "Enter how many places each session has: at most 100."),
        ({"capacity": "eight"}, "capacity", "Enter how many places each session has as a whole number, for example 8."),
        ({"duration_minutes": "5"}, "duration_minutes", "Enter a length of at least 15 minutes."),
        (
            {"duration_minutes": ""},
            "duration_minutes",
            "Enter how long each session lasts, in minutes, for example 90.",
        ),
        ({"overbooking_percent": "-1"}, "overbooking_percent", "Enter an overbooking allowance from 0 to 100."),
        (
            {"booking_opens_days": "9999999999"},
            "booking_opens_days",
            "Enter how many days before each session booking opens: at most 365.",
        ),
        ({"title": ""}, "title", "Enter the group's title."),
        ({"first_date": ""}, "first_date", "Enter the first date"),
        ({"first_date": "2027-02-30"}, "first_date", "The first date must be a real date"),
        ({"start_time": ""}, "start_time", "Enter the start time, like 9:30am or 2pm"),
        ({"start_time": "25:00"}, "start_time", "Enter the start time, like 9:30am or 2pm"),
    ],
)
def test_numbers_and_missing_answers_are_refused_in_words(client, world, commissioner, changes, field, message):
    response = client.post(create_url(world), words(make_facilitator(), **changes) | {"preview": "yes"})
    assert response.context["form"].errors == {field: [message]}
    assert ReflectiveGroup.objects.count() == 0


def test_the_change_form_says_the_same_and_no_constraint_name(client, world, commissioner):
    group = make_group(world)
    data = {
        "title": group.title,
        "external_facilitator_name": "",
        "facilitator": "",
        "capacity": "0",
        "overbooking_percent": "0",
        "booking_opens_days": "28",
        "all_pool_organisations": "on",
        "ground_rules": "x",
        "confidentiality_statement": "y",
    }
    response = client.post(reverse("group_change", args=[world.pool.pk, group.pk]), data)
    assert response.context["form"].errors == {
        "facilitator": ["Choose a supervisor or name an external facilitator."],
        "capacity": ["Enter how many places each session has: at least 1."],
    }
    body = response.content.decode()
    assert "<title>Error: Change" in body and "Constraint" not in body and "violated" not in body


def test_an_earlier_last_date_asks_first_saying_how_many_sessions_it_cancels(client, world, commissioner):
    group = make_group(world)
    data = {
        "title": group.title,
        "facilitator": group.facilitator_id,
        "capacity": "2",
        "overbooking_percent": "0",
        "booking_opens_days": "28",
        "all_pool_organisations": "on",
        "ground_rules": "x",
        "confidentiality_statement": "y",
        **typed_dates({"last_date": "2027-01-31"}),
    }
    url = reverse("group_change", args=[world.pool.pk, group.pk])
    coming = group.sessions.filter(status="scheduled").count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["ending"] == "9 sessions"  # February 2027 to October 2027
    body = response.content.decode()
    assert "The new last date cancels 9 sessions after it." in body
    assert "Yes, cancel 9 sessions and save" in body
    assert group.sessions.filter(status="scheduled").count() == coming  # nothing cancelled yet

    # A confirmation for another date is asked about again.
    assert client.post(url, data | {"confirm": "2027-02-28"}).status_code == 200
    response = client.post(url, data | {"confirm": "2027-01-31"})
    assert response.status_code == 302
    assert group.sessions.filter(status="scheduled").count() == coming - 9
