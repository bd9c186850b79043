"""Commissioner creates a reflective group → one member of staff books its last place → another
joins the waitlist → the first cancels → the second is offered the place and takes it → the
facilitator marks the register; in a real browser, with the axe-core check on every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from reflect.disclosure import disclosed
from reflect.models import Notification
from scheduling.models import GroupSession, Place, PlaceStatus, ReflectiveGroup, WaitlistEntry, WaitlistStatus
from supervision.models import SupervisorProfile
from tests.e2e.steps import follow, heading, sign_in, submit, visit
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


@pytest.mark.django_db(transaction=True)
def test_a_freed_place_goes_to_the_person_waiting_and_the_facilitator_marks_the_register(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam", user__email="sam@example.org").user
    chris = MembershipFactory(organisation=organisation, user__first_name="Chris", user__email="chris@example.org").user
    carys = make_commissioner(pool, UserFactory(first_name="Carys", email="carys@example.org"))
    carys_secret = give_two_factor(carys)
    ann = UserFactory(first_name="Ann", last_name="Carter", email="ann@example.org")
    ann_secret = give_two_factor(ann)
    facilitator = SupervisorProfile.objects.create(
        user=ann, profession="Counselling psychologist", verified_at=timezone.now()
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # 1. The commissioner creates a weekly group with one place.
    page = person()
    sign_in(page, base, carys.email, PASSWORD, secret=carys_secret)
    visit(page, f"{base}/groups/pools/{pool.pk}/new/")
    page.fill("#id_title", "Harehills reflective practice")
    page.select_option("#id_facilitator", str(facilitator.pk))
    page.get_by_label("Every week, or every few weeks").check()
    page.fill("#id_weeks", "1")
    page.select_option("#id_week_weekday", str(tomorrow.weekday()))
    page.fill("#id_first_date", str(tomorrow.day))
    page.fill("#id_first_date_month", str(tomorrow.month))
    page.fill("#id_first_date_year", str(tomorrow.year))
    page.fill("#id_start_time", "2pm")
    page.fill("#id_duration_minutes", "120")
    page.fill("#id_location", "Room 2, Harehills Community Hub")
    page.fill("#id_capacity", "1")
    page.fill("#id_ground_rules", "What is said here stays here.")
    page.fill("#id_confidentiality_statement", "Nothing said is written down.")
    submit(page, "Preview dates")
    submit(page, "Create group")
    assert "Harehills reflective practice is created with" in main_text(page)
    visit(page, f"{base}/groups/pools/{pool.pk}/")
    follow(page, "Harehills reflective practice")
    assert heading(page) == "Harehills reflective practice"
    group = ReflectiveGroup.objects.get()
    session = GroupSession.objects.filter(group=group).order_by("starts_at").first()

    # 2. Sam finds it ranked for them and books the only place.
    sam_page = person()
    sign_in(sam_page, base, sam.email, PASSWORD)
    visit(sam_page, base + "/groups/")
    assert "Why it is here: starts at 2pm" in main_text(sam_page)
    visit(sam_page, f"{base}/groups/sessions/{session.pk}/")
    submit(sam_page, "Book a place")
    assert "You have a place" in main_text(sam_page)
    assert "Room 2, Harehills Community Hub" in main_text(sam_page)

    # 3. Chris finds the session full and joins the waitlist; nobody's name is shown.
    chris_page = person()
    sign_in(chris_page, base, chris.email, PASSWORD)
    visit(chris_page, f"{base}/groups/sessions/{session.pk}/")
    assert "This session is full" in main_text(chris_page)
    assert "Sam" not in main_text(chris_page)
    submit(chris_page, "Join the waitlist")
    assert "You are on the waitlist" in main_text(chris_page)

    # 4. Sam cancels quietly (no reason); the place is held for Chris.
    visit(sam_page, f"{base}/groups/sessions/{session.pk}/")
    follow(sam_page, "Cancel my place")
    submit(sam_page, "Yes, cancel my place")
    assert "Your place is cancelled" in main_text(sam_page)

    # 5. Chris takes the place held for them.
    visit(chris_page, f"{base}/groups/sessions/{session.pk}/")
    assert "A place has come free and is held for you" in main_text(chris_page)
    submit(chris_page, "Take the place")
    assert "The place is yours" in main_text(chris_page)
    assert Place.objects.get(session=session, status=PlaceStatus.BOOKED).user == chris
    assert WaitlistEntry.objects.get(user=chris).status == WaitlistStatus.TAKEN

    # 6. The room changes: the commissioner gives the group a new place, and Chris is told once.
    follow(page, "Change the group's details, place, room or last date")
    page.fill("#id_location", "Room 4, Chapeltown Community Centre")
    submit(page, "Save changes")
    assert "Everyone with a place is being told where it meets now." in main_text(page)
    told = Notification.objects.filter(kind="group_where_changed").order_by("pk")
    assert [(n.recipient, n.context.get("facilitating", False)) for n in told] == [(chris, False), (ann, True)]
    visit(chris_page, f"{base}/groups/sessions/{session.pk}/")
    assert "Room 4, Chapeltown Community Centre" in main_text(chris_page)

    # 7. The session takes place; the facilitator sees first names only and marks Chris attended.
    started = timezone.now() - datetime.timedelta(minutes=30)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=started, ends_at=started + datetime.timedelta(hours=2))
    ann_page = person()
    sign_in(ann_page, base, ann.email, PASSWORD, secret=ann_secret)
    visit(ann_page, f"{base}/groups/facilitate/sessions/{session.pk}/")
    register = main_text(ann_page)
    assert "Chris" in register and "Harehills Drama" in register
    assert "Example" not in register  # no surnames
    submit(ann_page, "Attended")
    assert "Chris marked attended." in main_text(ann_page)
    assert Place.objects.get(session=session, user=chris).status == PlaceStatus.ATTENDED


@pytest.mark.django_db(transaction=True)
def test_moving_a_session_filling_a_cohort_and_the_leads_totals(live_server: Any, person: Callable[[], Any]) -> None:
    from scheduling.groups.changes import create_group

    base = live_server.url
    # Twelve months from this month: a year of the cohort's sessions fits in the pool (a group
    # makes none after its pool ends, docs/groups.md).
    pool = PoolFactory(name="Leeds pool", from_this_month=True)
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    lead = MembershipFactory(
        organisation=organisation, is_lead=True, user__first_name="Leila", user__email="leila@example.org"
    ).user
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam", user__email="sam@example.org").user
    carys = make_commissioner(pool, UserFactory(first_name="Carys", email="carys@example.org"))
    secret = give_two_factor(carys)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    common = {
        "first_date": tomorrow,
        "start_time": datetime.time(18, 0),
        "duration_minutes": 90,
        "capacity": 6,
        "external_facilitator_name": "Fay Brown",
        "ground_rules": "What is said here stays here.",
        "confidentiality_statement": "Nothing said is written down.",
    }
    drop_in = create_group(pool, acting_user=carys, title="Evening drop-in", rrule="FREQ=WEEKLY", **common)
    create_group(pool, acting_user=carys, title="Balint cohort", rrule="FREQ=MONTHLY", kind="cohort", **common)
    session = drop_in.sessions.order_by("starts_at").first()

    # Sam applies to join a cohort.
    sam_page = person()
    sign_in(sam_page, base, sam.email, PASSWORD)
    visit(sam_page, base + "/groups/")
    follow(sam_page, "Join a cohort in Leeds pool: a group that meets with the same people each time")
    # A monthly pattern from tomorrow falls on different days: any day suits Sam, after 17:00.
    sam_page.fill("#id_earliest_start", "17:00")
    submit(sam_page, "Apply")
    assert "We will tell you your cohort" in main_text(sam_page)
    visit(sam_page, f"{base}/groups/sessions/{session.pk}/")
    submit(sam_page, "Book a place")

    # The commissioner moves the drop-in's next session, then previews and confirms the cohorts.
    page = person()
    sign_in(page, base, carys.email, PASSWORD, secret=secret)
    visit(page, f"{base}/groups/pools/{pool.pk}/")
    follow(page, "Evening drop-in")
    page.locator("main").get_by_role("link", name="Move").first.click()
    page.wait_for_load_state()
    visit(page, page.url)
    page.fill("#id_start_time", "19:00")
    submit(page, "Move the session")
    assert "The session is moved" in main_text(page)
    session.refresh_from_db()
    assert session.sequence == 1
    visit(page, f"{base}/groups/pools/{pool.pk}/cohorts/")
    assert "* placed, 0 not placed" in main_text(page)  # counts of people are disclosed (docs/architecture.md)
    submit(page, "Confirm and tell everyone")
    assert "Cohorts filled: the people placed are told their cohort." in main_text(page)

    # The lead sees totals, suppressed, and no names.
    lead_page = person()
    sign_in(lead_page, base, lead.email, PASSWORD)
    visit(lead_page, f"{base}/organisations/{organisation.pk}/")
    follow(lead_page, "Reflective groups: your totals")
    assert "Sam" not in main_text(lead_page)
    # Sam's drop-in place and a place in each of the cohort's coming sessions, rounded to 5.
    booked = Place.objects.filter(user=sam, status=PlaceStatus.BOOKED).count()
    assert booked > 8
    assert lead_page.locator("tbody tr td").nth(1).inner_text() == str(disclosed(booked))
