"""A supervisor connects their CalDAV calendar (a real Radicale server) in a real browser, from
their home page: the page says it is connecting, then, once the worker has synced, "Connected"
with the time of the last sync; a session booked with them then appears in the calendar. The
password is never shown again. axe-core checks every page on the way."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduling.models import AvailabilitySettings, WeeklyRule
from scheduling.services.booking_notices import booking_uid
from scheduling.services.calendar_sync import sync_calendar
from tests.e2e.steps import follow, heading, sign_in, submit, visit
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
from tests.radicale import PASSWORD as APP_PASSWORD
from tests.radicale import USER

LONDON = ZoneInfo("Europe/London")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_connects_their_calendar_and_a_booking_appears_in_it(
    live_server: Any, person: Any, radicale: Any, settings: Any
) -> None:
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = True  # Radicale is on 127.0.0.1
    calendar = radicale.new_calendar()
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

    secret = give_two_factor(supervisor.user)
    page = person()
    sign_in(page, base, supervisor.user.email, PASSWORD, secret=secret)

    # From the home page to the availability page, and on to connect the calendar.
    follow(page, "Set your availability")
    assert heading(page) == "Your availability"
    page.locator("#connected-calendar").screenshot(path=str(SCREENSHOTS / "caldav-availability-before.png"))
    follow(page, "Connect your calendar")
    assert heading(page) == "Connect your calendar"
    page.get_by_label("Your calendar’s CalDAV address").fill(calendar.url)
    page.get_by_label("User name").fill(USER)
    page.get_by_label("App password").fill(APP_PASSWORD)
    submit(page, "Connect calendar")
    assert heading(page) == "Your availability"
    main = page.locator("main").inner_text()
    assert "Your calendar is connected." in main
    assert "Connecting" in main

    # The worker syncs it; the page then says so, with the time.
    assert sync_calendar(supervisor.pk).ok
    page.reload()
    main = page.locator("main").inner_text()
    assert "Connected" in main
    assert re.search(r"Last synced \d{1,2}(:\d\d)?(am|pm) today", main), main
    page.screenshot(path=str(SCREENSHOTS / "caldav-availability-after.png"), full_page=True)

    # Changing the connection never shows the password again.
    follow(page, "Change connected calendar")
    assert page.get_by_label("App password").input_value() == ""
    assert APP_PASSWORD not in page.content()
    assert "Saved — enter a new one to change it." in page.locator("main").inner_text()

    # Sam books a session; the worker writes it into Ann's calendar.
    tuesday = today + datetime.timedelta(days=8 + (1 - (today + datetime.timedelta(days=8)).weekday()) % 7)
    starts = datetime.datetime.combine(tuesday, datetime.time(10), tzinfo=LONDON)
    booking = book(agreement, member, starts, now=datetime.datetime.now(datetime.UTC))
    assert sync_calendar(supervisor.pk).ok
    events = calendar.events()
    assert [(str(event["UID"]), event.decoded("DTSTART"), str(event["SUMMARY"])) for event in events] == [
        (booking_uid(booking), starts, "Supervision: Harehills Drama")
    ]

    # Ann deletes it in her own calendar. The next sync notices, and her home page asks her.
    calendar.delete_event(booking_uid(booking))
    assert sync_calendar(supervisor.pk).ok
    visit(page, base + "/")
    follow(page, "1 session changed in your calendar")
    assert heading(page) == "Your availability"
    main = page.locator("main").inner_text()
    assert "You deleted it from your calendar." in main
    page.locator("#connected-calendar").screenshot(path=str(SCREENSHOTS / "caldav-calendar-question-after.png"))
    submit(page, "Put it back in my calendar")
    assert "We will put the session back in your calendar within a few minutes." in page.locator("main").inner_text()
    assert sync_calendar(supervisor.pk).ok
    assert [str(event["UID"]) for event in calendar.events()] == [booking_uid(booking)]
