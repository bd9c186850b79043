"""The supervisor publishes their hours; a member of staff books, and both see the session; it
is moved and cancelled, and the private calendar feed shows the cancellation — in a real
browser, axe-checked on every page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail

from scheduling.models import BookingStatus, SupervisionBooking
from tests.e2e.steps import checked, follow, heading, sign_in, submit, visit
from tests.factories.bookings import agree
from tests.factories.core import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PoolFactory,
    add_to_pool,
    give_two_factor,
)
from tests.factories.supervision import SupervisorProfileFactory
from tests.invitation_mail import invitation_in


@pytest.mark.django_db(transaction=True)
def test_staff_book_move_and_cancel_supervision(live_server: Any, person: Any) -> None:
    base = live_server.url
    today = datetime.date.today()
    pool = PoolFactory(name="Leeds pool", starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=365))
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    member = MembershipFactory(organisation=organisation, user__first_name="Sam", user__last_name="Reid").user
    supervisor = SupervisorProfileFactory(user__first_name="Ann", user__last_name="Carter")
    agreement = agree(pool, organisation, supervisor, hours_per_month="6", allocation="12")
    agreement.starts_on = today
    agreement.save()

    # 1. The supervisor publishes where and when they can be booked.
    secret = give_two_factor(supervisor.user)
    clinician = person()
    sign_in(clinician, base, supervisor.user.email, PASSWORD, secret=secret)
    visit(clinician, base + "/availability/settings/")
    clinician.get_by_label("Link for online sessions (optional)").fill("https://meet.example.org/ann")
    submit(clinician, "Save settings")
    for day in ("Tuesday", "Thursday"):
        visit(clinician, base + "/availability/rules/add/")
        clinician.locator("main").get_by_label(day, exact=True).check()
        clinician.get_by_label("From").fill("09:00")
        clinician.get_by_label("Until").fill("17:00")
        submit(clinician, "Add hours")

    # 2. A member of staff books the first free time.
    page = person()
    sign_in(page, base, member.email, PASSWORD)
    follow(page, "Book a supervision session")
    assert heading(page) == "Supervision"
    follow(page, "Book 1:1 supervision with Ann Carter")
    assert heading(page) == "Book 1:1 supervision with Ann Carter"
    assert "has 12 hours left of its allocation" in page.locator("main").inner_text()
    # The first free time shown (the list opens on the week of the first free slot).
    first = page.locator("main .reflect-slot-list a").first
    with page.expect_navigation():
        first.click()
    checked(page)
    when = heading(page)
    submit(page, "Book this session")
    assert heading(page) == when
    assert "https://meet.example.org/ann" in page.locator("main").inner_text()
    booking = SupervisionBooking.objects.get()
    # 3. Both see it: the supervisor in their week and their sessions.
    week = booking.starts_at.date() - datetime.timedelta(days=booking.starts_at.weekday())
    visit(clinician, base + f"/availability/week/?week={week}")
    assert "Harehills Drama" in clinician.locator("main").inner_text()
    visit(clinician, base + "/availability/sessions/")
    assert "Sam Reid (Harehills Drama, online)" in clinician.locator("main").inner_text()
    confirmation = next(m for m in mail.outbox if member.email in m.to and m.subject.startswith("Booked"))
    invitation = invitation_in(confirmation)
    assert invitation.method == "REQUEST"
    assert str(invitation.event["UID"]) == f"supervision-{booking.uid}@reflect"

    # Move it to the first time offered on the move page.
    follow(page, "Move to another time")
    assert heading(page) == "Choose a new time"
    button = page.locator("main form button").nth(1)  # not the time it already has
    with page.expect_navigation():
        button.click()
    checked(page)
    booking.refresh_from_db()
    assert booking.sequence == 1 and heading(page) != when
    assert "Everyone has been told" in page.locator("body").inner_text()

    # Cancel it, with a reason.
    follow(page, "Cancel this session")
    page.get_by_label("Reason (optional)").fill("Unwell")
    submit(page, "Cancel the session")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Unwell")
    assert "This session was cancelled" in page.locator("main").inner_text()

    # The calendar page makes the private feed address (shown this once), which now shows the
    # cancellation.
    visit(page, base + "/calendar/")
    assert heading(page) == "Your sessions in your own calendar"
    submit(page, "Make your calendar link")
    feed_url = page.locator("#feed-url").input_value()
    feed = page.request.get(feed_url.replace("http://127.0.0.1:8000", base))
    assert feed.status == 200 and "STATUS:CANCELLED" in feed.text()

    # The supervisor sees the cancelled session among their recent ones.
    visit(clinician, base + "/availability/sessions/")
    assert heading(clinician) == "Your supervision sessions"
    assert "Harehills Drama: cancelled" in clinician.locator("main").inner_text()
