"""The navigation bar per role, the home page's next steps, and the pages that ask before a
destructive action (issue 18, "Findable" and "Forgiving")."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.enums import AllocationRule, InvitationKind
from reflect.models import Invitation, Membership, Notification
from reflect.navigation import nav_items
from reflect.services.invitations import create_invitation
from reflect.services.pools import allocated_hours_by_organisation
from scheduling.groups.notices import session_when
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupSession
from scheduling.services.booking_notices import booking_when
from tests.factories.bookings import agree, book, supervisor_with_availability
from tests.factories.core import OrganisationFactory, give_two_factor
from tests.factories.groups import make_facilitator, make_group
from tests.factories.supervision import make_supervisor

pytestmark = pytest.mark.django_db

STAFF = ["Home", "Book supervision", "Reflective groups", "My places", "Calendar", "Your organisation"]


def labels(user, path="/"):
    return [item["label"] for item in nav_items(user, path)]


def test_each_role_sees_its_own_main_areas(world):
    assert labels(world.member) == [*STAFF, "Your account"]
    assert labels(world.lead) == [*STAFF[:5], "Do we need supervision?", "Your organisation", "Your account"]
    assert labels(world.commissioner) == ["Home", "Your pool", "Dashboard", "Manage groups", "Your account"]
    supervisor = make_supervisor().user
    assert labels(supervisor) == [
        "Home",
        "Availability",
        "Your sessions",
        "Requests and agreements",
        "Calendar",
        "Your account",
    ]
    facilitator = make_facilitator()
    make_group(world, facilitator=facilitator)
    assert labels(facilitator.user) == [
        "Home",
        "Availability",
        "Your sessions",
        "Requests and agreements",
        "Groups you run",
        "Calendar",
        "Your account",
    ]


def test_administrators_reach_the_admin(admin_user):
    assert [(i["label"], i["url"]) for i in nav_items(admin_user, "/")] == [
        ("Home", "/"),
        ("Admin", "/admin/"),
        ("Your account", "/account/"),
    ]


def test_each_link_goes_where_it_says(world):
    urls = {item["label"]: item["url"] for item in nav_items(world.commissioner, "/")}
    assert urls == {
        "Home": "/",
        "Your pool": reverse("pool_detail", args=[world.pool.pk]),
        "Dashboard": reverse("pool_dashboard", args=[world.pool.pk]),
        "Manage groups": reverse("group_pool_groups", args=[world.pool.pk]),
        "Your account": reverse("account"),
    }
    urls = {item["label"]: item["url"] for item in nav_items(world.member, "/")}
    assert urls["Your organisation"] == reverse("organisation_detail", args=[world.organisation.pk])
    assert urls["My places"] == reverse("group_my_places")


def test_someone_in_two_organisations_or_pools_gets_the_lists(world):
    Membership.objects.create(user=world.member, organisation=world.other_organisation)
    assert {item["label"]: item["url"] for item in nav_items(world.member, "/")}["Your organisations"] == reverse(
        "organisation_list"
    )
    world.other_pool.commissioners.add(world.commissioner)
    assert labels(world.commissioner) == ["Home", "Your pools", "Your account"]


def test_the_current_section_is_marked(world):
    def current(path):
        return [(i["label"], i["page"]) for i in nav_items(world.member, path) if i["current"]]

    assert current("/") == [("Home", True)]
    assert current(reverse("group_my_places")) == [("My places", True)]  # not "Reflective groups"
    assert current("/groups/sessions/1/") == [("Reflective groups", False)]
    assert current(reverse("contact_preferences")) == [("Your account", False)]
    assert current(reverse("privacy")) == []
    assert [
        i["label"] for i in nav_items(world.commissioner, f"/pools/{world.pool.pk}/dashboard/") if i["current"]
    ] == ["Dashboard"]


def test_the_page_marks_it_the_gov_uk_way(client, world):
    client.force_login(world.member)
    html = client.get(reverse("group_my_places")).content.decode()
    assert (
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">\n'
        '                <a class="govuk-service-navigation__link" href="/groups/my-places/" aria-current="page">'
        '<strong class="govuk-service-navigation__active-fallback">My places</strong></a>'
    ) in html
    assert '<a class="govuk-service-navigation__link" href="/groups/">Reflective groups</a>' in html


def test_the_navigation_costs_two_queries_whatever_the_roles(world, django_assert_num_queries):
    facilitator = make_facilitator()
    make_group(world, facilitator=facilitator)
    for user in (world.member, world.lead, world.commissioner, facilitator.user):
        with django_assert_num_queries(2):
            nav_items(user, "/")


def test_every_page_links_the_accessibility_statement(client, world):
    assert '<a class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>' in (
        client.get(reverse("home")).content.decode()
    )
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "How accessible Reflect is",
        "Reporting accessibility problems with Reflect",
        "Enforcement procedure",
        "How we tested Reflect",
    ):
        assert f'<h2 class="govuk-heading-m">{heading}</h2>' in html
    assert 'href="mailto:accessibility@reflect.test"' in html
    assert f"This statement was last reviewed on {wording.date(datetime.date(2026, 12, 7))}." in html


# The home page: what to do next


def test_a_held_offer_is_on_the_home_page_with_how_long_and_a_link(client, world):
    now = timezone.now()
    group = make_group(world, capacity=2, now=now, booking_opens_days=60)
    session = GroupSession.objects.filter(group=group).order_by("starts_at").first()
    places = [book_place(session, acting_user=person, now=now) for person in (world.lead, world.colleague)]
    entry = join_waitlist(session, acting_user=world.member, now=now)
    cancel_place(places[1], acting_user=world.colleague, now=now)
    entry.refresh_from_db()
    assert entry.offered_until == now + datetime.timedelta(hours=24)

    client.force_login(world.member)
    panels = client.get(reverse("home")).context["panels"]
    held = panels[0]
    assert (held.role, held.title) == ("Waitlist", "A place is held for you")
    assert [(s.label, s.url, s.description) for s in held.steps] == [
        (
            "Take your place in Leeds reflective practice",
            reverse("group_session", args=[session.pk]),
            f"{session_when(session)}. Held for you until {wording.moment(entry.offered_until)} "
            "(about 23 hours from now); then it passes to the next person waiting.",
        )
    ]
    # Nobody else's home shows it, and it names nobody.
    client.force_login(world.colleague)
    assert "A place is held for you" not in client.get(reverse("home")).content.decode()


def test_staff_and_facilitators_find_groups_places_and_registers_from_home(client, world):
    facilitator = make_facilitator()
    group = make_group(world, facilitator=facilitator, now=timezone.now())
    session = GroupSession.objects.filter(group=group).order_by("starts_at").first()
    client.force_login(world.member)
    html = client.get(reverse("home")).content.decode()
    assert f'<a class="govuk-link" href="{reverse("group_sessions")}">Find a reflective group</a>' in html
    assert f'<a class="govuk-link" href="{reverse("group_my_places")}">Your places and waitlists</a>' in html
    client.force_login(facilitator.user)
    panels = client.get(reverse("home")).context["panels"]
    facilitating = next(p for p in panels if p.role == "Facilitator")
    assert [(s.label, s.url) for s in facilitating.steps] == [
        (f"Register: {group.title}", reverse("group_register", args=[session.pk])),
        ("All the sessions you run", reverse("group_facilitated")),
    ]


# Asking before a destructive action


def test_withdrawing_a_pool_invitation_asks_first_and_says_what_happens(client, world):
    invitation, _ = create_invitation(
        InvitationKind.POOL_ORGANISATION, "lead@newgroup.org", acting_user=world.commissioner, pool=world.pool
    )
    url = reverse("pool_invitation_revoke", args=[world.pool.pk, invitation.pk])
    give_two_factor(world.commissioner)
    client.force_login(world.commissioner)
    pool_page = client.get(reverse("pool_detail", args=[world.pool.pk])).content.decode()
    assert f'<a class="govuk-link" href="{url}">Withdraw' in pool_page
    page = client.get(url)
    html = page.content.decode()
    assert '<h1 class="govuk-heading-l">Withdraw the invitation to lead@newgroup.org?</h1>' in html
    assert (
        f"The link in the e-mail we sent on {wording.date(invitation.created_at)} will stop working, so "
        "lead@newgroup.org cannot use it to join Leeds pool." in html
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None  # asking changed nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("pool_detail", args=[world.pool.pk]), 302)]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not Notification.objects.filter(about=f"reflect.invitation:{invitation.pk}", status="pending").exists()
    # Asked again, the page says there is nothing left to withdraw.
    assert "This invitation is no longer open" in client.get(url).content.decode()


def test_withdrawing_a_staff_invitation_asks_first_and_only_the_lead_may(client, world):
    invitation, _ = create_invitation(
        InvitationKind.ORGANISATION_STAFF, "new@harehills.org", acting_user=world.lead, organisation=world.organisation
    )
    url = reverse("organisation_invitation_revoke", args=[world.organisation.pk, invitation.pk])
    client.force_login(world.member)  # staff, not its lead
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(world.lead)
    assert "Withdraw the invitation to new@harehills.org?" in client.get(url).content.decode()
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    client.post(url)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_recalculating_allocations_shows_now_and_after_before_it_changes_anything(client, world):
    world.pool.allocation_rule = AllocationRule.EQUAL
    world.pool.hours_budget = Decimal("100")
    world.pool.save()
    OrganisationFactory(name="Chapeltown Hub", in_pool=world.pool)
    before = allocated_hours_by_organisation(world.pool)
    url = reverse("pool_reallocate", args=[world.pool.pk])
    give_two_factor(world.commissioner)
    client.force_login(world.commissioner)
    assert (
        f'href="{url}">Recalculate allocations</a>'
        in client.get(reverse("pool_detail", args=[world.pool.pk])).content.decode()
    )
    page = client.get(url)
    rows = [(r.organisation.name, r.now, r.after) for r in page.context["rows"]]
    assert rows == [
        ("Chapeltown Hub", Decimal(0), Decimal("50")),
        ("Harehills Drama", before.get(world.organisation.pk, Decimal(0)), Decimal("50")),
    ]
    html = page.content.decode()
    assert f"<strong>{wording.hours(50)}</strong>" in html
    assert allocated_hours_by_organisation(world.pool) == before  # asking changed nothing
    client.post(url)
    after = allocated_hours_by_organisation(world.pool)
    assert [after[r.organisation.pk] for r in page.context["rows"]] == [Decimal("50"), Decimal("50")]


def test_outsiders_cannot_reach_the_confirmation_pages(client, world):
    invitation, _ = create_invitation(
        InvitationKind.POOL_ORGANISATION, "lead@newgroup.org", acting_user=world.commissioner, pool=world.pool
    )
    client.force_login(world.other_commissioner)
    assert client.get(reverse("pool_invitation_revoke", args=[world.pool.pk, invitation.pk])).status_code == 404
    assert client.get(reverse("pool_reallocate", args=[world.pool.pk])).status_code == 404


def test_the_home_page_costs_the_same_queries_with_more_groups_places_and_offers(client, world):
    def queries() -> int:
        client.force_login(world.member)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    now = timezone.now()

    def full_session_offered_to_member(title: str) -> None:
        group = make_group(world, title=title, capacity=1, now=now, booking_opens_days=60)
        session = GroupSession.objects.filter(group=group).order_by("starts_at").first()
        place = book_place(session, acting_user=world.colleague, now=now)
        join_waitlist(session, acting_user=world.member, now=now)
        cancel_place(place, acting_user=world.colleague, now=now)

    full_session_offered_to_member("Group one")
    one = queries()
    full_session_offered_to_member("Group two")
    full_session_offered_to_member("Group three")
    assert len(client.get(reverse("home")).context["panels"][0].steps) == 3
    assert queries() == one


# The home page's queries for each role, exactly (issue 20: the home page's cost is watched per
# role, so a panel that adds a query shows here). Each count is the page a second time: the
# session, the person, their memberships, and one row of facts about them (their roles, and
# whether an invitation, a held place, a check-in, an agreement, a supervision session or a
# group place is waiting: read once for the navigation and every panel); then only the panels
# for what the person has. A lead adds the latest questionnaire result; a commissioner, their
# pools; a supervisor, their profile, weekly hours and sessions changed in their connected
# calendar. A held place, a check-in due, a session or a place ahead adds its own query.
HOME_QUERIES = {"lead": 5, "member": 4, "commissioner": 5, "supervisor": 7}


def test_the_home_page_costs_an_exact_number_of_queries_for_each_role(client, world):
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    people = {
        "lead": world.lead,
        "member": world.member,
        "commissioner": world.commissioner,
        "supervisor": agreement.supervisor.user,
    }
    counted = {}
    for role, person in people.items():
        give_two_factor(person)
        client.force_login(person)
        assert client.get(reverse("home")).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        counted[role] = len(captured)
    assert counted == HOME_QUERIES


def test_a_session_and_a_place_ahead_are_on_the_home_page_at_one_query_each(client, world):
    """The row of facts says whether a supervision session or a group place lies ahead; only then
    does each panel read its next one."""
    client.force_login(world.member)

    def home():
        with CaptureQueriesContext(connection) as captured:
            html = client.get(reverse("home")).content.decode()
        return html, len(captured)

    html, nothing_ahead = home()
    assert "You have no place booked yet." in html
    assert "Next session:" not in html
    now = timezone.now()
    # Ten o'clock London time on the Monday at least three days ahead: the supervisor is free then.
    day = timezone.localdate() + datetime.timedelta(days=3)
    day += datetime.timedelta(days=-day.weekday() % 7)
    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=ZoneInfo("Europe/London"))
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    booking = book(agreement, world.member, start, now=now)
    group = make_group(world, now=now, booking_opens_days=60)
    session = GroupSession.objects.filter(group=group).order_by("starts_at").first()
    book_place(session, acting_user=world.member, now=now)
    html, both_ahead = home()
    assert f"Next session: {booking_when(booking)}" in html
    assert reverse("supervision_session", args=[booking.pk]) in html
    assert f"Next: Leeds reflective practice, {session_when(session)}" in html
    assert (nothing_ahead, both_ahead) == (HOME_QUERIES["member"], HOME_QUERIES["member"] + 2)


def test_a_panel_with_nothing_waiting_costs_no_query_and_one_when_something_is(client, world):
    """The home page asks in one row whether an invitation is waiting; only then it lists them."""
    person = world.commissioner
    give_two_factor(person)
    client.force_login(person)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as nothing_waiting:
        assert "Invitations waiting for you" not in client.get(reverse("home")).content.decode()
    invitation, _ = create_invitation(
        InvitationKind.ORGANISATION_STAFF, person.email, acting_user=world.lead, organisation=world.organisation
    )
    with CaptureQueriesContext(connection) as one_waiting:
        html = client.get(reverse("home")).content.decode()
    assert "Invitations waiting for you" in html
    assert reverse("invitation_for_me", args=[invitation.pk]) in html
    assert (len(nothing_waiting), len(one_waiting)) == (HOME_QUERIES["commissioner"], HOME_QUERIES["commissioner"] + 1)
