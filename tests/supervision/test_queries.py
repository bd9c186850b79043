from __future__ import annotations

import pytest

from supervision.queries import MatchingNeeds, matching_needs_for
from supervision.scoring import CLINICAL_SUPERVISION_RECOMMENDED
from supervision.services.assessments import complete_assessment, start_assessment
from tests.supervision.conftest import profile_answers

pytestmark = pytest.mark.django_db


def _complete(world, key):
    assessment = start_assessment(acting_user=world.lead, organisation=world.organisation)
    assessment.answers = profile_answers(key)
    assessment.save()
    return complete_assessment(assessment, acting_user=world.lead)


def test_matching_needs_come_from_the_latest_result_with_weighted_specialisms(world):
    assert matching_needs_for(world.organisation) is None
    _complete(world, "mens-shed")
    latest = _complete(world, "harehills-drama")
    assert matching_needs_for(world.organisation) == MatchingNeeds(
        assessment_id=latest.pk,
        outcome=CLINICAL_SUPERVISION_RECOMMENDED,
        specialism_weights=(
            ("Trauma", 3),
            ("Emotional dysregulation", 1),
            ("Dissociation", 1),
            ("Self-harm and suicidal distress", 1),
        ),
        runs_groups=True,
        delivery="in_person",
    )
    assert matching_needs_for(world.other_organisation) is None
