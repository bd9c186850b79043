"""Issue 23's "Done when", in the browser: a member of staff raises a need from home; the
commissioner sees demand and publishes a session from the topic's row; the member of staff is told
(the e-mail) and books from their home page in one step; the facilitator marks the register; the
need shows as met, and the attendee says whether the session met it. Each person starts at their
home page and follows links; axe-core checks every page. Screenshots:
docs/screenshots/learning-session-*.png."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from learning.models import LearningNeed
from learning.session_models import FeedbackTally
from reflect.models import Notification
from scheduling.models import GroupPurpose, GroupSession, Place, PlaceStatus, ReflectiveGroup
from tests.e2e.steps import checked, follow, heading, sign_in, submit

# The catalogue put back after each transactional test's flush (autouse, shared with part A's journeys).
from tests.e2e.test_learning_journeys import demand_cells, shipped_catalogue  # noqa: F401
from tests.factories.core import (
    PASSWORD,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    give_two_factor,
    make_commissioner,
    staff_of,
)
from tests.factories.groups import make_facilitator

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main_text(page: Any) -> str:
    return page.locator("main").inner_text()


def _leeds() -> tuple[Any, Any, Any, Any, str]:
    """A pool running from this month, Harehills Drama in it, Sam on its staff, and Carys its
    commissioner (with her authenticator's secret)."""
    pool = PoolFactory(name="Leeds pool", from_this_month=True)
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    sam = staff_of(organisation, first_name="Sam", email="sam@example.org")
    carys = make_commissioner(pool, UserFactory(first_name="Carys", email="carys@example.org"))
    return pool, organisation, sam, carys, give_two_factor(carys)


@pytest.mark.django_db(transaction=True)
def test_a_need_raised_at_home_is_met_by_a_session_the_commissioner_publishes(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    _, _, sam, carys, carys_secret = _leeds()
    ann = make_facilitator()
    ann_secret = give_two_factor(ann.user)

    # 1. Sam raises a need from their home page.
    sam_page = person()
    sign_in(sam_page, base, sam.email, PASSWORD)
    follow(sam_page, "Choose topics you would like to learn about")
    submit(sam_page, "Add to my list: Psychosis")
    need = LearningNeed.objects.get(person=sam)
    assert (need.topic.slug, need.met_at) == ("psychosis", None)

    # 2. Carys sees the demand and arranges a session from the topic's row.
    page = person()
    sign_in(page, base, carys.email, PASSWORD, secret=carys_secret)
    follow(page, "Leeds pool")
    follow(page, "Learning needs: what staff would like to learn about, by topic")
    row = page.locator("#table-learning-demand tbody tr").filter(has_text="Psychosis")
    assert demand_cells(row) == ["Psychosis", "Presentation", "*"]  # one person: never a 1
    with page.expect_navigation():
        row.get_by_role("link", name="Arrange a session on Psychosis").click()
    checked(page)
    assert heading(page) == "Arrange a learning session"
    assert page.get_by_label("Psychosis").is_checked()
    day = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_label("Title").fill("Working with psychosis")
    page.get_by_label("Date or dates").fill(f"{day.day} {day.month} {day.year}")
    page.get_by_label("Start time").fill("10am")
    page.get_by_label("Length in minutes").fill("120")
    page.select_option("#id_facilitator", str(ann.pk))
    page.get_by_label("Where, in person (an address and room)").fill("Room 1, Leeds Community Hub")
    page.screenshot(path=str(SCREENSHOTS / "learning-session-arrange.png"), full_page=True)
    submit(page, "Publish the session")
    assert "Working with psychosis is published. Everyone who asked for its topics is told." in main_text(page)
    group = ReflectiveGroup.objects.get(purpose=GroupPurpose.LEARNING)
    session = group.sessions.get()

    # 3. Sam is told, by their channel (e-mail here), with a link to book in one step...
    told = Notification.objects.get(kind="learning_session_published")
    assert (told.recipient, told.status) == (sam, "sent")
    email = [message for message in mail.outbox if sam.email in message.to][-1]
    assert email.subject == "A learning session on Psychosis: Working with psychosis"
    assert f"/learning/sessions/{group.pk}/book/" in email.body
    # ...and books from their home page, one button.
    sam_page.goto(base + "/")
    checked(sam_page)
    sam_page.screenshot(path=str(SCREENSHOTS / "learning-session-home-book.png"), full_page=True)
    submit(sam_page, "Book a place: Working with psychosis")
    assert "Your place is booked. We have sent you the details." in main_text(sam_page)
    assert Place.objects.get(session=session).user == sam

    # 4. The session takes place; Ann marks Sam attended on the register.
    began = timezone.now() - datetime.timedelta(hours=3)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=began, ends_at=began + datetime.timedelta(hours=2))
    ann_page = person()
    sign_in(ann_page, base, ann.user.email, PASSWORD, secret=ann_secret)
    with ann_page.expect_navigation():
        ann_page.get_by_role("link", name="Groups you run").first.click()
    checked(ann_page)
    with ann_page.expect_navigation():
        ann_page.locator("main").get_by_role("link", name="Working with psychosis").click()
    checked(ann_page)
    assert "Sam" in main_text(ann_page)
    submit(ann_page, "Attended")
    ann_page.screenshot(path=str(SCREENSHOTS / "learning-session-register.png"), full_page=True)
    assert Place.objects.get(session=session).status == PlaceStatus.ATTENDED

    # 5. Sam's need shows as met; one tap says whether the session met it.
    sam_page.goto(base + "/")
    checked(sam_page)
    follow(sam_page, "Did Working with psychosis meet your learning need?")
    sam_page.screenshot(path=str(SCREENSHOTS / "learning-session-feedback.png"), full_page=True)
    submit(sam_page, "Yes")
    assert "Your answer is counted with everyone else's, without your name." in main_text(sam_page)
    assert list(FeedbackTally.objects.values_list("answer", "count")) == [("yes", 1)]
    follow(sam_page, "Choose topics you would like to learn about")
    met = sam_page.locator("#met-needs").inner_text()
    assert met.startswith("Psychosis: met ")
    sam_page.screenshot(path=str(SCREENSHOTS / "learning-session-met.png"), full_page=True)
    need.refresh_from_db()
    assert need.met_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_community_of_practice_is_hosted_by_a_colleague_and_found_by_purpose(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    _, organisation, sam, carys, secret = _leeds()
    leila = staff_of(organisation, first_name="Leila", last_name="Haddad", email="leila@example.org")

    page = person()
    sign_in(page, base, carys.email, PASSWORD, secret=secret)
    follow(page, "Leeds pool")
    follow(page, "Reflective groups: create them, move or cancel a session, fill cohorts")
    follow(page, "Create a reflective group")
    page.fill("#id_title", "Peer support workers' community of practice")
    page.get_by_role("radio", name="Community of practice").check()
    page.get_by_label("Host's e-mail address (a community of practice)").fill(leila.email)
    page.select_option("#id_month_ordinal", "1")
    page.select_option("#id_month_weekday", "3")  # the first Thursday
    today = timezone.localdate()
    page.fill("#id_first_date", str(today.day))
    page.fill("#id_first_date_month", str(today.month))
    page.fill("#id_first_date_year", str(today.year))
    page.fill("#id_start_time", "12:30pm")
    page.fill("#id_ground_rules", "Share what you are comfortable sharing.")
    page.fill("#id_confidentiality_statement", "Only that you came is recorded.")
    submit(page, "Preview dates")
    submit(page, "Create group")
    group = ReflectiveGroup.objects.get()
    assert (group.purpose, group.host, group.facilitator) == (GroupPurpose.COMMUNITY, leila, None)
    follow(page, "Reflective groups: create them, move or cancel a session, fill cohorts")
    row = page.locator("main table tbody tr").first.inner_text().split("\t")
    assert row == [
        "Peer support workers' community of practice",
        "Community of practice",
        group.get_kind_display(),
        "Leila Haddad",
    ]

    staff = person()
    sign_in(staff, base, sam.email, PASSWORD)
    follow(staff, "Find a reflective group")
    staff.get_by_role("radio", name="Community of practice").check()
    submit(staff, "Show groups")
    assert "Community of practice" in main_text(staff)
    staff.screenshot(path=str(SCREENSHOTS / "learning-session-community-list.png"), full_page=True)
    follow(staff, "Peer support workers' community of practice")
    assert "Hosted by Leila Haddad." in main_text(staff)
