"""Weekly hours for several days at once, days off as a range, and the sessions a day off would
clash with: listed before anything is saved, cancelled from there, each person told (issue 18)."""

from __future__ import annotations

import datetime
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from reflect import wording
from reflect.enums import NotificationStatus
from reflect.errors import DomainError
from reflect.models import AuditEvent, LedgerEntry, Notification
from scheduling.enums import Weekday
from scheduling.models import BookingStatus, DateOverride, WeeklyRule
from scheduling.services import availability as services
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.core import give_two_factor

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time


def boxes(name, day):
    """A date typed into the three boxes of the GOV.UK date input (reflect/fields.py)."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def now():
    """Monday 4 January 2027, 9am in London (UTC in winter), for the pages and the services."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


@pytest.fixture
def ann(db, now):
    supervisor = supervisor_with_availability()  # Monday to Friday, 9am to 5pm
    give_two_factor(supervisor.user)
    return supervisor


@pytest.fixture
def booked(world, ann):
    """The member's session with Ann on Wednesday 6 January 2027, 10am to 11am."""
    return book(agree(world.pool, world.organisation, ann), world.member, utc(6, 10))


def check_url(first, last, note=""):
    return f"{reverse('availability_days_off_check')}?{urlencode({'first': first, 'last': last, 'note': note})}"


# --- Weekly hours for several days ----------------------------------------------------------


def test_weekly_hours_for_three_days_are_saved_in_one_go(client, ann):
    WeeklyRule.objects.filter(supervisor=ann).delete()
    client.force_login(ann.user)
    response = client.post(
        reverse("availability_rule_add"), {"weekdays": ["0", "2", "4"], "start": "9.30am", "end": "1pm"}
    )
    assert response.status_code == 302
    labels = [f"{day} {wording.clock(T(9, 30))} to {wording.clock(T(13))}" for day in ("Monday", "Wednesday", "Friday")]
    assert [rule.label for rule in WeeklyRule.objects.filter(supervisor=ann).order_by("weekday")] == labels
    page = client.get(response["Location"]).content.decode()
    assert f"Added: {'; '.join(labels)}." in page


def test_weekly_hours_that_clash_on_one_day_save_none(ann):
    with pytest.raises(DomainError) as refused:
        services.set_weekly_hours(
            ann, acting_user=ann.user, weekdays=[Weekday.SATURDAY, Weekday.FRIDAY], start=T(16), end=T(18)
        )
    assert refused.value.message == (
        f"Friday {wording.clock(T(16))} to {wording.clock(T(18))} overlaps your rule Friday "
        f"{wording.clock(T(9))} to {wording.clock(T(17))}. Change the times, or remove that rule first."
    )
    assert not WeeklyRule.objects.filter(supervisor=ann, weekday=Weekday.SATURDAY).exists()
    assert WeeklyRule.objects.filter(supervisor=ann).count() == 5


