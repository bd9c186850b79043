"""Learning needs in the browser (docs/learning.md), each journey from the person's home page,
axe-core checked on every page: a member of staff raises a need; a supervisor suggests a topic
and the person accepts it; a commissioner sees demand by topic and adds a topic of their own."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from learning.enums import RaisedHow
from learning.models import LearningNeed, LearningTopic
from learning.services.needs import raise_need
from scheduling.models import BookingAttendee, BookingStatus, SupervisionBooking
from supervision.enums import AgreementStatus
from tests.e2e.steps import follow, heading, sign_in, submit
from tests.factories.core import (
    PASSWORD,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    give_two_factor,
    make_commissioner,
    staff_of,
)
from tests.factories.supervision import SupervisionAgreementFactory, make_supervisor

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def shipped_catalogue(transactional_db: None) -> None:
    """Transactional tests flush the database between tests: put the catalogue back if it went."""
    if not LearningTopic.objects.filter(pool__isnull=True).exists():
        importlib.import_module("learning.migrations.0001_learning_needs").load_catalogue_v1(apps, None)


def _leeds():
    pool = PoolFactory(name="Leeds pool", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2027, 3, 31))
    return pool, OrganisationFactory(name="Harehills Drama", in_pool=pool)


@pytest.mark.django_db(transaction=True)
def test_a_member_of_staff_raises_a_need_from_home(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    _, organisation = _leeds()
    sam = staff_of(organisation, first_name="Sam", email="sam@example.org")

    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    page.screenshot(path=str(SCREENSHOTS / "learning-staff-home.png"), full_page=True)
    follow(page, "Choose topics you would like to learn about")
    assert heading(page) == "What would you like to learn about?"
    submit(page, "Add to my list: Vicarious trauma")
    assert "Added “Vicarious trauma” to what you would like to learn about." in page.content()
    assert "Vicarious trauma, added" in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "learning-staff-topics.png"), full_page=True)
    need = LearningNeed.objects.get()
    assert (need.person, need.topic.slug, need.raised_how) == (sam, "vicarious-trauma", RaisedHow.OWN)


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_suggests_a_topic_and_the_person_accepts(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool, organisation = _leeds()
    sam = staff_of(organisation, first_name="Sam", last_name="Reid", email="sam@example.org")
    staff_of(organisation, first_name="Chris", email="chris@example.org")
    profile = make_supervisor("Ruth")
    secret = give_two_factor(profile.user)
    agreement = SupervisionAgreementFactory(
        organisation=organisation, pool=pool, supervisor=profile, status=AgreementStatus.ACTIVE
    )
    start = timezone.now() - datetime.timedelta(days=3)
    booking = SupervisionBooking.objects.create(
        agreement=agreement, supervisor=profile, organisation=organisation, pool=pool, starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), minutes=60, hours=1, status=BookingStatus.ATTENDED,
    )  # fmt: skip
    BookingAttendee.objects.create(booking=booking, user=sam)

    page = person()
    sign_in(page, base, profile.user.email, PASSWORD, secret=secret)
    follow(page, "Your agreements")
    follow(page, "Suggest a topic to someone at Harehills Drama")
    assert heading(page) == "Suggest a topic"
    page.get_by_label("Who to suggest it to").select_option(label="Sam Reid")
    page.get_by_label("Topic").select_option(label="Psychosis")
    submit(page, "Suggest the topic")
    assert "Suggested “Psychosis” to Sam Reid." in page.content()
    page.screenshot(path=str(SCREENSHOTS / "learning-supervisor-suggests.png"), full_page=True)

    staff = person()
    sign_in(staff, base, sam.email, PASSWORD)
    assert "Did anything come up that you would like to learn more about?" in staff.content()
    follow(staff, "See the topic your supervisor suggested")
    staff.screenshot(path=str(SCREENSHOTS / "learning-suggestion-waiting.png"), full_page=True)
    submit(staff, "Yes, add it to my list: Psychosis")
    assert "Psychosis, added" in staff.locator("main").inner_text()
    need = LearningNeed.objects.get()
    assert (need.person, need.topic.slug, need.raised_how) == (sam, "psychosis", RaisedHow.SUGGESTION)


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_sees_demand_by_topic(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool, organisation = _leeds()
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret = give_two_factor(commissioner)
    trauma = LearningTopic.objects.get(slug="trauma-informed-practice")
    for _ in range(9):
        raise_need(trauma, acting_user=staff_of(organisation))
    raise_need(LearningTopic.objects.get(slug="deaf-awareness"), acting_user=staff_of(organisation))

    page = person()
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret)
    follow(page, "Leeds pool")
    follow(page, "Learning needs: what staff would like to learn about, by topic")
    assert heading(page) == "Learning needs"
    rows = page.locator("#table-learning-demand tbody tr")
    assert demand_cells(rows.nth(0)) == ["Trauma-informed practice", "Topic", "10"]
    assert demand_cells(rows.nth(1)) == ["Deaf awareness", "Topic", "*"]
    page.screenshot(path=str(SCREENSHOTS / "learning-commissioner-demand.png"), full_page=True)
    follow(page, "Add a topic for this pool")
    page.get_by_label("Title").fill("Working with interpreters")
    submit(page, "Add the topic")
    assert "Added “Working with interpreters”. Staff in Leeds pool can now choose it." in page.content()
    assert "Working with interpreters" in page.locator("#table-learning-demand").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_lead_records_what_the_organisation_needs_and_already_covers(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    _, organisation = _leeds()
    leila = staff_of(organisation, lead=True, first_name="Leila", email="leila@example.org")
    for _ in range(8):
        raise_need(LearningTopic.objects.get(slug="suicide-prevention"), acting_user=staff_of(organisation))

    page = person()
    sign_in(page, base, leila.email, PASSWORD)
    follow(page, "See Harehills Drama")
    follow(page, "Learning needs: what your organisation needs and already covers")
    assert heading(page) == "Learning needs"
    page.get_by_label("Topic").select_option(label="Autism awareness")
    page.get_by_label("Already covered by staff's lived experience").check()
    submit(page, "Save")
    assert "Saved “Autism awareness” for Harehills Drama." in page.content()
    rows = page.locator("table tbody tr")
    assert demand_cells(rows.nth(0)) == ["Autism awareness", "0", "Covered by lived experience"]
    assert demand_cells(rows.nth(1)) == ["Suicide prevention", "10", "–"]
    page.screenshot(path=str(SCREENSHOTS / "learning-lead-organisation.png"), full_page=True)


def demand_cells(row: Any) -> list[str]:
    """A demand row's first three cells as read: the topic without the link under its name."""
    return [cell.split("\n")[0] for cell in row.inner_text().split("\t")[:3]]
