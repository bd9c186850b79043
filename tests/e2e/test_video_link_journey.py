"""A facilitator gives one session its own video link from their register (an http link is
refused in plain words), the person with a place finds it on the session's page, and a
colleague without a place does not; in a real browser, with the axe-core check on every page."""

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
from tests.e2e.steps import follow, sign_in, submit
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
    ann_page.get_by_label("Video link for this session (optional)").fill("http://meet.example.org/tuesday")
    submit(ann_page, "Save the video link")
    assert "Enter a video link that starts with https://" in main_text(ann_page)
    session.refresh_from_db()
    assert (session.online_link, session.sequence) == ("", 0)

    # 3. An https link is saved for this session only.
    ann_page.get_by_label("Video link for this session (optional)").fill("https://meet.example.org/tuesday")
    submit(ann_page, "Save the video link")
    assert "The video link for this session is saved." in main_text(ann_page)
    assert "This session has its own link: https://meet.example.org/tuesday" in main_text(ann_page)
    ann_page.screenshot(path=str(SCREENSHOTS / "feeds-session-link-after.png"), full_page=True)

    # 4. Sam, who has a place, follows their places from home and finds the session's own link.
    sam_page = person()
    sign_in(sam_page, base, sam.email, PASSWORD)
    follow(sam_page, "Your places and waitlists")
    sam_page.locator("main").get_by_role("link").filter(has_text="Harehills reflective practice").first.click()
    sam_page.wait_for_load_state()
    assert "Join online: https://meet.example.org/tuesday" in main_text(sam_page)
    assert "meet.example.org/harehills" not in main_text(sam_page)

    # 5. Chris, a colleague without a place, sees no link at all.
    chris_page = person()
    sign_in(chris_page, base, chris.email, PASSWORD)
    chris_page.goto(f"{base}/groups/sessions/{session.pk}/")
    assert "Book a place" in main_text(chris_page)
    assert "meet.example.org" not in chris_page.content()
