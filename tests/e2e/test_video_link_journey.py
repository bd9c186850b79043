"""A facilitator gives one group session its own video link from their register, and a
supervisor one supervision session (a link that is not https is refused in plain words); the
people in the session find it on its page, and a colleague without a place does not; in a real
browser, with the axe-core check on every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from scheduling.groups.changes import create_group
from scheduling.groups.places import book_place
from scheduling.models import GroupSession
from supervision.models import SupervisorProfile
from tests.e2e.steps import checked, follow, sign_in, submit, visit
from tests.factories.bookings import agree, book, supervisor_with_availability
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

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main_text(page: Any) -> str:
    return page.locator("main").inner_text()


def save_link(page: Any, label: str, link: str) -> str:
    """Type ``link`` into the session's link form, save, and say what the page says."""
    page.get_by_label(label).fill(link)
    submit(page, "Save the video link")
    return main_text(page)


def click_into(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()
    checked(page)


@pytest.mark.django_db(transaction=True)
def test_a_facilitator_gives_a_session_its_own_video_link(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
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
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    group = create_group(
        pool,
        acting_user=carys,
        title="Harehills reflective practice",
        rrule="FREQ=WEEKLY",
        first_date=tomorrow,
        start_time=datetime.time(14),
        duration_minutes=120,
        time_zone="Europe/London",
        online_link="https://meet.example.org/harehills",
        capacity=4,
        ground_rules="What is said here stays here.",
        confidentiality_statement="Nothing said is written down.",
        facilitator=facilitator,
    )
    session = GroupSession.objects.filter(group=group).order_by("starts_at").first()
    book_place(session, acting_user=sam)

    # 1. Ann, from her home page, opens the register of her next session.
    ann_page = person()
    sign_in(ann_page, base, ann.email, PASSWORD, secret=ann_secret)
    follow(ann_page, "Register: Harehills reflective practice")
    assert "This session uses the group's link: https://meet.example.org/harehills" in main_text(ann_page)

    # 2. An http link is refused in plain words, and nothing changes.
    said = save_link(ann_page, "Video link for this session (optional)", "http://meet.example.org/tuesday")
    assert "Enter a video link that starts with https://" in said
    session.refresh_from_db()
    assert (session.online_link, session.sequence) == ("", 0)

    # 3. An https link is saved for this session only.
    said = save_link(ann_page, "Video link for this session (optional)", "https://meet.example.org/tuesday")
    assert "The video link for this session is saved." in said
    assert "This session has its own link: https://meet.example.org/tuesday" in said
    ann_page.screenshot(path=str(SCREENSHOTS / "feeds-session-link-after.png"), full_page=True)

    # 4. Sam, who has a place, follows their places from home and finds the session's own link.
    sam_page = person()
    sign_in(sam_page, base, sam.email, PASSWORD)
    follow(sam_page, "Your places and waitlists")
    click_into(sam_page, f"main a[href='/groups/sessions/{session.pk}/']")
    assert "Join online: https://meet.example.org/tuesday" in main_text(sam_page)
    assert "meet.example.org/harehills" not in main_text(sam_page)

    # 5. Chris, a colleague without a place, sees no link at all.
    chris_page = person()
    sign_in(chris_page, base, chris.email, PASSWORD)
    visit(chris_page, f"{base}/groups/sessions/{session.pk}/")
    assert "Book a place" in main_text(chris_page)
    assert "meet.example.org" not in chris_page.content()


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_gives_one_session_its_own_video_link(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    today = datetime.date.today()
    pool = PoolFactory(name="Leeds pool", starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=365))
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam", user__email="sam@example.org").user
    supervisor = supervisor_with_availability()
    agreement = agree(pool, organisation, supervisor, hours_per_month="6", allocation="12")
    agreement.starts_on = today
    agreement.save()
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(days=3)
    while start.weekday() >= 5:
        start += datetime.timedelta(days=1)
    booking = book(agreement, sam, start, now=timezone.now())

    # 1. The supervisor, from home, opens the session and gives it a link of its own.
    secret = give_two_factor(supervisor.user)
    clinician = person()
    sign_in(clinician, base, supervisor.user.email, PASSWORD, secret=secret)
    follow(clinician, "Your sessions and attendance")
    click_into(clinician, f"main a[href='/supervision/sessions/{booking.pk}/']")
    said = save_link(clinician, "Video link for this session", "javascript:alert(1)")
    assert "Enter a video link that starts with https://" in said
    said = save_link(clinician, "Video link for this session", "https://meet.example.org/ann-thursday")
    assert "The video link for this session is saved." in said
    clinician.screenshot(path=str(SCREENSHOTS / "feeds-supervision-link-after.png"), full_page=True)

    # 2. Sam, booked, finds the new link on the session's page from their home.
    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    follow(page, "Book a supervision session")
    click_into(page, f"main a[href='/supervision/sessions/{booking.pk}/']")
    assert "https://meet.example.org/ann-thursday" in main_text(page)
