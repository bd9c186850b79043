"""The demo's outcome answers (demo/outcomes.py): seeding again adds nothing and never fails."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from demo.outcomes import DEMO_STAFF, seed_outcomes
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation, OutcomeResponse
from outcomes.services.invitations import queue_outcome_invitations
from tests.factories.core import OrganisationFactory, PoolFactory, staff_of

pytestmark = pytest.mark.django_db


def pool_begun_three_months_ago():
    """A pool whose members' first round (within 40 days of its start) has come, and whose second
    (six months on) has not."""
    start = (timezone.localdate() - datetime.timedelta(days=90)).replace(day=1)
    return PoolFactory(starts_on=start, ends_on=start.replace(year=start.year + 1) - datetime.timedelta(days=1))


def test_seeding_twice_skips_a_pool_that_has_invitations_but_no_answers() -> None:
    """The review's crash: a pool whose only round so far is the demo staff member's, left open
    for the walk-through, has an invitation and no answer; a second seed wrote the invitation
    again and broke its unique constraint."""
    pool = pool_begun_three_months_ago()
    staff_of(OrganisationFactory(in_pool=pool), email=DEMO_STAFF)
    seed_outcomes(io.StringIO())
    assert list(OutcomeInvitation.objects.values_list("round", "status")) == [(0, InvitationStatus.OPEN)]
    assert not OutcomeResponse.objects.exists()
    out = io.StringIO()
    seed_outcomes(out)
    assert out.getvalue() == "Outcome answers: 0 added.\n"
    assert OutcomeInvitation.objects.count() == 1


def test_a_pool_the_daily_task_already_asked_is_left_alone() -> None:
    """After the beat task has asked someone (an invitation, no answer yet), seeding adds nothing."""
    pool = pool_begun_three_months_ago()
    staff_of(OrganisationFactory(in_pool=pool))
    queue_outcome_invitations()
    seed_outcomes(io.StringIO())
    seed_outcomes(io.StringIO())
    assert OutcomeInvitation.objects.count() == 1 and not OutcomeResponse.objects.exists()
