"""Learning sessions' pages: the commissioner's short form, booking in one step, the answer
afterwards, the home page's panel; and who gets a 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import LearningNeed
from learning.session_models import FeedbackTally, LearningSessionTopic
from learning.sessions.queries import SessionOffer, sessions_for_needs
from reflect import wording
from reflect.models import Notification
from scheduling.groups.notices import session_when
from scheduling.groups.places import book_place
from scheduling.models import GroupPurpose, Place, ReflectiveGroup
from tests.factories.core import give_two_factor
from tests.factories.groups import make_facilitator, make_group
from tests.learning.sessions_helpers import attended_in_the_past, publish, raise_need, topic


def _soon(days: int = 14) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _coming(world) -> ReflectiveGroup:
    """A learning session a fortnight from today (the pages use the real clock)."""
    return publish(world, [topic("psychosis")], dates=[_soon()], now=timezone.now())


def test_the_commissioner_publishes_from_the_short_form_with_the_topic_ticked(client, world):
    give_two_factor(world.commissioner)
    raise_need(world.member, world.pool, topic("psychosis"))
    world.pool.ends_on = _soon(120)
    world.pool.save(update_fields=["ends_on"])
    client.force_login(world.commissioner)
    url = reverse("learning_session_new", args=[world.pool.pk])
    page = client.get(url, {"topic": topic("psychosis").pk})
    assert page.context["form"].initial == {"topics": [topic("psychosis").pk]}
    day = _soon()
    response = client.post(
        url,
        {
            "title": "Working with psychosis",
            "topics": [topic("psychosis").pk],
            "chosen_dates": f"{day.day} {day.month} {day.year}",
            "start_time": "10am",
            "duration_minutes": "120",
            "facilitator": make_facilitator().pk,
            "location": "Room 1, Leeds Hub",
            "capacity": "20",
        },
    )
    group = ReflectiveGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("group_manage", args=[world.pool.pk, group.pk])
    assert (group.purpose, group.capacity, group.location) == (GroupPurpose.LEARNING, 20, "Room 1, Leeds Hub")
    assert list(LearningSessionTopic.objects.values_list("topic__slug", flat=True)) == ["psychosis"]
    assert list(Notification.objects.filter(kind="learning_session_published").values_list("recipient", flat=True)) == [
        world.member.pk
    ]


def test_the_short_form_says_what_is_missing_and_publishes_nothing(client, world):
    give_two_factor(world.commissioner)
    client.force_login(world.commissioner)
    response = client.post(reverse("learning_session_new", args=[world.pool.pk]), {"title": "x"})
    errors = response.context["form"].errors
    assert errors["topics"] == ["Choose at least one of the topics."]
    assert errors["chosen_dates"] == ["Enter the date of the session, like 14 1 2027."]
    assert errors["facilitator"] == ["Choose the facilitator: the supervisor who runs the session."]
    assert "external_facilitator_name" not in response.context["form"].fields  # someone who signs in keeps the register
    assert ReflectiveGroup.objects.count() == 0


@pytest.mark.parametrize("who", ["outsider", "other_commissioner", "lead", "member"])
def test_nobody_but_the_pools_commissioner_reaches_its_forms(client, world, who):
    client.force_login(getattr(world, who))
    for name in ("learning_session_new", "learning_course_share"):
        assert client.get(reverse(name, args=[world.pool.pk])).status_code == 404


def test_booking_in_one_step(client, world):
    raise_need(world.member, world.pool, topic("psychosis"))
    group = _coming(world)
    session = group.sessions.get()
    client.force_login(world.member)
    url = reverse("learning_session_book", args=[group.pk])
    page = client.get(url)
    assert [(date, has_place) for date, _, has_place in page.context["dates"]] == [(session, False)]
    assert b"Book a place</button>" in page.content
    response = client.post(url)
    assert response["Location"] == reverse("group_session", args=[session.pk])
    place = Place.objects.get(session=session)
    assert (place.user, place.status) == (world.member, "booked")
    client.post(url)  # a second click: the same place
    assert Place.objects.filter(session=session).count() == 1
    assert b"You have a place" in client.get(url).content


def test_booking_a_series_in_one_step_books_every_date(client, world):
    """A series is one course: the one button books a place on each coming date, and says so on
    the page, the home page and in the message."""
    raise_need(world.member, world.pool, topic("psychosis"))
    group = publish(world, [topic("psychosis")], dates=[_soon(), _soon(21), _soon(28)], now=timezone.now())
    first, second, third = group.sessions.order_by("starts_at")
    book_place(second, acting_user=world.member, now=timezone.now())  # one date booked already
    client.force_login(world.member)
    home = client.get(reverse("home")).content.decode()
    assert "and 1 more date, all booked at once. For Psychosis" in home
    url = reverse("learning_session_book", args=[group.pk])
    page = client.get(url)
    assert [(date, has_place) for date, _, has_place in page.context["dates"]] == [
        (first, False),
        (second, True),
        (third, False),
    ]
    assert "It is one course over 3 dates" in page.content.decode()
    assert "Book a place on every date</button>" in page.content.decode()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("group_detail", args=[group.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "You have a place on all 3 dates. We have sent you the details."
    ]
    assert sorted(Place.objects.filter(user=world.member).values_list("session_id", flat=True)) == sorted(
        [first.pk, second.pk, third.pk]
    )
    assert "You have a place on every date" in client.get(url).content.decode()
    assert "Book a place:" not in client.get(reverse("home")).content.decode()


def test_booking_a_series_with_a_full_date_books_the_others_and_says_which_is_full(client, world):
    raise_need(world.member, world.pool, topic("psychosis"))
    group = publish(world, [topic("psychosis")], dates=[_soon(), _soon(21)], now=timezone.now(), capacity=1)
    first, second = group.sessions.order_by("starts_at")
    book_place(second, acting_user=world.colleague, now=timezone.now())
    client.force_login(world.member)
    response = client.post(reverse("learning_session_book", args=[group.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"The session on {session_when(second)} is full. Join the waitlist and we will offer you the first "
        "place that frees.",
        "You have a place on 1 date of the course, and not on the 1 other. We have sent you the details.",
    ]
    assert list(Place.objects.filter(user=world.member).values_list("session_id", flat=True)) == [first.pk]


def test_an_outsider_and_a_reflective_group_get_404_from_the_booking_page(client, world):
    group = _coming(world)
    client.force_login(world.outsider)
    assert client.get(reverse("learning_session_book", args=[group.pk])).status_code == 404
    assert client.post(reverse("learning_session_book", args=[group.pk])).status_code == 404
    reflective = make_group(world, now=timezone.now())
    client.force_login(world.member)
    assert client.get(reverse("learning_session_book", args=[reflective.pk])).status_code == 404
    assert Place.objects.count() == 0


def test_the_home_page_offers_the_session_for_a_need_with_a_book_button(client, world):
    raise_need(world.member, world.pool, topic("psychosis"))
    group = _coming(world)
    client.force_login(world.member)
    home = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("learning_session_book", args=[group.pk])}"' in home
    assert f"Book a place: {group.title}" in home
    client.force_login(world.colleague)  # asked for nothing
    assert "Book a place:" not in client.get(reverse("home")).content.decode()


def test_each_need_is_offered_its_session_at_the_next_date_without_a_place(world, django_assert_num_queries):
    raise_need(world.member, world.pool, topic("psychosis"))
    raise_need(world.member, world.other_pool, topic("risk-enablement"))  # asked in another pool
    group = publish(
        world,
        [topic("psychosis"), topic("risk-enablement"), topic("splitting")],
        dates=[_soon(14), _soon(21)],
        now=timezone.now(),
    )
    first, second = group.sessions.order_by("starts_at")
    now = timezone.now()
    sessions_for_needs(world.member, now)  # its statement is kept the first time
    with django_assert_num_queries(1):
        offers = sessions_for_needs(world.member, now)
    when = wording.span(first.starts_at, first.ends_at, "Europe/London")
    assert offers == [SessionOffer(group.pk, group.title, when, [topic("psychosis").title], more=1)]
    book_place(first, acting_user=world.member, now=now)
    later = wording.span(second.starts_at, second.ends_at, "Europe/London")
    assert [(offer.when, offer.more) for offer in sessions_for_needs(world.member, now)] == [(later, 0)]
    assert sessions_for_needs(world.colleague, now) == []  # asked for nothing


def test_the_answer_afterwards_is_one_tap_from_home_and_asked_once(client, world):
    # The session of 9 December 2026 (the default) has happened by the time of the real clock's
    # tests only if it is past: pin it in the past instead.
    place = attended_in_the_past(world)
    client.force_login(world.member)
    home = client.get(reverse("home")).content.decode()
    url = reverse("learning_session_feedback", args=[place.pk])
    assert url in home
    response = client.post(url, {"answer": "partly"})
    assert response["Location"] == reverse("home")
    assert list(FeedbackTally.objects.values_list("answer", "count")) == [("partly", 1)]
    assert url not in client.get(reverse("home")).content.decode()
    client.force_login(world.colleague)
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "no"}).status_code == 404
    assert list(FeedbackTally.objects.values_list("answer", "count")) == [("partly", 1)]


def test_a_need_shows_as_met_after_the_register(world):
    need = raise_need(world.member, world.pool, topic("psychosis"))
    place = attended_in_the_past(world)
    need.refresh_from_db()
    assert need.met_at == place.session.ends_at
    assert LearningNeed.objects.filter(person=world.member, met_at__isnull=True).count() == 0
