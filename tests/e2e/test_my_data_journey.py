"""My data in a real browser: a member of staff downloads their data, then erases their account
after re-authenticating — their future place goes to the colleague waiting — with the axe-core
check on every page."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from reflect.models import ContactPreferences, LedgerEntry, User
from scheduling.groups.changes import create_group
from scheduling.groups.places import book_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import Place, PlaceStatus, WaitlistEntry, WaitlistStatus
from supervision.models import SupervisorProfile
from tests.e2e.steps import checked, follow, heading, sign_in, submit, visit
from tests.factories.core import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    add_to_pool,
    make_commissioner,
)


@pytest.mark.django_db(transaction=True)
def test_a_member_of_staff_takes_their_data_then_erases_their_account(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    MembershipFactory(organisation=organisation, is_lead=True, user__first_name="Leila")
    sam = MembershipFactory(
        organisation=organisation, user__first_name="Samira", user__last_name="Okonjo", user__email="samira@example.net"
    ).user
    ContactPreferences.objects.create(user=sam, phone="07700 900789")
    chris = MembershipFactory(organisation=organisation, user__first_name="Chris").user
    now = timezone.now()
    group = create_group(
        pool,
        acting_user=make_commissioner(pool),
        now=now,
        title="Leeds reflective practice",
        description="Monthly.",
        rrule="FREQ=MONTHLY;BYDAY=+2WE",
        first_date=(now + datetime.timedelta(days=1)).date(),
        start_time=datetime.time(14, 0),
        duration_minutes=120,
        time_zone="Europe/London",
        capacity=1,
        booking_opens_days=400,
        ground_rules="What is said here stays here.",
        confidentiality_statement="Nothing said is written down.",
        facilitator=SupervisorProfile.objects.create(user=UserFactory(), profession="counsellor", verified_at=now),
    )
    session = group.sessions.order_by("starts_at").first()
    place = book_place(session, acting_user=sam)
    join_waitlist(session, acting_user=chris)
    ledger_before = LedgerEntry.objects.count()

    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    visit(page, base + "/account/")
    follow(page, "See your data")
    assert heading(page) == "Your data"
    assert "Your reflective-group places" in page.locator("main").inner_text()

    # Take a copy: the readable one and the one for a computer.
    with page.expect_download() as html_download:
        page.get_by_role("link", name="Download a copy to read (HTML)").click()
    html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert "<dd>Leeds reflective practice</dd>" in html and "samira@example.net" in html
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download a copy for a computer (JSON)").click()
    document = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    places = next(s for s in document["sections"] if s["key"] == "scheduling.place")["rows"]
    assert [(p["Group"], p["Status"]) for p in places] == [("Leeds reflective practice", "Booked")]
    assert "Chris" not in json.dumps(document)

    # Erase: the explanation, the password again, the box to tick.
    follow(page, "Find out what happens and erase your account")
    assert heading(page) == "Erase your account"
    follow(page, "Continue to erase your account")
    assert "/accounts/reauthenticate/" in page.url
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button").click()
    checked(page)
    assert heading(page) == "Erase your account now?"
    submit(page, "Erase my account")
    assert "Tick the box to confirm that you want your account erased" in page.locator("main").inner_text()
    page.get_by_label("I understand that my account will be erased and that this cannot be undone").check()
    submit(page, "Erase my account")
    assert heading(page) == "Your account has been erased"

    erased = User.objects.get(pk=sam.pk)
    assert (erased.email, erased.first_name, erased.erased_at is not None) == (
        f"erased-{sam.pk}@erased.invalid",
        "",
        True,
    )
    assert Place.objects.get(pk=place.pk).status == PlaceStatus.CANCELLED
    assert WaitlistEntry.objects.get(user=chris).status == WaitlistStatus.OFFERED
    assert list(LedgerEntry.objects.order_by("pk").values_list("kind", flat=True)[ledger_before:]) == [
        "place_cancelled",
        "waitlist_offered",
    ]
    # Signed out, and the old password no longer works.
    visit(page, base + "/accounts/login/")
    page.get_by_label("Your e-mail address").fill("samira@example.net")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    assert page.url.startswith(base + "/accounts/login/")
