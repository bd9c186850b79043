"""Equality monitoring in the browser (docs/equality.md): a member of staff answers from the
home page's prompt, changes an answer from their account and says "prefer not to say"; another
tells the prompt not to ask again; the commissioner goes from their home page to the dashboard's
reach page. axe-core checks every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from equality.models import EqualityAnswers
from equality.services import save_equality_answers
from reflect.models import Membership
from scheduling.models import GroupSession, Place, PlaceStatus
from tests.e2e.steps import follow, heading, sign_in, submit, visit
from tests.factories.core import (
    PASSWORD,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    give_two_factor,
    make_commissioner,
    staff_of,
)
from tests.factories.groups import ReflectiveGroupFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PROMPT = "Help us check the pool reaches everyone"


@pytest.mark.django_db(transaction=True)
def test_staff_answer_from_the_home_page_change_from_their_account_and_prefer_not_to_say(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    sam = staff_of(organisation, first_name="Sam", email="sam@example.org")
    chris = staff_of(organisation, first_name="Chris", email="chris@example.org")

    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    assert PROMPT in page.locator("main").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "equality-home-prompt-after.png"), full_page=True)
    follow(page, "Answer the equality questions")
    assert heading(page) == "Equality questions"
    assert "Nobody sees your answers" in page.locator("main").inner_text()
    page.get_by_role("group", name="What is your sex?").get_by_label("Female", exact=True).check()
    page.get_by_label("What is your ethnic group?").select_option(label="Roma")
    page.get_by_role("group", name="What is your religion?").get_by_label("Buddhist", exact=True).check()
    page.screenshot(path=str(SCREENSHOTS / "equality-questions-after.png"), full_page=True)
    submit(page, "Save answers")
    assert "Thank you. Your answers are saved." in page.locator("main").inner_text()

    # Later: from the home page, the prompt has gone; the account page changes the answers.
    visit(page, base + "/")
    assert PROMPT not in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account").click()
    follow(page, "Change your answers to the equality questions")
    page.get_by_role("group", name="What is your religion?").get_by_label("Prefer not to say", exact=True).check()
    submit(page, "Save answers")
    answers = EqualityAnswers.objects.get(user=sam)
    assert (answers.sex, answers.ethnic_group, answers.religion) == ("female", "white_roma", "prefer_not")

    # Chris would rather not be asked: one click, and the home page stops asking.
    other = person()
    sign_in(other, base, chris.email, PASSWORD)
    submit(other, "Do not ask me again")
    main = other.locator("main").inner_text()
    assert "We will not ask again." in main
    assert PROMPT not in main
    other.set_viewport_size({"width": 1280, "height": 900})
    other.screenshot(path=str(SCREENSHOTS / "equality-home-prompt-before.png"), full_page=True)
    assert EqualityAnswers.objects.get(user=chris).sex == ""


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_goes_from_their_home_page_to_the_reach_page(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret = give_two_factor(commissioner)
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    staff = [staff_of(organisation) for _ in range(40)]
    Membership.objects.update(joined_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC))
    for person_, sex in zip(staff, ["female"] * 20 + ["male"] * 14 + ["prefer_not"] * 6, strict=True):
        save_equality_answers(person_, {"sex": sex}, acting_user=person_)
    june = datetime.datetime(2026, 6, 10, 13, tzinfo=datetime.UTC)
    attended = staff[:8] + staff[20:]
    session = GroupSession.objects.create(
        group=ReflectiveGroupFactory(pool=pool, duration_minutes=120),
        starts_at=june,
        ends_at=june + datetime.timedelta(hours=2),
        place_limit=30,
        places_taken=len(attended),
        places_attended=len(attended),
    )
    for someone in attended:
        Place.objects.create(
            session=session, user=someone, organisation=organisation, status=PlaceStatus.ATTENDED, booked_at=june
        )

    page = person()
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret)
    follow(page, "Dashboard for Leeds pool")
    assert heading(page) == "Leeds pool"
    follow(page, "Reach and equality")
    assert heading(page) == "Reach and equality"
    section = page.locator("#table-reach-sex")
    rows = [[cell.strip() for cell in row.split("\t")] for row in section.locator("tbody tr").all_inner_texts()]
    assert rows[0] == ["Female", "20", "50%", "10", "33%", "10", "33%", "16", "29%", "Yes: fewer people and hours"]
    assert rows[1][:3] == ["Male", "*", "*"]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#reach").scroll_into_view_if_needed()
    section.screenshot(path=str(SCREENSHOTS / "equality-reach-after.png"))
