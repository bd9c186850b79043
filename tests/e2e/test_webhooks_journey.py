"""A commissioner, from their home page, adds a webhook endpoint for the pool, keeps its
signing secret, and sees the delivery of a booking made afterwards, checked by the receiving
system with the standardwebhooks library (docs/webhooks.md). Every page is checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.e2e.steps import checked, follow, sign_in, submit
from tests.factories.bookings import agree, book, supervisor_with_availability, utc
from tests.factories.core import PASSWORD, give_two_factor
from tests.webhooks.receiver import local_receiver

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_adds_an_endpoint_and_sees_a_booking_delivered(
    live_server: Any, person: Any, world: Any, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # the receiving system runs on this machine
    base = live_server.url
    secret_2fa = give_two_factor(world.commissioner)
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    page = person()
    with local_receiver() as receiver:
        sign_in(page, base, world.commissioner.email, PASSWORD, secret=secret_2fa)
        with page.expect_navigation():  # the navigation bar's link to the pool, from home
            page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your pool", exact=True).click()
        checked(page)
        page.screenshot(path=str(SCREENSHOTS / "webhooks-pool-link-after.png"), full_page=True)
        follow(page, "Webhooks: send the pool’s events to your own systems, signed")
        follow(page, "Add an endpoint")
        page.get_by_label("Endpoint address").fill(receiver.url)
        page.get_by_label("Description (optional)").fill("Funder dashboard")
        page.get_by_label("A supervision session is booked").check()
        submit(page, "Add endpoint")
        secret = page.get_by_test_id("signing-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        page.screenshot(path=str(SCREENSHOTS / "webhooks-secret-once-after.png"), full_page=True)

        # A member of staff books a session: the event is delivered once the booking commits.
        book(agreement, world.member, utc(11, 10))
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "booking.created"

        page.reload()
        checked(page)
        row = page.locator("main table tbody tr").first
        assert "booking.created" in row.inner_text()
        assert "Delivered" in row.inner_text()
        assert "200" in row.inner_text()
        assert "whsec_" not in page.locator("main").inner_text()  # the secret was shown once
        page.screenshot(path=str(SCREENSHOTS / "webhooks-endpoint-after.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_lead_adds_an_endpoint_offered_no_reflective_group_event(
    live_server: Any, person: Any, world: Any, settings: Any
) -> None:
    """Which of their staff took a group place is not the lead's to know: the form offers the
    supervision sessions' and the allocation's events only (docs/webhooks.md, "Who hears what")."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    page = person()
    with local_receiver() as receiver:
        sign_in(page, live_server.url, world.lead.email, PASSWORD)
        with page.expect_navigation():
            page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your organisation").click()
        follow(page, "Webhooks: send your organisation’s events to your own systems")
        checked(page)
        assert "Nothing about reflective groups is sent" in page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "webhooks-lead-endpoints-after.png"), full_page=True)
        follow(page, "Add an endpoint")
        checked(page)
        offered = page.locator("main input[type=checkbox]").evaluate_all("boxes => boxes.map(box => box.value)")
        assert offered == ["booking.created", "booking.changed", "booking.cancelled", "allocation.changed"]
        page.screenshot(path=str(SCREENSHOTS / "webhooks-lead-form-after.png"), full_page=True)
        page.get_by_label("Endpoint address").fill(receiver.url)
        page.get_by_label("A supervision session is booked").check()
        submit(page, "Add endpoint")
        assert page.get_by_test_id("signing-secret").inner_text().strip().startswith("whsec_")
