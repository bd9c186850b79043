"""The questionnaire through the API, with no account: the bank, a submission scored by the
page's services with the page's result, bad answers as problems that change nothing, and the
limit per client address."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.throttling import PerAddressThrottle
from reflect.models import AuditEvent
from supervision.models import NeedsAssessment
from supervision.scoring import CLINICAL_SUPERVISION_RECOMMENDED
from supervision.services.bank import current_version, sections_of
from tests.api.conftest import token_client
from tests.supervision.conftest import profile_answers, take_questionnaire

pytestmark = pytest.mark.django_db

BANK = "/api/v1/questionnaire/"
SUBMIT = "/api/v1/questionnaire/submissions/"


@pytest.fixture
def drama_answers() -> dict:
    return profile_answers("harehills-drama")


def test_the_bank_is_the_current_version_with_no_account():
    response = APIClient().get(BANK)
    assert response.status_code == 200
    body = response.json()
    version = current_version()
    sections = sections_of(version)
    assert body["version"] == version.number == 1
    assert [s["key"] for s in body["sections"]] == [s.key for s in sections]
    first = sections[0].questions.all()[0]
    question = body["sections"][0]["questions"][0]
    assert (question["key"], question["text"], question["kind"]) == (first.key, first.text, first.kind)
    assert question["options"] == [{"value": o.value, "label": o.label} for o in first.options.all()]


def test_a_submission_gets_the_pages_result_bid_line_and_brief(drama_answers):
    response = APIClient().post(
        SUBMIT,
        {
            "answers": drama_answers,
            "version": 1,
            "organisation_name": "Harehills Drama",
            "about": "A weekly drama group for refugee women.",
            "months": 6,
            "rate": "75",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["outcome"], body["outcome_label"]) == (
        1,
        CLINICAL_SUPERVISION_RECOMMENDED,
        "Clinical supervision recommended",
    )
    assert "Group supervision: 1 group × 2 h/month × 6 months × £75/h = £900" in body["bid"]["lines"]
    assert "People tell staff about trauma most weeks." in [r["reason"] for r in body["reasons"]]
    assert body["brief"]["title"] == "Clinical supervision brief: Harehills Drama"
    assert "Most months: Emotional dysregulation, Dissociation." in body["brief"]["text"]
    assert "A weekly drama group for refugee women." in body["brief"]["text"]
    # Through the page's services: one anonymous, completed assessment, audited as the page's is.
    assessment = NeedsAssessment.objects.get()
    assert (assessment.owner, assessment.organisation, assessment.outcome) == (
        None,
        None,
        CLINICAL_SUPERVISION_RECOMMENDED,
    )
    assert assessment.answers == {k: v for k, v in drama_answers.items() if v not in (None, "", [])}
    assert AuditEvent.objects.filter(action="needs_assessment.completed", actor=None).count() == 1


def test_the_page_and_the_api_give_the_same_result(client, drama_answers):
    page = take_questionnaire(client, drama_answers)
    body = APIClient().post(SUBMIT, {"answers": drama_answers}, format="json").json()
    assert body["outcome"] == page.outcome
    assert [f["key"] for f in body["formats"]] == [f["key"] for f in page.result["formats"]]
    assert [r["reason"] for r in body["reasons"]] == [r["reason"] for r in page.result["reasons"]]
    assert body["specialisms"] == page.result["specialisms"]
    # The page's default costing: 12 months at £60.
    assert "Group supervision: 1 group × 2 h/month × 12 months × £60/h = £1,440" in body["bid"]["lines"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"answers": {}}, "answers.one_to_one", "Answer “Do staff or volunteers support people one to one?”."),
        ({"answers": {"one_to_one": "perhaps"}}, "answers.one_to_one", None),
        ({"answers": {"no_such_question": "yes"}}, "answers.no_such_question", None),
        ({"months": 0}, "months", "Enter a period between 1 and 60 months."),
        ({"months": "twelve"}, "months", "Enter the period as a whole number of months, like 12."),
        ({"rate": "-3"}, "rate", "Enter an hourly rate above £0."),
        ({"rate": "60.123"}, "rate", "Enter the hourly rate in pounds and pence, like 62.50."),
        ({"version": 99}, "version", "The questionnaire has changed: answer version 1's questions."),
        ({"about": "x" * 1001}, "about", None),
        ({"answers": ["yes"]}, "answers", None),
    ],
)
def test_bad_answers_are_a_problem_in_the_pages_words_and_change_nothing(drama_answers, change, field, message):
    body = {"answers": dict(drama_answers)} | change
    if "answers" in change and isinstance(change["answers"], dict) and change["answers"]:
        body["answers"] = dict(drama_answers) | change["answers"]
    response = APIClient().post(SUBMIT, body, format="json")
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert field in errors, errors
    if message:
        assert errors[field] == [message]
    assert not NeedsAssessment.objects.exists()


def test_a_token_is_not_needed_and_not_used(world, drama_answers):
    client = token_client(world.lead)
    response = client.post(SUBMIT, {"answers": drama_answers}, format="json")
    assert response.status_code == 201
    assert NeedsAssessment.objects.get().owner is None  # anonymous, as the API says


def test_requests_are_limited_per_client_address(drama_answers, monkeypatch):
    monkeypatch.setattr(PerAddressThrottle, "THROTTLE_RATES", {"address": "3/min"})
    one, other = APIClient(REMOTE_ADDR="203.0.113.5"), APIClient(REMOTE_ADDR="203.0.113.6")
    assert [one.get(BANK).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = one.post(SUBMIT, {"answers": drama_answers}, format="json")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited["Content-Type"] == "application/problem+json"
    assert not NeedsAssessment.objects.exists()
    assert other.get(BANK).status_code == 200  # another address has its own count
    # X-Forwarded-For from a client that is not a trusted proxy is not believed.
    spoofed = APIClient(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert spoofed.get(BANK).status_code == 429
