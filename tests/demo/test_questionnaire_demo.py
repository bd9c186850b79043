from __future__ import annotations

import io

import pytest

from demo.management.commands.seed_demo import DEMO_STEPS
from demo.supervision import DEMO_ORGANISATION, questionnaire_demo
from supervision.models import NeedsAssessment
from supervision.scoring import CLINICAL_SUPERVISION_RECOMMENDED
from tests.factories.core import OrganisationFactory, staff_of

pytestmark = pytest.mark.django_db


def test_demo_lead_organisation_gets_one_finished_assessment_and_running_again_adds_none():
    assert questionnaire_demo in DEMO_STEPS
    organisation = OrganisationFactory(name=DEMO_ORGANISATION)
    lead = staff_of(organisation, lead=True, email="lead@demo.reflect.test")
    out = io.StringIO()
    questionnaire_demo(out)
    questionnaire_demo(out)
    assessment = NeedsAssessment.objects.get()
    assert (assessment.organisation, assessment.owner, assessment.outcome) == (
        organisation,
        lead,
        CLINICAL_SUPERVISION_RECOMMENDED,
    )
    assert out.getvalue() == f"Needs assessment: {DEMO_ORGANISATION} has a finished questionnaire result.\n"


def test_demo_step_does_nothing_without_the_demo_organisation():
    questionnaire_demo(io.StringIO())
    assert NeedsAssessment.objects.count() == 0
