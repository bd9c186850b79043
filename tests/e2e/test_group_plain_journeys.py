"""Reflective groups made plain (issue 18), in a browser from each role's home page, following
links, with the axe-core check on every page: a commissioner creates a monthly group in words
and sees its first six dates before saving; a member of staff books the next session from
/groups/ and cancels it on the page that asks first; a facilitator corrects a register mark;
the lead's totals reflow at 320 px."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.utils import timezone

from reflect import wording
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry
from scheduling.groups.changes import create_group
from scheduling.groups.notices import session_when
from scheduling.groups.places import book_place
from scheduling.models import GroupSession, Place, PlaceStatus, ReflectiveGroup
from supervision.models import SupervisorProfile
from tests.e2e.conftest import assert_accessible
from tests.e2e.steps import follow, heading, sign_in, submit
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


def main_text(page: Any) -> str:
    return page.locator("main").inner_text()


def press(page: Any, name: str) -> None:
    """Press a button whose accessible name starts with ``name`` (list buttons say which session)."""
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=name).first.click()
    assert_accessible(page)


@pytest.fixture
def leeds(db: None) -> dict[str, Any]:
    pool = PoolFactory(name="Leeds pool", from_this_month=True)
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam", user__email="sam@example.org").user
    lead = MembershipFactory(
        organisation=organisation, is_lead=True, user__first_name="Leila", user__email="leila@example.org"
    ).user
    carys = make_commissioner(pool, UserFactory(first_name="Carys", email="carys@example.org"))
    ann = UserFactory(first_name="Ann", last_name="Carter", email="ann@example.org")
    facilitator = SupervisorProfile.objects.create(
        user=ann, profession="Counselling psychologist", verified_at=timezone.now()
    )
    return {
        "pool": pool,
        "organisation": organisation,
        "sam": sam,
        "lead": lead,
        "carys": carys,
        "carys_secret": give_two_factor(carys),
        "ann": ann,
        "ann_secret": give_two_factor(ann),
        "facilitator": facilitator,
    }


def weekly_group(leeds: dict[str, Any], **fields: Any) -> ReflectiveGroup:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    values = {
        "title": "Harehills reflective practice",
        "rrule": "FREQ=WEEKLY",
        "first_date": tomorrow,
        "start_time": datetime.time(14, 0),
        "duration_minutes": 90,
        "capacity": 8,
        "booking_opens_days": 365,
        "facilitator": leeds["facilitator"],
        "location": "Room 2, Harehills Community Hub",
        "ground_rules": "What is said here stays here.",
        "confidentiality_statement": "Nothing said is written down.",
    }
    return create_group(leeds["pool"], acting_user=leeds["carys"], **(values | fields))


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_creates_a_monthly_group_in_words_and_sees_six_dates_first(
    live_server: Any, person: Callable[[], Any], leeds: dict[str, Any]
) -> None:
    base = live_server.url
    page = person()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, leeds["carys"].email, PASSWORD, secret=leeds["carys_secret"])
    follow(page, "Leeds pool")
    follow(page, "Reflective groups: create them, move or cancel a session, fill cohorts")
    follow(page, "Create a reflective group")
    assert page.get_by_label("Once a month, on a day of the week").is_checked()  # the default
    assert page.input_value("#id_duration_minutes") == "90"
    assert page.input_value("#id_capacity") == "8"
    page.fill("#id_title", "Chapeltown reflective practice")
    page.select_option("#id_facilitator", str(leeds["facilitator"].pk))
    page.select_option("#id_month_ordinal", "2")  # the second …
    page.select_option("#id_month_weekday", "2")  # … Wednesday
    today = timezone.localdate()
    page.fill("#id_first_date", str(today.day))
    page.fill("#id_first_date_month", str(today.month))
    page.fill("#id_first_date_year", str(today.year))
    page.fill("#id_start_time", "2pm")
    page.fill("#id_location", "Room 1, Chapeltown Community Hub")
    page.fill("#id_ground_rules", "What is said here stays here.")
    page.fill("#id_confidentiality_statement", "Nothing said is written down.")
    submit(page, "Preview dates")
    assert ReflectiveGroup.objects.count() == 0  # a preview saves nothing
    preview = page.locator("#preview")
    assert "Every month on the second Wednesday, for 90 minutes." in preview.inner_text()
    shown = [item.strip() for item in preview.locator("li").all_inner_texts()]
    assert len(shown) == 6
    ends = wording.day(leeds["pool"].ends_on)
    assert f"The series stops when the pool ends, on {ends}: no session is made after it." in preview.inner_text()

    submit(page, "Create group")
    assert "Chapeltown reflective practice is created with 12 sessions." in main_text(page)
    group = ReflectiveGroup.objects.get()
    assert group.rrule == "FREQ=MONTHLY;BYDAY=+2WE"
    made = [wording.moment(s.starts_at, "Europe/London") for s in group.sessions.order_by("starts_at")[:6]]
    assert shown == made


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_creates_a_group_on_dates_they_choose_and_sees_every_one_first(
    live_server: Any, person: Callable[[], Any], leeds: dict[str, Any]
) -> None:
    base = live_server.url
    page = person()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, leeds["carys"].email, PASSWORD, secret=leeds["carys_secret"])
    follow(page, "Leeds pool")
    follow(page, "Reflective groups: create them, move or cancel a session, fill cohorts")
    follow(page, "Create a reflective group")
    page.fill("#id_title", "Harehills on chosen dates")
    page.select_option("#id_facilitator", str(leeds["facilitator"].pk))
    page.get_by_label("On dates I choose").check()
    today = timezone.localdate()
    days = [today + datetime.timedelta(days=n) for n in (35, 14, 70)]  # typed in any order
    page.fill("#id_chosen_dates", "\n".join(f"{d.day} {d.month} {d.year}" for d in days))
    page.fill("#id_start_time", "6:30pm")
    page.fill("#id_location", "Room 2, Harehills Community Hub")
    page.fill("#id_ground_rules", "What is said here stays here.")
    page.fill("#id_confidentiality_statement", "Nothing said is written down.")
    submit(page, "Preview dates")
    assert ReflectiveGroup.objects.count() == 0  # a preview saves nothing
    preview = page.locator("#preview")
    assert "On 3 dates chosen in advance, for 90 minutes." in preview.inner_text()
    shown = [item.strip() for item in preview.locator("li").all_inner_texts()]
    at = datetime.time(18, 30)
    expected = [
        wording.moment(datetime.datetime.combine(d, at, tzinfo=ZoneInfo("Europe/London"))) for d in sorted(days)
    ]
    assert shown == expected
    assert "These are all its dates: no other session is made." in preview.inner_text()

    submit(page, "Create group")
    assert "Harehills on chosen dates is created with 3 sessions." in main_text(page)
    group = ReflectiveGroup.objects.get()
    assert [wording.moment(s.starts_at) for s in group.sessions.order_by("starts_at")] == expected


@pytest.mark.django_db(transaction=True)
def test_staff_book_the_next_session_from_the_list_and_cancel_on_the_page_that_asks_first(
    live_server: Any, person: Callable[[], Any], leeds: dict[str, Any]
) -> None:
    base = live_server.url
    group = weekly_group(leeds)
    session = group.sessions.order_by("starts_at").first()
    when = session_when(session)
    page = person()
    sign_in(page, base, leeds["sam"].email, PASSWORD)
    follow(page, "Find a reflective group")
    assert "8 places left" in main_text(page)
    press(page, f"Book a place on {when}")
    assert "You have a place" in main_text(page)
    assert Place.objects.get(user=leeds["sam"]).session == session

    follow(page, "Cancel my place")
    assert heading(page) == f"Cancel your place on {when}?"
    assert "the place goes to the first person on the waitlist, if anyone is waiting;" in main_text(page)
    assert Place.objects.get(user=leeds["sam"]).status == PlaceStatus.BOOKED  # asking changes nothing
    submit(page, "Yes, cancel my place")
    assert "Your place is cancelled" in main_text(page)
    assert Place.objects.get(user=leeds["sam"]).status == PlaceStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_a_facilitator_corrects_a_register_mark_and_the_ledger_stays_exact(
    live_server: Any, person: Callable[[], Any], leeds: dict[str, Any]
) -> None:
    base = live_server.url
    group = weekly_group(leeds)
    session = group.sessions.order_by("starts_at").first()
    book_place(session, acting_user=leeds["sam"])
    started = timezone.now() - datetime.timedelta(minutes=30)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=started, ends_at=started + datetime.timedelta(hours=2))

    def totals() -> tuple[int, int]:
        def total(kind: str) -> int:
            return LedgerEntry.objects.filter(kind=kind).aggregate(t=Sum("quantity"))["t"] or 0

        return total(LedgerKind.PLACE_ATTENDED), total(LedgerKind.PLACE_MISSED)

    page = person()
    sign_in(page, base, leeds["ann"].email, PASSWORD, secret=leeds["ann_secret"])
    follow(page, "All the sessions you run")
    page.locator("main").get_by_role("link", name="Harehills reflective practice").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    submit(page, "Attended")
    assert "Sam marked attended." in main_text(page)
    assert totals() == (1, 0)
    press(page, "Change to absent")
    assert "Sam changed to absent." in main_text(page)
    assert totals() == (0, 1)
    press(page, "Change to attended")
    assert "Sam changed to attended." in main_text(page)
    assert totals() == (1, 0)
    assert Place.objects.get(user=leeds["sam"]).status == PlaceStatus.ATTENDED


@pytest.mark.django_db(transaction=True)
def test_the_leads_group_totals_reflow_at_320_pixels(
    live_server: Any, person: Callable[[], Any], leeds: dict[str, Any]
) -> None:
    base = live_server.url
    book_place(weekly_group(leeds).sessions.order_by("starts_at").first(), acting_user=leeds["sam"])
    page = person()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, base, leeds["lead"].email, PASSWORD)
    follow(page, "See Harehills Drama")
    follow(page, "Reflective groups: your totals")
    region = page.get_by_role("region", name="Reflective-group places of Harehills Drama, by pool")
    assert region.get_attribute("tabindex") == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
