"""The supervisor's availability pages: access, forms, the feed's error, and the week view."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from scheduling.enums import FeedStatus
from scheduling.models import AvailabilitySettings, BusyCalendarFeed, BusyInterval, DateOverride, WeeklyRule
from scheduling.services.availability import add_weekly_rule
from scheduling.views import availability as views
from supervision.queries import supervisors_with_hours_left
from tests.factories.core import give_two_factor
from tests.factories.supervision import make_supervisor

pytestmark = pytest.mark.django_db

T = datetime.time
UTC = datetime.UTC


def boxes(name, day):
    """A date as typed into the three boxes of the GOV.UK date input (reflect/fields.py)."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def rule(supervisor):
    return add_weekly_rule(supervisor, acting_user=supervisor.user, weekday=1, start=T(10), end=T(16))


def page_urls(rule):
    return [
        reverse("availability_overview"),
        reverse("availability_settings"),
        reverse("availability_week"),
        reverse("availability_rule_add"),
        reverse("availability_override_add"),
        reverse("availability_busy_calendar"),
        reverse("availability_days_off"),
        reverse("availability_days_off_check") + "?first=2027-01-05&last=2027-01-08",
        reverse("availability_rule_remove", args=[rule.pk]),
    ]


def test_only_the_supervisor_sees_their_pages(client, world, supervisor, other_supervisor, rule):
    give_two_factor(world.commissioner)
    for person in (world.lead, world.member, world.commissioner):
        client.force_login(person)
        for url in page_urls(rule):
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(reverse("availability_rule_remove", args=[rule.pk])).status_code == 404
    # Another supervisor has pages of their own, but cannot reach this supervisor's rule.
    client.force_login(other_supervisor.user)
    assert client.get(reverse("availability_overview")).status_code == 200
    assert client.post(reverse("availability_rule_remove", args=[rule.pk])).status_code == 404
    assert WeeklyRule.objects.filter(pk=rule.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, rule):
    response = client.get(reverse("availability_week"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/availability/week/"


def test_a_supervisor_without_two_factor_is_asked_to_set_it_up(client, db):
    supervisor = make_supervisor("Mark", two_factor=False)
    client.force_login(supervisor.user)
    response = client.get(reverse("availability_overview"))
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor-required/?next=%2Favailability%2F"


def test_the_supervisor_adds_and_removes_a_rule_through_the_pages(client, supervisor, rule):
    client.force_login(supervisor.user)
    response = client.post(reverse("availability_rule_add"), {"weekdays": ["1"], "start": "3pm", "end": "18:00"})
    assert response.status_code == 200
    assert (
        "Tuesday 3pm to 6pm overlaps your rule Tuesday 10am to 4pm. Change the times, or remove that rule first."
        in response.content.decode()
    )
    response = client.post(reverse("availability_rule_add"), {"weekdays": ["3"], "start": "1pm", "end": "6pm"})
    assert response.status_code == 302
    assert [r.label for r in WeeklyRule.objects.order_by("weekday")] == ["Tuesday 10am to 4pm", "Thursday 1pm to 6pm"]
    client.post(reverse("availability_rule_remove", args=[rule.pk]))
    assert [r.label for r in WeeklyRule.objects.all()] == ["Thursday 1pm to 6pm"]


def test_the_supervisor_sets_an_away_day_and_settings(client, supervisor):
    client.force_login(supervisor.user)
    day = datetime.date.today() + datetime.timedelta(days=40)
    response = client.post(
        reverse("availability_override_add"), {**boxes("date", day), "kind": "away", "note": "Leave"}
    )
    assert response.status_code == 302
    assert list(DateOverride.objects.values_list("date", "start", "note")) == [(day, None, "Leave")]
    response = client.post(reverse("availability_override_add"), {**boxes("date", day), "kind": "hours"})
    assert response.status_code == 200
    assert response.content.decode().count("Give the time, or choose “I am away all day”.") >= 2
    response = client.post(
        reverse("availability_settings"),
        {
            "time_zone": "Europe/London",
            "session_lengths": ["60", "90"],
            "buffer_minutes": "15",
            "minimum_notice_hours": "24",
            "horizon_weeks": "8",
            "max_sessions_per_day": "3",
            "max_sessions_per_week": "",
            "monthly_capacity_hours": "20",
            "online_link": "meet.example.org/ruth",
            "meeting_place": "  Room 2, Leeds Community Hub ",
        },
    )
    assert response.status_code == 302
    saved = AvailabilitySettings.objects.get(supervisor=supervisor)
    assert (saved.online_link, saved.meeting_place) == ("https://meet.example.org/ruth", "Room 2, Leeds Community Hub")
    page = client.get(reverse("availability_overview")).content.decode()
    assert "60 or 90 minutes" in page
    assert "3 a day, no limit a week" in page
    assert "20 hours" in page


def test_the_overview_shows_the_feeds_error_in_words(client, supervisor):
    BusyCalendarFeed.objects.create(
        supervisor=supervisor,
        url="https://calendar.example.org/secret-token-123/basic.ics",
        status=FeedStatus.FAILING,
        last_error="The calendar address was not found (404). It may have been reset: copy the private address from your calendar again.",
    )
    client.force_login(supervisor.user)
    page = client.get(reverse("availability_overview")).content.decode()
    assert "We could not read your calendar" in page
    assert (
        "The calendar address was not found (404). It may have been reset: copy the private address from your calendar again."
        in page
    )
    assert "Private address at calendar.example.org" in page
    assert "secret-token-123" not in page  # the address is a secret


def test_setting_the_feed_refuses_a_private_address_on_the_form(client, supervisor):
    client.force_login(supervisor.user)
    response = client.post(reverse("availability_busy_calendar"), {"url": "http://192.168.1.10/cal.ics"})
    assert response.status_code == 200
    assert (
        "The calendar address points to a private network. Use your calendar’s public address."
        in response.content.decode()
    )
    assert BusyCalendarFeed.objects.count() == 0


@pytest.mark.parametrize(
    ("week", "now", "sunday", "slot_utc"),
    [
        # Clocks go forward on Sunday 28 March 2027: Tuesday 23 March is GMT, 30 March is BST.
        ("2027-03-24", datetime.datetime(2027, 3, 15, 9, tzinfo=UTC), "28 March", "10:00 GMT"),
        ("2027-03-31", datetime.datetime(2027, 3, 15, 9, tzinfo=UTC), "4 April", "09:00 UTC (10:00 BST)"),
        # Clocks go back on Sunday 31 October 2027: Tuesday 26 October is BST, 2 November GMT.
        ("2027-10-27", datetime.datetime(2027, 10, 18, 9, tzinfo=UTC), "31 October", "09:00 UTC (10:00 BST)"),
        ("2027-11-03", datetime.datetime(2027, 10, 18, 9, tzinfo=UTC), "7 November", "10:00 GMT"),
    ],
)
def test_the_week_view_shows_10_00_local_across_the_clock_changes(
    client, supervisor, rule, monkeypatch, week, now, sunday, slot_utc
):
    monkeypatch.setattr(views, "now", lambda: now)
    client.force_login(supervisor.user)
    response = client.get(reverse("availability_week"), {"week": week})
    days = {day.day.weekday(): day for day in response.context["days"]}
    tuesday = days[1]
    assert tuesday.windows == ((T(10), T(16)),)
    first = tuesday.slot_starts[0]
    assert (first.start.strftime("%H:%M %Z"), first.lengths) == (
        "10:00 " + ("GMT" if "GMT" in slot_utc else "BST"),
        (60, 90),
    )
    expected_utc_hour = 10 if "GMT" in slot_utc else 9
    assert first.start.astimezone(UTC).hour == expected_utc_hour
    assert days[6].day.strftime("%-d %B") == sunday
    page = response.content.decode()
    assert "10am to 4pm" in page
    assert "10am (60 or 90 minutes)" in page


def test_the_week_view_shows_busy_times_and_hides_their_slots(client, supervisor, rule, monkeypatch):
    monkeypatch.setattr(views, "now", lambda: datetime.datetime(2027, 3, 1, 9, tzinfo=UTC))
    feed = BusyCalendarFeed.objects.create(
        supervisor=supervisor, url="https://calendar.example.org/x.ics", status=FeedStatus.OK
    )
    BusyInterval.objects.create(
        feed=feed,
        start=datetime.datetime(2027, 3, 9, 11, tzinfo=UTC),
        end=datetime.datetime(2027, 3, 9, 12, tzinfo=UTC),
    )
    client.force_login(supervisor.user)
    response = client.get(reverse("availability_week"), {"week": "2027-03-08"})
    tuesday = response.context["days"][1]
    # Busy 11:00–12:00 (GMT) with the default 15-minute buffer blocks 10:45–12:15: a 10:00 session would end
    # at 11:00, inside it, so the first slot is the next half hour after 12:15.
    assert [(s.start.strftime("%H:%M"), s.lengths) for s in tuesday.slot_starts][:2] == [
        ("12:30", (60, 90)),
        ("13:00", (60, 90)),
    ]
    assert "11am to midday" in response.content.decode()
    links = (response.context["previous_url"], response.context["next_url"])
    assert links == ("/availability/week/?week=2027-03-01", "/availability/week/?week=2027-03-15")


def test_the_home_page_offers_the_supervisor_their_availability(client, supervisor):
    client.force_login(supervisor.user)
    page = client.get(reverse("home")).content.decode()
    assert "Set your availability" in page
    assert "You have no weekly hours yet, so nobody can book you." in page


def test_every_page_renders_for_the_supervisor(client, supervisor, rule):
    client.force_login(supervisor.user)
    for url in page_urls(rule):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "style=" not in response.content.decode()


def test_the_week_view_shows_bookings_and_keeps_their_time_and_buffer_free(client, world, monkeypatch):
    from scheduling.services.bookings import BookingChoice, book_supervision
    from tests.factories.bookings import NOW, agree, supervisor_with_availability, utc

    monkeypatch.setattr(views, "now", lambda: NOW)
    supervisor = supervisor_with_availability()
    give_two_factor(supervisor.user)
    agreement = agree(world.pool, world.organisation, supervisor)
    book_supervision(
        agreement,
        BookingChoice(starts_at=utc(6, 10), minutes=60, attendees=[world.member]),
        acting_user=world.member,
        now=NOW,
    )
    client.force_login(supervisor.user)
    response = client.get(reverse("availability_week"), {"week": "2027-01-04"})
    wednesday = response.context["days"][2]
    assert [(s["start"].strftime("%H:%M"), s["booking"].organisation.name) for s in wednesday.sessions] == [
        ("10:00", "Harehills Drama")
    ]
    starts = [s.start.strftime("%H:%M") for s in wednesday.slot_starts]
    # 10:00–11:00 booked with 15 minutes either side: nothing starts from 09:00 (it would end
    # at 10:00, inside the buffer) to 11:00; the first after is 11:30.
    assert "09:00" not in starts and "10:30" not in starts and "11:00" not in starts and "11:30" in starts
    assert "10am to 11am</a>, Harehills Drama" in response.content.decode()


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_monthly_capacity_on_the_settings_the_sessions_page_and_the_profile(client, supervisor):
    # The profile said 10 hours a month and the availability settings, stored apart, 20: the
    # settings table read "20 hours" while "Your sessions" said "of your 10 hours a month".
    supervisor.monthly_capacity_hours = Decimal("10")
    supervisor.save()
    client.force_login(supervisor.user)
    response = client.post(
        reverse("availability_settings"),
        {"time_zone": "Europe/London", "session_lengths": ["60"], "buffer_minutes": "15",
         "minimum_notice_hours": "24", "horizon_weeks": "8", "monthly_capacity_hours": "20"},
    )  # fmt: skip
    assert response.status_code == 302

    overview = _words(client.get(reverse("availability_overview")).content.decode())
    assert "Hours a month 20 hours" in overview
    form = client.get(reverse("availability_settings")).context["form"]
    assert form["monthly_capacity_hours"].value() == Decimal("20.00")
    sessions = client.get(reverse("supervisor_sessions"))
    [headline] = [h for h in sessions.context["look"].headlines if h.label == "Hours this month"]
    assert headline.hint == "held or booked, of your 20 hours a month"
    assert sessions.context["look"].chart.line_label == "Your capacity (20 hours a month)"
    text = _words(sessions.content.decode())
    assert "of your 20 hours a month" in text and "10 hours a month" not in text
    # Matching and agreements read the same figure.
    supervisor.refresh_from_db()
    assert supervisor.monthly_capacity_hours == Decimal("20.00")
    assert supervisors_with_hours_left().get(pk=supervisor.pk).hours_left == Decimal("20.00")


def test_the_capacity_set_on_the_profile_is_the_one_the_availability_settings_show(client, supervisor):
    supervisor.monthly_capacity_hours = Decimal("7.5")
    supervisor.save()
    client.force_login(supervisor.user)
    assert "Hours a month 7.5 hours" in _words(client.get(reverse("availability_overview")).content.decode())
    form = client.get(reverse("availability_settings")).context["form"]
    assert form["monthly_capacity_hours"].value() == Decimal("7.5")
