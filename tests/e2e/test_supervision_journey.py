"""Supervisor profile → admin verification → the lead's matches → request → acceptance, in a
real browser, with the axe-core check on every page of ours."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from reflect.models import Community
from supervision.enums import RequestStatus
from supervision.models import SupervisionAgreement, SupervisionRequest, SupervisorProfile
from supervision.services.assessments import complete_assessment, start_assessment
from tests.e2e.steps import checked, follow, heading, sign_in, submit, visit
from tests.factories.core import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    add_to_pool,
    give_two_factor,
)
from tests.factories.supervision import allocate
from tests.supervision.conftest import profile_answers


@pytest.fixture
def shipped_data(transactional_db: None) -> None:
    """Transactional tests flush the database between tests: put the migrations' data back."""
    from supervision.models import QuestionBankVersion

    importlib.import_module("reflect.migrations.0002_communities").add_communities(apps, None)
    if not QuestionBankVersion.objects.filter(number=1).exists():
        importlib.import_module("supervision.migrations.0003_question_bank_v1").load(apps, None)


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_is_verified_matched_asked_and_agrees(
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

    # 1. A clinician builds a profile (behind two-factor authentication).
    ruth = UserFactory(email="ruth@clinic.example.org", first_name="Ruth", last_name="Okafor")
    secret = give_two_factor(ruth)
    page = person()
    sign_in(page, base, ruth.email, PASSWORD, secret=secret)
    visit(page, base + "/supervisor/profile/")
    assert heading(page) == "Become a supervisor"
    page.fill("#id_profession", "Counselling psychologist")
    page.select_option("#id_professional_body", "bps_hcpc")
    page.fill("#id_registration_number", "12345")
    submit(page, "Save profile")
    assert "BPS/HCPC registration numbers are PYL and 5 or 6 digits" in page.locator("main").inner_text()
    page.fill("#id_registration_number", "PYL034512")
    for label in ["Trauma", "Dissociation", "group supervision"]:
        page.locator("main").get_by_label(label, exact=True).check()
    page.locator("#id_group_work_experience").check()
    page.locator("main").get_by_label(Community.objects.get(slug="poverty").name, exact=True).check()
    page.fill("#id_languages", "English, Yoruba")
    page.fill("#id_in_person_areas", "Harehills")
    page.fill("#id_hourly_rate", "60")
    page.fill("#id_monthly_capacity_hours", "8")
    page.locator("#id_agrees_non_clinical").check()
    submit(page, "Save profile")
    assert heading(page) == "Your supervisor profile"
    assert "Not yet verified" in page.locator("#verification-status").inner_text()
    profile = SupervisorProfile.objects.get(user=ruth)

    # 2. An administrator verifies the registration from the queue (Django's own admin pages).
    admin_user = UserFactory(email="ada@reflect.example.org", is_staff=True, is_superuser=True)
    admin_page = person()
    sign_in(admin_page, base, admin_user.email, PASSWORD, secret=give_two_factor(admin_user))
    admin_page.goto(base + "/admin/supervision/supervisorprofile/?verification=unverified")
    admin_page.locator(f"input[name=_selected_action][value='{profile.pk}']").check()
    admin_page.select_option("select[name=action]", "verify")
    admin_page.fill("input[name=note]", "HCPC register: PYL034512 current")
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Go").click()
    profile.refresh_from_db()
    assert (profile.verified_by, profile.verification_note) == (admin_user, "HCPC register: PYL034512 current")

    # 3. The lead sees Ruth ranked with why, and asks her.
    lead_page = person()
    sign_in(lead_page, base, lead.email, PASSWORD)
    visit(lead_page, base + f"/organisations/{organisation.pk}/matches/")
    assert "Covers 2 of 4 specialisms you asked for: Trauma, Dissociation" in lead_page.locator("main").inner_text()
    follow(lead_page, "Ask Ruth Okafor")
    lead_page.fill("#id_message", "Three facilitators run a weekly drama group.")
    submit(lead_page, "Send request")
    assert heading(lead_page) == "Supervision requests and agreements", lead_page.locator("main").inner_text()
    request = SupervisionRequest.objects.get()
    assert (request.hours_per_month, request.format) == (2, "group_supervision")

    # 4. Ruth accepts; the agreement exists on both sides.
    visit(page, base + "/supervisor/requests/")
    follow(page, "Harehills Drama")
    page.fill("#id_reply", "Glad to. First session in the first week.")
    submit(page, "Accept")
    assert heading(page) == "Your agreements"
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    agreement = SupervisionAgreement.objects.get()
    assert (agreement.organisation, agreement.supervisor) == (organisation, profile)
    visit(lead_page, base + f"/organisations/{organisation.pk}/supervision/")
    assert "Ruth Okafor" in lead_page.locator("table").first.inner_text()
    checked(lead_page)
