"""Sign-up → invitation → join → invite staff, in a real browser, as three people.

A commissioner (with a real TOTP authenticator) creates a pool and invites an organisation by
e-mail; the invited person creates an account from the link, confirms their address, registers
their organisation and joins the pool; as its lead they invite a colleague, who joins as staff.
Each person has their own browser context (their own cookies), as they would in life.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from reflect.models import Community, Membership, Pool, PoolOrganisation
from tests.e2e.steps import PASSWORD, follow, heading, link_in_last_email, sign_in, submit, type_date, visit
from tests.factories.core import PASSWORD as FACTORY_PASSWORD
from tests.factories.core import approved_commissioner


def sign_up_from_invitation(page: Any, base: str, link: str, *, first: str, last: str, email: str) -> None:
    """Open the e-mailed link, create an account, confirm the address from the second e-mail."""
    visit(page, link)
    follow(page, "Create an account")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Your e-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    submit(page, "Sign up")
    assert heading(page) == "Verify your email address"
    visit(page, link_in_last_email(email, r"http://\S+/accounts/confirm-email/\S+"))
    submit(page, "Confirm")


@pytest.mark.django_db(transaction=True)
def test_commissioner_invites_an_organisation_whose_lead_then_invites_a_colleague(
    live_server: Any, settings: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    settings.SITE_URL = base  # invitation e-mails link to the site under test
    Community.objects.get_or_create(name="Refugees and asylum seekers")
    # Approved by the platform's administrators: only approved commissioners create pools.
    commissioner = approved_commissioner(email="carys@leeds-icb.example.org", first_name="Carys")
    secret = generate_totp_secret()
    TOTP.activate(commissioner, secret)

    # The commissioner signs in with their second factor and creates a pool.
    carys = person()
    sign_in(carys, base, commissioner.email, FACTORY_PASSWORD, secret=secret)
    follow(carys, "create a pool")
    carys.get_by_label("Pool name").fill("Leeds grassroots pool 2027")
    type_date(carys, "Period starts", datetime.date(2027, 4, 1))
    type_date(carys, "Period ends", datetime.date(2027, 3, 31))  # a slip: before it starts
    carys.get_by_label("Hours budget").fill("120")
    carys.get_by_label("Money budget (£)").fill("7200")
    carys.get_by_label("Hourly rate (£)").fill("60")
    carys.get_by_label("Equal share").check()
    submit(carys, "Create pool")
    # The error summary takes the focus and links to the field; nothing was saved.
    summary = carys.locator(".govuk-error-summary")
    assert summary.locator("li").all_inner_texts() == ["The period must end after it starts."]
    assert carys.evaluate("document.activeElement.classList.contains('govuk-error-summary')") is True
    summary.get_by_role("link", name="The period must end after it starts.").click()
    assert carys.evaluate("document.activeElement.id") == "id_ends_on"
    assert Pool.objects.count() == 0
    type_date(carys, "Period ends", datetime.date(2028, 3, 31))
    submit(carys, "Create pool")
    assert heading(carys) == "Leeds grassroots pool 2027"
    pool_url = carys.url

    follow(carys, "Invite an organisation")
    carys.get_by_label("E-mail address").fill("amina@harehills-drama.example.org")
    submit(carys, "Send invitation")
    assert carys.url == pool_url
    assert "Invitation sent to amina@harehills-drama.example.org." in carys.locator("main").inner_text()

    # The invited person signs up from the link, confirms their address, and is brought back.
    amina = person()
    invitation_link = link_in_last_email("amina@harehills-drama.example.org", r"http://\S+/invitations/\S+/")
    sign_up_from_invitation(
        amina, base, invitation_link, first="Amina", last="Hussain", email="amina@harehills-drama.example.org"
    )
    assert heading(amina) == "Tell us about your organisation"
    amina.get_by_label("Organisation name").fill("Harehills Women's Drama Collective")
    amina.get_by_label("What the organisation does").fill("Drama workshops and peer support for women.")
    amina.get_by_label("Area", exact=True).fill("Leeds – Harehills")
    amina.get_by_label("Number of staff and regular volunteers").fill("6")
    amina.get_by_label("We run group work (groups, courses, drop-ins)").check()
    amina.get_by_label("Refugees and asylum seekers").check()
    submit(amina, "Register and join the pool")
    assert heading(amina) == "Harehills Women's Drama Collective"
    organisation_url = amina.url

    # As lead, Amina invites a colleague, who signs up from the link and joins as staff.
    follow(amina, "Invite a colleague")
    amina.get_by_label("E-mail address").fill("jo@harehills-drama.example.org")
    submit(amina, "Send invitation")
    jo = person()
    staff_link = link_in_last_email("jo@harehills-drama.example.org", r"http://\S+/invitations/\S+/")
    sign_up_from_invitation(jo, base, staff_link, first="Jo", last="Bailey", email="jo@harehills-drama.example.org")
    assert heading(jo) == "Join Harehills Women's Drama Collective"
    submit(jo, "Join Harehills Women's Drama Collective")
    assert jo.url == organisation_url
    assert "Welcome to Harehills Women's Drama Collective." in jo.locator("main").inner_text()

    # The organisation page lists both people; the pool page lists the organisation's allocation.
    visit(amina, organisation_url)
    people = amina.locator("table").first.locator("tbody tr")
    assert [row.locator("td").nth(0).inner_text() for row in people.all()] == ["Amina Hussain (you)", "Jo Bailey"]
    assert [row.locator("td").nth(1).inner_text() for row in people.all()] == ["Lead", "Staff"]
    visit(carys, pool_url)
    allocations = carys.locator("table").first.locator("tbody tr")
    assert [[cell.inner_text() for cell in row.locator("td").all()] for row in allocations.all()] == [
        ["Harehills Women's Drama Collective", "120", "£7,200"]
    ]
    # Hours and money read as reflect.wording writes them, the same on every database.
    assert carys.locator(".govuk-summary-list__row", has_text="Hours budget").locator("dd").inner_text() == (
        "120 hours (120 allocated, 0 not yet allocated)"
    )
    membership_rows = Membership.objects.filter(organisation__name="Harehills Women's Drama Collective")
    assert sorted((m.user.email, m.is_lead) for m in membership_rows) == [
        ("amina@harehills-drama.example.org", True),
        ("jo@harehills-drama.example.org", False),
    ]
    assert PoolOrganisation.objects.filter(pool__name="Leeds grassroots pool 2027").count() == 1
    assert len(mail.outbox) == 4  # two invitations, two address confirmations
