"""Booking supervision without surprises (issue 18), in a real browser from each person's home
page, axe-checked on every page: the picker shows only times the booking accepts and says why
others are missing; an organisation with no hours left is told what to do instead of being
shown times; cancelling asks first and says what will happen; a commissioner runs pool-wide
matching and reads each proposal in words."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from reflect.local_time import LONDON
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.services.bookings import BookingChoice, book_supervision, explain_offering, offer_times
from supervision.services.assessments import complete_assessment, start_assessment
from tests.e2e.steps import follow, heading, sign_in, submit
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
from tests.factories.supervision import SupervisorProfileFactory, allocate
from tests.supervision.conftest import profile_answers


def _pool_and_member(allocation: str, hours_per_month: str = "6") -> tuple[Any, Any, Any]:
    today = datetime.date.today()
    pool = PoolFactory(name="Leeds pool", starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=365))
    organisation = OrganisationFactory(name="Harehills Drama")
    add_to_pool(pool, organisation)
    member = MembershipFactory(organisation=organisation, user__first_name="Sam", user__last_name="Reid").user
    agreement = agree(
        pool, organisation, supervisor_with_availability(), hours_per_month=hours_per_month, allocation=allocation
    )
    agreement.starts_on = today
    agreement.save()
    return pool, agreement, member


def _to_the_picker(page: Any, base: str, member: Any) -> None:
    sign_in(page, base, member.email, PASSWORD)
    follow(page, "Book a supervision session")
    follow(page, "Book 1:1 supervision with Ann Carter")
    assert heading(page) == "Book 1:1 supervision with Ann Carter"


@pytest.mark.django_db(transaction=True)
def test_the_picker_offers_only_bookable_times_and_cancelling_asks_first(live_server: Any, person: Any) -> None:
    base = live_server.url
    _, agreement, member = _pool_and_member(allocation="12", hours_per_month="1")
    # A colleague has taken the agreement's one hour in the month of the first free time.
    colleague = MembershipFactory(organisation=agreement.organisation, user__first_name="Chris").user
    first_free = offer_times(agreement, [colleague]).offered[0]
    book_supervision(
        agreement, BookingChoice(starts_at=first_free.start, minutes=60, attendees=[colleague]), acting_user=colleague
    )
    full_month = first_free.start.astimezone(LONDON).month
    offering = offer_times(agreement, [member])
    explanation = explain_offering(agreement, offering, 60, user=member)
    assert explanation is not None

    page = person()
    _to_the_picker(page, base, member)
    why = page.locator("#why-no-times").inner_text()
    assert explanation.reason in why and explanation.action in why
    # Every time shown is outside the month that is full, and the first is the one named.
    links = page.locator("main .reflect-slot-list a")
    assert links.count() > 0
    starts = [link.get_attribute("href").split("start=")[1].split("&")[0] for link in links.all()]
    shown = [datetime.datetime.strptime(s.replace("%3A", ":"), "%Y-%m-%dT%H:%MZ") for s in starts]
    assert all(moment.replace(tzinfo=datetime.UTC).astimezone(LONDON).month != full_month for moment in shown)
    assert shown[0].replace(tzinfo=datetime.UTC) == offering.offered[0].start

    # It books.
    with page.expect_navigation():
        links.first.click()
    when = heading(page)
    submit(page, "Book this session")
    assert heading(page) == when
    booking = SupervisionBooking.objects.get(attendees__user=member)

    # Cancelling asks first, on a page that says who is told and what happens to the hours.
    follow(page, "Cancel this session")
    consequences = page.locator("#cancel-consequences").inner_text()
    assert "Ann Carter (the supervisor)" in consequences
    assert "back to Harehills Drama's allocation in Leeds pool" in consequences
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED  # the confirmation page changes nothing
    submit(page, "Cancel the session")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "This session was cancelled" in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_an_organisation_with_no_hours_left_sees_why_instead_of_times(live_server: Any, person: Any) -> None:
    base = live_server.url
    _, _, member = _pool_and_member(allocation="0")
    page = person()
    _to_the_picker(page, base, member)
    assert page.locator("main .reflect-slot-list").count() == 0
    why = page.locator("#why-no-times").inner_text()
    assert "Harehills Drama has 0 hours of supervision left in Leeds pool" in why
    assert "Ask your organisation lead to ask the commissioner of Leeds pool for more hours" in why


@pytest.fixture
def shipped_data(transactional_db: None) -> None:
    """Transactional tests flush the database between tests: put the question bank back."""
    from supervision.models import QuestionBankVersion

    importlib.import_module("reflect.migrations.0002_communities").add_communities(apps, None)
    if not QuestionBankVersion.objects.filter(number=1).exists():
        importlib.import_module("supervision.migrations.0003_question_bank_v1").load(apps, None)


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_runs_pool_wide_matching_and_reads_each_proposal(
    live_server: Any, person: Callable[[], Any], shipped_data: None
) -> None:
    base = live_server.url
    start = timezone.localdate().replace(day=1)
    pool = PoolFactory(
        name="Leeds pool", starts_on=start, ends_on=start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    )
    organisation = OrganisationFactory(name="Harehills Drama", area="Leeds – Harehills")
    add_to_pool(pool, organisation)
    allocate(pool, organisation, "36")
    lead = MembershipFactory(organisation=organisation, is_lead=True, user__first_name="Leila").user
    assessment = start_assessment(acting_user=lead, organisation=organisation)
    assessment.answers = profile_answers("harehills-drama")
    assessment.save()
    complete_assessment(assessment, acting_user=lead)
    SupervisorProfileFactory(
        user__first_name="Ruth",
        user__last_name="Okafor",
        specialisms=["Trauma"],
        offers=["group_supervision"],
        group_work_experience=True,
        in_person_areas=["Harehills"],
    )
    commissioner = make_commissioner(pool, UserFactory(first_name="Carys"))
    secret = give_two_factor(commissioner)

    page = person()
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret)
    follow(page, "Leeds pool")
    follow(page, "Pool-wide matching: propose supervisors for every organisation that needs them")
    assert heading(page) == "Pool-wide matching"
    proposal = page.locator("main .reflect-proposal").first.inner_text()
    assert proposal.startswith("Ruth Okafor: works with Trauma, has run group work")
    assert "Proposed:" in proposal and "for Harehills Drama." in proposal
    main = page.locator("main").inner_text()
    for internal in ("score", "Score", "Total fit", "greedy", "optimal"):
        assert internal not in main
    submit(page, "Send the ticked proposals as requests")
    assert "1 request sent" in page.locator("body").inner_text()
    # Harehills Drama now waits for Ruth's answer and is left alone.
    assert "Harehills Drama" in page.locator("#waiting").inner_text()
    assert page.locator("main .reflect-proposal").count() == 0
