"""The profile table (docs/questionnaire-profiles.md): the shipped bank gives each profile
the outcome a thoughtful clinician would expect. The answers live in the JSON the doc shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supervision.models import QuestionBankVersion
from supervision.scoring import OUTCOME_LABELS, missing_required, score
from supervision.services.bank import bank_data

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROFILES = json.loads((DOCS / "questionnaire-profiles.json").read_text())


def test_there_are_at_least_twelve_profiles_with_distinct_keys():
    keys = [p["key"] for p in PROFILES]
    assert len(keys) >= 12
    assert len(set(keys)) == len(keys)
    assert {p["expected_outcome"] for p in PROFILES} == set(OUTCOME_LABELS)


@pytest.mark.django_db
@pytest.mark.parametrize("profile", PROFILES, ids=[p["key"] for p in PROFILES])
def test_shipped_bank_gives_each_profile_its_expected_outcome(profile):
    bank = bank_data(QuestionBankVersion.objects.get(number=1))
    assert [q.key for q in missing_required(bank, profile["answers"])] == []
    result = score(bank, profile["answers"])
    assert result.outcome == profile["expected_outcome"]
    assert result.reasons, "every outcome is explained by at least one rule"


def test_the_doc_table_shows_every_profile_with_its_outcome():
    doc = (DOCS / "questionnaire-profiles.md").read_text()
    for profile in PROFILES:
        row = f"| {profile['name']} | {OUTCOME_LABELS[profile['expected_outcome']]} |"
        assert row in doc, f"docs/questionnaire-profiles.md lacks the row for {profile['key']}"