def test_weekly_hours_refuse_no_day_and_unreadable_times_in_words(client, ann):
    client.force_login(ann.user)
    response = client.post(reverse("availability_rule_add"), {"start": "2", "end": "25:00"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "weekdays": ["Choose at least one of the days"],
        "start": ["Enter the time you are free from, like 9:30am or 2pm"],
        "end": ["Enter the time you are free until, like 9:30am or 2pm"],
    }
    assert "<title>Error: Add weekly hours" in response.content.decode()
    assert WeeklyRule.objects.filter(supervisor=ann).count() == 5


# --- Typed dates are never guessed (the 15/01/2027 regression) -------------------------------


@pytest.mark.parametrize("url_name", ["availability_days_off", "availability_override_add"])
def test_15_01_2027_typed_in_one_box_is_never_saved_as_another_date(client, ann, url_name):
    client.force_login(ann.user)
    name = "first_day" if url_name == "availability_days_off" else "date"
    data = {f"{name}_day": "15/01/2027", f"{name}_month": "", f"{name}_year": "", "kind": "away"}
    response = client.post(reverse(url_name), data)
    assert response.status_code == 200
    subject = "The first day off" if name == "first_day" else "The date"
    assert response.context["form"].errors[name] == [f"{subject} must include a month and year"]
    # The whole date in each box is refused too, rather than read as some day in December.
    response = client.post(reverse(url_name), {**data, f"{name}_month": "01", f"{name}_year": "2027"})
    assert response.context["form"].errors[name] == [f"{subject} must be a real date"]
    assert not DateOverride.objects.exists()


def test_a_day_off_typed_15_1_2027_is_saved_as_that_day_and_said_back(client, ann):
    client.force_login(ann.user)
    response = client.post(
        reverse("availability_days_off"),
        {"first_day_day": "15", "first_day_month": "01", "first_day_year": "2027", "note": "Dentist"},
    )
    assert response.status_code == 302
    assert list(DateOverride.objects.values_list("date", "start", "note")) == [(D(2027, 1, 15), None, "Dentist")]
    page = client.get(response["Location"]).content.decode()
    assert f"You are away on {wording.day(D(2027, 1, 15))}." in page


# --- Days off as a range ---------------------------------------------------------------------


def test_days_off_cover_every_day_of_the_range_and_replace_hours_set_for_one_of_them(client, ann):
    services.add_date_override(ann, acting_user=ann.user, date=D(2027, 2, 16), away=False, start=T(9), end=T(12))
    client.force_login(ann.user)
    response = client.post(
        reverse("availability_days_off"), {**boxes("first_day", D(2027, 2, 15)), **boxes("last_day", D(2027, 2, 19))}
    )
    assert response.status_code == 302
    rows = list(DateOverride.objects.filter(supervisor=ann).values_list("date", "start"))
    assert rows == [(D(2027, 2, day), None) for day in range(15, 20)]
    page = client.get(response["Location"]).content.decode()
    assert f"You are away from {wording.day(D(2027, 2, 15))} to {wording.day(D(2027, 2, 19))}." in page
    # A second click changes nothing.
    services.add_days_off(ann, acting_user=ann.user, first_day=D(2027, 2, 15), last_day=D(2027, 2, 19))
    assert DateOverride.objects.filter(supervisor=ann).count() == 5


def test_days_off_refuse_a_backwards_range_a_past_day_and_more_than_a_year(client, ann):
    client.force_login(ann.user)
    response = client.post(
        reverse("availability_days_off"), {**boxes("first_day", D(2027, 2, 15)), **boxes("last_day", D(2027, 2, 1))}
    )
    assert response.context["form"].errors == {
        "last_day": ["The last day off must be the same as or after the first day off"]
    }
    response = client.post(reverse("availability_days_off"), boxes("first_day", D(2027, 1, 3)))
    assert response.context["form"].errors == {
        "first_day": [f"{wording.date(D(2027, 1, 3))} has passed. Choose today or a later date."]
    }
    response = client.post(
        reverse("availability_days_off"), {**boxes("first_day", D(2027, 2, 1)), **boxes("last_day", D(2028, 2, 2))}
    )
    assert response.context["form"].errors == {
        "last_day": ["Add days off a year at a time at most. Choose an earlier last day off."]
    }
    assert not DateOverride.objects.exists()


# --- Clashes with booked sessions ------------------------------------------------------------


def test_the_service_refuses_days_off_over_a_booked_session(ann, booked):
    with pytest.raises(DomainError) as refused:
        services.add_days_off(ann, acting_user=ann.user, first_day=D(2027, 1, 5), last_day=D(2027, 1, 8))
    assert refused.value.message == (
        f"You have 1 session booked then ({wording.span(utc(6, 10), utc(6, 11), 'Europe/London')}). "
        "Cancel or move them first."
    )
    assert not DateOverride.objects.exists()


def test_a_clash_is_listed_before_saving_then_cancelled_and_the_person_told(client, world, ann, booked):
    client.force_login(ann.user)
    response = client.post(
        reverse("availability_days_off"), {**boxes("first_day", D(2027, 1, 5)), **boxes("last_day", D(2027, 1, 8))}
    )
    assert response.status_code == 302
    assert response["Location"] == check_url("2027-01-05", "2027-01-08")
    assert not DateOverride.objects.exists()  # nothing saved yet

    page = client.get(response["Location"]).content.decode()
    when = wording.span(utc(6, 10), utc(6, 11), "Europe/London")
    assert "You have 1 session booked on your days off" in page
    assert f'<dt class="govuk-summary-list__key">{when}</dt>' in page
    assert "Harehills Drama" in page
    assert "Save days off" not in page

    notices_before = set(Notification.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("availability_days_off_check"),
        {"first": "2027-01-05", "last": "2027-01-08", "note": "", "booking": str(booked.pk), "action": "cancel"},
    )
    assert response["Location"] == check_url("2027-01-05", "2027-01-08")
    booked.refresh_from_db()
    assert (booked.status, booked.cancelled_by_supervisor, booked.cancel_reason) == (
        BookingStatus.CANCELLED,
        True,
        "Your supervisor is away that day.",
    )
    told = Notification.objects.exclude(pk__in=notices_before).order_by("recipient__first_name")
    assert [(n.recipient, n.kind, n.status, n.context["by_supervisor"], n.context["reason"]) for n in told] == [
        (ann.user, "supervision_cancelled", NotificationStatus.PENDING, True, "Your supervisor is away that day."),
        (world.member, "supervision_cancelled", NotificationStatus.PENDING, True, "Your supervisor is away that day."),
    ]
    # The hours went back to the organisation: the supervisor cancelled.
    released = LedgerEntry.objects.get(source=f"supervision:{booked.pk}:released")
    assert (released.kind, released.hours) == ("released", booked.hours)

    page = client.get(check_url("2027-01-05", "2027-01-08")).content.decode()
    assert f"Cancelled the session on {when}. The people booked have been told." in page
    assert "No sessions are booked on these days now." in page
    response = client.post(
        reverse("availability_days_off_check"), {"first": "2027-01-05", "last": "2027-01-08", "action": "save"}
    )
    assert response["Location"] == reverse("availability_overview")
    assert list(DateOverride.objects.values_list("date", flat=True)) == [D(2027, 1, day) for day in range(5, 9)]
    assert AuditEvent.objects.filter(action="availability.days_off_added").count() == 1


def test_one_day_away_over_a_session_goes_to_the_check_and_new_hours_say_what_is_in_the_way(client, ann, booked):
    client.force_login(ann.user)
    response = client.post(reverse("availability_override_add"), {**boxes("date", D(2027, 1, 6)), "kind": "away"})
    assert response["Location"] == check_url("2027-01-06", "2027-01-06")
    # Hours that still hold the session are fine; hours that leave it out are refused in words.
    response = client.post(
        reverse("availability_override_add"),
        {**boxes("date", D(2027, 1, 6)), "kind": "hours", "start": "2pm", "end": "5pm"},
    )
    assert response.context["form"].errors == {
        "date": [
            f"You have 1 session booked then ({wording.span(utc(6, 10), utc(6, 11), 'Europe/London')}). "
            "Cancel or move them first."
        ]
    }
    response = client.post(
        reverse("availability_override_add"),
        {**boxes("date", D(2027, 1, 6)), "kind": "hours", "start": "9:30", "end": "12pm"},
    )
    assert response.status_code == 302
    assert list(DateOverride.objects.values_list("start", "end")) == [(T(9, 30), T(12))]


def test_the_check_page_refuses_unreadable_days_and_other_peoples_sessions(client, world, ann, booked):
    other = supervisor_with_availability("Sunita")
    give_two_factor(other.user)
    client.force_login(other.user)
    for query in ("", "?first=2027-1-5&last=2027-01-08", "?first=2027-01-08&last=2027-01-05", "?first=x" * 500):
        response = client.get(reverse("availability_days_off_check") + query)
        assert response["Location"] == reverse("availability_days_off"), query
    response = client.post(
        reverse("availability_days_off_check"),
        {"first": "2027-01-05", "last": "2027-01-08", "booking": str(booked.pk), "action": "cancel"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("availability_days_off_check"),
        {"first": "2027-01-05", "last": "2027-01-08", "booking": "9" * 40, "action": "cancel"},
    )
    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.status == BookingStatus.BOOKED


# --- Taking weekly hours away ----------------------------------------------------------------


def test_weekly_hours_with_a_session_in_them_list_it_before_they_go(client, world, ann, booked):
    wednesday = WeeklyRule.objects.get(supervisor=ann, weekday=Weekday.WEDNESDAY)
    tuesday = WeeklyRule.objects.get(supervisor=ann, weekday=Weekday.TUESDAY)
    with pytest.raises(DomainError) as refused:
        services.remove_weekly_rule(wednesday, acting_user=ann.user)
    when = wording.span(utc(6, 10), utc(6, 11), "Europe/London")
    assert refused.value.message == f"You have 1 session booked in these hours ({when}). Cancel or move them first."

    client.force_login(ann.user)
    url = reverse("availability_rule_remove", args=[wednesday.pk])
    response = client.post(url)  # the Remove button on the availability page
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have 1 session booked in these hours" in page
    assert f'<dt class="govuk-summary-list__key">{when}</dt>' in page
    assert WeeklyRule.objects.filter(pk=wednesday.pk).exists()

    response = client.post(url, {"action": "cancel", "booking": str(booked.pk)})
    assert response["Location"] == url
    booked.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == (
        BookingStatus.CANCELLED,
        "Your supervisor is no longer free at that time.",
    )
    assert Notification.objects.filter(recipient=world.member, kind="supervision_cancelled").count() == 1
    response = client.post(url, {"action": "remove"})
    assert response["Location"] == reverse("availability_overview")
    assert not WeeklyRule.objects.filter(pk=wednesday.pk).exists()
    # Hours with no session in them go at once.
    response = client.post(reverse("availability_rule_remove", args=[tuesday.pk]))
    assert response["Location"] == reverse("availability_overview")
    assert sorted(WeeklyRule.objects.filter(supervisor=ann).values_list("weekday", flat=True)) == [0, 3, 4]


def test_sessions_on_weekly_hours_skip_days_with_their_own_hours_and_dates_outside_the_rule(world, ann, booked):
    wednesday = WeeklyRule.objects.get(supervisor=ann, weekday=Weekday.WEDNESDAY)
    assert services.sessions_on_rule(wednesday) == [booked]
    # Hours that end before the session starts do not hold it.
    wednesday.end = T(10)
    assert services.sessions_on_rule(wednesday) == []
    wednesday.end = T(17)
    # Weekly hours that stop before the session's day do not hold it either.
    wednesday.valid_until = D(2027, 1, 5)
    assert services.sessions_on_rule(wednesday) == []
    wednesday.valid_until = None
    # A day with hours of its own does not use the weekly hours.
    services.add_date_override(ann, acting_user=ann.user, date=D(2027, 1, 6), away=False, start=T(9), end=T(12))
    assert services.sessions_on_rule(wednesday) == []


def test_the_check_page_keeps_a_long_note_to_its_limit(client, ann):
    client.force_login(ann.user)
    response = client.get(check_url("2027-02-01", "2027-02-02", "x" * 5000))
    assert response.status_code == 200
    assert response.context["note"] == "x" * 120
    client.post(
        reverse("availability_days_off_check"),
        {"first": "2027-02-01", "last": "2027-02-02", "note": "y" * 5000, "action": "save"},
    )
    assert list(DateOverride.objects.values_list("date", "note")) == [
        (D(2027, 2, 1), "y" * 120),
        (D(2027, 2, 2), "y" * 120),
    ]
