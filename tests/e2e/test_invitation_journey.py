"""A member of staff takes a group session's calendar file from its page and later cancels the
place; the facilitator cancels another person's place from the register. Each hears by an
e-mail whose inline invitation takes the session out of their calendar. In a real browser,
from the home page, with the axe-core check on every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from scheduling.groups.changes import create_group
from scheduling.groups.notices import session_when
from scheduling.groups.places import book_place
from scheduling.models import Place, PlaceStatus
from supervision.models import SupervisorProfile
from tests.e2e.steps import checked, follow, heading, sign_in, submit
from tests.factories.core import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    add_to_pool,
    give_two_factor,
    make_commissioner,
)
from tests.invitation_mail import invitation_in


def in_the_bar(page: Any, name: str) -> Any:
    """Follow a link of the navigation bar."""
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first.click()
    return checked(page)


def cancellation_to(address: str) -> Any:
    [sent] = [message for message in mail.outbox if message.to == [address]]
    invitation = invitation_in(sent)
    assert invitation.method == "CANCEL"
    return invitation


@pytest.mark.django_db(transaction=True)
def test_a_calendar_file_from_the_session_page_and_cancellations_that_reach_the_calendar(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool", from_this_month=True)
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam", user__email="sam@example.org").user
    chris = MembershipFactory(organisation=organisation, user__first_name="Chris", user__email="chris@example.org").user
    carys = make_commissioner(pool, UserFactory(first_name="Carys", email="carys@example.org"))
    ann = UserFactory(first_name="Ann", last_name="Carter", email="ann@example.org")
    ann_secret = give_two_factor(ann)
    facilitator = SupervisorProfile.objects.create(
        user=ann, profession="Counselling psychologist", verified_at=timezone.now()
    )
    group = create_group(
        pool,
        acting_user=carys,
        title="Harehills reflective practice",
        rrule="FREQ=WEEKLY",
        first_date=timezone.localdate() + datetime.timedelta(days=2),
        start_time=datetime.time(14, 0),
        duration_minutes=120,
        capacity=4,
        facilitator=facilitator,
        location="Room 2, Harehills Community Hub",
        ground_rules="What is said here stays here.",
        confidentiality_statement="Nothing said is written down.",
    )
    session = group.sessions.order_by("starts_at").first()
    for someone in (sam, chris):
        book_place(session, acting_user=someone)
    mail.outbox.clear()
    when = session_when(session)

    # 1. Sam, from home, reaches the session through their places and takes its calendar file.
    sam_page = person()
    sign_in(sam_page, base, sam.email, PASSWORD)
    in_the_bar(sam_page, "My places")
    follow(sam_page, f"Harehills reflective practice, {when}")
    assert heading(sam_page) == when
    with sam_page.expect_download() as download:
        sam_page.locator("main").get_by_role("link", name="Download a calendar file (.ics)").click()
    [event] = Calendar.from_ical(Path(download.value.path()).read_text()).walk("VEVENT")
    assert (str(event["UID"]), event["SEQUENCE"]) == (session.ics_uid, 0)
    assert str(event["LOCATION"]) == "Room 2, Harehills Community Hub"

    # 2. Sam cancels; the e-mail takes the session out of their calendar, from the facilitator.
    follow(sam_page, "Cancel my place")
    submit(sam_page, "Yes, cancel my place")
    invitation = cancellation_to(sam.email)
    assert (str(invitation.event["UID"]), invitation.event["SEQUENCE"]) == (session.ics_uid, 1)
    assert invitation.mail["Reply-To"] == "Ann Carter <ann@example.org>"

    # 3. Ann, from home, opens the register and cancels Chris's place, with a reason for them.
    ann_page = person()
    sign_in(ann_page, base, ann.email, PASSWORD, secret=ann_secret)
    in_the_bar(ann_page, "Groups you run")
    follow(ann_page, f"Harehills reflective practice, {when}")
    assert heading(ann_page) == f"Register, {when}"
    with ann_page.expect_navigation():
        ann_page.locator("main").get_by_role("link", name="Cancel place").click()  # its name ends ": Chris"
    checked(ann_page)
    assert heading(ann_page) == f"Cancel Chris's place on {when}?"
    ann_page.get_by_label("Reason (optional)").fill("The room is smaller that day.")
    submit(ann_page, "Yes, cancel the place")
    assert "Chris's place is cancelled. We have told them." in ann_page.locator("main").inner_text()
    assert Place.objects.get(user=chris).status == PlaceStatus.CANCELLED
    invitation = cancellation_to(chris.email)
    assert "The room is smaller that day." in invitation.mail.get_body(("plain",)).get_content()
    assert "Sam" not in invitation.text and "sam@example.org" not in invitation.text
