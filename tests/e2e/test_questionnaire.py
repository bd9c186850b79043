"""Browser journey: take the questionnaire signed out, get the result, download the brief PDF;
axe-core finds no WCAG 2.2 AA violation on any questionnaire page."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from pypdf import PdfReader

from tests.e2e.conftest import assert_accessible

PROFILES = {
    p["key"]: p
    for p in json.loads((Path(__file__).resolve().parents[2] / "docs" / "questionnaire-profiles.json").read_text())
}


@pytest.fixture
def shipped_bank(transactional_db):
    """Transactional tests flush the database between tests: put the shipped bank back if it went."""
    from supervision.models import QuestionBankVersion

    if not QuestionBankVersion.objects.filter(number=1).exists():
        importlib.import_module("supervision.migrations.0003_question_bank_v1").load(apps, None)


def answer_page(page, answers):
    names = page.eval_on_selector_all(
        "form input[name], form textarea[name]", "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        if name not in answers:
            continue
        value = answers[name]
        if isinstance(value, list):
            for item in value:
                page.check(f"input[name='{name}'][value='{item}']")
        elif page.locator(f"input[name='{name}'][type='radio']").count():
            page.check(f"input[name='{name}'][value='{value}']")
        else:
            page.fill(f"input[name='{name}']", str(value))


@pytest.mark.django_db(transaction=True)
def test_take_questionnaire_get_result_and_pdf(live_server, page, shipped_bank):
    answers = PROFILES["harehills-drama"]["answers"]
    page.goto(live_server.url + "/")
    page.click("text=Do we need supervision?")
    assert page.locator("h1").inner_text() == "Do we need clinical supervision?"
    assert_accessible(page)
    page.fill("#id_organisation_name", "Harehills Drama")
    page.fill("#id_about", "A weekly drama group for refugee women.")
    page.click("button:has-text('Start now')")

    # A section sent with nothing answered names every missing question (and stays accessible).
    page.click("button:has-text('Continue')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Answer “Do you run groups" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    for number in range(1, 7):
        assert page.locator(".govuk-caption-l").inner_text() == f"Section {number} of 6"
        answer_page(page, answers)
        if number == 3:
            # Save and come back later: the private link opens the answers in a fresh browser context.
            page.click("button:has-text('Save and come back later')")
            assert page.locator("h1").inner_text() == "Your answers are saved"
            assert_accessible(page)
            link = page.input_value("#resume-link")
            page.context.clear_cookies()
            page.goto(link)
            assert page.locator(".govuk-caption-l").inner_text() == "Section 3 of 6"
            answer_page(page, answers)
        assert_accessible(page)
        page.click("button:has-text('Continue'), button:has-text('Check your answers')")

    assert page.locator("h1").inner_text() == "Check your answers"
    assert_accessible(page)
    page.click("button:has-text('Get my result')")

    assert page.locator("h1").inner_text() == "Your result"
    assert page.locator(".govuk-panel__title").inner_text() == "Clinical supervision recommended"
    assert page.input_value("#bid-line") == "Group supervision: 1 group × 2 h/month × 12 months × £60/h = £1,440"
    assert_accessible(page)
    page.fill("#id_months", "24")
    page.fill("#id_rate", "55")
    page.click("button:has-text('Work out the cost')")
    assert page.input_value("#bid-line") == "Group supervision: 1 group × 2 h/month × 24 months × £55/h = £2,640"
    # Training (docs/learning.md): topics from the presentations met, and a line in the bid.
    assert "Working with complex trauma" in page.locator("#training + p + ul").inner_text()
    page.fill("#id_training_days", "2")
    page.click("button:has-text('Work out the cost')")
    assert page.input_value("#bid-line") == (
        "Group supervision: 1 group × 2 h/month × 24 months × £55/h = £2,640\n"
        "Training: 2 days × £600/day = £1,200 (from our own budget)\n"
        "Total: £3,840 for 48 hours"
    )
    assert_accessible(page)
    page.locator("#training").scroll_into_view_if_needed()
    page.screenshot(
        path=str(Path(__file__).resolve().parents[2] / "docs/screenshots/learning-questionnaire-training.png"),
        full_page=True,
    )
    page.fill("#id_months", "0")
    page.click("button:has-text('Work out the cost')")
    assert "Enter a period between 1 and 60 months." in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.click("text=Download the brief (PDF)")
    pdf = Path(download_info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Clinical supervision brief: Harehills Drama" in text
    assert "A weekly drama group for refugee women." in text
    assert (
        "Specialisms we would value: Trauma, Emotional dysregulation, Dissociation, Self-harm and suicidal distress."
        in text
    )

    page.click("text=Open the brief to print")
    assert page.locator("h1").inner_text() == "Clinical supervision brief: Harehills Drama"
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.locator(".govuk-header").is_hidden()
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1  # the print stylesheet keeps the brief to one A4 page
    page.emulate_media(media="screen")

    page.goto(live_server.url + "/questionnaire/resume/not-a-real-link/")
    assert page.locator("h1").inner_text() == "We cannot find these answers"
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_signed_in_results_and_compare_pages_are_accessible(live_server, page, shipped_bank):
    from supervision.services.assessments import complete_assessment, start_assessment
    from tests.factories.core import PASSWORD, MembershipFactory

    lead = MembershipFactory(is_lead=True, organisation__name="Open Door Peer Support").user
    for key in ["self-harm-peer-support", "mens-shed"]:
        assessment = start_assessment(acting_user=lead, organisation=lead.memberships.get().organisation)
        assessment.answers = PROFILES[key]["answers"]
        assessment.save()
        complete_assessment(assessment, acting_user=lead)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name='login']", lead.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    page.goto(live_server.url + "/questionnaire/")
    assert_accessible(page)
    page.click("text=Your past results")
    assert page.locator("h1").inner_text() == "Your questionnaire results"
    assert_accessible(page)
    page.click("text=Compare two results")
    page.click("button:has-text('Compare')")
    assert page.locator("h2", has_text="Why the outcome").inner_text() == "Why the outcome moved"
    assert_accessible(page)
