"""A group on dates chosen one by one, the third way besides monthly and every few weeks (issue 18):
kept as an RDATE list with no rule, read the bounded way, previewed in words, made exactly."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse

from reflect import wording
from reflect.errors import DomainError
from scheduling.groups import recurrence, repeats
from scheduling.groups.forms import read_chosen_dates
from scheduling.models import GroupSession, ReflectiveGroup
from tests.factories.groups import make_facilitator
from tests.scheduling.groups.test_group_form_in_words import (  # noqa: F401 (the commissioner fixture)
    POOL_ENDS,
    at_two,
    commissioner,
    create_url,
    words,
)

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 1)


def test_the_dates_are_kept_as_an_rdate_list_earliest_first_and_read_back():
    rule = repeats.rule_for_dates([datetime.date(2027, 2, 11), datetime.date(2027, 1, 14)])
    assert rule == "RDATE;VALUE=DATE:20270114,20270211"
    assert repeats.dates_in(rule) == (datetime.date(2027, 1, 14), datetime.date(2027, 2, 11))
    assert repeats.dates_in("rdate:20270114") == (datetime.date(2027, 1, 14),)
    assert repeats.rule_in_words(rule) == "on 2 dates chosen in advance"
    for unreadable in ("RDATE;VALUE=DATE:20270230", "RDATE:2027011", "FREQ=MONTHLY;BYDAY=+2WE", "RDATE:x"):
        assert repeats.dates_in(unreadable) is None
    thirteen = ",".join(f"2027{month:02d}01" for month in range(1, 13)) + ",20280101"
    assert repeats.dates_in("RDATE:" + thirteen) is None


def test_expanding_chosen_dates_gives_exactly_those_days_at_the_start_time_within_the_window():
    pattern = recurrence.parse_pattern("RDATE;VALUE=DATE:20261203,20270114,20270211")
    assert (pattern.freq, pattern.dates[0]) == ("DATES", datetime.date(2026, 12, 3))
    dtstart = datetime.datetime(2026, 12, 3, 14, 0)
    walk = recurrence.Walk()
    window = {"start": datetime.datetime(2026, 12, 4), "end": datetime.datetime(2027, 2, 11, 14, 0)}
    found = list(recurrence.expand(pattern, dtstart, walk=walk, **window))
    assert found == [datetime.datetime(2027, 1, 14, 14, 0)]  # before the window and at its end left out
    assert (walk.periods, walk.days) == (1, 3)


def test_an_unreadable_date_list_is_refused_in_words():
    with pytest.raises(DomainError) as refused:
        recurrence.parse_pattern("RDATE;VALUE=DATE:20270231")
    assert refused.value.message == "Enter up to 12 real dates, like RDATE;VALUE=DATE:20270114,20270211."
    assert refused.value.field == "rrule"


@pytest.mark.django_db
def test_typed_dates_are_read_one_a_line_in_the_ways_people_write_them(world):
    world.pool.ends_on = POOL_ENDS
    text = "14 1 2027\n\n  3/12/2026 \nThursday 11 February 2027\n11-3-2027\n"
    assert read_chosen_dates(text, pool=world.pool, today=TODAY) == [
        datetime.date(2026, 12, 3),
        datetime.date(2027, 1, 14),
        datetime.date(2027, 2, 11),
        datetime.date(2027, 3, 11),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the dates the group meets, one a line, for example 14 1 2027."),
        ("14 1", "Enter date 1 (“14 1”) as a day, month and year, like 14 1 2027."),
        ("3 12 2026\n31 2 2027", "Date 2 (“31 2 2027”) must be a real date, like 14 1 2027."),
        ("14 1 27", "Year must be 4 numbers, like 14 1 2027."),
        ("\n".join(f"{day} 1 2027" for day in range(1, 14)), "Enter at most 12 dates: you entered 13."),
    ],
)
def test_a_list_we_cannot_read_is_refused_naming_the_line(world, text, message):
    world.pool.ends_on = POOL_ENDS
    with pytest.raises(forms.ValidationError) as refused:
        read_chosen_dates(text, pool=world.pool, today=TODAY)
    assert refused.value.messages == [message]


@pytest.mark.django_db
def test_dates_twice_past_outside_the_pool_or_within_a_week_are_refused(world):
    world.pool.ends_on = POOL_ENDS
    day = wording.date

    def refusal(text: str) -> str:
        with pytest.raises(forms.ValidationError) as refused:
            read_chosen_dates(text, pool=world.pool, today=TODAY)
        return refused.value.messages[0]

    twice = datetime.date(2027, 1, 14)
    assert refusal("14 1 2027\n14/01/2027") == f"Date 2, {day(twice)}, is already in the list: enter it once."
    past = datetime.date(2026, 10, 31)
    assert refusal("31 10 2026") == f"Date 1, {day(past)}, is in the past: choose dates from today, {day(TODAY)}."
    late = datetime.date(2027, 4, 1)
    assert refusal("1 4 2027") == (
        f"Date 1, {day(late)}, is outside the pool's period: choose dates from "
        f"{day(world.pool.starts_on)} to {day(POOL_ENDS)}."
    )
    near = (datetime.date(2027, 1, 14), datetime.date(2027, 1, 20))
    assert refusal("20 1 2027\n14 1 2027") == (
        f"The dates {day(near[0])} and {day(near[1])} are less than a week apart: a group meets at most once a week."
    )


def chosen(supervisor, dates: str, **changes: object) -> dict[str, object]:
    # The first date boxes left empty, as the page asks for chosen dates.
    data = words(supervisor, how_often="dates", chosen_dates=dates, **changes)
    return {name: value for name, value in data.items() if not name.startswith("first_date")}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_the_preview_lists_every_chosen_date_in_words_and_saves_nothing(client, world, commissioner):  # noqa: F811
    data = chosen(make_facilitator(), "14 1 2027\n3 12 2026\n11 3 2027")
    response = client.post(create_url(world), data | {"preview": "yes"})
    assert response.status_code == 200, response.context["form"].errors
    assert response.context["preview"] == {
        "how": "On 3 dates chosen in advance, for 90 minutes.",
        "dates": at_two((2026, 12, 3), (2027, 1, 14), (2027, 3, 11)),
        "stops": "These are all its dates: no other session is made.",
        "total": "",
    }
    assert ReflectiveGroup.objects.count() == 0 and GroupSession.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_creating_on_chosen_dates_makes_exactly_those_sessions(client, world, commissioner):  # noqa: F811
    response = client.post(
        create_url(world), chosen(make_facilitator(), "3 12 2026\n14 1 2027\n11 3 2027") | {"create": "yes"}
    )
    assert response.status_code == 302
    group = ReflectiveGroup.objects.get()
    assert (group.rrule, group.first_date, group.last_date) == (
        "RDATE;VALUE=DATE:20261203,20270114,20270311",
        datetime.date(2026, 12, 3),
        datetime.date(2027, 3, 11),
    )
    starts = [s.starts_at.astimezone(LONDON) for s in group.sessions.order_by("starts_at")]
    assert [(s.date(), s.time()) for s in starts] == [
        (datetime.date(2026, 12, 3), datetime.time(14)),
        (datetime.date(2027, 1, 14), datetime.time(14)),
        (datetime.date(2027, 3, 11), datetime.time(14)),
    ]
    # Topping up a year ahead again makes nothing more: the series is exactly those dates.
    assert recurrence.generate_sessions(group) == []
    page = client.get(reverse("group_manage", args=[world.pool.pk, group.pk])).content.decode()
    assert f"Meets on 3 dates chosen in advance at {wording.clock(datetime.time(14))}, for 90 minutes." in page


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_bad_date_is_said_on_the_dates_box_and_nothing_is_saved(client, world, commissioner):  # noqa: F811
    response = client.post(create_url(world), chosen(make_facilitator(), "3 12 2026\n5 12 2026") | {"preview": "yes"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["chosen_dates"]
    assert "less than a week apart" in errors["chosen_dates"][0]
    assert response.context["preview"] is None and ReflectiveGroup.objects.count() == 0
