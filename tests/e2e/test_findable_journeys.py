"""Each role finds all its areas from its home page, by the navigation bar and the home page's
panels alone (issue 18, "Findable"): no typed address but the sign-in page. Every page is
checked with axe-core; the pool page is checked for sideways scrolling at 320 px; the person
with a held waitlist offer finds it on their home page and takes it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupSession, Place, PlaceStatus
from tests.e2e.steps import checked, follow, heading, sign_in, submit
from tests.factories.bookings import agree, supervisor_with_availability
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
from tests.factories.groups import make_group


@pytest.fixture
def shipped_bank(transactional_db: Any) -> None:
    """Transactional tests flush the database: put the shipped question bank back if it went."""
    from supervision.models import QuestionBankVersion

    if not QuestionBankVersion.objects.filter(number=1).exists():
        importlib.import_module("supervision.migrations.0003_question_bank_v1").load(apps, None)


def demo_like() -> SimpleNamespace:
    """A pool with one organisation (a lead and two staff), its commissioner, a supervisor with
    an agreement who also facilitates a group, and that group with two places."""
    pool = PoolFactory(name="Leeds pool")
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    lead = MembershipFactory(organisation=organisation, is_lead=True, user__first_name="Leila").user
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam").user
    chris = MembershipFactory(organisation=organisation, user__first_name="Chris").user
    commissioner = make_commissioner(pool, UserFactory(first_name="Carys"))
    supervisor = supervisor_with_availability("Ann")
    agree(pool, organisation, supervisor)
    world = SimpleNamespace(
        pool=pool,
        organisation=organisation,
        lead=lead,
        sam=sam,
        chris=chris,
        commissioner=commissioner,
        commissioner_secret=give_two_factor(commissioner),
        supervisor=supervisor,
        supervisor_secret=give_two_factor(supervisor.user),
    )
    world.group = make_group(world, facilitator=supervisor, now=timezone.now(), booking_opens_days=60)
    world.session = GroupSession.objects.filter(group=world.group).order_by("starts_at").first()
    return world


def by_nav(page: Any, label: str) -> Any:
    """Follow a link in the navigation bar; it is then marked as the current section."""
    menu = page.get_by_role("navigation", name="Menu")
    with page.expect_navigation():
        menu.get_by_role("link", name=label, exact=True).click()
    checked(page)
    assert menu.locator("[aria-current]").inner_text() == label
    return page


def areas(page: Any, expected: dict[str, str]) -> None:
    """Each nav link in turn, with the page heading it leads to; then home again by the nav."""
    found = {}
    for label in expected:
        by_nav(page, label)
        found[label] = heading(page)
    assert found == expected
    by_nav(page, "Home")


@pytest.mark.django_db(transaction=True)
def test_staff_find_supervision_groups_places_and_their_calendar(live_server: Any, person: Callable[[], Any]) -> None:
    world = demo_like()
    page = person()
    sign_in(page, live_server.url, world.sam.email, PASSWORD)
    checked(page)
    areas(
        page,
        {
            "Book supervision": "Supervision",
            "Reflective groups": "Reflective groups",
            "My places": "Your places",
            "Calendar": "Your sessions in your own calendar",
            "Your organisation": "Harehills Drama",
            "Your account": "Your account",
        },
    )
    # The home page's panel leads to the same places.
    follow(page, "Find a reflective group")
    assert heading(page) == "Reflective groups"
    by_nav(page, "Home")
    follow(page, "Your places and waitlists")
    assert heading(page) == "Your places"


@pytest.mark.django_db(transaction=True)
def test_a_lead_finds_the_questionnaire_usage_and_group_totals(
    live_server: Any, person: Callable[[], Any], shipped_bank: Any
) -> None:
    world = demo_like()
    page = person()
    sign_in(page, live_server.url, world.lead.email, PASSWORD)
    checked(page)
    areas(page, {"Do we need supervision?": "Do we need clinical supervision?", "Your organisation": "Harehills Drama"})
    follow(page, "How your organisation uses its hours")
    assert heading(page) == "Your use of your allocations"
    by_nav(page, "Home")
    follow(page, "Harehills Drama: reflective group totals")
    assert "Harehills Drama" in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_finds_availability_sessions_requests_and_their_registers(
    live_server: Any, person: Callable[[], Any]
) -> None:
    world = demo_like()
    page = person()
    sign_in(page, live_server.url, world.supervisor.user.email, PASSWORD, secret=world.supervisor_secret)
    checked(page)
    areas(
        page,
        {
            "Availability": "Your availability",
            "Your sessions": "Your supervision sessions",
            "Requests and agreements": "Requests",
            "Groups you run": "Groups you run",
            "Calendar": "Your sessions in your own calendar",
        },
    )
    follow(page, f"Register: {world.group.title}")
    assert heading(page).startswith("Register, ")
    assert world.group.title in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_finds_the_pool_its_dashboard_and_groups_and_is_asked_before_recalculating(
    live_server: Any, person: Callable[[], Any], browser: Any, browser_context_args: dict[str, Any]
) -> None:
    world = demo_like()
    world.pool.allocation_rule = "equal"
    world.pool.save()
    world.pool.invitations.create(
        kind="pool_organisation",
        email="a.very.long.address.for.a.new.organisation@chapeltown-community-hub.example.org",
        token_hash="x" * 64,
        invited_by=world.commissioner,
        expires_at=timezone.now() + timezone.timedelta(days=14),
    )
    page = person()
    sign_in(page, live_server.url, world.commissioner.email, PASSWORD, secret=world.commissioner_secret)
    checked(page)
    areas(page, {"Your pool": "Leeds pool", "Dashboard": "Leeds pool", "Manage groups": "Reflective groups"})
    follow(page, "Dashboard for Leeds pool")
    by_nav(page, "Your pool")
    follow(page, "Recalculate allocations")
    assert heading(page) == "Recalculate allocations?"
    follow(page, "Keep them as they are")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Withdraw the invitation to a.very.long", exact=False).click()
    checked(page)
    assert heading(page).startswith("Withdraw the invitation to a.very.long.address")
    submit(page, "Withdraw the invitation")
    assert "is withdrawn" in page.locator("main").inner_text()

    # Reflow: at 320 px wide the pool page does not scroll sideways (its tables scroll in their
    # own labelled regions).
    narrow = browser.new_context(**{**browser_context_args, "viewport": {"width": 320, "height": 800}})
    narrow.add_cookies(page.context.cookies())
    small = narrow.new_page()
    small.goto(page.url)
    checked(small)
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    assert small.get_by_role("region", name="Invitations sent").count() == 1
    narrow.close()


@pytest.mark.django_db(transaction=True)
def test_a_held_offer_is_on_the_home_page_and_taken_from_there(live_server: Any, person: Callable[[], Any]) -> None:
    world = demo_like()
    places = [book_place(world.session, acting_user=someone) for someone in (world.lead, world.chris)]
    join_waitlist(world.session, acting_user=world.sam)
    cancel_place(places[1], acting_user=world.chris)

    page = person()
    sign_in(page, live_server.url, world.sam.email, PASSWORD)
    checked(page)
    main = page.locator("main").inner_text()
    assert "A place is held for you" in main
    assert "then it passes to the next person waiting" in main
    follow(page, f"Take your place in {world.group.title}")
    submit(page, "Take the place")
    assert Place.objects.get(session=world.session, user=world.sam).status == PlaceStatus.BOOKED
    by_nav(page, "Home")
    assert "A place is held for you" not in page.locator("main").inner_text()
