"""The supervisor's availability, walked in a real browser from their home page: weekly hours
for three weekdays in one form, a holiday that clashes with a booked session, the clash listed
before anything is saved, the session cancelled from there and the person booked told; the
weekly hours reflow at 320 px. axe-core checks every page on the way."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from reflect import wording
from reflect.models import Notification
from scheduling.models import AvailabilitySettings, BookingStatus, DateOverride, SupervisionBooking, WeeklyRule
from tests.e2e.steps import checked, follow, heading, sign_in, submit, type_date, visit
from tests.factories.bookings import agree, book
from tests.factories.core import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PoolFactory,
    add_to_pool,
    give_two_factor,
)
from tests.factories.supervision import SupervisorProfileFactory

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_sets_weekly_hours_and_a_holiday_that_clashes_with_a_session(
    live_server: Any, person: Any
) -> None:
    base = live_server.url
    today = datetime.date.today()
    pool = PoolFactory(name="Leeds pool", starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=365))
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    member = MembershipFactory(organisation=organisation, user__first_name="Sam", user__last_name="Reid").user
    supervisor = SupervisorProfileFactory(user__first_name="Ann", user__last_name="Carter")
    AvailabilitySettings.objects.create(supervisor=supervisor, session_lengths=[60], horizon_weeks=8)
    WeeklyRule.objects.create(supervisor=supervisor, weekday=1, start=datetime.time(9), end=datetime.time(17))
    agreement = agree(pool, organisation, supervisor, hours_per_month="6", allocation="12")
    agreement.starts_on = today
    agreement.save()
    # Sam's session: Tuesday 10am, between 8 and 14 days from now.
    tuesday = today + datetime.timedelta(days=8 + (1 - (today + datetime.timedelta(days=8)).weekday()) % 7)
    starts = datetime.datetime.combine(tuesday, datetime.time(10), tzinfo=LONDON)
    booking = book(agreement, member, starts, now=datetime.datetime.now(datetime.UTC))

    secret = give_two_factor(supervisor.user)
    page = person()
    sign_in(page, base, supervisor.user.email, PASSWORD, secret=secret)

    # 1. From the home page to the availability page, and weekly hours for three days at once.
    follow(page, "Set your availability")
    assert heading(page) == "Your availability"
    follow(page, "Add weekly hours")
    for day in ("Monday", "Wednesday", "Thursday"):
        page.locator("main").get_by_label(day, exact=True).check()
    page.get_by_label("From", exact=True).fill("9.30am")
    page.get_by_label("Until", exact=True).fill("1pm")
    submit(page, "Add hours")
    assert heading(page) == "Your availability"
    hours = f"{wording.clock(datetime.time(9, 30))} to {wording.clock(datetime.time(13))}"
    assert f"Added: Monday {hours}; Wednesday {hours}; Thursday {hours}." in page.locator("main").inner_text()
    assert sorted(WeeklyRule.objects.filter(supervisor=supervisor).values_list("weekday", flat=True)) == [0, 1, 2, 3]

    # The weekly hours reflow at 320 px: nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    checked(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})

    # 2. A holiday from the Monday to the Friday of Sam's week: the session is listed first.
    follow(page, "Add days off")
    monday, friday = tuesday - datetime.timedelta(days=1), tuesday + datetime.timedelta(days=3)
    type_date(page, "First day off", monday)
    type_date(page, "Last day off (optional)", friday)
    submit(page, "Continue")
    assert heading(page) == "You have 1 session booked on your days off"
    main = page.locator("main").inner_text()
    assert f"You are away from {wording.day(monday)} to {wording.day(friday)}." in main
    when = wording.span(booking.starts_at, booking.ends_at, "Europe/London")
    assert when in main and "Harehills Drama" in main
    assert not DateOverride.objects.exists()  # nothing saved while the session is there

    # 3. Cancel it from there: Sam is told, then the holiday is saved.
    submit(page, f"Cancel this session on {when}")
    assert f"Cancelled the session on {when}. The people booked have been told." in page.locator("main").inner_text()
    assert heading(page) == "Save your days off"
    assert SupervisionBooking.objects.get().status == BookingStatus.CANCELLED
    told = Notification.objects.get(recipient=member, kind="supervision_cancelled")
    assert told.context["by_supervisor"] is True
    assert told.context["reason"] == "Your supervisor is away that day."
    assert any(member.email in message.to and message.subject.startswith("Cancelled") for message in mail.outbox)
    submit(page, "Save days off")
    assert heading(page) == "Your availability"
    assert f"You are away from {wording.day(monday)} to {wording.day(friday)}." in page.locator("main").inner_text()
    assert list(DateOverride.objects.order_by("date").values_list("date", flat=True)) == [
        monday + datetime.timedelta(days=n) for n in range(5)
    ]
    visit(page, base + "/")  # home again, to end where the journey began
