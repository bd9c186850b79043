"""Helpers for the questionnaire tests (the profile answers, taking it through the views), and the
world's pool over a year from this month for requests and agreements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reflect.models import Pool
from supervision.models import NeedsAssessment
from supervision.services.bank import current_version, sections_of
from tests.factories.core import run_from_this_month
from tests.factories.supervision import allocate

PROFILES = {
    p["key"]: p
    for p in json.loads((Path(__file__).resolve().parents[2] / "docs" / "questionnaire-profiles.json").read_text())
}


def profile_answers(key: str, **overrides: Any) -> dict[str, Any]:
    return {**PROFILES[key]["answers"], **overrides}


def section_post(number: int, answers: dict[str, Any]) -> dict[str, Any]:
    section = sections_of(current_version())[number - 1]
    return {q.key: answers[q.key] for q in section.questions.all() if q.key in answers}


def take_questionnaire(client: Client, answers: dict[str, Any], start: dict[str, str] | None = None) -> NeedsAssessment:
    """Start, answer every section, and get the result — through the views, as a person would."""
    response = client.post(reverse("questionnaire_start"), start or {"organisation_name": "", "about": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = NeedsAssessment.objects.order_by("-pk").first()
    count = len(sections_of(assessment.version))
    for number in range(1, count + 1):
        url = reverse("questionnaire_section", args=[assessment.pk, number])
        response = client.post(url, {**section_post(number, answers), "continue": ""})
        assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("questionnaire_check", args=[assessment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("questionnaire_result", args=[assessment.pk])
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def drama_answers() -> dict[str, Any]:
    return profile_answers("harehills-drama")


@pytest.fixture
def year_pool_hours() -> str:
    """The hours ``year_pool`` allocates the world's organisation (a module may say otherwise)."""
    return "36"


@pytest.fixture
def year_pool(world, year_pool_hours: str) -> Pool:
    """The world's pool runs twelve whole months from this month, so the sums do not depend on
    the day; its organisation is allocated ``year_pool_hours``."""
    run_from_this_month(world.pool)
    allocate(world.pool, world.organisation, year_pool_hours)
    return world.pool
