"""API tokens in a real browser: a lead with two-factor authentication goes from their home page
to their account, makes a token (shown once), uses it against the API, then revokes it — with
the axe-core check on every page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.models import PersonalAccessToken
from tests.e2e.steps import checked, follow, heading, sign_in, submit
from tests.factories.core import PASSWORD, MembershipFactory, OrganisationFactory, give_two_factor

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _api(base: str, path: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {secret}"})  # noqa: S310 - the live test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_a_lead_makes_a_token_uses_it_and_revokes_it(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    organisation = OrganisationFactory(name="Harehills Drama")
    lead = MembershipFactory(organisation=organisation, is_lead=True, user__first_name="Leila").user
    secret_code = give_two_factor(lead)

    page = person()
    sign_in(page, base, lead.email, PASSWORD, secret=secret_code)
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Your account").click()
    checked(page)
    assert heading(page) == "Your account"
    page.locator("main").screenshot(path=str(SCREENSHOTS / "api-tokens-account.png"))
    follow(page, "Manage API tokens")
    assert heading(page) == "API tokens"
    assert "You have no tokens." in page.locator("main").inner_text()

    follow(page, "Make a token")
    page.get_by_label("Name").fill("Monthly report")
    page.get_by_label("Your organisations and their staff: read").check()
    page.get_by_label("After 90 days").check()
    submit(page, "Make the token")
    assert heading(page) == "Your new token"
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("rfl_")
    page.screenshot(path=str(SCREENSHOTS / "api-tokens-made.png"), full_page=True)
    token = PersonalAccessToken.objects.get(user=lead)
    assert token.token_hash != secret and secret not in token.token_hash

    # The program uses it: the lead's organisation, and nothing its scope does not allow.
    status, body = _api(base, "/api/v1/organisations/", secret)
    assert (status, [row["name"] for row in body["results"]]) == (200, ["Harehills Drama"])
    assert _api(base, "/api/v1/bookings/", secret)[0] == 403

    follow(page, "Back to your tokens")
    listing = page.locator("main table").inner_text()
    assert "Monthly report" in listing and "Works" in listing and "Never" not in listing  # used just now
    assert secret not in page.content()  # shown once: never again
    page.locator("main").screenshot(path=str(SCREENSHOTS / "api-tokens-list.png"))

    follow(page, "Revoke Monthly report")
    assert heading(page) == "Revoke “Monthly report”?"
    submit(page, "Revoke the token")
    assert "“Monthly report” is revoked: it no longer works." in page.locator("main").inner_text()
    assert "Revoked" in page.locator("main table").inner_text()
    status, body = _api(base, "/api/v1/organisations/", secret)
    assert status == 401
    assert body["title"] == "Sign in or send a token"

    # The documentation, linked from the tokens page: Swagger UI from our own static files
    # (it is the library's page, not ours, so it is not held to the axe-core check).
    docs = page.locator("main").get_by_role("link", name="Read the API's documentation").get_attribute("href")
    page.goto(base + docs)
    page.get_by_text("Reflect API").first.wait_for()
    page.get_by_text("/api/v1/bookings/").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_work_under_the_content_security_policy(live_server: Any, browser: Any) -> None:
    """The journeys' browser ignores the CSP (to inject axe-core); this one keeps it, and the
    docs page must still draw every operation with nothing refused."""
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.goto(live_server.url + "/api/v1/docs/")
        page.get_by_text("/api/v1/sessions/{session_id}/waitlist/").first.wait_for()
        assert refused == []
    finally:
        context.close()
